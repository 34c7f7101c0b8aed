"""Word procedures written with python-docx in the shapes agencies' consultants use, from real national records.

Each variant changes one thing real files vary in: where the header is, how headings are made, the code
scheme, how times are written, the step table's columns. The expected values are the inputs given here, so
a test compares the importer's output with what the file was made from, not with an earlier run.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from factory import NATIONAL_CORPUS

CORPUS = NATIONAL_CORPUS


@dataclass
class Variant:
    code: str = "QT-01/VP"
    header: str = "table"  # table | merged | paragraphs | page_header
    headings: str = "style"  # style | bold | list (Word's numbering: no number in the text)
    step_columns: int = 5  # 5: TT | Nội dung | Trách nhiệm | Thời gian | Kết quả; 6 adds "Trình tự"
    times: tuple[str, ...] = ("0,5 ngày", "04 giờ", "1/2 ngày", "01 ngày làm việc")
    revision: int = 2
    effective: dt.date = dt.date(2024, 3, 15)
    approver: tuple[str, str] = ("Lê Văn Cường", "Chủ tịch UBND xã")
    revisions_table: bool = True
    forms: tuple[tuple[str, str], ...] = (("BM-01", "Phiếu tiếp nhận hồ sơ"), ("BM-02", "Sổ theo dõi hồ sơ"))
    caps_title: bool = True


@dataclass
class Expected:
    code: str
    title: str
    revision: int
    effective: str
    approver: str
    steps: int
    dossier: int
    forms: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # every text written, to prove nothing is dropped


def national_records(count: int, level: str = "Cấp xã") -> list[dict]:
    if not CORPUS.is_file():
        pytest.skip(f"shared corpus not available ({CORPUS}; set EISO_CORPUS)")
    records = []
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if level in (record.get("level") or "") and 2 <= len(record.get("dossier") or []) <= 8:
                records.append(record)
                if len(records) == count:
                    break
    return records


def write_procedure(path: Path, record: dict, variant: Variant) -> Expected:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: F401  (python-docx installed with the test extra)

    document = docx.Document()
    written: list[str] = []
    name = " ".join(record["name"].split())
    title_text = f"QUY TRÌNH {name.upper()}" if variant.caps_title else f"Quy trình {name}"
    _header(document, variant, title_text, written)
    _signatures(document, variant, written)
    if variant.revisions_table:
        _revisions(document, variant, written)
    dossier = [" ".join(d["name"].split()) for d in record["dossier"] if d.get("name", "").strip()][:8]
    _heading(document, variant, 1, "Mục đích", written)
    _para(document, f"Quy định trình tự giải quyết thủ tục {name} tại UBND xã.", written)
    _heading(document, variant, 2, "Phạm vi áp dụng", written)
    _para(document, "Áp dụng đối với công chức Văn phòng - Thống kê và Bộ phận một cửa.", written)
    _heading(document, variant, 3, "Tài liệu viện dẫn", written)
    _para(document, "Tiêu chuẩn quốc gia TCVN ISO 9001:2015.", written)
    _heading(document, variant, 4, "Định nghĩa, từ viết tắt", written)
    _para(document, "UBND: Ủy ban nhân dân; TTHC: thủ tục hành chính.", written)
    _heading(document, variant, 5, "Nội dung quy trình", written)
    _heading(document, variant, "5.1", "Cơ sở pháp lý", written)
    for legal in (record.get("legal_basis") or [])[:3]:
        if legal.get("code") and legal.get("title"):
            _para(document, f"- {legal['title']} số {legal['code']}", written)
    _heading(document, variant, "5.2", "Thành phần hồ sơ", written)
    for item in dossier:
        _para(document, f"- {item} (01 bản chính)", written)
    _heading(document, variant, "5.3", "Số lượng hồ sơ", written)
    _para(document, "01 (một) bộ.", written)
    _heading(document, variant, "5.4", "Thời gian xử lý", written)
    _para(document, "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.", written)
    _heading(document, variant, "5.5", "Nơi tiếp nhận và trả kết quả", written)
    _para(document, "Bộ phận tiếp nhận và trả kết quả, UBND xã.", written)
    _heading(document, variant, "5.6", "Lệ phí", written)
    _para(document, "Không thu lệ phí.", written)
    _heading(document, variant, "5.7", "Quy trình xử lý công việc", written)
    steps = _steps(document, variant, written)
    _heading(document, variant, 6, "Biểu mẫu", written)
    for code, title in variant.forms:
        _para(document, f"{code}: {title}", written)
    _heading(document, variant, 7, "Hồ sơ cần lưu", written)
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(table.rows, [("TT", "Tên hồ sơ", "Trách nhiệm lưu", "Thời gian lưu"),
                                       ("1", "Hồ sơ giải quyết thủ tục", "Công chức Văn phòng", "05 năm"),
                                       ("2", "Sổ theo dõi", "Bộ phận một cửa", "Vĩnh viễn")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
            written.append(text)
    document.save(str(path))
    title = name[:1].upper() + name[1:].lower() if variant.caps_title else name
    return Expected(variant.code, title, variant.revision, variant.effective.isoformat(), variant.approver[0],
                    steps, len(dossier), [code for code, _ in variant.forms], written)


def _para(document, text: str, written: list[str], bold: bool = False, style: str | None = None):
    paragraph = document.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold or None
    written.append(text)
    return paragraph


def _heading(document, variant: Variant, number, text: str, written: list[str]) -> None:
    if variant.headings == "style":
        document.add_heading(f"{number}. {text}", level=2 if "." in str(number) else 1)
        written.append(f"{number}. {text}")
    elif variant.headings == "bold":
        _para(document, f"{number}. {text}", written, bold=True)
    else:  # Word's list engine holds the number; the text has none
        _para(document, text, written, style="List Number")


def _header(document, variant: Variant, title_text: str, written: list[str]) -> None:
    fields = [f"Mã hiệu: {variant.code}", f"Lần ban hành: {variant.revision:02d}",
              f"Ngày hiệu lực: {variant.effective:%d/%m/%Y}"]
    if variant.header == "paragraphs":
        _para(document, "UBND XÃ HÒA BÌNH", written, bold=True)
        _para(document, title_text, written, bold=True)
        for text in fields:
            _para(document, text, written)
        return
    container = document.sections[0].header if variant.header == "page_header" else document
    if variant.header == "page_header":
        container.is_linked_to_previous = False
    table = container.add_table(rows=3, cols=3, **({"width": document.sections[0].page_width}
                                                  if variant.header == "page_header" else {}))
    agency = table.cell(0, 0)
    if variant.header in ("merged", "page_header"):
        agency = table.cell(0, 0).merge(table.cell(2, 0))
        title_cell = table.cell(0, 1).merge(table.cell(2, 1))
    else:
        title_cell = table.cell(0, 1)
    agency.text = "UBND XÃ HÒA BÌNH"
    title_cell.text = title_text
    for row, text in enumerate(fields):
        table.cell(row, 2).text = text
    written += ["UBND XÃ HÒA BÌNH", title_text, *fields]


def _signatures(document, variant: Variant, written: list[str]) -> None:
    rows = [("", "Người soạn thảo", "Người xem xét", "Người phê duyệt"),
            ("Chữ ký", "(Đã ký)", "(Đã ký)", "(Đã ký)"),
            ("Họ và tên", "Nguyễn Thị Lan", "Trần Văn Bình", variant.approver[0]),
            ("Chức vụ", "Công chức Tư pháp - Hộ tịch", "Phó Chủ tịch UBND xã", variant.approver[1])]
    table = document.add_table(rows=4, cols=4)
    for row, cells in zip(table.rows, rows):
        for cell, text in zip(row.cells, cells):
            cell.text = text
            if text:
                written.append(text)


def _revisions(document, variant: Variant, written: list[str]) -> None:
    _para(document, "THEO DÕI SỬA ĐỔI TÀI LIỆU", written, bold=True)
    rows = [("Ngày sửa đổi", "Trang/Mục sửa đổi", "Nội dung sửa đổi", "Lần sửa đổi"),
            ("10/01/2023", "Toàn bộ", "Ban hành lần đầu", "01"),
            (f"{variant.effective:%d/%m/%Y}", "Mục 5.2", "Cập nhật thành phần hồ sơ theo quy định mới",
             f"{variant.revision:02d}")]
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(table.rows, rows):
        for cell, text in zip(row.cells, cells):
            cell.text = text
            written.append(text)


def _steps(document, variant: Variant, written: list[str]) -> int:
    actions = [("Tiếp nhận, kiểm tra hồ sơ", "Bộ phận một cửa", "Phiếu tiếp nhận (BM-01)"),
               ("Thẩm định hồ sơ, trình ký", "Công chức Tư pháp - Hộ tịch", "Dự thảo kết quả"),
               ("Ký duyệt", "Chủ tịch UBND xã", "Kết quả giải quyết"),
               ("Trả kết quả, lưu hồ sơ", "Bộ phận một cửa", "Sổ theo dõi (BM-02)")]
    if variant.step_columns == 6:
        header = ("TT", "Trình tự", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả")
        rows = [(str(i), f"Bước {i}", a, who, t, out)
                for i, ((a, who, out), t) in enumerate(zip(actions, variant.times), start=1)]
    else:
        header = ("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả")
        rows = [(str(i), a, who, t, out) for i, ((a, who, out), t) in enumerate(zip(actions, variant.times), start=1)]
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    for row, cells in zip(table.rows, [header, *rows]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
            written.append(text)
    return len(rows)


# A 1×1 PNG: python-docx reads its size, Word shows it; a flow chart stands in for it in the shapes below.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a0e2d3b40000000049454e44ae426082")
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def write_hard_shapes(path: Path) -> list[str]:
    """A procedure holding the shapes that importers drop text from (attacker's review, importers H3):
    cover lines after the title, extra header cells, unmapped table columns, a long time paragraph, tables
    nested three deep, a text box in a cell, block and inline content controls, tracked insertions,
    fields, smart tags, first-page header, footer, an image. Returns the texts that must survive."""
    import copy
    import io

    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    must: list[str] = []
    header = document.add_table(rows=2, cols=3)
    for cell, text in zip(header.rows[0].cells, ("UBND XÃ HÒA BÌNH", "QUY TRÌNH THỬ HÌNH DẠNG", "Mã hiệu: QT-HINH-01")):
        cell.text = text
    for cell, text in zip(header.rows[1].cells, ("Trang: 1/5", "Đơn vị soạn thảo: Văn phòng",
                                                 "Một đoạn mô tả phạm vi quan trọng trong bảng đầu")):
        cell.text = text
    must += ["Đơn vị soạn thảo: Văn phòng", "Một đoạn mô tả phạm vi quan trọng trong bảng đầu"]
    for text in ("(Ban hành kèm theo Quyết định số 123/QĐ-UBND ngày 01/02/2024 của Chủ tịch UBND xã Hòa Bình)",
                 "Tài liệu này là tài sản của UBND xã, không được sao chép khi chưa được phép.",
                 "Ghi chú quan trọng: bản in không kiểm soát."):
        document.add_paragraph(text)
        must.append(text)
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Nội dung riêng của đầu trang trang nhất"
    section.footer.paragraphs[0].text = "Ghi chú chân trang quan trọng của văn phòng"
    must += ["Nội dung riêng của đầu trang trang nhất", "Ghi chú chân trang quan trọng của văn phòng"]

    document.add_heading("1. Mục đích", 1)
    document.add_paragraph("Quy định cách làm thử các hình dạng của tệp Word.")
    body = document.add_paragraph()._p
    body.addprevious(parse_xml(f'<w:sdt {_W}><w:sdtContent><w:p><w:r><w:t>Đoạn trong điều khiển nội dung khối'
                               '</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    body.addprevious(parse_xml(
        f'<w:p {_W}><w:r><w:t xml:space="preserve">Có </w:t></w:r><w:ins w:id="1" w:author="A" '
        'w:date="2024-01-01T00:00:00Z"><w:r><w:t xml:space="preserve">chèn theo dõi </w:t></w:r></w:ins>'
        '<w:r><w:t>xong.</w:t></w:r></w:p>'))
    body.addprevious(parse_xml(
        f'<w:p {_W}><w:ins w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t>Đoạn chỉ gồm phần chèn '
        'theo dõi</w:t></w:r></w:ins></w:p>'))
    body.addprevious(parse_xml(
        f'<w:p {_W}><w:r><w:t xml:space="preserve">Xem </w:t></w:r><w:fldSimple w:instr="REF muc"><w:r>'
        '<w:t>mục tham chiếu trường</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> và </w:t></w:r>'
        '<w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>xã Hòa Bình thẻ thông minh</w:t></w:r></w:smartTag>'
        '</w:p>'))
    must += ["Đoạn trong điều khiển nội dung khối", "Có chèn theo dõi xong.", "Đoạn chỉ gồm phần chèn theo dõi",
             "Xem mục tham chiếu trường và xã Hòa Bình thẻ thông minh"]
    document.add_picture(io.BytesIO(PNG))
    outer = document.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.text = "Bảng ngoài cùng"
    inner = cell.add_table(rows=1, cols=1).cell(0, 0)
    inner.text = "Bảng lồng cấp hai"
    innermost = inner.add_table(rows=1, cols=1).cell(0, 0)
    innermost.text = "Bảng lồng cấp ba"
    box = parse_xml(
        f'<w:r {_W} xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:drawing><wp:inline><a:graphic>'
        '<a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Chữ trong hộp văn bản nằm trong ô bảng'
        '</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing>'
        '</w:r>')
    cell.add_paragraph()._p.append(copy.deepcopy(box))
    must += ["Bảng lồng cấp hai", "Bảng lồng cấp ba", "Chữ trong hộp văn bản nằm trong ô bảng"]

    document.add_heading("2. Nội dung quy trình", 1)
    document.add_heading("2.1. Thành phần hồ sơ", 2)
    _rows(document, [("TT", "Tên giấy tờ", "Mẫu đơn, tờ khai", "Bản chính", "Bản sao", "Ghi chú"),
                     ("1", "Tờ khai đăng ký khai sinh", "Mẫu TP/HT-KT", "1", "0", "Ghi chú hồ sơ một: nộp kèm CCCD"),
                     ("2", "Giấy chứng sinh", "", "1", "0", "Do bệnh viện cấp trong 24 giờ")])
    must += ["Mẫu TP/HT-KT", "Ghi chú hồ sơ một: nộp kèm CCCD", "Do bệnh viện cấp trong 24 giờ"]
    document.add_heading("2.2. Thời gian xử lý", 2)
    long_time = ("03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp cần xác minh thì thời hạn được "
                 "kéo dài thêm không quá 05 ngày làm việc, công chức phải thông báo bằng văn bản cho người nộp "
                 "hồ sơ và nêu rõ lý do; trường hợp hồ sơ nộp sau 15 giờ thì được tính vào ngày làm việc tiếp "
                 "theo theo quy định của pháp luật hiện hành về tiếp nhận hồ sơ.")
    document.add_paragraph(long_time)
    must.append(long_time)
    document.add_heading("2.3. Quy trình xử lý công việc", 2)
    _rows(document, [("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu", "Kết quả", "Ghi chú"),
                     ("1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", "0,5 ngày", "BM-01", "Phiếu hẹn",
                      "Ghi chú bước một quan trọng"),
                     ("2", "Thẩm định, trình ký", "Công chức Tư pháp", "01 ngày", "BM-02", "Tờ trình",
                      "Ghi chú bước hai quan trọng")])
    must += ["Phiếu hẹn", "Tờ trình", "Ghi chú bước một quan trọng", "Ghi chú bước hai quan trọng"]
    document.add_heading("3. Hồ sơ cần lưu", 1)
    _rows(document, [("TT", "Tên hồ sơ", "Mã hiệu", "Trách nhiệm lưu", "Hình thức lưu", "Thời gian lưu", "Ghi chú"),
                     ("1", "Sổ theo dõi", "SKT-HINH", "Văn phòng", "Bản giấy có đóng dấu", "05 năm",
                      "Lưu tại tủ hồ sơ số 3")])
    must += ["SKT-HINH", "Bản giấy có đóng dấu", "Lưu tại tủ hồ sơ số 3"]
    document.save(str(path))
    return must


def _rows(document, rows: list[tuple[str, ...]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, cells in zip(table.rows, rows):
        for cell, text in zip(row.cells, cells):
            cell.text = text


def write_word_text_box(path: Path, text: str) -> None:
    """A procedure with a text box as Word writes it: ``mc:AlternateContent`` holding the box twice, as
    DrawingML in ``mc:Choice`` and as VML in ``mc:Fallback`` for older readers (importers review, M6)."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("QUY TRÌNH CÓ HỘP VĂN BẢN").runs[0].bold = True
    document.add_heading("1. Mục đích", 1)
    paragraph = document.add_paragraph("Đoạn neo hộp văn bản")
    box = f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
    paragraph._p.append(parse_xml(
        f'<w:r {_W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:inline><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>'
        f'<w:txbxContent>{box}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:inline>'
        '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
        f'<w:txbxContent>{box}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r>'))
    document.add_heading("2. Phạm vi", 1)
    document.add_paragraph("Áp dụng tại Văn phòng.")
    document.save(str(path))


def write_tthc_with_cover(path: Path, cover_line: str | None) -> None:
    """A short TTHC procedure whose cover names its agency with ``cover_line`` (none: no agency line)."""
    import docx

    document = docx.Document()
    if cover_line:
        document.add_paragraph(cover_line).runs[0].bold = True
    document.add_paragraph("QUY TRÌNH ĐĂNG KÝ KHAI SINH").runs[0].bold = True
    document.add_paragraph("Mã hiệu: QT-CAP-01")
    document.add_heading("1. Mục đích", 1)
    document.add_paragraph("Quy định trình tự đăng ký khai sinh.")
    document.save(str(path))


def write_revision_rows(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """A short procedure whose revision table holds ``rows`` of (date, change, revision) cells as typed."""
    import docx

    document = docx.Document()
    document.add_paragraph("QUY TRÌNH KIỂM SOÁT TÀI LIỆU").runs[0].bold = True
    document.add_paragraph("Mã hiệu: QT-SD-01")
    document.add_paragraph("THEO DÕI SỬA ĐỔI TÀI LIỆU").runs[0].bold = True
    _rows(document, [("Ngày sửa đổi", "Nội dung sửa đổi", "Lần sửa đổi"), *rows])
    document.add_heading("1. Mục đích", 1)
    document.add_paragraph("Quy định cách kiểm soát tài liệu.")
    document.save(str(path))


def write_table(document, rows: list[tuple[str | None, ...]], merges: tuple[tuple[int, int, int, int], ...] = ()):
    """A table of ``rows`` (None: a cell left as merged), each line of a text a paragraph of its own, as Word
    writes it; ``merges``: (top, left, bottom, right) cells merged first."""
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for top, left, bottom, right in merges:
        table.cell(top, left).merge(table.cell(bottom, right))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text is not None:
                first, *more = text.split("\n")
                table.cell(r, c).text = first
                for line in more:
                    table.cell(r, c).add_paragraph(line)
    return table


def import_one(tmp_path: Path, document) -> tuple[dict, str, list[str]]:
    """The front matter, the whole text and the report of one Word document imported into ``tmp_path/out``."""
    import yaml

    from eiso.importers.docx_import import import_docx

    document.save(tmp_path / "qt.docx")
    outcome = import_docx([tmp_path / "qt.docx"], tmp_path / "out", unit="Văn phòng")
    (result,) = outcome.files
    assert not result.error, result.error
    text = (tmp_path / "out" / result.target).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1]), text, result.checks
