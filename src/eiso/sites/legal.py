"""The intranet page ``van-ban-phap-luat/``: every cited legal document and what cites it."""

from __future__ import annotations

from eiso.documents.model import Document
from eiso.legal.citations import cited_laws
from eiso.legal.register import STATUS_LABELS, Register
from eiso.sites import renderer

SRC_URI = "van-ban-phap-luat/index.md"
TITLE = "Văn bản pháp luật"


def legal_page(documents: list[Document], register: Register) -> renderer.PageTemplate:
    laws = cited_laws(documents, register)
    cited = {law.key for law in laws}
    uncited = sorted((e for key, e in register.entries.items() if key not in cited), key=lambda e: e.key)
    return renderer.PageTemplate("legal_list.html", shows_bodies=False, title=TITLE, laws=laws, uncited=uncited, labels=STATUS_LABELS,
                                 register=register.present, base="../")
