"""``eiso import docx`` on template shapes agencies' Word procedures have and the first fixtures did not: each
test writes one shape with python-docx and asserts the facts read from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx_factory import import_one, write_table

docx = pytest.importorskip("docx")


def _start(title: str = "QUY TRÌNH CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH", code: str = "QT-05/TP"):
    document = docx.Document()
    document.add_paragraph(title).runs[0].bold = True
    document.add_paragraph(f"Mã hiệu: {code}")
    document.add_paragraph("Lần ban hành: 02")
    document.add_paragraph("Ngày hiệu lực: 01/3/2024")
    return document


def _step_rows(times: tuple[str, ...]) -> list[tuple[str, ...]]:
    rows = [("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả")]
    rows += [(str(i), f"Tiếp nhận hồ sơ lần {i}", "Bộ phận một cửa", time, "") for i, time in enumerate(times, start=1)]
    return rows


def test_minutes_and_within_the_day_are_step_times(tmp_path: Path) -> None:
    # "15 phút" and "Trong ngày" were "không đọc được thời gian": the step had no time
    document = _start()
    document.add_heading("5.7. Quy trình xử lý công việc", 2)
    write_table(document, _step_rows(("15 phút", "Trong ngày", "30 phút")))
    meta, _, report = import_one(tmp_path, document)
    assert [step["time"] for step in meta["steps"]] == [{"value": 0.25, "unit": "hours"},
                                                        {"value": 1, "unit": "working_days"},
                                                        {"value": 0.5, "unit": "hours"}]
    assert not [line for line in report if "không đọc được thời gian" in line]
    # a time written without a number is read as the most it can mean, and the report asks to confirm it
    confirm = [line for line in report if "cần xác nhận" in line and "thời gian" in line]
    assert len(confirm) == 1 and "«Trong ngày» ghi là 1 ngày làm việc" in confirm[0], report


def test_forms_numbered_as_mau_keep_their_code_and_a_clean_title(tmp_path: Path) -> None:
    # "Mẫu 01: Tờ khai" had "không có mã biểu mẫu" and the procedure no forms at all
    document = _start()
    document.add_heading("6. Biểu mẫu", 1)
    for text in ("Mẫu 01: Tờ khai đăng ký", "- Đơn đề nghị (Mẫu 02/HCC)", "Mẫu số 03 - Giấy xác nhận",
                 "Phiếu hẹn trả kết quả (BM-04)"):
        document.add_paragraph(text)
    meta, _, _ = import_one(tmp_path, document)
    assert meta["forms"] == [{"code": "Mẫu 01", "title": "Tờ khai đăng ký"},
                             {"code": "Mẫu 02/HCC", "title": "Đơn đề nghị"},
                             {"code": "Mẫu số 03", "title": "Giấy xác nhận"},
                             {"code": "BM-04", "title": "Phiếu hẹn trả kết quả"}]


def test_a_merged_total_row_is_not_a_step_and_steps_named_cong_or_tong_are(tmp_path: Path) -> None:
    # The total row, merged over TT, Nội dung and Trách nhiệm, lost its merged cells: its time sat under
    # "Trách nhiệm" and it became a fifth step; "Công bố kết quả" and "Tổng hợp hồ sơ" were taken for totals.
    document = _start()
    document.add_heading("5.7. Quy trình xử lý công việc", 2)
    write_table(document, [("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả"),
                      ("1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", "0,5 ngày", "BM-01"),
                      ("2", "Tổng hợp hồ sơ, trình lãnh đạo", "Công chức Tư pháp", "01 ngày", "Tờ trình"),
                      ("3", "Công bố kết quả trên trang thông tin", "Văn phòng", "0,5 ngày", ""),
                      ("Tổng thời gian giải quyết", None, None, "02 ngày làm việc", "")],
           merges=((4, 0, 4, 2),))
    meta, _, report = import_one(tmp_path, document)
    assert [step["action"] for step in meta["steps"]] == ["Tiếp nhận hồ sơ", "Tổng hợp hồ sơ, trình lãnh đạo",
                                                          "Công bố kết quả trên trang thông tin"]
    assert "bảng 1, dòng 5: dòng tổng thời gian: «Tổng thời gian giải quyết | 02 ngày làm việc»" in report


def test_six_columns_keep_result_and_form_and_report_the_notes_with_their_row(tmp_path: Path) -> None:
    document = _start()
    document.add_heading("5.7. Quy trình xử lý công việc", 2)
    write_table(document, [("Bước", "Các bước công việc", "Người thực hiện", "Thời hạn", "Biểu mẫu", "Ghi chú"),
                      ("B1", "Tiếp nhận hồ sơ", "Bộ phận một cửa", "04 giờ", "BM-01",
                       "Nếu hồ sơ chưa đầy đủ thì hướng dẫn bổ sung một lần"),
                      ("B2", "Thẩm định", "Công chức", "02 ngày làm việc", "BM-02", "")])
    write_table(document, [("TT", "Lưu đồ", "Nội dung", "Trách nhiệm", "Biểu mẫu", "Kết quả"),
                      ("1", "Bắt đầu", "Ký duyệt", "Chủ tịch", "BM-03", "Quyết định")])
    meta, text, report = import_one(tmp_path, document)
    assert [(s["actor"], s["action"], s.get("output")) for s in meta["steps"]] == [
        ("Bộ phận một cửa", "B1: Tiếp nhận hồ sơ", "BM-01"), ("Công chức", "B2: Thẩm định", "BM-02"),
        ("Chủ tịch", "Ký duyệt", "BM-03; Quyết định")]
    assert ("bảng 1, dòng 2: cột «Ghi chú» của bước không có trường riêng, cần xem lại: «Nếu hồ sơ chưa đầy đủ "
            "thì hướng dẫn bổ sung một lần»") in report
    assert "bảng 2, dòng 2: cột «Lưu đồ» của bước không có trường riêng, cần xem lại: «Bắt đầu»" in report
    assert "chưa xếp vào mục nào" not in text  # reported with its place, not only dumped at the end


def _forms_and_records(document, heading) -> None:
    """A procedure's end: a forms table and a records table under ``heading(number, text)`` headings."""
    heading("6", "Biểu mẫu")
    write_table(document, [("TT", "Tên biểu mẫu", "Mã hiệu"), ("1", "Tờ khai", "BM-TP-11-01")])
    heading("7", "Hồ sơ cần lưu")
    write_table(document, [("TT", "Hồ sơ lưu", "Trách nhiệm lưu", "Thời gian lưu"),
                      ("1", "Sổ theo dõi giải quyết hồ sơ", "Bộ phận một cửa", "Lâu dài")])


def _assert_forms_and_records(meta: dict, text: str) -> None:
    assert meta["forms"] == [{"code": "BM-TP-11-01", "title": "Tờ khai"}]
    assert meta["records"] == [{"name": "Sổ theo dõi giải quyết hồ sơ", "keeper": "Bộ phận một cửa",
                                "retention": "Lâu dài"}]
    assert "steps" not in meta and "chưa xếp vào mục nào" not in text


def test_roman_numeral_headings_start_their_sections(tmp_path: Path) -> None:
    # "VI. BIỂU MẪU" was no heading: the forms and records tables were read as step tables of 5.7
    document = _start()
    romans = {"1": "I", "5": "V", "6": "VI", "7": "VII"}

    def heading(number: str, text: str) -> None:
        document.add_paragraph(f"{romans[number]}. {text.upper()}").runs[0].bold = True

    heading("1", "Mục đích")
    document.add_paragraph("Quy định trình tự cấp bản sao trích lục hộ tịch.")
    heading("5", "Nội dung quy trình")
    document.add_paragraph("7. Quy trình xử lý công việc").runs[0].bold = True
    write_table(document, _step_rows(("0,5 ngày",)))
    _forms_and_records(document, heading)
    meta, text, _ = import_one(tmp_path, document)
    assert len(meta.pop("steps")) == 1
    _assert_forms_and_records(meta, text)
    assert "## Mục đích" in text and "## Nội dung quy trình" in text


def test_headings_made_bold_by_their_paragraph_style_start_their_sections(tmp_path: Path) -> None:
    # Templates define a bold "Mục" paragraph style and leave the runs alone: "Biểu mẫu" was not a heading
    from docx.enum.style import WD_STYLE_TYPE

    document = _start()
    style = document.styles.add_style("Muc", WD_STYLE_TYPE.PARAGRAPH)
    style.font.bold = True
    document.styles.add_style("Muc con", WD_STYLE_TYPE.PARAGRAPH).base_style = style  # bold through its base
    document.add_paragraph("Mục đích", style="Muc")
    document.add_paragraph("Quy định trình tự cấp bản sao trích lục hộ tịch.")
    _forms_and_records(document, lambda number, text: document.add_paragraph(text, style="Muc con"))
    meta, text, _ = import_one(tmp_path, document)
    _assert_forms_and_records(meta, text)


def test_a_signature_table_with_the_roles_down_its_first_column(tmp_path: Path) -> None:
    # "Người phê duyệt" in the first column, "Họ và tên | Chức vụ | Chữ ký" across: "bảng ở phần đầu không
    # nhận dạng được", and the draft had no approver
    document = _start()
    write_table(document, [("", "Họ và tên", "Chức vụ", "Chữ ký"),
                      ("Người soạn thảo", "Nguyễn Thị Lan", "Công chức Tư pháp - Hộ tịch", "Đã ký"),
                      ("Người xem xét", "Trần Văn Bình", "Phó Chủ tịch UBND xã", "Đã ký"),
                      ("Người phê duyệt", "Đặng Thị Mai", "Chủ tịch UBND xã", "Đã ký")])
    document.add_heading("1. Mục đích", 1)
    meta, _, report = import_one(tmp_path, document)
    assert meta["prepared_by"] == {"name": "Nguyễn Thị Lan", "title": "Công chức Tư pháp - Hộ tịch"}
    assert meta["reviewed_by"] == {"name": "Trần Văn Bình", "title": "Phó Chủ tịch UBND xã"}
    assert meta["approved_by"] == {"name": "Đặng Thị Mai", "title": "Chủ tịch UBND xã"}
    assert not [line for line in report if "không nhận dạng được" in line]


def test_a_step_that_names_two_roles_does_not_make_its_table_a_signature_table(tmp_path: Path) -> None:
    # The first two rows' text held "kiểm tra" and "phê duyệt": the step table was read as signatures
    document = _start()
    document.add_heading("5.7. Quy trình xử lý công việc", 2)
    write_table(document, [("TT", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Kết quả"),
                      ("1", "Kiểm tra hồ sơ, trình lãnh đạo phê duyệt", "Công chức Tư pháp", "01 ngày", "Tờ trình"),
                      ("2", "Ký duyệt", "Chủ tịch UBND xã", "0,5 ngày", "Quyết định")])
    meta, _, _ = import_one(tmp_path, document)
    assert len(meta["steps"]) == 2 and "approved_by" not in meta


def test_a_revision_table_under_a_title_row_keeps_every_column_it_has(tmp_path: Path) -> None:
    # The title row was taken for the header: "dòng theo dõi sửa đổi không có nội dung" and no history; the
    # "Vị trí sửa đổi" / "Yêu cầu sửa đổi" columns were left out and dumped at the end of the body.
    document = docx.Document()
    document.add_paragraph("THEO DÕI SỬA ĐỔI TÀI LIỆU").runs[0].bold = True
    write_table(document, [("BẢNG THEO DÕI SỬA ĐỔI", None, None, None, None),
                      ("TT", "Ngày tháng", "Vị trí sửa đổi", "Mô tả nội dung sửa đổi", "Lần sửa đổi"),
                      ("1", "02/01/2023", "Mục 5.4", "Rút ngắn thời gian giải quyết", "01")], merges=((0, 0, 0, 4),))
    write_table(document, [("Yêu cầu sửa đổi/bổ sung", "Nội dung sửa đổi", "Lần sửa đổi", "Ngày sửa đổi"),
                      ("Thay đổi văn bản pháp luật", "Cập nhật căn cứ pháp lý", "2", "5-3-2024")])
    document.add_paragraph("QUY TRÌNH CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH").runs[0].bold = True
    document.add_paragraph("Mã hiệu: QT-05/TP")
    document.add_heading("1. Mục đích", 1)
    meta, text, _ = import_one(tmp_path, document)
    assert meta["history_before_git"] == [
        {"date": dt.date(2023, 1, 2), "revision": 1, "change": "Mục 5.4; Rút ngắn thời gian giải quyết"},
        {"date": dt.date(2024, 3, 5), "revision": 2, "change": "Thay đổi văn bản pháp luật; Cập nhật căn cứ pháp lý"}]
    assert meta["title"] == "Cấp bản sao trích lục hộ tịch"  # the caption above the table is no title
    assert "chưa xếp vào mục nào" not in text


def test_a_step_about_amending_documents_does_not_make_a_revision_table(tmp_path: Path) -> None:
    # "Đề xuất biên soạn, sửa đổi tài liệu" in the first step, "Nội dung" in the header: the step table
    # was read as the revision table, its times as unreadable dates, and the real history replaced
    document = _start(title="QUY TRÌNH KIỂM SOÁT TÀI LIỆU", code="QT-KSTL-01")
    document.add_heading("5.7. Quy trình xử lý công việc", 2)
    write_table(document, [("Bước", "Nội dung", "Trách nhiệm", "Thời gian", "Biểu mẫu"),
                      ("Bước 1", "Đề xuất biên soạn, sửa đổi tài liệu", "Các phòng", "02 ngày", "BM-KSTL-01"),
                      ("Bước 2", "Phê duyệt đề xuất", "Lãnh đạo Sở", "01 ngày", "")])
    meta, _, report = import_one(tmp_path, document)
    assert len(meta["steps"]) == 2 and "history_before_git" not in meta
    assert not [line for line in report if "ngày sửa đổi" in line]


def test_a_step_table_right_under_the_content_heading_is_read_as_steps(tmp_path: Path) -> None:
    # ISO system procedures put the step table under "5. NỘI DUNG QUY TRÌNH" with no 5.7 heading: it stayed
    # a Markdown table in the body and the procedure had no steps
    document = _start(title="QUY TRÌNH KIỂM SOÁT TÀI LIỆU", code="QT-KSTL-01")
    document.add_paragraph("NỘI DUNG QUY TRÌNH").runs[0].bold = True
    document.add_paragraph("Trình tự kiểm soát tài liệu như bảng dưới đây.")
    write_table(document, [("Bước", "Nội dung", "Trách nhiệm", "Thời gian", "Biểu mẫu"),
                      ("Bước 1", "Phê duyệt đề xuất", "Lãnh đạo Sở", "01 ngày", ""),
                      ("Bước 2", "Ban hành tài liệu", "Giám đốc Sở", "1/2 ngày", "")])
    write_table(document, [("TT", "Tên tài liệu", "Ghi chú"), ("1", "Sổ tay chất lượng", "")])
    meta, text, report = import_one(tmp_path, document)
    assert [step["action"] for step in meta["steps"]] == ["Bước 1: Phê duyệt đề xuất", "Bước 2: Ban hành tài liệu"]
    assert "Trình tự kiểm soát tài liệu như bảng dưới đây." in text and "| Sổ tay chất lượng |" in text
    assert ("bảng 1: bảng các bước trong mục «Nội dung quy trình» được đọc thành quy trình xử lý (steps): "
            "cần kiểm tra") in report


def test_the_cover_lines_around_the_title_are_placed_or_reported_where_they_are(tmp_path: Path) -> None:
    # The motto came first and became the agency (level guessed from it); "SỞ TƯ PHÁP" under "UBND TỈNH", the
    # page count and a form line "- Đơn đề nghị (Mẫu 01/HCC)" were dumped at the end of the body
    document = docx.Document()
    write_table(document, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                       "UBND TỈNH QUẢNG NAM\nSỞ TƯ PHÁP", "Mã hiệu: QT.TP.05\nTrang: 1/8"),
                      ("QUY TRÌNH CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH", None, None)], merges=((1, 0, 1, 2),))
    document.add_heading("5.2. Thành phần hồ sơ", 2)
    document.add_paragraph("- Tờ khai cấp bản sao trích lục hộ tịch")
    document.add_heading("6. Biểu mẫu", 1)
    document.add_paragraph("- Đơn đề nghị (Mẫu 01/HCC)")
    meta, text, report = import_one(tmp_path, document)
    assert meta["code"] == "QT.TP.05" and meta["title"] == "Cấp bản sao trích lục hộ tịch"
    assert meta["tthc"]["agency"] == "UBND TỈNH QUẢNG NAM - SỞ TƯ PHÁP" and meta["tthc"]["level"] == "Cấp tỉnh"
    assert "bảng 1, dòng 1, ô 3: số trang của bản Word «1/8»: không dùng trong e-ISO" in report
    assert ("bảng 1, dòng 1, ô 1: quốc hiệu, tiêu ngữ «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM»: không đưa vào tài liệu "
            "e-ISO") in report
    assert meta["forms"] == [{"code": "Mẫu 01/HCC", "title": "Đơn đề nghị"}]
    assert "chưa xếp vào mục nào" not in text


def test_names_that_hold_title_words_stay_names_and_titles_without_known_words_stay_titles(tmp_path: Path) -> None:
    # "Trương Văn An" folds to "truong…" and "Nguyễn Văn Phong" holds "van phong": both were read as titles and
    # the person had no name; "Chánh Thanh tra", first in its block, was read as the approver's name
    document = _start()
    write_table(document, [("NGƯỜI SOẠN THẢO", "NGƯỜI XEM XÉT", "NGƯỜI PHÊ DUYỆT"),
                      ("Chuyên viên\n(Đã ký)\nTrương Văn An", "Phó Chánh Văn phòng\n(Đã ký)\nNguyễn Văn Phong",
                       "Chánh Thanh tra\n(Đã ký)\nĐinh Thị Hà")])
    document.add_heading("1. Mục đích", 1)
    meta, _, _ = import_one(tmp_path, document)
    assert meta["prepared_by"] == {"name": "Trương Văn An", "title": "Chuyên viên"}
    assert meta["reviewed_by"] == {"name": "Nguyễn Văn Phong", "title": "Phó Chánh Văn phòng"}
    assert meta["approved_by"] == {"name": "Đinh Thị Hà", "title": "Chánh Thanh tra"}


def test_a_code_keeps_the_prefix_before_qt_and_an_amendment_number_is_not_the_revision(tmp_path: Path) -> None:
    # "STP-QT-05" became "QT-05" (another agency's code), and "Lần sửa đổi: 01" above "Lần ban hành: 02" became
    # the revision, silently
    document = docx.Document()
    document.add_paragraph("QUY TRÌNH CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH").runs[0].bold = True
    write_table(document, [("Mã hiệu", "STP-QT-05"), ("Lần sửa đổi", "01"), ("Lần ban hành", "02")])
    document.add_heading("1. Mục đích", 1)
    meta, _, report = import_one(tmp_path, document)
    assert meta["code"] == "STP-QT-05" and meta["revision"] == 2
    assert ("tệp: lần ban hành 2 có lần sửa đổi 1: e-ISO chỉ ghi lần ban hành (revision), cần xác nhận có tăng lần "
            "ban hành hay không") in report


def test_a_dossier_table_with_two_header_rows(tmp_path: Path) -> None:
    # "Số lượng" merged over "Bản chính | Bản sao": the second header row became a dossier item "Bản chính"
    document = _start()
    document.add_heading("5.2. Thành phần hồ sơ", 2)
    write_table(document, [("TT", "Tên giấy tờ", "Số lượng", None), (None, None, "Bản chính", "Bản sao"),
                      ("1", "Tờ khai cấp bản sao trích lục hộ tịch", "01", "0"),
                      ("2", "Giấy tờ tùy thân của người yêu cầu", "0", "01")],
           merges=((0, 2, 0, 3), (0, 0, 1, 0), (0, 1, 1, 1)))
    meta, text, _ = import_one(tmp_path, document)
    assert meta["tthc"]["dossier"] == [
        {"name": "Tờ khai cấp bản sao trích lục hộ tịch", "originals": 1, "copies": 0},
        {"name": "Giấy tờ tùy thân của người yêu cầu", "originals": 0, "copies": 1}]
    assert "chưa xếp vào mục nào" not in text
