"""Every check of a repository: the documents' own rules and those of the legal register (legal.yml).

Above ``documents/`` (whose checks know one corpus) and ``legal/`` (which reads the register); the
command line and the site engine's adapter both call ``check_repository``.
"""

from __future__ import annotations

from pathlib import Path

from eiso.documents.cache import DocumentCache
from eiso.documents.checks import check_corpus, check_document
from eiso.documents.findings import Finding
from eiso.documents.loader import Corpus
from eiso.documents.model import Document
from eiso.legal.citations import legal_findings
from eiso.legal.register import load_register


def check_repository(corpus: Corpus, memo: DocumentCache | None = None, parallel: bool = False) -> list[Finding]:
    """``check_corpus`` plus legal.yml's defects, citations of repealed documents and malformed codes."""
    return sorted(check_corpus(corpus, memo, parallel) + legal_findings(corpus.documents, load_register(corpus.root)))


def document_findings(document: Document, root: Path) -> list[Finding]:
    """What ``check_repository`` finds on one document by itself: all but the rules that compare it with the
    others (its code shared, its related codes unknown; :data:`eiso.sites.snapshot.OUTLINE_RULES`)."""
    legal = legal_findings([document], load_register(root))
    return check_document(document, root) + [f for f in legal if f.path == document.path]
