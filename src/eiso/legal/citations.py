"""Which documents cite which legal documents, and what ``eiso check`` says about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from eiso.documents.findings import Finding
from eiso.documents.model import Document, Status
from eiso.legal.codes import canonical_code, code_problem, legal_key
from eiso.legal.register import LegalEntry, Register


@dataclass(frozen=True)
class Citation:
    document: Document
    index: int  # position in legal_basis
    code: str  # as written in the document
    title: str

    @property
    def line(self) -> int:
        return self.document.line_of("legal_basis", self.index)


@dataclass
class CitedLaw:
    """One legal document and everything that cites it."""

    key: str
    code: str  # shown: the register's spelling, else the canonical spelling of a citation
    title: str
    entry: LegalEntry | None
    citations: list[Citation] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.entry.status if self.entry else ""


def citations(documents: list[Document]) -> list[Citation]:
    return [Citation(doc, index, ref.code, ref.title)
            for doc in sorted(documents, key=lambda d: d.path)
            for index, ref in enumerate(doc.meta.legal_basis) if ref.code.strip()]


def cited_laws(documents: list[Document], register: Register) -> list[CitedLaw]:
    """Every cited legal document (by normalised code), sorted by code, with the documents citing it."""
    laws: dict[str, CitedLaw] = {}
    for citation in citations(documents):
        key = legal_key(citation.code)
        law = laws.get(key)
        if law is None:
            entry = register.entries.get(key)
            code = entry.code if entry else canonical_code(citation.code)
            law = laws[key] = CitedLaw(key, code, entry.title if entry and entry.title else citation.title, entry)
        law.citations.append(citation)
    return sorted(laws.values(), key=lambda law: (_year(law.key), law.key))


def _year(key: str) -> str:
    parts = key.split("/")
    return parts[1] if len(parts) > 2 else ""


def legal_findings(documents: list[Document], register: Register) -> list[Finding]:
    """Register defects, citations of repealed documents and malformed codes in effective documents.

    Drafts are left alone: they are being written, and the notes come when they are issued.
    """
    found = list(register.findings)
    for citation in citations([d for d in documents if d.meta.status is Status.effective]):
        doc = citation.document
        problem = code_problem(citation.code)
        if problem is not None:
            found.append(Finding(doc.path, doc.line_of("legal_basis", citation.index, "code"),
                                 f"legal_basis[{citation.index}].code", problem, "legal-code", "warning"))
        entry = register.get(citation.code)
        if entry is not None and entry.status == "repealed":
            replaced = ", ".join(entry.replaced_by) if entry.replaced_by else "chưa ghi văn bản thay thế trong legal.yml"
            current = register.in_force_replacements(entry)
            if current and current != entry.replaced_by:  # replaced again since: name the one to cite today
                replaced += f" (văn bản đó cũng đã hết hiệu lực; nay thay thế bởi: {', '.join(current)})"
            found.append(Finding(doc.path, citation.line, f"legal_basis[{citation.index}]",
                                 f"căn cứ pháp lý «{entry.code}» đã hết hiệu lực; thay thế bởi: {replaced}",
                                 "legal-repealed", "warning"))
    return found
