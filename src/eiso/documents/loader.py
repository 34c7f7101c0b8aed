"""Read ``procedures/**/*.md`` into typed documents, turning every defect into a finding."""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eiso.documents import adoption, yamlsource
from eiso.documents.cache import DocumentCache
from eiso.documents.findings import Finding, field_name
from eiso.documents.model import FIRST_YEAR, LAST_YEAR, Document, FrontMatter
from eiso.documents.text import nfc, shown
from eiso.filestate import file_signature, settled
from eiso.forked import forked_map, plain_map

MAX_FILE_BYTES = 1024 * 1024  # a real procedure is tens of kilobytes
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_KNOWN_KEYS = list(FrontMatter.model_fields)
# Keys other tools put in front matter that e-ISO deliberately ignores.
_IGNORED_KEYS = {"render_macros": "tài liệu quy trình không bao giờ được xử lý macro/Jinja"}


@dataclass
class Corpus:
    """Every controlled document of a repository, and what was wrong with the others."""

    root: Path
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # paths of files that did not load


@dataclass
class SourceFile:
    """The text of one file after normalisation, or the finding that stopped it."""

    text: str | None
    finding: Finding | None = None


class SourceMemo:
    """The texts an earlier build of this process read, by path, with the file's signature when it was read
    (:mod:`eiso.filestate`): the live preview builds at every edit and reads again only the files that
    changed. A file not yet settled when read is not kept, nor is a link."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[tuple[int, ...], SourceFile]] = {}

    def read(self, root: Path, rel: str) -> SourceFile:
        signature = file_signature(root / rel)
        held = self.files.get(rel)
        if signature is not None and held is not None and held[0] == signature:
            return held[1]
        source = read_source(root, rel)
        if signature is not None and settled(signature) and stat.S_ISREG(signature[4]):
            self.files[rel] = (signature, source)
        else:
            self.files.pop(rel, None)
        return source

    def keep_only(self, paths: set[str]) -> None:
        for rel in [rel for rel in self.files if rel not in paths]:
            del self.files[rel]


def folder_outside(root: Path, folder: str, what: str) -> Finding | None:
    """A finding when ``folder`` (relative to the resolved ``root``) is a link out of the repository: walking
    it would read files from anywhere. ``what``: the folder's name in the message ("quy trình", "hồ sơ")."""
    if (root / folder).is_dir() and not (root / folder).resolve().is_relative_to(root):
        return Finding(folder, 1, "-", f"thư mục {what} là liên kết trỏ ra ngoài kho", "path")
    return None


def find_sources(root: Path, procedures_dir: str = "procedures") -> list[Path]:
    """Every ``.md`` file below the procedures folder, sorted, never following links out."""
    base = root / procedures_dir
    found: list[Path] = []
    for folder, dirs, files in os.walk(base):  # os.walk does not enter linked folders
        dirs.sort()
        found.extend(Path(folder) / name for name in sorted(files) if name.endswith(".md"))
    return found


def load_corpus(root: Path, procedures_dir: str = "procedures", cache: DocumentCache | None = None,
                parallel: bool = False, sources: SourceMemo | None = None) -> Corpus:
    """``cache``: parsed documents of the previous build, reused for files whose text is unchanged.
    ``parallel``: the files to parse are shared with a forked copy (:mod:`eiso.forked`; only where no
    other thread runs). ``sources``: the texts this process read before (the live preview)."""
    root = root.resolve()
    corpus = Corpus(root=root)
    outside = folder_outside(root, procedures_dir, "quy trình")
    if outside is not None:
        corpus.findings.append(outside)
        return corpus
    files: list[tuple[str, SourceFile]] = []
    for source in find_sources(root, procedures_dir):
        rel = source.relative_to(root).as_posix()
        if shown(rel, None) != rel:
            # A newline or an escape in a file name would forge lines of the report.
            files.append((shown(rel, 300), SourceFile(None, Finding(
                shown(rel, 300), 1, "-", "tên tệp chứa ký tự điều khiển, ký tự ẩn hoặc không phải UTF-8; hãy đổi "
                "tên tệp", "path"))))
        else:
            files.append((rel, sources.read(root, rel) if sources is not None else read_source(root, rel)))
    if sources is not None:
        sources.keep_only({rel for rel, _ in files})
    readable = [(rel, source.text) for rel, source in files if source.text is not None]
    parsed = iter(parse_documents(readable, cache, parallel))
    for rel, source in files:
        document, findings = next(parsed) if source.text is not None else (None, [source.finding])
        corpus.findings.extend(f for f in findings if f is not None)
        if document is None:
            corpus.rejected.append(rel)
        else:
            corpus.documents.append(document)
    _share_line_keys(corpus.documents)
    # The caller saves the cache once it has also checked the documents: saving here would keep only
    # the parsed documents and drop the check results that the same file holds.
    return corpus


def _share_line_keys(documents: list[Document]) -> None:
    """One tuple for each key path of every document's line map, such as ("tthc", "dossier", 3, "name"): each
    parsed or unpickled document has its own, a fifth of its memory (120 MB at 10,000 documents). Equal keys,
    equal lines: the document is the same, its fingerprint too."""
    shared: dict[tuple, tuple] = {}
    for document in documents:
        pairs = [(shared.setdefault(key, key), line) for key, line in document.lines.items()]
        document.lines.clear()
        document.lines.update(pairs)


def load_document(root: Path, rel: str, cache: DocumentCache | None = None) -> tuple[Document | None, list[Finding]]:
    """Load one file; a ``None`` document comes with at least one error finding."""
    source = read_source(root, rel)
    if source.text is None:
        return None, [source.finding] if source.finding else []
    return parse_documents([(rel, source.text)], cache)[0]


def parse_documents(items: list[tuple[str, str]], cache: DocumentCache | None = None, parallel: bool = False
                    ) -> list[tuple[Document | None, list[Finding]]]:
    """``parse_document`` of each ``(rel, text)``, reusing ``cache``'s results; ``parallel``: see
    :func:`load_corpus`."""
    mapper = forked_map if parallel else plain_map

    def work(i: int) -> tuple[Document | None, list[Finding]]:
        return parse_document(*items[i])

    if cache is None:
        return mapper(work, list(range(len(items))))
    # An adoption's result depends on the framework repository as well as on this text: with a framework,
    # only documents that adopt nothing are kept (under keys of their own); without one, the text decides.
    scope = "" if adoption.active_framework() is None else "framework"
    found = cache.parse_all(items, work, scope=scope, mapper=mapper,
                            keep=lambda result: not scope or _adopts_nothing(result[0]))
    return [(document, list(findings)) for document, findings in found]


def _adopts_nothing(document: Document | None) -> bool:
    return document is not None and document.adoption is None


#: git records a link, not its target: edits to the target would reach the site with no revision and no approval.
LINKED_DOCUMENT = ("tài liệu là liên kết tượng trưng (symlink): lịch sử sửa đổi và phê duyệt không theo dõi được "
                   "tệp đích; hãy đặt nội dung vào chính tệp này")


def read_source(root: Path, rel: str) -> SourceFile:
    path = root / rel
    try:
        if path.is_symlink():
            target = path.resolve()
            if not _inside(target, root):
                return SourceFile(None, Finding(rel, 1, "-", "tệp là liên kết trỏ ra ngoài kho", "path"))
            if target.exists():  # a dangling link is reported below, where reading it fails
                return SourceFile(None, Finding(rel, 1, "-", LINKED_DOCUMENT, "path"))
    except RuntimeError:  # Python before 3.13 reports a symlink loop so
        return SourceFile(None, Finding(rel, 1, "-", "tệp là vòng lặp liên kết tượng trưng (symlink)", "path"))
    except OSError as error:
        return SourceFile(None, Finding(rel, 1, "-", f"không đọc được tệp: {_os_reason(error)}", "io"))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return SourceFile(None, too_large(rel, size))
        raw = path.read_bytes()
    except OSError as error:
        return SourceFile(None, Finding(rel, 1, "-", f"không đọc được tệp: {_os_reason(error)}", "io"))
    return decode_source(rel, raw)


def too_large(rel: str, size: int) -> Finding:
    """The finding of a file of ``size`` bytes, over :data:`MAX_FILE_BYTES`."""
    return Finding(rel, 1, "-", f"tệp quá lớn ({size // 1024} KB, tối đa {MAX_FILE_BYTES // 1024} KB)", "size")


def _os_reason(error: OSError) -> str:
    reasons = {errno.ELOOP: "vòng lặp liên kết tượng trưng (symlink)", errno.ENAMETOOLONG: "tên tệp quá dài",
               errno.EACCES: "không có quyền đọc", errno.ENOENT: "tệp không tồn tại (liên kết hỏng?)"}
    return reasons.get(error.errno or 0, error.strerror or type(error).__name__)


def decode_source(rel: str, raw: bytes) -> SourceFile:
    """UTF-8 text with BOM and CR/CRLF accepted, NFC; binary data is refused."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return SourceFile(None, Finding(rel, line, "-", "tệp nhị phân, không phải văn bản Markdown", "encoding"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return SourceFile(None, Finding(rel, line, "-", "tệp không phải mã UTF-8", "encoding"))
    return SourceFile(nfc(text.replace("\r\n", "\n").replace("\r", "\n")))


def parse_document(rel: str, text: str, framework: adoption.FrameworkSource | None = None
                   ) -> tuple[Document | None, list[Finding]]:
    """Parse one file; an adoption (``based_on``) is merged with its framework document
    (``framework``, or the one of :func:`adoption.framework_context`)."""
    source = framework or adoption.active_framework()
    parsed = parse_front_matter(rel, text, FrontMatter,
                                adopt=lambda data, lines, body: adoption.merge(rel, data, lines, body, source))
    if parsed.meta is None:
        return None, parsed.findings
    document = Document(path=rel, meta=parsed.meta, body=parsed.body, body_line=parsed.body_line, lines=parsed.lines,
                        adoption=parsed.adoption)
    document.fingerprint(body=True), document.fingerprint(body=False)  # kept with the document in the cache
    return document, parsed.findings


@dataclass
class ParsedFile:
    """Front matter validated against a model, the body, and the line of every key."""

    meta: Any  # an instance of the model, or None when it did not validate
    body: str = ""
    body_line: int = 1
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    adoption: Any = None  # documents: how the file adopts a framework document (based_on)


def parse_front_matter(rel: str, text: str, model: Any, data_hook: Any = None, adopt: Any = None) -> ParsedFile:
    """Split a Markdown file into YAML front matter and body; validate the front matter with ``model``.

    ``data_hook(data, lines)`` may pick the model from the data (e.g. by ``kind``): it returns the
    model to use, or a list of findings when no model fits. Shared by documents and QMS records.
    ``adopt(data, lines, body)`` (documents only) merges a ``based_on`` file with its framework
    document before validation: an ``adoption.Merged``, or the findings that stop it.
    """
    if not text.startswith("---\n"):
        return ParsedFile(None, findings=[Finding(rel, 1, "-", "thiếu phần đầu YAML (tệp phải bắt đầu bằng dòng ---)", "front-matter")])
    closing = _FENCE.search(text, 4)
    if closing is None:
        return ParsedFile(None, findings=[Finding(rel, 1, "-", "phần đầu YAML không có dòng --- kết thúc", "front-matter")])
    header = text[4 : closing.start()]
    body_start = closing.end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    try:
        parsed = yamlsource.load(header)
    except yamlsource.YamlError as error:
        return ParsedFile(None, findings=[Finding(rel, error.line + 1, "-", error.message, "yaml")])
    if not isinstance(parsed.data, dict):
        return ParsedFile(None, findings=[Finding(rel, 2, "-", "phần đầu YAML phải là các cặp khóa: giá trị", "yaml")])
    lines = {path: line + 1 for path, line in parsed.lines.items()}
    data = dict(parsed.data)
    findings = [
        Finding(rel, lines.get((key,), 2), key, f"khóa bị bỏ qua: {why}", "ignored-key", "warning")
        for key, why in _IGNORED_KEYS.items()
        if data.pop(key, None) is not None or key in parsed.data
    ]
    if data_hook is not None:
        model = data_hook(rel, data, lines)
        if isinstance(model, list):
            return ParsedFile(None, lines=lines, findings=findings + model)
    body = text[body_start:] if body_start <= len(text) else ""
    adopted = None
    if adopt is not None and "based_on" in data:
        merged = adopt(data, lines, body)
        if isinstance(merged, list):
            return ParsedFile(None, lines=lines, findings=findings + merged)
        data, body, lines, adopted = merged.data, merged.body, merged.lines, merged.adoption
    try:
        meta = model.model_validate(data)
    except ValidationError as error:
        findings.extend(_schema_findings(rel, error, lines, data, list(model.model_fields)))
        return ParsedFile(None, lines=lines, findings=findings)
    return ParsedFile(meta, body, body_line, lines, findings, adopted)


def _schema_findings(rel: str, error: ValidationError, lines: dict, data: dict,
                     known: list[str] | None = None) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not _is_pydantic_tag(part))
        line = _line_of(lines, loc)
        findings.append(Finding(rel, line, field_name(loc), _message(item, loc, known or _KNOWN_KEYS), "schema"))
    return findings


def _is_pydantic_tag(part: Any) -> bool:
    # Pydantic adds the branch of a union ("function-before[...]", "float") to locations.
    return isinstance(part, str) and ("[" in part or part in {"float", "int", "str", "none"})


def _line_of(lines: dict, loc: tuple) -> int:
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc, 2)


def _message(item: dict[str, Any], loc: tuple, known: list[str] = _KNOWN_KEYS) -> str:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    value = _shown(item.get("input"))
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; có phải «{close[0]}»?" if close else ""
        return f"trường không được hỗ trợ{hint}"
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"giá trị {value} không hợp lệ; chỉ chấp nhận: {expected}"
    if kind == "value_error":
        reason = str(ctx.get("error", ""))
        if "date_format" in reason:
            return f"ngày {value} không hợp lệ: cần dạng YYYY-MM-DD"
        if "date_invalid" in reason:
            return f"ngày {value} không tồn tại"
        if "date_range" in reason:
            return f"ngày {value} nằm ngoài khoảng cho phép (từ năm {FIRST_YEAR} đến năm {LAST_YEAR})"
        if "date_only" in reason:
            return f"chỉ ghi ngày (YYYY-MM-DD), không ghi giờ: {value}"
        return f"giá trị {value} không hợp lệ"
    return _GENERIC.get(kind, "giá trị {value} không hợp lệ").format(value=value, **ctx)


_GENERIC = {
    "int_type": "phải là số nguyên, không phải {value}",
    "int_parsing": "phải là số nguyên, không phải {value}",
    "int_from_float": "phải là số nguyên, không phải {value}",
    "float_type": "phải là số, không phải {value}",
    "float_parsing": "phải là số, không phải {value}",
    "finite_number": "phải là một số hữu hạn, không phải {value}",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "string_type": "phải là chuỗi văn bản, không phải {value}",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "giá trị {value} không đúng định dạng",
    "too_short": "phải có ít nhất {min_length} mục",
    "list_type": "phải là danh sách (các dòng bắt đầu bằng -)",
    "model_type": "phải là các cặp khóa: giá trị, không phải {value}",
    "model_attributes_type": "phải là các cặp khóa: giá trị, không phải {value}",
    "dict_type": "phải là các cặp khóa: giá trị, không phải {value}",
    "date_type": "ngày không hợp lệ: {value}",
}


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "(danh sách)" if isinstance(value, list) else "(bảng khóa)"
    text = str(yamlsource.raw_text(value)) if value is not None else "rỗng"
    return f"«{text[:60]}{'…' if len(text) > 60 else ''}»"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False
