"""The public projection: the only view of the corpus the public site is built from.

Internal documents and internal fields are dropped here, before any page,
index or export is made, so nothing downstream can leak what it never receives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from eiso.documents.budget import MarkdownSetup, OverBudget
from eiso.documents.checks import resolve_public_attachment
from eiso.documents.model import Audience, Channel, Document, DossierItem, Kind, LegalRef, Online, Status
from eiso.documents.text import slugify
from eiso.forked import forked_map
from eiso.sites.public_body import PublicSections, UnclearSections


@dataclass(frozen=True)
class PublicForm:
    code: str
    title: str
    source: Path | None  # the blank form's file, inside the document's own forms folder (None if it is not)


@dataclass(frozen=True)
class PublicRelated:
    code: str
    title: str
    slug: str


@dataclass(frozen=True)
class PublicProcedure:
    """Everything a citizen may read about one administrative procedure, and nothing more."""

    code: str
    slug: str
    title: str
    field: str | None
    effective: dt.date | None
    updated: dt.date | None
    national_code: str
    decision: str | None
    level: str
    applicants: str
    agency: str
    result: str
    conditions: str
    online: Online | None
    channels: tuple[Channel, ...]
    dossier: tuple[DossierItem, ...]
    legal_basis: tuple[LegalRef, ...]
    citizen_steps: tuple[str, ...]  # "trình tự thực hiện" as the citizen sees it (not the internal steps)
    forms: tuple[PublicForm, ...]
    related: tuple[PublicRelated, ...]
    body_html: str  # HTML of the body's sections marked {.public}, nothing else (not yet sanitised)
    path: str  # the source file, to locate findings (never shown)
    body_line: int
    refused: str | None = None  # why the body could not be rendered within budget (then body_html is empty)

    @property
    def url(self) -> str:
        return f"thu-tuc/{self.slug}/"


def is_public(doc: Document) -> bool:
    meta = doc.meta
    return (meta.audience is Audience.public and meta.kind is Kind.tthc
            and meta.tthc is not None and meta.status is Status.effective)


def project(documents: list[Document], root: Path, updated: dict[str, dt.date] | None = None,
            setup: MarkdownSetup | None = None, parallel: bool = False) -> list[PublicProcedure]:
    """Public procedures of the corpus: effective TTHC documents with ``audience: public``.

    ``setup``: the site's Markdown extensions, with which the public sections of bodies are found;
    ``parallel``: bodies are converted in two processes (see :mod:`eiso.forked`; only where no other
    thread runs).
    """
    public = sorted((doc for doc in documents if is_public(doc)), key=lambda d: d.slug)
    titles = {doc.slug: doc.meta.title for doc in public}
    convert = partial(_public_body, PublicSections(setup))
    bodies = [doc.body for doc in public]
    converted = forked_map(convert, bodies) if parallel else [convert(body) for body in bodies]
    return [_project_one(doc, root, titles, (updated or {}).get(doc.path), body)
            for doc, body in zip(public, converted)]


def _public_body(sections: PublicSections, body: str) -> tuple[str, str | None]:
    """The body's public sections as HTML, or why they could not be rendered (then empty)."""
    try:
        return sections(body), None
    except (OverBudget, UnclearSections) as error:
        return "", str(error)
    except Exception as error:  # noqa: BLE001 - one body must not stop the public build; it is reported
        return "", f"lỗi khi đọc Markdown: {type(error).__name__}"


def _project_one(doc: Document, root: Path, public_titles: dict[str, str], updated: dt.date | None,
                 converted: tuple[str, str | None]) -> PublicProcedure:
    meta, tthc = doc.meta, doc.meta.tthc
    assert tthc is not None
    dossier_forms = {slugify(item.form) for item in tthc.dossier if item.form}
    forms = tuple(
        PublicForm(form.code, form.title, resolve_public_attachment(doc, form.file, root))
        for form in meta.forms
        if form.file and slugify(form.code) in dossier_forms  # blank forms citizens fill in
    )
    related = tuple(
        PublicRelated(code, public_titles[slugify(code)], slugify(code))
        for code in meta.related
        if slugify(code) in public_titles
    )
    last = max(filter(None, [meta.effective, updated]), default=None)
    body_html, refused = converted
    return PublicProcedure(
        code=meta.code, slug=doc.slug, title=meta.title, field=meta.field, effective=meta.effective,
        updated=last, national_code=tthc.national_code, decision=tthc.decision, level=tthc.level,
        applicants=tthc.applicants, agency=tthc.agency, result=tthc.result, conditions=tthc.conditions,
        online=tthc.online, channels=tuple(tthc.channels), dossier=tuple(tthc.dossier),
        legal_basis=tuple(meta.legal_basis),
        citizen_steps=tuple(tthc.citizen_steps),
        forms=forms, related=related, body_html=body_html, path=doc.path, body_line=doc.body_line, refused=refused,
    )

