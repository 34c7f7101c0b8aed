"""A Word procedure, read as blocks, recognised into e-ISO front matter, a prose body and a report.

Every block of the Word file ends in exactly one of three places — a front-matter field, the body, or the
report of what a person must check — so nothing is dropped: :class:`Recognised` records where each block
went, and the tests count that every paragraph is accounted for. What python-docx does not show, or a
recogniser does not keep, is caught afterwards by :mod:`eiso.importers.docx_coverage` against the file's XML.

The templates agencies use: a header table (agency, name, code, lần ban hành, dates), a signature table
(soạn thảo / xem xét / phê duyệt), a revision table, numbered sections 1–7 with 5.1–5.7 for a TTHC, a step
table, forms and records. Headings are found by their words, not their numbers (Word's list engine often
holds the numbers), in heading styles or as bold paragraphs.
"""

from __future__ import annotations

from eiso.importers.docx_header import is_revision_table, is_signature_table, read_header, read_header_table, \
    read_revisions, read_signatures, split_header
from eiso.importers.docx_meta import finish
from eiso.importers.docx_reader import Block, Table
from eiso.importers.docx_recognised import Recognised, to_body
from eiso.importers.docx_sections import FACT_SECTIONS, HEADINGS, READERS, heading_of, is_steps_table


def recognise(blocks: list[Block], *, kind: str | None = None, unit: str | None = None, fallback_title: str = "",
              fallback_code: str = "") -> Recognised:
    """Front matter, body and report of one Word procedure."""
    result = Recognised()
    for block in blocks:  # what the reader read differently from the file (a span held to Word's grid)
        for where, message in block.notes if isinstance(block, Table) else ():
            result.note(where, message)
    header, rest = split_header(blocks)
    read_header(header, result)
    section: str | None = None
    section_blocks: dict[str, list[Block]] = {}
    for block in rest:
        heading = heading_of(block)
        if heading is not None:
            section = heading[0]
            if section in FACT_SECTIONS:
                result.placed[block.where] = "front matter"
                result.source(block.where, [block.text])
            else:
                result.body.append(f"## {heading[1]}")
                result.placed[block.where] = "body"
            continue
        if isinstance(block, Table) and is_signature_table(block):
            read_signatures(block, result)
            continue
        if isinstance(block, Table) and is_revision_table(block):
            read_revisions(block, result)
            continue
        if isinstance(block, Table) and section is None and read_header_table(block, result):
            continue
        if section in FACT_SECTIONS:
            section_blocks.setdefault(section, []).append(block)
        elif section is not None and isinstance(block, Table) and is_steps_table(block):
            section_blocks.setdefault("steps", []).append(block)  # the step table of "5. Nội dung quy trình"
            result.note(block.where, f"bảng các bước trong mục «{HEADINGS.get(section, section)}» được đọc thành "
                                     "quy trình xử lý (steps): cần kiểm tra")
        else:
            to_body(block, result)
    for name, found in section_blocks.items():
        READERS[name](found, result)
    finish(result, kind, unit, fallback_title, fallback_code)
    return result
