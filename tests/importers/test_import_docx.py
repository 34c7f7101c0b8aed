"""``eiso import docx`` on Word procedures written the ways consultants write them, and on broken files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import run_eiso
from docx_factory import Variant, national_records, write_procedure

from eiso.documents.text import fold

pytest.importorskip("docx")

VARIANTS = {
    "header-table": Variant(),
    "merged-header": Variant(header="merged", code="QT.TP.05", headings="bold", step_columns=6,
                             times=("02 ngày làm việc", "0,5 ngày", "04 giờ", "1/2 ngày")),
    "page-header": Variant(header="page_header", code="QT 01/CX-HCTP", headings="list", revisions_table=False,
                           revision=1, effective=dt.date(2025, 1, 2)),
    "plain-paragraphs": Variant(header="paragraphs", code="QT-HT-07", caps_title=False, revision=3,
                                forms=(("BM.TP.05.01", "Tờ khai"),), approver=("Phạm Thị Hoa", "Chủ tịch UBND xã")),
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Every variant written from a real record, imported in one command into a fresh repository."""
    from factory import make_repo

    root = make_repo(tmp_path_factory.mktemp("docx") / "repo")
    words = root / "word"
    words.mkdir()
    expected = {}
    for (name, variant), record in zip(VARIANTS.items(), national_records(len(VARIANTS))):
        expected[name] = write_procedure(words / f"{name}.docx", record, variant)
    (words / "hong.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run_eiso("import", "docx", "word", "--unit", "Văn phòng - Thống kê", "--out", "procedures/word",
                      cwd=root)
    return root, expected, result


def _document(root: Path, code: str) -> tuple[dict, str, str]:
    from eiso.documents.text import slugify

    (path,) = (root / "procedures" / "word").glob(f"{slugify(code)}-*.md")
    text = path.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    return yaml.safe_load(front), text.split("---\n", 2)[2], text


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_recognised_fields_are_the_ones_written(imported, name: str) -> None:
    root, expected, result = imported
    want = expected[name]
    meta, body, _ = _document(root, want.code)
    assert meta["code"] == want.code
    assert fold(meta["title"]) == fold(want.title)
    assert meta["revision"] == want.revision and str(meta["effective"]) == want.effective
    assert meta["approved_by"]["name"] == want.approver
    assert len(meta["steps"]) == want.steps
    assert all(step["actor"] != "Chưa xác định" and "time" in step for step in meta["steps"])
    assert len(meta["tthc"]["dossier"]) == want.dossier
    assert [form["code"] for form in meta["forms"]] == want.forms
    assert meta["status"] == "draft" and meta["audience"] == "internal"


def test_times_in_every_spelling_become_durations(imported) -> None:
    root, expected, _ = imported
    meta, _, _ = _document(root, expected["merged-header"].code)
    # "02 ngày làm việc", "0,5 ngày", "04 giờ", "1/2 ngày" as written by the variant
    assert [s["time"] for s in meta["steps"]] == [{"value": 2, "unit": "working_days"},
                                                  {"value": 0.5, "unit": "working_days"},
                                                  {"value": 4, "unit": "hours"},
                                                  {"value": 0.5, "unit": "working_days"}]
    assert meta["steps"][0]["action"].startswith("Bước 1")  # the six-column table keeps its "Trình tự"


def test_revision_table_becomes_history_before_git(imported) -> None:
    root, expected, _ = imported
    meta, _, _ = _document(root, expected["header-table"].code)
    assert meta["history_before_git"] == [
        {"date": dt.date(2023, 1, 10), "revision": 1, "change": "Toàn bộ; Ban hành lần đầu"},
        {"date": dt.date(2024, 3, 15), "revision": 2, "change": "Mục 5.2; Cập nhật thành phần hồ sơ theo quy định mới"},
    ]


def test_nothing_is_silently_dropped(imported) -> None:
    root, expected, _ = imported
    for want in expected.values():
        _, _, text = _document(root, want.code)
        output = fold(text)
        for paragraph in want.paragraphs:
            words = [w for w in fold(paragraph).replace("/", " ").split() if len(w) >= 4 and w.isalpha()]
            missing = [w for w in words if w not in output]
            assert not missing, (want.code, paragraph, missing)


def test_facts_are_front_matter_and_the_body_is_prose(imported) -> None:
    root, expected, _ = imported
    _, body, _ = _document(root, expected["header-table"].code)
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert "## Mục đích" in headings and "## Phạm vi áp dụng" in headings
    for fact in ("Thành phần hồ sơ", "Lệ phí", "Biểu mẫu", "Hồ sơ cần lưu", "Quy trình xử lý"):
        assert not any(fact in h for h in headings), headings


def test_the_output_passes_eiso_check_and_the_corrupt_file_is_reported(imported) -> None:
    root, _, result = imported
    assert result.returncode == 1, result.stdout + result.stderr  # one file could not be imported
    assert "hong.docx" in result.stdout and "không phải là tài liệu Word" in result.stdout
    assert result.stdout.count("tạo mới") == len(VARIANTS)
    assert "Traceback" not in result.stderr
    check = run_eiso("check", "--format", "json", cwd=root)
    errors = [f for f in yaml.safe_load(check.stdout) if f["severity"] == "error"]
    assert not errors, errors


def test_second_import_changes_nothing_and_keeps_edits(imported) -> None:
    root, expected, _ = imported
    again = run_eiso("import", "docx", "word", "--unit", "Văn phòng - Thống kê", "--out", "procedures/word",
                     cwd=root)
    assert again.stdout.count("không đổi") == len(VARIANTS)
    _, _, text = _document(root, expected["header-table"].code)
    path = next((root / "procedures" / "word").glob("qt-01-vp-*.md"))
    path.write_text(text.replace("Mục đích", "Mục đích (đã sửa)"), encoding="utf-8")
    third = run_eiso("import", "docx", "word", "--unit", "Văn phòng - Thống kê", "--out", "procedures/word",
                     cwd=root)
    assert "đã sửa, không ghi đè" in third.stdout
    assert "(đã sửa)" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, content, message", [
    ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "lưu lại dạng .docx"),
    ("khoa.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "mật khẩu"),
    ("rong.docx", b"", "tệp rỗng"),
    ("nen.docx", b"PK\x05\x06" + b"\0" * 18, "không chứa nội dung Word"),
])
def test_unreadable_files_get_a_clear_message(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    from eiso.importers.docx_reader import DocxError, read_blocks

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocxError, match=message):
        read_blocks(path)


def test_a_docx_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    from eiso.importers.docx_reader import DocxError, read_blocks

    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + " " * (80 * 1024 * 1024) + "</w:document>")
    assert path.stat().st_size < 1024 * 1024  # small on disk, 80 MB inflated
    with pytest.raises(DocxError, match="độc hại"):
        read_blocks(path)


def test_an_empty_word_document_is_reported(tmp_path: Path) -> None:
    import docx

    from eiso.importers.docx_import import import_docx

    docx.Document().save(str(tmp_path / "trong.docx"))
    outcome = import_docx([tmp_path / "trong.docx"], tmp_path / "out")
    assert [f.error for f in outcome.files] == ["tài liệu Word không có nội dung"]


def test_text_in_text_boxes_is_read(tmp_path: Path) -> None:
    import copy

    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("Trang bìa")
    box = parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:drawing><wp:inline><a:graphic>'
        '<a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Mã hiệu: QT-09/VP</w:t></w:r></w:p>'
        '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
    paragraph._p.append(copy.deepcopy(box))
    document.save(str(tmp_path / "hop.docx"))
    from eiso.importers.docx_reader import read_blocks

    texts = [b.text for b in read_blocks(tmp_path / "hop.docx") if hasattr(b, "text")]
    assert "Mã hiệu: QT-09/VP" in texts


def test_variants_are_what_they_claim() -> None:
    # The fixtures differ where real files differ, or the parametrised tests above would test one shape.
    shapes = {(v.header, v.headings, v.step_columns, v.code) for v in VARIANTS.values()}
    assert len(shapes) == len(VARIANTS)
    assert {v.step_columns for v in VARIANTS.values()} == {5, 6}
    assert dataclasses.fields(Variant)


def test_a_word_text_box_is_read_once_not_from_its_fallback_copy(tmp_path: Path) -> None:
    from docx_factory import write_word_text_box

    from eiso.importers.docx_coverage import word_units
    from eiso.importers.docx_import import import_docx
    from eiso.importers.docx_reader import read_blocks

    text = "Nội dung hộp văn bản duy nhất"
    write_word_text_box(tmp_path / "hop.docx", text)
    blocks = [b for b in read_blocks(tmp_path / "hop.docx") if getattr(b, "text", "") == text]
    assert [b.where for b in blocks] == ["hộp văn bản 1 trong đoạn 3, đoạn 1"]
    units, _ = word_units(tmp_path / "hop.docx")
    assert [where for where, unit in units if unit == text] == ["phần thân, đoạn thứ 4"]
    outcome = import_docx([tmp_path / "hop.docx"], tmp_path / "out")
    assert [f.error for f in outcome.files] == [""]
    written = (tmp_path / "out" / outcome.files[0].target).read_text(encoding="utf-8")
    assert written.count(text) == 1, written


@pytest.mark.parametrize(("cover", "unit", "level"), [
    (None, None, "Chưa xác định"),  # the placeholder agency "Chưa xác định" holds "xa" once folded
    (None, "Bộ phận một cửa", "Chưa xác định"),  # "bo " once folded
    ("PHÒNG QUẢN LÝ ĐÔ THỊ", None, "Chưa xác định"),  # "quan" once folded
    ("ỦY BAN NHÂN DÂN PHƯỜNG 3, THỊ XÃ SƠN TÂY", None, "Cấp xã"),
])
def test_the_tthc_level_is_guessed_from_whole_words_and_reported(tmp_path: Path, cover, unit, level) -> None:
    from docx_factory import write_tthc_with_cover

    from eiso.importers.docx_import import import_docx

    write_tthc_with_cover(tmp_path / "cap.docx", cover)
    outcome = import_docx([tmp_path / "cap.docx"], tmp_path / "out", kind="tthc", unit=unit)
    result = outcome.files[0]
    assert result.error == ""
    text = (tmp_path / "out" / result.target).read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["tthc"]["level"] == level
    guessed = [line for line in result.checks if "tthc.level" in line]
    if level == "Chưa xác định":
        assert guessed == ["tệp: chưa biết cấp thực hiện (tthc.level): cần bổ sung"]
    else:
        assert guessed == [f"tệp: cấp thực hiện (tthc.level) «{level}» là suy đoán từ tên cơ quan «{cover}»: "
                           "cần kiểm tra"]


def test_revision_cells_that_cannot_be_read_are_reported_not_changed(tmp_path: Path) -> None:
    from docx_factory import write_revision_rows

    from eiso.importers.docx_import import import_docx

    rows = [("10/01/2023", "Ban hành lần đầu", "01"), ("30/02/2024", "Sửa mục 2", "999999"),
            ("2024", "Sửa mục 3", "-3"), ("1/2/2024 và 3/4/2024", "Sửa mục 4", "1.1"),
            ("15/13/2023", "Sửa mục 5", "IV"), ("05/06/2024", "Sửa mục 6", "5, 6")]
    write_revision_rows(tmp_path / "sua.docx", rows)
    outcome = import_docx([tmp_path / "sua.docx"], tmp_path / "out", kind="system", unit="Văn phòng")
    result = outcome.files[0]
    assert result.error == ""
    meta = yaml.safe_load((tmp_path / "out" / result.target).read_text(encoding="utf-8").split("---\n")[1])
    assert meta["history_before_git"] == [
        {"date": dt.date(2023, 1, 10), "revision": 1, "change": "Ban hành lần đầu"},
        {"change": "Sửa mục 2"}, {"change": "Sửa mục 3"}, {"change": "Sửa mục 4"}, {"change": "Sửa mục 5"},
        {"date": dt.date(2024, 6, 5), "change": "Sửa mục 6"}]
    unread = [line for line in result.checks if "không đọc được" in line]
    expected = [(2, "ngày sửa đổi", "30/02/2024"), (2, "lần sửa đổi", "999999"), (3, "ngày sửa đổi", "2024"),
                (3, "lần sửa đổi", "-3"), (4, "ngày sửa đổi", "1/2/2024 và 3/4/2024"), (4, "lần sửa đổi", "1.1"),
                (5, "ngày sửa đổi", "15/13/2023"), (5, "lần sửa đổi", "IV"), (6, "lần sửa đổi", "5, 6")]
    assert unread == [f"bảng 1, dòng {row + 1}: không đọc được {label} «{text}»: bỏ trống trường này trong "
                      "history_before_git, cần ghi lại bằng tay" for row, label, text in expected]


def test_styles_are_looked_up_once_per_file_not_at_every_paragraph(tmp_path: Path, monkeypatch) -> None:
    # python-docx finds a style by reading every style of the file: asked at each paragraph and run, a file
    # with many of both read in quadratic time.
    import docx
    from docx.parts.document import DocumentPart

    from eiso.importers.docx_reader import read_blocks

    document = docx.Document()
    document.add_paragraph("MỤC ĐÍCH", style="Heading 1")
    for n in range(300):
        paragraph = document.add_paragraph(f"Đoạn số {n}: ")
        paragraph.add_run("phần in đậm").bold = n % 2 == 0
        paragraph.add_run(" và phần thường.")
    document.add_paragraph("Bước một", style="List Number")
    strong = document.add_paragraph()
    strong.add_run("TIÊU ĐỀ IN ĐẬM").bold = True
    document.save(tmp_path / "dai.docx")
    original, lookups = DocumentPart.get_style, []

    def counted(self, style_id, style_type):
        lookups.append((style_id, style_type))
        return original(self, style_id, style_type)

    monkeypatch.setattr(DocumentPart, "get_style", counted)
    blocks = read_blocks(tmp_path / "dai.docx")
    assert len(lookups) == len(set(lookups)) <= 6  # each (style, type) once, not 600 times
    by_text = {b.text: b for b in blocks}
    assert by_text["MỤC ĐÍCH"].style == "Heading 1" and by_text["Bước một"].list_item
    assert by_text["TIÊU ĐỀ IN ĐẬM"].bold and not by_text["Đoạn số 0: phần in đậm và phần thường."].bold
    assert by_text["Đoạn số 7: phần in đậm và phần thường."].style == "Normal"


@pytest.mark.parametrize(("agency", "level"), [
    ("Trụ sở UBND xã Hòa Bình", "Cấp xã"),  # "trụ sở" names a building, not a department (sở)
    ("Bộ đội Biên phòng tỉnh Quảng Ninh", "Cấp tỉnh"),  # "bộ đội" is not a ministry
    ("Phòng Lao động - Thương binh và Xã hội huyện Ba Vì", "Cấp huyện"),  # "xã hội" is not a commune
    ("Bảo hiểm xã hội tỉnh Nghệ An", "Cấp tỉnh"),
    ("Sở Lao động - Thương binh và Xã hội", "Cấp tỉnh"),
    ("Văn phòng đăng ký quyền sở hữu nhà huyện Đông Anh", "Cấp huyện"),
    ("UBND phường Bến Nghé", "Cấp xã"),
    ("Bộ Công an", "Cấp bộ"),
    ("Cán bộ tư pháp - hộ tịch", None),
])
def test_the_level_is_read_from_the_word_that_names_it(agency: str, level: str | None) -> None:
    from eiso.importers.docx_meta import guess_level

    assert guess_level(agency) == level


def test_cells_of_several_paragraphs_become_one_line_fields_that_pass_the_check(tmp_path: Path) -> None:
    # A Word cell keeps its paragraphs; an actor or a retention period written on two lines was imported with a
    # line break that `eiso check` then refused (found by mutating real-shaped files).
    import docx

    from factory import make_repo

    from eiso.importers.docx_import import import_docx

    root = make_repo(tmp_path / "repo")
    (record,) = national_records(1)
    path = tmp_path / "hai-dong.docx"
    write_procedure(path, record, Variant())
    document = docx.Document(str(path))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == "Công chức Tư pháp - Hộ tịch":
                    cell.paragraphs[0].text = "Công chức Tư pháp -"
                    cell.add_paragraph("Hộ tịch")
                    cell.add_paragraph("Phó Chủ tịch UBND xã")
                elif cell.text == "05 năm":
                    cell.add_paragraph("kể từ ngày trả kết quả")
    document.save(str(path))
    outcome = import_docx([path], root / "procedures" / "word", kind="tthc", unit="Văn phòng")
    (result,) = outcome.files
    assert result.error == "" and not [line for line in result.checks if "eiso check sẽ báo lỗi" in line]
    meta = yaml.safe_load((root / "procedures" / "word" / result.target).read_text(encoding="utf-8").split("---\n")[1])
    assert "Công chức Tư pháp - Hộ tịch; Phó Chủ tịch UBND xã" in [step["actor"] for step in meta["steps"]]
    assert meta["records"][0]["retention"] == "05 năm kể từ ngày trả kết quả"
    check = run_eiso("check", cwd=root)
    errors = [line for line in check.stdout.splitlines() if line.startswith("procedures/") and "cảnh báo:" not in line]
    assert errors == [] and check.returncode in (0, 1), check.stdout[-1500:]
