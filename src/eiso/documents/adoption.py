"""Adoption of a framework document: the local file's keys over the framework's, at the adopted revision.

Plain merging only: where the framework documents come from (its git history) is
``eiso.framework``'s business, reached through the :class:`FrameworkSource` protocol
so that the loader never depends on git.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterator, Protocol

from pydantic import ValidationError

from eiso.documents.findings import Finding, field_name
from eiso.documents.model import Adoption, BasedOn, Document
from eiso.documents.yamlsource import raw_text

# Keys every adoption sets for itself (who approved it, when, its own numbering):
# not listed as "changed locally", since they always are.
CONTROL_KEYS = ("based_on", "code", "revision", "effective", "status", "prepared_by", "reviewed_by", "approved_by")


class FrameworkSource(Protocol):
    """Where adopted documents come from (``eiso.framework.GitFramework``)."""

    def document_at(self, code: str, revision: int) -> Document | str:
        """The framework document ``code`` as it was at ``revision``, or why there is none (Vietnamese)."""
        ...

    def folder_of(self, document: Document) -> str:
        """The folder of a framework document, relative to the agency's repository root."""
        ...


_ACTIVE: ContextVar[FrameworkSource | None] = ContextVar("eiso_framework", default=None)


def active_framework() -> FrameworkSource | None:
    """The framework of the repository being read (set by the command or plugin that reads it)."""
    return _ACTIVE.get()


@contextmanager
def framework_context(framework: FrameworkSource | None) -> Iterator[None]:
    """Every document loaded inside (working tree, git revisions, history) resolves adoptions with ``framework``.

    A context rather than a parameter threaded through every reader: the history, the
    change policy and the preview read documents too, and all must see the same effective text.
    """
    token = _ACTIVE.set(framework)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@dataclass
class Merged:
    data: dict[str, Any]
    body: str
    lines: dict[tuple, int]
    adoption: Adoption


def merge(rel: str, data: dict[str, Any], lines: dict[tuple, int], body: str,
          framework: FrameworkSource | None) -> Merged | list[Finding]:
    """The effective front matter and body of an adoption, or the findings that stop it."""
    line = lines.get(("based_on",), 2)
    try:
        based_on = BasedOn.model_validate(data["based_on"])
    except ValidationError as error:
        return [Finding(rel, _line(lines, ("based_on", *item["loc"])), field_name(("based_on", *item["loc"])),
                        "khai báo áp dụng mô hình khung không hợp lệ: cần {code: mã tài liệu khung, revision: lần ban hành}",
                        "framework")
                for item in error.errors(include_url=False)][:1]
    if framework is None:
        return [Finding(rel, line, "based_on", "tài liệu áp dụng mô hình khung nhưng mkdocs.yml chưa khai báo "
                        "«framework:» (đường dẫn kho mô hình khung)", "framework")]
    found = framework.document_at(based_on.code, based_on.revision)
    if isinstance(found, str):
        return [Finding(rel, _line(lines, ("based_on", "code")), "based_on.code", found, "framework")]
    inherited = found.meta.model_dump(mode="python", exclude_unset=True)
    inherited.pop("based_on", None)
    merged = dict(inherited)
    merged.update(data)
    effective_lines = dict(lines)
    for key in inherited:
        if key not in data:  # a problem in an inherited key is reported at the based_on line
            effective_lines[(key,)] = line
    overridden = tuple(key for key in data if key not in CONTROL_KEYS and _differs(data[key], inherited.get(key)))
    inherit_body = not body.strip()
    forms_folder = framework.folder_of(found) if "forms" not in data and found.meta.forms else None
    adoption = Adoption(code=found.meta.code, revision=found.meta.revision, framework_path=found.path,
                        overridden=overridden, body_inherited=inherit_body, forms_folder=forms_folder)
    return Merged(merged, found.body if inherit_body else body, effective_lines, adoption)


def _differs(local: Any, inherited: Any) -> bool:
    # Compare as the model would read them: a local value written the framework's way is no change.
    if inherited is None:
        return True
    return _plain(inherited) != _plain(local)


def _plain(value: Any) -> Any:
    """Scalars as the text they were written as, so ``3``, ``"3"`` and an enum member compare alike."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(raw_text(value))


def _line(lines: dict[tuple, int], path: tuple) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 2)
