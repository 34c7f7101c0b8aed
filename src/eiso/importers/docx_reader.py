"""A Word (.docx) file read as a flat sequence of paragraphs and tables, each with its place in the file.

python-docx reads the file (tables, merged cells, styles, runs); this module only decides what is safe to
open and walks the body in reading order, page header first, text boxes included. Text boxes are the one
thing python-docx has no API for: their paragraphs and tables are reached through its own element tree
(``w:txbxContent``), then read with python-docx's classes like any other. Word writes every text box twice,
as ``mc:AlternateContent`` with a DrawingML ``mc:Choice`` and a VML ``mc:Fallback`` for older readers: only
the Choice is read, or each box would be imported twice.

Word files come from anyone: a corrupt zip, a password-protected file (an OLE container, not a zip), an
old binary ``.doc``, a "docx bomb" whose XML inflates to gigabytes — each is a :class:`DocxError` with a
Vietnamese message, decided before python-docx parses anything.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

from eiso.errors import EisoError
from eiso.importers.tthc.clean import one_line

MAX_FILE_BYTES = 100 * 1024 * 1024  # a procedure with scanned images can be large; its text is small
MAX_XML_BYTES = 64 * 1024 * 1024  # all XML parts together, uncompressed
MAX_COLUMNS = 63  # Word's limit on a table's grid; a span beyond it comes from a damaged or crafted file
MAX_RATIO = 200  # uncompressed / compressed size of one XML part beyond which it is a bomb, not a document
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W_TEXT_BOX = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}txbxContent"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


class DocxError(EisoError):
    """The file cannot be read as a Word document; the message says why and what to do."""


@dataclass
class Paragraph:
    text: str
    where: str  # "đoạn 12", "đầu trang, đoạn 1", "hộp văn bản trong đoạn 3, đoạn 1"
    style: str = ""
    bold: bool = False  # every run with text is bold: a pseudo-heading
    list_item: bool = False  # numbered or bulleted by Word's list engine


@dataclass
class Table:
    rows: list[list[str]]  # merged cells appear once per row (horizontal) and repeat down (vertical)
    where: str  # "bảng 3"
    spans: list[list[int]] = field(default_factory=list)  # how many grid columns each cell of ``rows`` covers
    notes: list[tuple[str, str]] = field(default_factory=list)  # (where, message) of what was read differently

    _grid: list[list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    def grid(self) -> list[list[str]]:
        """Every row with one cell per grid column, a merged cell's text in each column it covers; computed
        once, as every recogniser asks for it.

        A table's columns are read by position: a row whose first three cells are merged ("Tổng thời gian" over
        TT, Nội dung and Trách nhiệm) has fewer cells than the header, and its time would sit under "Trách
        nhiệm"."""
        if self._grid is None:
            self._grid = [self._expand(index) for index in range(len(self.rows))]
        return self._grid

    def grid_row(self, index: int) -> list[str]:
        """Row ``index`` of :meth:`grid`."""
        return self.grid()[index]

    def _expand(self, index: int) -> list[str]:
        row = self.rows[index]
        spans = self.spans[index] if index < len(self.spans) else [1] * len(row)
        return [text for text, span in zip(row, spans) for _ in range(span)]


Block = Union[Paragraph, Table]


def word_text(raw: str) -> str:
    """Text read out of Word, as one line: the only way text leaves this module (and ``docx_coverage``
    compares the same). Text copy-pasted into Word brings invisible characters — soft hyphen U+00AD,
    zero-width space U+200B, BOM U+FEFF, bidi override U+202E: they cut codes ("QT HT\u200b-10") and
    ``eiso check`` refuses them in front matter, so they are dropped as national text's are."""
    return one_line(raw)


def read_blocks(path: Path) -> list[Block]:
    """The file's paragraphs and tables in reading order (page header first)."""
    _screen(path)
    import docx  # python-docx: imported here so that commands which never read Word do not pay for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DocxError(f"tệp không phải là tài liệu Word (.docx) hợp lệ: {error}") from None
    except Exception as error:  # lxml and python-docx raise many types on damaged XML
        raise DocxError(f"tệp Word bị hỏng, không đọc được ({type(error).__name__})") from None
    blocks: list[Block] = []
    counter = _Counter(document.part)
    for section in document.sections[:1]:
        if not section.header.is_linked_to_previous:
            blocks.extend(_walk(section.header, "đầu trang, ", counter))
    blocks.extend(_walk(document, "", counter))
    return blocks


class _Counter:
    """Where the walk is, and the styles it met.

    python-docx looks a paragraph's or a run's style up among all the file's styles each time it is asked (a
    missing style id: the default, found by reading every style), so that a file with many styles and many
    paragraphs read in quadratic time (1,000 paragraphs: 3.7 s). Every part of a file shares its styles: each
    (id, type) is looked up once here."""

    def __init__(self, document_part) -> None:
        self.paragraphs = 0
        self.tables = 0
        self._part = document_part
        self._styles: dict[tuple[str | None, int], object] = {}
        self._bold: dict[tuple[str | None, int], bool | None] = {}

    def style(self, style_id: str | None, kind: int):
        key = (style_id, kind)
        if key not in self._styles:
            self._styles[key] = self._part.get_style(style_id, kind)
        return self._styles[key]

    def bold(self, style_id: str | None, kind: int) -> bool | None:
        """The bold the style sets, looked up once: its base styles are found by reading every style too."""
        key = (style_id, kind)
        if key not in self._bold:
            self._bold[key] = _bold(self.style(style_id, kind))
        return self._bold[key]


def _walk(container, prefix: str, counter: _Counter) -> Iterator[Block]:
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    for item in container.iter_inner_content():
        if isinstance(item, DocxParagraph):
            counter.paragraphs += 1
            where = f"{prefix}đoạn {counter.paragraphs}"
            text = word_text(item.text)
            if text:
                yield _paragraph(item, text, where, counter)
            yield from _text_boxes(item, where, counter)
        elif isinstance(item, DocxTable):
            counter.tables += 1
            yield _table(item, f"{prefix}bảng {counter.tables}")


def _paragraph(item, text: str, where: str, counter: _Counter) -> Paragraph:
    from docx.enum.style import WD_STYLE_TYPE

    runs = [run for run in item.runs if word_text(run.text)]
    paragraph_style = counter.style(item._p.style, WD_STYLE_TYPE.PARAGRAPH)
    # Bold as Word shows it: the run's own setting, else its character style's, else the paragraph style's
    # (templates define a bold "Mục 1" style for their headings and leave the runs alone).
    bold = bool(runs) and all(_first_set(run.bold, counter.bold(run._r.style, WD_STYLE_TYPE.CHARACTER),
                                         counter.bold(item._p.style, WD_STYLE_TYPE.PARAGRAPH)) for run in runs)
    style = paragraph_style.name if paragraph_style is not None else ""
    numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
    return Paragraph(text, where, style, bold, numbered or "List" in style)


def _bold(style) -> bool | None:
    """The bold a style sets, itself or through the styles it is based on; None when none sets it."""
    for _ in range(10):  # a style's base chain is short; a file could make it a loop
        if style is None:
            return None
        if style.font.bold is not None:
            return style.font.bold
        style = style.base_style
    return None


def _first_set(*values: bool | None) -> bool:
    return next((value for value in values if value is not None), False)


def _text_boxes(item, where: str, counter: _Counter) -> Iterator[Block]:
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    boxes = (box for box in item._p.iter(W_TEXT_BOX) if not in_fallback(box, item._p))
    for box_index, box in enumerate(boxes, start=1):
        inner = f"hộp văn bản {box_index} trong {where}, "
        tables = 0
        for position, child in enumerate(box.iterchildren(), start=1):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = DocxParagraph(child, item)
                text = word_text(paragraph.text)
                if text:
                    yield _paragraph(paragraph, text, f"{inner}đoạn {position}", counter)
            elif tag == "tbl":
                tables += 1
                yield _table(DocxTable(child, item), f"{inner}bảng {tables}")


def in_fallback(node, stop=None) -> bool:
    """Whether ``node`` lies in an ``mc:Fallback`` below ``stop``: a copy of its ``mc:Choice`` for readers
    that lack the Choice's feature. Walks up the ancestors, which libxml2 bounds (256 levels)."""
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


def _table(item, where: str) -> Table:
    notes: list[tuple[str, str]] = []
    rows, spans = _rows(item, where, notes, _cell_text)
    return Table(rows, where, spans, notes)


def _cell_text(cell, where: str, notes: list[tuple[str, str]]) -> str:
    return "\n".join(text for p in cell.paragraphs if (text := word_text(p.text))) + \
        _nested_tables_text(cell, where, notes)


def _nested_tables_text(cell, where: str, notes: list[tuple[str, str]]) -> str:
    # A table inside a cell (signature blocks often are) is kept as its text, row by row.
    lines = []
    for number, table in enumerate(cell.tables, start=1):
        rows, _ = _rows(table, f"{where}, bảng lồng {number}", notes,
                        lambda inner, _where, _notes: word_text(inner.text))
        lines += [" | ".join(row) for row in rows]
    return ("\n" + "\n".join(lines)) if lines else ""


def _rows(item, where: str, notes: list[tuple[str, str]], cell_text) -> tuple[list[list[str]], list[list[int]]]:
    """Each row's cells (text and how many grid columns each covers), read off the table's XML once.

    python-docx's ``row.cells`` repeats a cell once per grid column it spans, and a file may declare a span
    of 30,000,000 columns in 36 KB: the rows are walked here instead, a span held to Word's 63 columns. A
    cell continuing a vertical merge shows the text of the cell above it, as python-docx shows it."""
    from docx.table import _Cell

    rows: list[list[str]] = []
    spans: list[list[int]] = []
    above: dict[int, str] = {}  # grid column -> text of the cell starting there in the row above
    for r, tr in enumerate(item._tbl.tr_lst, start=1):
        cells: list[str] = []
        widths: list[int] = []
        starts: dict[int, str] = {}
        column = 0  # the grid column the next cell starts at
        for c, tc in enumerate(tr.tc_lst, start=1):
            place = f"{where}, dòng {r}, ô {c}"
            text = above.get(column, "") if _continues_merge(tc) else cell_text(_Cell(tc, item), place, notes)
            if column >= MAX_COLUMNS:  # beyond Word's grid: the text joins the row's last cell
                cells[-1] = "\n".join(t for t in (cells[-1], text) if t)
                notes.append((place, f"ô nằm ngoài {MAX_COLUMNS} cột Word cho phép (tệp hỏng hoặc bị sửa tay): nội "
                                     "dung được gộp vào ô cuối cùng của dòng, cần kiểm tra bảng"))
                continue
            width = _span(tc, column, place, notes)
            starts[column] = text
            cells.append(text)
            widths.append(width)
            column += width
        above = starts
        rows.append(cells)
        spans.append(widths)
    return rows, spans


def _continues_merge(tc) -> bool:
    try:
        return tc.vMerge == "continue"
    except ValueError:  # python-docx raises its own ValueError subclasses on a value the schema does not allow
        return False


def _span(tc, column: int, place: str, notes: list[tuple[str, str]]) -> int:
    """How many grid columns a cell covers: its ``w:gridSpan``, at least one, never past Word's 63rd column."""
    try:
        declared = tc.grid_span
    except ValueError:
        declared = 1
    width = min(max(declared, 1), MAX_COLUMNS - column)
    if declared > width:
        notes.append((place, f"ô trải rộng {declared} cột, quá {MAX_COLUMNS} cột Word cho phép (tệp hỏng hoặc bị "
                             f"sửa tay): đọc như ô rộng {width} cột, cần kiểm tra bảng"))
    return width


def _screen(path: Path) -> None:
    """Refuse what is not a .docx before any XML parser sees it."""
    if path.suffix.lower() == ".doc":
        raise DocxError("tệp Word cũ (.doc) không đọc được: mở bằng Word hoặc LibreOffice và lưu lại dạng .docx")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise DocxError(f"không đọc được tệp: {error.strerror or error}") from None
    if size == 0:
        raise DocxError("tệp rỗng")
    if size > MAX_FILE_BYTES:
        raise DocxError(f"tệp quá lớn ({size // (1024 * 1024)} MB; tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB)")
    if head == _OLE_MAGIC:
        raise DocxError("tệp được bảo vệ bằng mật khẩu hoặc là tệp .doc đổi tên: gỡ mật khẩu, lưu lại dạng .docx")
    if not zipfile.is_zipfile(path):
        raise DocxError("tệp không phải là tài liệu Word (.docx) hợp lệ (không phải tệp nén docx)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise DocxError(f"tệp nén docx bị hỏng: {error}") from None
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise DocxError("tệp nén không chứa nội dung Word (thiếu word/document.xml)")
    xml = [m for m in members if m.filename.endswith((".xml", ".rels"))]
    if sum(m.file_size for m in xml) > MAX_XML_BYTES:
        raise DocxError("nội dung XML của tệp quá lớn sau khi giải nén (nghi tệp docx độc hại)")
    for member in xml:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise DocxError(f"phần «{member.filename}» nén bất thường (tỉ lệ quá cao, nghi tệp docx độc hại)")
