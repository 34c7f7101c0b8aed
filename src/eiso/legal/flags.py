"""Documents flagged by a change of the law: they are due for review now.

Used by the review-due page and report, by ``eiso report legal-impact`` and by the management
review's inputs ("thay đổi của pháp luật").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eiso.documents.model import Document, Status
from eiso.legal.citations import citations
from eiso.legal.codes import legal_key
from eiso.legal.register import LegalEntry, Register, load_register


@dataclass(frozen=True)
class LegalFlag:
    document: Document
    entries: tuple[LegalEntry, ...]  # the amended or repealed documents it cites

    @property
    def reason(self) -> str:
        parts = []
        for entry in self.entries:
            if entry.status == "repealed":
                parts.append(f"{entry.code} hết hiệu lực"
                             + (f" (thay thế bởi {', '.join(entry.replaced_by)})" if entry.replaced_by else ""))
            else:
                parts.append(f"{entry.code} được sửa đổi, bổ sung"
                             + (f" bởi {', '.join(entry.replaced_by)}" if entry.replaced_by else ""))
        return "Căn cứ pháp lý thay đổi: " + "; ".join(parts)


def flagged_documents(documents: list[Document], register: Register) -> list[LegalFlag]:
    """Effective documents citing an amended or repealed legal document, sorted by code.

    A document has been reviewed since the change, and is not flagged, when it took effect on or after
    the change's ``date`` or when it already cites one of the documents that amend or replace it.
    """
    if not any(entry.changed for entry in register.entries.values()):
        return []  # the usual case: no law in the register changed, nothing to walk
    found: dict[str, list[LegalEntry]] = {}
    by_path = {}
    cited_by_effective = citations([d for d in documents if d.meta.status is Status.effective])
    cited = {(c.document.path, legal_key(c.code)) for c in cited_by_effective}
    for citation in cited_by_effective:
        entry = register.get(citation.code)
        doc = citation.document
        if entry is None or not entry.changed:
            continue
        if entry.date and doc.meta.effective and doc.meta.effective >= entry.date:
            continue
        replacements = (*entry.replaced_by, *register.in_force_replacements(entry))
        if any((doc.path, legal_key(code)) in cited for code in replacements):
            continue
        by_path[doc.path] = doc
        if entry not in found.setdefault(doc.path, []):
            found[doc.path].append(entry)
    flags = [LegalFlag(by_path[path], tuple(entries)) for path, entries in found.items()]
    return sorted(flags, key=lambda f: f.document.slug)


def legal_change_flags(root: Path, documents: list[Document]) -> list[LegalFlag]:
    """``flagged_documents`` with the register of ``root/legal.yml``."""
    return flagged_documents(documents, load_register(root))
