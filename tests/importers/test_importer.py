"""``eiso import tthc``: real national records in, clean draft procedures out, safe to run again."""

from __future__ import annotations

import argparse
import copy
import html as html_lib
import json
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from factory import NATIONAL_CORPUS, folder_tree
import yaml

from eiso.cli import importing
from eiso.documents import durations
from eiso.importers import tthc as importer
from eiso.documents.checks import check_corpus
from eiso.errors import EisoError as UsageError
from eiso.importers.tthc import DRAFT_NOTE, MANIFEST_NAME, build_document, import_records
from eiso.documents.loader import load_corpus, parse_document
from eiso.documents.model import Duration

# The shared corpus sits beside the main repository (../shared), also when tests run in a worktree.
CORPUS = NATIONAL_CORPUS
pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason="shared corpus not available")


@pytest.fixture(scope="module")
def national() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def commune(national) -> list[dict]:
    return [r for r in national if "cấp xã" in r["level"].lower()]


def record(**changes) -> dict:
    """A hand-written record in the shape of the national corpus."""
    base = {
        "code": "9.000001", "name": "Đăng ký khai sinh", "decision": "1234/QĐ-BTP", "level": "Cấp xã",
        "type": "TTHC", "field": "Hộ tịch", "applicants": "Công dân Việt Nam", "agency": "Ủy ban nhân dân cấp xã",
        "competent_agency": "", "address": "", "steps_text": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        "conditions_text": "", "result": "Giấy khai sinh", "result_code": "",
        "channels": [{"channel": "Trực tiếp", "time_text": "5 Ngày làm việc",
                      "time": {"value": 5.0, "unit": "working_days"}, "fee_and_notes": "Miễn phí"}],
        "dossier": [{"name": "Tờ khai đăng ký khai sinh", "forms": [], "originals": 1, "copies": 0}],
        "dossier_text": "", "legal_basis": [{"title": "Luật Hộ tịch", "code": "60/2014/QH13"}],
        "legal_basis_text": "", "ministry_folder": "bo-tu-phap", "source": "test",
    }
    base.update(changes)
    return base


def build(rec: dict, **kwargs):
    warnings: list[str] = []
    draft = build_document(rec, warnings=warnings, **kwargs)
    assert draft is not None
    doc, findings = parse_document("procedures/x.md", draft.text)
    assert doc is not None and findings == [], findings
    return draft, doc, warnings


# -- a few hundred real commune-level records --------------------------------------------------------


def test_commune_records_import_clean(repo: Path, national: list[dict], eiso) -> None:
    out = repo / "procedures" / "tthc-quoc-gia"
    report = import_records(national, out, level="Cấp xã", repo_root=repo)
    assert report.read == len(national)
    assert report.selected > 600
    assert len(report.created) > 600  # every commune-level record but the one the repo already has
    assert report.skipped == [("1.001193", "đã có tài liệu cho thủ tục này ở procedures/tthc/khai-sinh.md")]
    corpus = load_corpus(repo)
    assert check_corpus(corpus) == []
    imported = [d for d in corpus.documents if d.path.startswith("procedures/tthc-quoc-gia/")]
    assert len(imported) == len(report.created)
    for doc in imported:
        meta = doc.meta
        assert (meta.kind.value, meta.status.value, meta.audience.value, meta.revision) == ("tthc", "draft", "public", 1)
        assert meta.code == f"QT-TTHC-{meta.tthc.national_code}"
        assert doc.path == f"procedures/tthc-quoc-gia/{importer.slugify(meta.field or 'khac')}/{doc.slug}.md"
        assert meta.tthc.level == "Cấp xã"
        assert doc.body.lstrip("\n").startswith(DRAFT_NOTE + "\n")
        assert len(meta.steps) == 3 and meta.steps[0].actor == "Bộ phận một cửa"
        timed = [s.time for s in meta.steps if s.time]
        limits = [c.time for c in meta.tthc.channels if c.time]
        if timed:
            assert durations.compare(durations.total(timed), durations.shortest(limits)) <= 0
        assert "<" not in doc.body.replace("&lt;", "") and "{{" not in doc.body and "{%" not in doc.body
    # National codes stay text (1.010 is not the number 1.01) and are those of the records.
    codes = {d.meta.tthc.national_code for d in imported}
    assert codes <= {r["code"] for r in national}
    # The real command agrees.
    result = eiso("check", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Không có lỗi nào" in result.stdout


def test_second_import_changes_nothing(repo: Path, commune: list[dict]) -> None:
    out = repo / "procedures" / "nhap"
    first = import_records(commune[:300], out, level="Cấp xã", repo_root=repo)
    assert len(first.created) + len(first.skipped) == 300
    before = folder_tree(out)
    assert MANIFEST_NAME in before
    second = import_records(commune[:300], out, level="Cấp xã", repo_root=repo)
    assert folder_tree(out) == before
    assert (second.created, second.updated, second.skipped_edited) == ([], [], [])
    assert sorted(second.unchanged) == sorted(first.created)
    assert f"Không đổi:                       {len(first.created)}" in second.summary()
    manifest = json.loads(before[MANIFEST_NAME])
    assert list(manifest["files"]) == sorted(manifest["files"])
    assert len(manifest["files"]) == len(first.created)


def test_edited_file_is_kept_unless_forced(repo: Path, commune: list[dict]) -> None:
    out = repo / "procedures" / "nhap"
    records = commune[:5]
    first = import_records(records, out, repo_root=repo, level="Cấp xã")
    path = repo / first.created[0]
    original = path.read_bytes()
    edited = original.replace(b"status: draft", b"status: draft\nreview_months: 6")
    path.write_bytes(edited)
    again = import_records(records, out, repo_root=repo, level="Cấp xã")
    assert again.skipped_edited == [first.created[0]]
    assert path.read_bytes() == edited
    assert "đã bị sửa" in again.as_text() and "--force" in again.as_text()
    forced = import_records(records, out, repo_root=repo, level="Cấp xã", force=True)
    assert forced.updated == [first.created[0]]
    assert path.read_bytes() == original
    # Once the importer's text is back, it is the importer's again.
    assert import_records(records, out, repo_root=repo, level="Cấp xã").skipped_edited == []


def test_source_change_updates_a_file_nobody_edited(repo: Path) -> None:
    out = repo / "procedures" / "nhap"
    import_records([record()], out, repo_root=repo)
    changed = import_records([record(result="Giấy khai sinh (bản chính)")], out, repo_root=repo)
    assert changed.updated == ["procedures/nhap/ho-tich/qt-tthc-9-000001.md"]
    assert "bản chính" in (repo / changed.updated[0]).read_text(encoding="utf-8")


def test_a_file_the_importer_did_not_write_is_never_overwritten(repo: Path) -> None:
    out = repo / "procedures" / "nhap"
    target = out / "ho-tich" / "qt-tthc-9-000001.md"
    target.parent.mkdir(parents=True)
    target.write_text("viết tay\n", encoding="utf-8")
    report = import_records([record()], out, repo_root=repo)
    assert report.skipped_edited == ["procedures/nhap/ho-tich/qt-tthc-9-000001.md"]
    assert target.read_text(encoding="utf-8") == "viết tay\n"


# -- the command and malformed input -----------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """A fresh ``eiso``-like parser with only the import command (cli.py wiring is done elsewhere)."""
    top = argparse.ArgumentParser(prog="eiso")
    top.add_argument("--config", "-f", default="mkdocs.yml")
    importing.add_parser(top.add_subparsers())
    return top


def test_malformed_lines_are_reported_and_do_not_stop_the_import(repo: Path, commune, capsys, monkeypatch) -> None:
    source = repo / "data.jsonl"
    lines = [json.dumps(commune[1], ensure_ascii=False).encode(), b"{not json", b"[1, 2]", b"",
             b"\xff\xfe broken", json.dumps(commune[2], ensure_ascii=False).encode(), b'{"name": "no code"}']
    source.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.chdir(repo)
    args = parser().parse_args(["import", "tthc", "data.jsonl", "--out", "procedures/nhap"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "dòng 2: JSON không hợp lệ" in out
    assert "dòng 3: mỗi dòng phải là một đối tượng JSON" in out
    assert "dòng 5: không phải mã UTF-8" in out
    assert "dòng 7: không nhập: thiếu mã thủ tục" in out
    assert "Tạo mới:                         2" in out
    assert "Dòng JSON lỗi:                   3" in out
    assert len(list((repo / "procedures" / "nhap").rglob("*.md"))) == 2
    assert check_corpus(load_corpus(repo)) == []


def test_command_options(repo: Path, national, capsys, monkeypatch) -> None:
    source = repo / "all.jsonl"
    source.write_text(CORPUS.read_text(encoding="utf-8"), encoding="utf-8")
    args = parser().parse_args(["--config", str(repo / "mkdocs.yml"), "import", "tthc", str(source),
                                "--level", "cấp XÃ", "--field", "ho tich", "--limit", "4"])
    assert args.handler(args) == 0
    files = sorted((repo / "procedures").rglob("qt-tthc-*.md"))  # default --out: the procedures folder
    assert len(files) == 4 and all(f.parent.name == "ho-tich" for f in files)
    for path in files:
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert meta["field"] == "Hộ tịch" and meta["tthc"]["level"] == "Cấp xã"
    assert "Tạo mới:                         4" in capsys.readouterr().out


def test_command_usage_errors(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    with pytest.raises(UsageError, match="không tìm thấy tệp dữ liệu"):
        args = parser().parse_args(["import", "tthc", "missing.jsonl"])
        args.handler(args)
    with pytest.raises(UsageError, match="--limit"):
        args = parser().parse_args(["import", "tthc", "missing.jsonl", "--limit", "0"])
        args.handler(args)
    monkeypatch.chdir(repo.parent)
    with pytest.raises(UsageError, match="mkdocs.yml"):
        args = parser().parse_args(["import", "tthc", "x.jsonl"])
        args.handler(args)


# -- cleaning, on hand-written records ---------------------------------------------------------------


def test_code_glued_to_title_is_split_off() -> None:
    _, doc, warnings = build(record(legal_basis=[
        {"title": "Luật Hộ tịch số 60/2014/QH13", "code": ""},
        {"title": "Nghị định 123/2015/NĐ-CP", "code": "Nghị định số 123/2015/NĐ-CP"},
        {"title": "Thông tư liên tịch", "code": "21/2008/TTLT- BQP-BLĐTBXH-BTC"},
    ]))
    refs = [(r.code, r.title) for r in doc.meta.legal_basis]
    assert refs == [("60/2014/QH13", "Luật Hộ tịch"), ("123/2015/NĐ-CP", "Nghị định 123/2015/NĐ-CP"),
                    ("21/2008/TTLT-BQP-BLĐTBXH-BTC", "Thông tư liên tịch")]
    assert warnings == []


def test_flattened_legal_table_is_split() -> None:
    text = ("Tên văn bản pháp lýMã văn bảnLuật 54/2014/QH1354/2014/QH13Nghị định 64/2022/NĐ-CP64/2022/NĐ-CP"
            "Sửa đổi Nghị định 30/2013/NĐ-CP về kinh doanh vận chuyển hàng không15/2024/NĐ-CP"
            "Luật Khiếu nại  năm 201102/2011/QH13Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an53/2025/TT-BCA"
            "Cơ quan thực hiệnỦy ban nhân dân cấp xã")
    _, doc, _ = build(record(legal_basis=[], legal_basis_text=text))
    assert [(r.code, r.title) for r in doc.meta.legal_basis] == [
        ("54/2014/QH13", "Luật 54/2014/QH13"),
        ("64/2022/NĐ-CP", "Nghị định 64/2022/NĐ-CP"),
        ("15/2024/NĐ-CP", "Sửa đổi Nghị định 30/2013/NĐ-CP về kinh doanh vận chuyển hàng không"),
        ("02/2011/QH13", "Luật Khiếu nại năm 2011"),
        ("53/2025/TT-BCA", "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an"),
    ]


def test_no_information_placeholders_are_dropped() -> None:
    _, doc, warnings = build(record(
        result="Không có thông tin", conditions_text="Không có thông tin",
        dossier=[{"name": "Không có thông tin", "forms": [], "originals": 0, "copies": 0},
                 {"name": "1. Đơn đề nghị;", "forms": [], "originals": 1, "copies": 0},
                 {"name": "+ Bản sao giấy tờ tùy thân.", "forms": [], "originals": 0, "copies": 1},
                 {"name": "a) Sơ đồ vị trí,", "forms": [], "originals": 2, "copies": 1},
                 {"name": "Tên giấy tờMẫu đơn, tờ khaiSố lượng- Văn bản ủy quyền:", "forms": [], "originals": 1,
                  "copies": 0},
                 {"name": "Trường hợp nộp trực tuyến thì giấy tờ phải được chứng thực điện tử.", "forms": [],
                  "originals": 0, "copies": 0}],
        channels=[{"channel": "Trực tiếp", "time_text": "Không có thông tin", "time": None,
                   "fee_and_notes": "Không có thông tin"}],
    ))
    tthc = doc.meta.tthc
    assert tthc.result == "" and tthc.conditions == ""
    assert [(d.name, d.originals, d.copies) for d in tthc.dossier] == [
        ("Đơn đề nghị", 1, 0), ("Bản sao giấy tờ tùy thân", 0, 1), ("Sơ đồ vị trí", 2, 1), ("Văn bản ủy quyền", 1, 0)]
    assert tthc.channels[0].fee == "" and tthc.channels[0].time is None
    # An item with neither an original nor a copy is a note, kept in the body.
    assert "- Trường hợp nộp trực tuyến thì giấy tờ phải được chứng thực điện tử" in doc.body
    assert "Không có thông tin" not in doc.body
    assert all(step.time is None for step in doc.meta.steps)
    assert "không có thời hạn giải quyết" in warnings


@pytest.mark.parametrize("field,scraped,kept", [
    # shapes of the national corpus: the portal's labels and menus glued behind the value
    ("result", "Quyết định hành chínhMã: 000.00.00.G11-KQ1711Từ khóaKhông có thông tinMô tảKhông có thông tin",
     "Quyết định hành chính"),
    ("result", "Công an XãMã: Test_P001Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực "
     "hiệnTỉnh/ Thành phốBộ ngành-- Chọn Bộ ngành --Đơn vị-- Chọn Cơ sở --Nộp hồ sơ", "Công an Xã"),
    ("result", "Giấy phép, năng định người lái tàu bayMã: 000.00.00.G14-KQ0001Từ khóaXét cấp giấy phép",
     "Giấy phép, năng định người lái tàu bay"),
    ("conditions", "Không có thông tinTừ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiện", ""),
    ("conditions", "Có giấy phép lái xe hạng B.\nTừ khóa:", "Có giấy phép lái xe hạng B."),
])
def test_the_national_portals_page_text_is_taken_off_a_value_and_reported(field, scraped, kept) -> None:
    key = "result" if field == "result" else "conditions_text"
    _, doc, warnings = build(record(**{key: scraped}))
    assert getattr(doc.meta.tthc, field) == kept
    assert any("Cổng Dịch vụ công" in w for w in warnings)


def test_a_keyword_inside_a_value_is_kept() -> None:
    text = "Người đề nghị nêu rõ Từ khóa tra cứu trong đơn"
    _, doc, warnings = build(record(result=text))
    assert doc.meta.tthc.result == text
    assert not any("Cổng Dịch vụ công" in w for w in warnings)


def test_time_units() -> None:
    channels = [
        {"channel": "Trực tiếp", "time_text": "1 năm", "time": {"value": 1, "unit": "years"}, "fee_and_notes": ""},
        {"channel": "Trực tuyến", "time_text": "2 tháng", "time": {"value": 2.0, "unit": "months"}, "fee_and_notes": ""},
        {"channel": "Dịch vụ bưu chính", "time_text": "120", "time": {"value": 120, "unit": "unspecified"},
         "fee_and_notes": ""},
    ]
    _, doc, warnings = build(record(channels=channels))
    times = [(c.channel, c.time) for c in doc.meta.tthc.channels]
    assert times == [("Trực tiếp", Duration(value=12, unit="months")), ("Trực tuyến", Duration(value=2, unit="months")),
                     ("Dịch vụ bưu chính", None)]
    assert any("Dịch vụ bưu chính: không xác định được thời hạn giải quyết từ «120»" in w for w in warnings)
    steps = [s.time for s in doc.meta.steps]
    assert all(t is not None and t.unit.value == "months" for t in steps)
    assert sum(t.value for t in steps) <= 2


@pytest.mark.parametrize("value, unit, expected", [
    (5, "working_days", [(1, "working_days"), (3, "working_days"), (1, "working_days")]),
    (1, "working_days", [(1, "hours"), (6, "hours"), (1, "hours")]),
    (0.5, "working_days", [(0.5, "hours"), (3, "hours"), (0.5, "hours")]),
    (3, "working_days", [(0.5, "working_days"), (2, "working_days"), (0.5, "working_days")]),
    (30, "days", [(1, "days"), (28, "days"), (1, "days")]),
    (4, "hours", [(0.5, "hours"), (3, "hours"), (0.5, "hours")]),
])
def test_drafted_step_times_fit_the_shortest_channel(value, unit, expected) -> None:
    channels = [{"channel": "Trực tiếp", "time_text": "", "time": {"value": value, "unit": unit}, "fee_and_notes": ""},
                {"channel": "Trực tuyến", "time_text": "", "time": {"value": value * 2, "unit": unit},
                 "fee_and_notes": ""}]
    _, doc, _ = build(record(channels=channels))
    assert [(s.time.value, s.time.unit.value) for s in doc.meta.steps] == expected


def test_no_step_times_when_channel_units_differ_in_kind() -> None:
    channels = [{"channel": "Trực tiếp", "time_text": "", "time": {"value": 5, "unit": "working_days"}, "fee_and_notes": ""},
                {"channel": "Trực tuyến", "time_text": "", "time": {"value": 7, "unit": "days"}, "fee_and_notes": ""}]
    _, doc, warnings = build(record(channels=channels))
    assert all(step.time is None for step in doc.meta.steps)
    assert any("khác loại đơn vị" in w for w in warnings)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.seen.append((tag, attrs))


def test_untrusted_text_cannot_inject_markup() -> None:
    hostile = ("Bước 1: <script>alert(1)</script> {{ config.extra }} {% include 'x' %}\n"
               "[bấm](javascript:alert(1)) <img src=x onerror=alert(1)> {: onclick=\"x\" }\n# tiêu đề giả\n"
               "| a | b |\n|---|---|\n    mã")
    draft, doc, _ = build(record(name="Thủ tục <b>{{ x }}</b>", steps_text=hostile,
                                 dossier_text="", conditions_text="{% raw %}"))
    body = doc.body
    assert "<" not in body.replace("&lt;", "") and "{{" not in body and "{%" not in body and "](" not in body
    html = markdown.markdown(body, extensions=["toc", "tables", "attr_list", "def_list", "admonition",
                                                 "pymdownx.superfences"])
    tags = Tags()
    tags.feed(html)
    assert {tag for tag, _ in tags.seen} <= {"blockquote", "p", "h2", "strong", "ul", "li"}
    assert {name for _, attrs in tags.seen for name, _ in attrs} <= {"id"}
    # Shown as text: in the body, or as plain data in tthc.citizen_steps (escaped by the templates).
    shown = html_lib.unescape(html) + "\n".join(doc.meta.tthc.citizen_steps)
    assert "alert(1)" in shown and "{{ config.extra }}" in shown
    assert doc.meta.title == "Thủ tục <b>{{ x }}</b>"  # front matter is data, escaped by the templates


def test_bad_records_never_crash(repo: Path) -> None:
    records = [
        record(code="9.000010", channels="abc", dossier=None, legal_basis="x", name=123),
        record(code=None),
        record(code="9.000011", name=""),
        record(code="9.000012", channels=[None, {"channel": "", "time": {"value": -1, "unit": "days"}}],
               dossier=[{"name": "Giấy tờ", "originals": "x", "copies": 1}, 5], level="", agency="", field=""),
        record(code="9.000010"),  # same national code twice
        record(code="../../etc"),
    ]
    report = import_records(records, repo / "procedures" / "nhap", repo_root=repo)
    assert len(report.created) == 2
    skipped = dict(report.skipped)
    assert skipped["bản ghi 2"] == "thiếu mã thủ tục (code)"
    assert skipped["9.000011"] == "thiếu tên thủ tục (name)"
    assert "trùng mã thủ tục" in skipped["9.000010"]
    assert "không hợp lệ" in skipped["bản ghi 6"]
    assert "trường channels không phải danh sách, bị bỏ qua" in report.problems["9.000010"]
    assert any("số bản không đọc được" in w for w in report.problems["9.000012"])
    assert (repo / "procedures" / "nhap" / "khac" / "qt-tthc-9-000012.md").is_file()
    assert check_corpus(load_corpus(repo)) == []


def test_filters(repo: Path) -> None:
    records = [record(code="9.1", level="Cấp Bộ, Cấp Xã"), record(code="9.2", level="Cấp tỉnh"),
               record(code="9.3", level="Cấp xã", field="Hộ tịch "), record(code="9.4", field="Chứng thực")]
    report = import_records(records, repo / "procedures" / "n", level="cấp xã", field="HO TICH", repo_root=repo)
    assert report.selected == 2 and len(report.created) == 2
    unfiltered = build(record(level="Cấp Bộ, Cấp Xã"))[1]
    assert unfiltered.meta.tthc.level == "Cấp bộ, Cấp xã"
    limited = import_records(records, repo / "procedures" / "m", limit=1, repo_root=repo)
    assert len(limited.created) == 1 and limited.selected == 4


def test_national_code_stays_text_and_code_is_stable() -> None:
    draft, doc, _ = build(record(code="1.010"))
    assert doc.meta.tthc.national_code == "1.010"
    assert (doc.meta.code, doc.slug, draft.filename) == ("QT-TTHC-1.010", "qt-tthc-1-010", "qt-tthc-1-010.md")
    again = build(copy.deepcopy(record(code="1.010")))[0]
    assert again.text == draft.text


def test_a_linked_folder_cannot_send_files_outside(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = repo / "procedures" / "nhap"
    out.mkdir(parents=True)
    (out / "ho-tich").symlink_to(outside, target_is_directory=True)
    report = import_records([record()], out, repo_root=repo)
    assert report.created == [] and "liên kết" in report.skipped[0][1]
    assert list(outside.iterdir()) == []


def test_import_without_a_source_prints_help(capsys) -> None:
    args = parser().parse_args(["import"])
    assert args.handler(args) == 2
    assert "tthc" in capsys.readouterr().out


# -- citizen steps: "trình tự thực hiện" as the public page lists it ---------------------------------


def test_numbered_steps_become_citizen_steps() -> None:
    _, doc, warnings = build(record())
    assert doc.meta.tthc.citizen_steps == ["Nộp hồ sơ.", "Nhận kết quả."]
    assert not any("trình tự" in w for w in warnings)


def test_steps_numbered_inline_and_with_bullets_are_cut_at_each_number() -> None:
    text = "Trình tự:\n+ Bước 1: Nộp hồ sơ tại xã.  + Bước 2. Xã kiểm tra;\nnếu thiếu thì hướng dẫn bổ sung.\n- BƯỚC 3 - Trả kết quả."
    _, doc, _ = build(record(steps_text=text))
    assert doc.meta.tthc.citizen_steps == ["Nộp hồ sơ tại xã.", "Xã kiểm tra; nếu thiếu thì hướng dẫn bổ sung.",
                                           "Trả kết quả."]


def test_list_items_without_numbers_are_steps_and_headings_join_their_item() -> None:
    text = ("a) Nộp hồ sơ:\nNgười yêu cầu nộp hồ sơ tại Bộ phận một cửa.\nb) Giải quyết:\n"
            "- Công chức kiểm tra hồ sơ;\n  tiếp tục trên dòng sau.\n- Trả kết quả cho người yêu cầu.")
    steps = importer.citizen_steps(text)
    assert steps == ["Nộp hồ sơ: Người yêu cầu nộp hồ sơ tại Bộ phận một cửa.",
                     "Giải quyết: Công chức kiểm tra hồ sơ; tiếp tục trên dòng sau.",
                     "Trả kết quả cho người yêu cầu."]


def test_citizen_steps_stay_short_and_few() -> None:
    long_step = "Bước 1: " + "Cơ quan xem xét hồ sơ của người dân. " * 40 + "\nBước 2: Trả kết quả."
    first, second = importer.citizen_steps(long_step)
    assert len(first) <= 402 and first.endswith("…") and first.startswith("Cơ quan xem xét")
    assert second == "Trả kết quả."
    many = "".join(f"Bước {i}: Việc thứ {i} của người dân.\n" for i in range(1, 31))
    assert len(importer.citizen_steps(many)) == 30
    _, doc, warnings = build(record(steps_text=many))
    steps = doc.meta.tthc.citizen_steps
    assert len(steps) == 15 and steps[0] == "Việc thứ 1 của người dân." and steps[-1] == "Việc thứ 15 của người dân."
    assert any("30 bước" in w for w in warnings)


def test_missing_or_unreadable_steps() -> None:
    _, doc, warnings = build(record(steps_text="Không có thông tin"))
    assert doc.meta.tthc.citizen_steps == [] and not any("trình tự" in w for w in warnings)
    _, doc, warnings = build(record(steps_text="1.2.3"))
    assert doc.meta.tthc.citizen_steps == [] and any("citizen_steps" in w for w in warnings)


def test_citizen_steps_are_plain_data_even_when_hostile() -> None:
    _, doc, _ = build(record(steps_text="Bước 1: <script>alert(1)</script> nộp {{ config }}.\nBước 2: Nhận kết quả."))
    assert doc.meta.tthc.citizen_steps[0] == "<script>alert(1)</script> nộp {{ config }}."  # escaped by templates
    # Long runs of what the splitter looks for stay linear (a backtracking pattern would not finish).
    [words] = importer.citizen_steps("Bước " * 200_000)  # no number: one paragraph, cut short
    assert len(words) <= 402
    assert len(importer.citizen_steps("Bước 1: x ở đây nhé\n" * 50_000)) == 50_000


def test_most_commune_records_get_citizen_steps(national) -> None:
    commune = [r for r in national if "cấp xã" in r["level"].lower()]
    with_steps = [r for r in commune if importer.citizen_steps(r.get("steps_text"))]
    assert len(with_steps) >= 0.9 * len(commune)
