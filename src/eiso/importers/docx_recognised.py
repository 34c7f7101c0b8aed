"""Where each block of a Word procedure went: front matter, body or the report, and the body's Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eiso.importers.docx_reader import Block, Paragraph


@dataclass
class Recognised:
    meta: dict[str, Any] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)  # Markdown blocks
    report: list[str] = field(default_factory=list)  # "bảng 2, dòng 3: …" for a person to check
    placed: dict[str, str] = field(default_factory=dict)  # block location -> "front matter" | "body" | "report"
    sources: list[str] = field(default_factory=list)  # labels and headings the front matter was read from

    def source(self, where: str, labels: list[str]) -> None:
        """Keep the Word labels a fact was read under ("Người phê duyệt", "5.2 Thành phần hồ sơ")."""
        text = " | ".join(label for label in labels if label.strip())
        if text:
            self.sources.append(f"{where}: {text}")

    def note(self, where: str, message: str) -> None:
        self.report.append(f"{where}: {message}")



def to_body(block: Block, result: Recognised) -> None:
    if isinstance(block, Paragraph):
        prefix = "- " if block.list_item else ""
        result.body.append(prefix + escape(block.text))
    else:
        result.body.append(markdown_table(block.rows))
    result.placed[block.where] = "body"


def escape(text: str) -> str:
    # Word text is prose: nothing in it may become Markdown structure or a template by accident.
    return "".join("\\" + c if c in "\\`*_[]{}<>#|" else c for c in text)


def markdown_table(rows: list[list[str]]) -> str:
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return ""
    cells = [[escape(c).replace("\n", "<br>") for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def column(header: list[str], words: tuple[str, ...]) -> int | None:
    for word in words:
        for index, cell in enumerate(header):
            if word in cell:
                return index
    return None


def items(blocks: list[Block]) -> list[tuple[str, str]]:
    """(text, location) of each paragraph, or of each row of a table (cells joined), in order."""
    items = []
    for block in blocks:
        if isinstance(block, Paragraph):
            items.append((block.text, block.where))
        else:
            for r, row in enumerate(block.rows, start=1):
                items.append((" | ".join(c for c in row if c), f"{block.where}, dòng {r}"))
    return items


