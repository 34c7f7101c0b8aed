"""``eiso import docx`` on the shapes an attacker's review of the Word importer found mis-read: each test writes
one shape with python-docx and asserts what is read from it (and that nothing is lost)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx_factory import import_one, write_table

docx = pytest.importorskip("docx")


def _start(title: str = "QUY TRÌNH CẤP BẢN SAO TRÍCH LỤC", code: str = "QT-05/TP"):
    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph(f"Mã hiệu: {code}")
    document.add_paragraph("Lần ban hành: 01")
    return document


def test_a_step_table_with_step_names_in_its_first_column_is_no_signature_table(tmp_path: Path) -> None:
    # "Kiểm tra hồ sơ" and "Phê duyệt" down the first column: the table was read turned as signatures, the
    # steps lost and "1 ngày" made the reviewer's name
    document = _start()
    document.add_heading("5. Nội dung quy trình", level=1)
    document.add_heading("5.7. Quy trình xử lý công việc", level=2)
    write_table(document, [("Bước công việc", "Trách nhiệm", "Thời gian", "Kết quả"),
                      ("Tiếp nhận hồ sơ", "Bộ phận một cửa", "0,5 ngày", "Phiếu hẹn"),
                      ("Kiểm tra hồ sơ", "Công chức Tư pháp", "1 ngày", "Dự thảo"),
                      ("Phê duyệt", "Chủ tịch UBND xã", "0,5 ngày", "Bản sao trích lục"),
                      ("Trả kết quả", "Bộ phận một cửa", "Trong ngày", "Sổ theo dõi")])
    meta, _, _ = import_one(tmp_path, document)
    assert [(s["action"], s["actor"]) for s in meta["steps"]] == [
        ("Tiếp nhận hồ sơ", "Bộ phận một cửa"), ("Kiểm tra hồ sơ", "Công chức Tư pháp"),
        ("Phê duyệt", "Chủ tịch UBND xã"), ("Trả kết quả", "Bộ phận một cửa")]
    assert not {"prepared_by", "reviewed_by", "approved_by"} & set(meta)


def test_roles_down_the_first_column_without_a_person_header_are_no_signature_table(tmp_path: Path) -> None:
    # No step header either: a table of roles and duties stays a table of the body
    document = _start()
    document.add_heading("1. Mục đích", level=1)
    write_table(document, [("Vai trò", "Nhiệm vụ"), ("Kiểm tra", "Rà soát hồ sơ"), ("Phê duyệt", "Ký quyết định")])
    meta, text, _ = import_one(tmp_path, document)
    assert "approved_by" not in meta and "| Phê duyệt | Ký quyết định |" in text


@pytest.mark.parametrize("title", ["CHỦ TỊCH", "Chủ Tịch", "CHỦ TỊCH UBND XÃ", "TRƯỞNG PHÒNG", "Trưởng Phòng",
                                   "TRƯỞNG BAN", "TRƯỞNG PHÒNG TƯ PHÁP", "KT. CHỦ TỊCH", "PHÓ GIÁM ĐỐC"])
def test_a_job_title_in_capitals_is_no_name(tmp_path: Path, title: str) -> None:
    # "CHỦ TỊCH" over "(Đã ký)" and the name: all-caps words counted as a capitalised name, "chu" as a family name
    document = _start(title="QUY TRÌNH KIỂM SOÁT TÀI LIỆU", code="QT-KSTL-01")
    write_table(document, [("NGƯỜI SOẠN THẢO", "NGƯỜI XEM XÉT", "NGƯỜI PHÊ DUYỆT"),
                      ("CÔNG CHỨC VĂN PHÒNG\n(Đã ký)\nTrần Thị Bình", "PHÓ CHỦ TỊCH\n(Đã ký)\nLê Văn Cường",
                       f"{title}\n(Đã ký)\nNguyễn Văn Thắng")])
    document.add_heading("1. Mục đích", level=1)
    meta, _, _ = import_one(tmp_path, document)
    assert meta["approved_by"] == {"name": "Nguyễn Văn Thắng", "title": title}
    assert meta["reviewed_by"] == {"name": "Lê Văn Cường", "title": "PHÓ CHỦ TỊCH"}
    assert meta["prepared_by"] == {"name": "Trần Thị Bình", "title": "CÔNG CHỨC VĂN PHÒNG"}


def test_names_spelled_like_titles_without_their_accents_stay_names(tmp_path: Path) -> None:
    # "Trương", "Chu" are family names; only "Trưởng", "Chủ tịch" start a title
    document = _start(title="QUY TRÌNH KIỂM SOÁT TÀI LIỆU", code="QT-KSTL-01")
    write_table(document, [("NGƯỜI SOẠN THẢO", "NGƯỜI XEM XÉT", "NGƯỜI PHÊ DUYỆT"),
                      ("Chuyên viên\n(Đã ký)\nTRƯƠNG VĂN AN", "Phó Chủ tịch\n(Đã ký)\nChu Văn Tịch",
                       "Chủ tịch\n(Đã ký)\nTrương Phong")])
    document.add_heading("1. Mục đích", level=1)
    meta, _, _ = import_one(tmp_path, document)
    assert meta["prepared_by"] == {"name": "TRƯƠNG VĂN AN", "title": "Chuyên viên"}
    assert meta["reviewed_by"] == {"name": "Chu Văn Tịch", "title": "Phó Chủ tịch"}
    assert meta["approved_by"] == {"name": "Trương Phong", "title": "Chủ tịch"}


@pytest.mark.parametrize("first", ["Bản sao Giấy chứng nhận kết hôn", "Bản chính Giấy khai sinh",
                                   "Tên doanh nghiệp đề nghị (bản kê khai)"])
def test_a_first_dossier_item_in_header_words_is_an_item(tmp_path: Path, first: str) -> None:
    # "1 | Bản sao Giấy chứng nhận kết hôn | 01" has the header word "bản sao": it was taken for a second header
    # row and the item was lost, silently
    document = _start(title="QUY TRÌNH ĐĂNG KÝ KẾT HÔN")
    document.add_paragraph("Mã thủ tục: 1.000894")
    document.add_heading("5. Nội dung quy trình", level=1)
    document.add_heading("5.2. Thành phần hồ sơ", level=2)
    write_table(document, [("TT", "Tên hồ sơ", "Số lượng"), ("1", first, "01"), ("2", "Tờ khai đăng ký kết hôn", "01")])
    meta, text, _ = import_one(tmp_path, document)
    originals, copies = (0, 1) if first.startswith("Bản sao") else (1, 0)
    assert meta["tthc"]["dossier"] == [{"name": first, "originals": originals, "copies": copies},
                                       {"name": "Tờ khai đăng ký kết hôn", "originals": 1, "copies": 0}]
    assert "chưa xếp vào mục nào" not in text


def test_a_second_header_row_sits_under_a_merged_label_without_an_order_number(tmp_path: Path) -> None:
    # "Số lượng" merged over two columns and header words in every cell, yet the second row is the first item:
    # its TT is "1"
    document = _start(title="QUY TRÌNH ĐĂNG KÝ KẾT HÔN")
    document.add_heading("5.2. Thành phần hồ sơ", level=2)
    write_table(document, [("TT", "Tên hồ sơ", "Số lượng", None), ("1", "Bản sao Giấy khai sinh", "Bản chính: 0", "Bản sao: 01"),
                      ("2", "Tờ khai đăng ký kết hôn", "01", "0")], merges=((0, 2, 0, 3),))
    meta, _, _ = import_one(tmp_path, document)
    assert [item["name"] for item in meta["tthc"]["dossier"]] == ["Bản sao Giấy khai sinh", "Tờ khai đăng ký kết hôn"]


def _span(cell, columns: int) -> None:
    """Declare ``columns`` grid columns on one cell, as a damaged or crafted file may."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), str(columns))
    cell._tc.get_or_add_tcPr().append(span)


def test_a_cell_spanning_thirty_million_columns_is_held_to_words_grid_and_reported(tmp_path: Path) -> None:
    # 36 KB with <w:gridSpan w:val="30000000"/>: every span was expanded (python-docx's row.cells, then each
    # recogniser's grid, a turned copy, a column loop): minutes and gigabytes, then MemoryError
    import time

    document = _start(title="QUY TRÌNH CẤP GIẤY PHÉP")
    document.add_heading("5.2. Thành phần hồ sơ", level=2)
    table = write_table(document, [("Tên giấy tờ", "Số lượng"), ("Bản chính", "Bản sao"), ("Đơn đề nghị", "1")])
    nested = table.cell(2, 0).add_table(rows=1, cols=1)
    nested.cell(0, 0).text = "Ghi chú lồng"
    _span(nested.cell(0, 0), 30_000_000)
    _span(table.cell(0, 1), 30_000_000)  # last: python-docx's own table.cell() expands every span
    started = time.monotonic()
    meta, text, report = import_one(tmp_path, document)
    assert time.monotonic() - started < 10
    assert ("bảng 1, dòng 1, ô 2: ô trải rộng 30000000 cột, quá 63 cột Word cho phép (tệp hỏng hoặc bị sửa tay): "
            "đọc như ô rộng 62 cột, cần kiểm tra bảng") in report
    assert [line for line in report if line.startswith("bảng 1, dòng 3, ô 1, bảng lồng 1, dòng 1, ô 1: ô trải rộng")]
    assert "Đơn đề nghị" in text and "Ghi chú lồng" in text


def test_cells_past_words_sixty_three_columns_join_the_last_cell(tmp_path: Path) -> None:
    document = _start()
    document.add_heading("1. Mục đích", level=1)
    write_table(document, [tuple(f"Ô{c}" for c in range(1, 66))])
    meta, text, report = import_one(tmp_path, document)
    assert "Ô63<br>Ô64<br>Ô65" in text
    assert [line for line in report if line.startswith("bảng 1, dòng 1, ô 64: ô nằm ngoài 63 cột")]


def test_the_agency_is_the_first_two_agency_lines_of_the_cover_and_the_rest_is_kept(tmp_path: Path) -> None:
    # Every cover line starting "Phòng/Sở/UBND" was joined to the agency's name: 80,000 lines built a 3.6 MB
    # name, quadratically
    document = docx.Document()
    document.add_paragraph("UBND TỈNH QUẢNG NAM")
    document.add_paragraph("SỞ TƯ PHÁP")
    lines = [f"Phòng {number} phụ trách hồ sơ" for number in range(1, 2001)]
    for line in lines:
        document.add_paragraph(line)
    document.add_paragraph("QUY TRÌNH CẤP PHIẾU LÝ LỊCH TƯ PHÁP")
    document.add_paragraph("Mã hiệu: QT-02/STP")
    document.add_paragraph("Mã thủ tục: 1.000894")
    document.add_heading("1. Mục đích", level=1)
    meta, text, report = import_one(tmp_path, document)
    assert meta["tthc"]["agency"] == "UBND TỈNH QUẢNG NAM - SỞ TƯ PHÁP"
    body = text.split("\n---\n", 1)[1]
    assert all(f"\n{line}\n" in body for line in lines) and "chưa xếp vào mục nào" not in body
    assert "đoạn 3: dòng «Phòng 1 phụ trách hồ sơ» giống tên cơ quan nhưng bìa đã có hai dòng tên cơ quan " \
           "(«UBND TỈNH QUẢNG NAM - SỞ TƯ PHÁP»): giữ trong nội dung, cần kiểm tra" in report
    assert len([line for line in report if "giống tên cơ quan" in line]) == len(lines)
