"""Run mkdocs-macros in a data-only Jinja sandbox.

Hand-written pages of ``docs/`` keep their macros (``{{ config.site_name }}``, ``{{ page.title }}``,
``{{ now().year }}``), but a template reads plain data only: Jinja's sandbox alone still lets
``config.plugins['eiso'].root.joinpath('x').write_text('y')`` write any file, because a
``Path`` method is an ordinary public method. Here attributes, items and calls stop at anything
that is not plain data (strings, numbers, dates, lists, dicts), a page's public facts, or a
registered macro; the template gets an empty value instead, and the access is recorded with
the page and line so that the build reports it and fails.
"""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from jinja2 import Template, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import ChainableUndefined, LoopContext, Macro, Undefined, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup
from mkdocs.structure.pages import Page

from eiso.documents.budget import OverBudget, within_budget

_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "undefined", "loader",
    "autoescape", "finalize", "optimized", "cache_size", "auto_reload",
)
# ``range``: the sandbox's own (at most 100,000 numbers, lazy): ``{% for i in range(3) %}`` is a common idiom.
_DATA = (str, int, float, bool, type(None), dict, list, tuple, set, frozenset, range, dt.date, dt.time, dt.timedelta,
         Markup)
_JINJA_OWN = (LoopContext, Namespace, Cycler, Joiner, Macro)
# What a page may read of itself: facts, never its file or paths.
PAGE_ATTRIBUTES = frozenset({"title", "url", "meta", "is_homepage", "canonical_url", "abs_url", "edit_url",
                             "next_page", "previous_page"})
# Of MkDocs' configuration, only what a page may print.
CONFIG_KEYS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name", "extra")
#: a hand-written page's templates print a few values: seconds are a loop that would never end
MACRO_SECONDS = 5.0
MAX_OUTPUT = 2_000_000  # characters of a page once its template ran: a long procedure is 100,000
MACRO_MEMORY = 512 * 2**20  # bytes a page's template may add to the build: a page prints a few values
MAX_EXPONENT = 1000  # 10 ** 1000 prints in a millisecond; 7 ** 10 ** 8 takes minutes
MAX_REPEAT = 1_000_000  # characters or items of "x" * n, a ~ b, a + b
MAX_BITS = 100_000  # operands of a step: about 30,000 digits
# mkdocs-macros' own macros that dump every variable or read files.
_DROPPED_MACROS = ("context", "macros_info")


@dataclass
class Violation:
    page: str
    line: int
    what: str
    #: a page whose template failed or ran too long: said as it is (``what`` is then empty)
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return f"{self.page}:{self.line}: mẫu Jinja (macros): {self.reason}"
        return (f"{self.page}:{self.line}: mẫu Jinja (macros) bị chặn: không được dùng «{self.what}»; trang chỉ "
                "được đọc dữ liệu đơn giản (chữ, số, ngày, danh sách), không đọc/ghi tệp, không dùng đối tượng "
                "hay cấu hình của MkDocs (SecurityError)")


class _Blocked(ChainableUndefined):
    """What a refused access gives: empty, and every further step on it is refused too."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> "_Blocked":
        return self

    def __str__(self) -> str:
        return ""


class TemplateConfig(dict):
    """The part of MkDocs' configuration a page may read; anything else is a violation."""


@dataclass
class _Recorder:
    where: Callable[[], tuple[str, int]] = lambda: ("?", 0)
    violations: list[Violation] = field(default_factory=list)

    def record(self, what: str) -> None:
        page, offset = self.where()
        self.violations.append(Violation(page, offset + (_template_line() or 1), what))

    def failed(self, reason: str, line: int | None) -> None:
        page, offset = self.where()
        self.violations.append(Violation(page, offset + (line or 1), "", reason))


class _BoundedTemplate:
    """A page's template whose rendering has a time budget and never raises: mkdocs-macros would print a
    Python traceback and stop the whole build with exit status 100; here the page keeps its text as written,
    and the failure is a located Vietnamese error of the build (exit status 1)."""

    def __init__(self, template: Template | None, source: str, recorder: _Recorder) -> None:
        self.template, self.source, self.recorder = template, source, recorder

    def render(self, *args: Any, **kwargs: Any) -> str:
        if self.template is None:
            return self.source
        try:
            with memory_cap(MACRO_MEMORY):
                rendered = within_budget(lambda: self.template.render(*args, **kwargs), MACRO_SECONDS)
            if len(rendered) <= MAX_OUTPUT:
                return rendered
            # What each page leaves behind adds up over a build: the cap bounds a page's work, this its result.
            self.recorder.failed(f"kết quả dài quá {MAX_OUTPUT // 10**6} triệu ký tự; trang giữ nguyên văn bản", None)
        except MemoryError:
            self.recorder.failed(f"cần quá {MACRO_MEMORY // 2**20} MB bộ nhớ (chuỗi quá dài?); trang giữ nguyên văn "
                                 "bản", None)
        except OverBudget:
            self.recorder.failed(f"chạy quá {MACRO_SECONDS:g} giây (vòng lặp quá lớn?); trang giữ nguyên văn bản", None)
        except OverflowError as error:  # the sandbox's range() counts to 100,000 at most
            self.recorder.failed("số quá lớn (range() tối đa 100.000 số); trang giữ nguyên văn bản", _error_line(error))
        except Exception as error:  # noqa: BLE001 - one page's template must not stop the build with a traceback
            self.recorder.failed(f"lỗi khi chạy mẫu ({type(error).__name__}); trang giữ nguyên văn bản",
                                 _error_line(error))
        return self.source


class _SizedConcat(CodeGenerator):
    """Jinja's code for ``a ~ b``, with the length of the result checked first: doubling a text in a loop
    reaches gigabytes in thirty steps, each one step of Python (the budget's clock comes too late)."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("), context.eval_ctx.autoescape)")


class DataOnlySandbox(ImmutableSandboxedEnvironment):
    recorder: _Recorder
    code_generator_class = _SizedConcat
    # Checked at run time (and so never folded while compiling, where no budget can stop them): one power,
    # repetition or concatenation is a single step of Python that no clock interrupts (``7 ** 10 ** 8``,
    # ``"x" * 10 ** 10``, a text added to itself in a loop).
    intercepted_binops = frozenset({"**", "*", "//", "%", "+"})

    def sized_join(self, parts: tuple[Any, ...], autoescape: bool) -> Any:
        texts = [part if hasattr(part, "__html__") else str(part) for part in parts]
        if sum(len(text) for text in texts) > MAX_REPEAT:
            self.recorder.failed("phép nối chuỗi «~» cho kết quả quá lớn nên bị bỏ", _template_line())
            return ""
        return markup_join(texts) if autoescape else str_join(texts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if isinstance(left, _Blocked) or isinstance(right, _Blocked):  # already reported
            return _Blocked()
        if _too_large(operator, left, right):
            self.recorder.failed(f"phép tính «{operator}» cho kết quả quá lớn nên bị bỏ", _template_line())
            return _Blocked()
        return super().call_binop(context, operator, left, right)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        try:  # Jinja computes constant expressions (filters too) while compiling: the same bounds apply
            with memory_cap(MACRO_MEMORY):
                template = within_budget(lambda: super(DataOnlySandbox, self).from_string(source, globals,
                                                                                          template_class),
                                         MACRO_SECONDS)
        except MemoryError:
            self.recorder.failed(f"dịch mẫu cần quá {MACRO_MEMORY // 2**20} MB bộ nhớ; trang giữ nguyên văn bản", None)
            template = None
        except OverBudget:
            self.recorder.failed(f"dịch mẫu quá {MACRO_SECONDS:g} giây; trang giữ nguyên văn bản", None)
            template = None
        except TemplateSyntaxError as error:
            self.recorder.failed("cú pháp không đúng (ví dụ «{{ … }}» hay «{% … %}» dùng cho chữ thường); trang "
                                 "giữ nguyên văn bản; muốn viết nguyên văn hãy đặt trong {% raw %}…{% endraw %}",
                                 error.lineno)
            template = None
        return _BoundedTemplate(template, str(source), self.recorder)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, Page):
            return attr in PAGE_ATTRIBUTES
        if not isinstance(obj, _DATA + _JINJA_OWN) or isinstance(obj, type):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, _Blocked):  # already reported
            return obj
        if isinstance(obj, TemplateConfig) and attribute not in obj:
            return self._blocked(f"config.{attribute}")
        return self._checked(super().getattr(obj, attribute), attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, _Blocked):
            return obj
        if isinstance(obj, TemplateConfig) and argument not in obj:
            return self._blocked(f"config[{argument!r}]")
        if not isinstance(obj, _DATA + (Undefined, Page)) or isinstance(obj, type):
            return self._blocked(f"{type(obj).__name__}[{argument!r}]")
        return self._checked(super().getitem(obj, argument), argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        return self._blocked(f"{type(obj).__name__}.{attribute}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        if isinstance(__obj, _Blocked):
            return __obj
        if isinstance(__obj, Undefined):  # e.g. a removed macro: refused plainly, not with a traceback
            return __self._blocked(f"{getattr(__obj, '_undefined_name', None) or '?'}()")
        if not __self._may_call(__obj):
            return __self._blocked(f"{getattr(__obj, '__name__', type(__obj).__name__)}()")
        return __self._checked(super().call(__context, __obj, *args, **kwargs), "()")

    def _may_call(self, obj: Any) -> bool:
        if isinstance(obj, Macro) or any(obj is value for value in self.globals.values()):
            return True
        owner = getattr(obj, "__self__", None)  # a method of plain data (str.upper, dict.items)
        return owner is not None and isinstance(owner, _DATA) and not isinstance(owner, type)

    def _checked(self, value: Any, name: Any) -> Any:
        # Plain data, a page, a callable checked when called; never another object.
        if isinstance(value, _DATA + _JINJA_OWN + (Undefined, Page)) or callable(value):
            return value
        return self._blocked(f"{name} ({type(value).__name__})")

    def _blocked(self, what: str) -> _Blocked:
        self.recorder.record(what)
        return _Blocked()


def sandbox_macros(plugins: Any, config: Any = None) -> _Recorder | None:
    """Replace the macros plugin's Jinja environment by a data-only sandbox and its variables by
    plain data. Returns the recorder of refused accesses, or None when macros is not used."""
    macros = plugins.get("macros") if hasattr(plugins, "get") else None
    env = getattr(macros, "_env", None)
    if env is None:
        return None
    if isinstance(env, DataOnlySandbox):
        return env.recorder
    settings = {name: getattr(env, name) for name in _SETTINGS if hasattr(env, name)}
    settings["extensions"] = list(env.extensions.values()) and [type(e) for e in env.extensions.values()]
    sandboxed = DataOnlySandbox(**settings)
    sandboxed.globals.update({k: v for k, v in env.globals.items() if k not in _DROPPED_MACROS})
    sandboxed.globals["range"] = safe_range  # the sandbox's, not the one the plugin's environment copied over it
    sandboxed.filters.update(env.filters)
    sandboxed.tests.update(env.tests)
    sandboxed.recorder = _Recorder(where=lambda: _page_of(macros, config))
    macros._env = sandboxed
    _plain_variables(macros.variables, config)
    return sandboxed.recorder


def _plain_variables(variables: dict, config: Any) -> None:
    source = config if config is not None else variables.get("config") or {}
    variables["config"] = TemplateConfig({key: _plain(source.get(key)) for key in CONFIG_KEYS})
    variables.pop("plugin", None)  # the macros plugin's own settings, with folders
    variables.pop("environment", None)  # versions of the build machine
    for name in _DROPPED_MACROS:
        if isinstance(variables.get("macros"), dict):
            variables["macros"].pop(name, None)


def _plain(value: Any) -> Any:
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, _DATA) else str(value)


def _page_of(macros: Any, config: Any) -> tuple[str, int]:
    """The page being rendered (relative to the repository) and the line its body starts at."""
    page = getattr(macros, "_page", None)
    file = getattr(page, "file", None)
    if file is None or not getattr(file, "abs_src_path", None):
        return ("?", 0)
    source = Path(file.abs_src_path)
    root = Path(config.config_file_path).resolve().parent if config is not None else source.parent
    try:
        name = source.resolve().relative_to(root).as_posix()
    except ValueError:
        name = file.src_uri
    return name, _front_matter_lines(source)


def _front_matter_lines(source: Path) -> int:
    try:
        lines = source.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return 0
    if not lines or lines[0].rstrip() != "---":
        return 0
    for number, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            body = number + 1
            while body < len(lines) and lines[body] == "":  # MkDocs strips the body's leading newlines
                body += 1
            return body
    return 0


@contextmanager
def memory_cap(extra: int) -> Iterator[None]:
    """Allow the process ``extra`` bytes more address space than it has now, until the block ends: one string
    method (``"x".ljust(10 ** 10)``) allocates gigabytes in a single step, which no clock interrupts, and
    would take the build machine's memory; past the cap it is a ``MemoryError`` instead. Without the
    ``resource`` module or ``/proc`` (not Linux), nothing is capped."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError, IndexError):
        yield
        return
    cap = used + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield  # already capped tighter by whoever runs the build
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _too_large(operator: str, left: Any, right: Any) -> bool:
    """A power, repetition or big-number step that would take seconds or gigabytes in one operation."""
    numbers = [value for value in (left, right) if isinstance(value, int) and not isinstance(value, bool)]
    if any(value.bit_length() > MAX_BITS for value in numbers):
        return True
    if operator == "**":
        return isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT
    if operator == "*":
        sized = next((value for value in (left, right) if isinstance(value, (str, list, tuple))), None)
        count = right if sized is left else left
        return sized is not None and isinstance(count, int) and len(sized) * count > MAX_REPEAT
    if operator == "+":
        return all(isinstance(value, (str, list, tuple)) for value in (left, right)) and \
            len(left) + len(right) > MAX_REPEAT
    return False


def _error_line(error: BaseException) -> int | None:
    """Line of the template where ``error`` was raised (Jinja's debug map of the traceback's frames)."""
    traceback = error.__traceback__
    line = None
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_code.co_filename == "<template>":
            line = _debug_line(frame, traceback.tb_lineno) or line
        traceback = traceback.tb_next
    return line


def _debug_line(frame: Any, code_line: int) -> int | None:
    if "debug_info" not in frame.f_globals:  # a frame Jinja rewrote for its traceback: already a template line
        return code_line
    best = None
    for pair in str(frame.f_globals.get("debug_info", "")).split("&"):
        template_line, _, compiled = pair.partition("=")
        if compiled.isdigit() and int(compiled) <= code_line:
            best = int(template_line)
    return best


def _template_line() -> int | None:
    """Line of the template being run, from Jinja's debug map of the compiled code."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == "<template>":
            return _debug_line(frame, frame.f_lineno)
        frame = frame.f_back
    return None
