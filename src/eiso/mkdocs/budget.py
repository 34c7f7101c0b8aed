"""A time budget around MkDocs' rendering of each page's Markdown.

MkDocs makes one ``markdown.Markdown`` per page from the configured extensions; this
extension wraps that instance's ``convert`` with the core's budget, so a body that
would hang the build is replaced by a notice and reported, and the build goes on.
"""

from __future__ import annotations

from typing import Callable

from markdown import Extension, Markdown

from eiso.documents.budget import RENDER_SECONDS, OverBudget, within_budget

REFUSED_HTML = ('<p class="eiso-refused">Nội dung của trang này không hiển thị được '
                "và đã bị từ chối; xem báo cáo kiểm tra.</p>")


class BudgetExtension(Extension):
    def __init__(self, on_refused: Callable[[str], None], seconds: float = RENDER_SECONDS) -> None:
        super().__init__()
        self.on_refused = on_refused
        self.seconds = seconds

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        convert = md.convert

        def bounded(source: str) -> str:
            try:
                return within_budget(lambda: convert(source), self.seconds)
            except OverBudget as error:
                self.on_refused(str(error))
                return REFUSED_HTML
            except Exception as error:  # noqa: BLE001 - one page's Markdown must not stop the whole build
                self.on_refused(f"lỗi khi đọc Markdown: {type(error).__name__}")
                return REFUSED_HTML

        md.convert = bounded  # type: ignore[method-assign]
