"""Framework model: adoption at a revision read from the framework's own git history, lag, eiso adopt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import build_site, run_eiso, soup
from framework_repos import (BODY_V1, FW_CODE, adoption_text, b_tthc, make_agency, make_framework, run_git, write)
from gitrepo import Git

from eiso.documents.adoption import framework_context
from eiso.documents.loader import load_corpus
from eiso.framework import open_framework

B_FILE = "procedures/tthc/dang-ky-khai-sinh.md"


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("province")
    framework = make_framework(base / "khung")
    a = make_agency(base / "a", framework)
    b = make_agency(base / "b", framework)
    write(b, B_FILE, adoption_text(2, unit="Tư pháp xã Bình Minh", tthc=b_tthc()))
    Git(b).commit_all("B áp dụng khung lần 2")
    c = make_agency(base / "c", framework)
    write(c, "procedures/tthc/khong-co.md", adoption_text(1, code="QT-KHUNG-KHONG-CO"))
    return {"framework": framework, "a": a, "b": b, "c": c}


def test_framework_revisions_come_from_its_history(province):
    framework = open_framework(province["a"], "khung/")
    assert framework is not None and framework.problem is None
    fees = {rev: framework.document_at(FW_CODE, rev).meta.tthc.channels[0].fee for rev in (1, 2, 3)}
    assert fees == {1: "Miễn phí", 2: "8.000 đồng", 3: "8.000 đồng"}
    assert len(framework.document_at(FW_CODE, 3).meta.tthc.dossier) == 3
    assert framework.latest(FW_CODE).meta.revision == 3
    assert "không có lần ban hành 4" in framework.document_at(FW_CODE, 4)
    assert "không có trong mô hình khung" in framework.document_at("QT-KHAC", 1)


def test_framework_outside_the_repository_is_refused(province, tmp_path):
    framework = open_framework(province["a"], "../khung")
    assert framework is not None and "ngoài kho" in framework.problem


def test_a_adopts_everything_and_its_pages_show_the_framework_text_with_its_approver(province):
    a = province["a"]
    result = run_eiso("adopt", "--all", "--effective", "2026-01-15", cwd=a)
    assert result.returncode == 0, result.stderr
    adopted = (a / "procedures/tthc/qt-khung-ht-01.md").read_text(encoding="utf-8")
    assert "based_on: {code: QT-KHUNG-HT-01, revision: 3}" in adopted
    assert "Đỗ Minh Quân" in adopted and "title:" in adopted  # the agency's approver from mkdocs.yml
    assert (a / "procedures/he-thong/qt-khung-01.md").is_file()
    check = run_eiso("check", "--format", "json", cwd=a)
    assert [f for f in json.loads(check.stdout) if f["rule"].startswith("framework")] == []
    Git(a).commit_all("Áp dụng mô hình khung")
    again = run_eiso("adopt", "--all", cwd=a)
    assert again.returncode == 0 and "Không có gì để làm" in again.stdout
    result, site = build_site(a)
    assert result.returncode == 0, result.stderr
    page = soup(site / "quy-trinh/qt-khung-ht-01/index.html")
    text = page.get_text(" ", strip=True)
    assert "Nội dung mới của khung" in text  # the framework's body at revision 3
    assert "Văn bản ủy quyền" in text  # the framework's dossier at revision 3
    note = page.select_one(".eiso-adoption").get_text(" ", strip=True)
    assert "Áp dụng theo mô hình khung QT-KHUNG-HT-01 , lần ban hành 3" in note
    signatures = page.select_one(".eiso-signatures").get_text(" ", strip=True)
    assert "Đỗ Minh Quân" in signatures and "Nguyễn Văn Tỉnh" not in signatures
    qms = json.loads((site / "api/qms.json").read_text(encoding="utf-8"))
    assert qms["agency"] == {"name": "UBND xã Tân Lập", "code": "25123", "district": "Huyện Đoan Hùng"}
    assert qms["adoptions"] == {"count": 2, "behind_count": 0, "behind": []}


def test_b_sees_its_own_overrides_at_the_adopted_revision(province):
    b = province["b"]
    with framework_context(open_framework(b, "khung/")):
        corpus = load_corpus(b)
    doc = next(d for d in corpus.documents if d.path == B_FILE)
    assert doc.meta.unit == "Tư pháp xã Bình Minh"
    assert [c.fee for c in doc.meta.tthc.channels] == ["5.000 đồng", "5.000 đồng"]
    assert doc.meta.title == "Đăng ký khai sinh" and doc.body.strip() == BODY_V1.strip()  # inherited from revision 2
    assert doc.adoption.overridden == ("unit", "tthc")


def test_b_page_says_it_is_behind(province, tmp_path):
    result, site = build_site(province["b"], site=str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    page = soup(site / "quy-trinh/qt-khung-ht-01/index.html")
    assert "lần ban hành 2" in page.select_one(".eiso-adoption").get_text(" ", strip=True)
    lag = page.select_one(".eiso-adoption-lag").get_text(" ", strip=True)
    assert "khung đã có lần ban hành 3 của QT-KHUNG-HT-01" in lag and "lần 2" in lag
    assert "5.000 đồng" in page.get_text(" ") and "8.000 đồng" not in page.get_text(" ")
    assert soup(site / "quy-trinh/qt-ht-01/index.html").select_one(".eiso-adoption") is None


def test_b_check_warns_one_revision_behind_naming_what_changed(province):
    result = run_eiso("check", "--format", "json", cwd=province["b"])
    lag = [f for f in json.loads(result.stdout) if f["rule"] == "framework-lag"]
    assert len(lag) == 1
    finding = lag[0]
    assert finding["path"] == B_FILE and finding["severity"] == "warning" and finding["field"] == "based_on.revision"
    assert finding["line"] == 2  # based_on is the first key of the file
    message = finding["message"]
    assert "lần ban hành 2" in message and "lần ban hành 3" in message
    assert "Văn bản ủy quyền" in message and "Nội dung mới của khung" in message


def test_c_unknown_framework_code_is_a_located_error(province):
    result = run_eiso("check", "--format", "json", cwd=province["c"])
    assert result.returncode == 1
    errors = [f for f in json.loads(result.stdout) if f["severity"] == "error"]
    assert [(f["path"], f["line"], f["field"]) for f in errors] == [("procedures/tthc/khong-co.md", 2, "based_on.code")]
    assert "QT-KHUNG-KHONG-CO" in errors[0]["message"]


def test_adopt_update_moves_b_to_the_latest_revision(province, tmp_path):
    b = tmp_path / "b"
    run_git(tmp_path, "-c", "protocol.file.allow=always", "clone", "-q", "--recurse-submodules", str(province["b"]), str(b))
    result = run_eiso("adopt", "--update", FW_CODE, "--effective", "2026-03-01", cwd=b)
    assert result.returncode == 0, result.stderr
    text = (b / B_FILE).read_text(encoding="utf-8")
    assert "2026-03-01" in text and "2026-01-15" not in text
    assert "based_on: {code: QT-KHUNG-HT-01, revision: 3}" in text and "\nrevision: 2\n" in text
    assert "5.000 đồng" in text  # the local overrides are kept
    check = run_eiso("check", "--format", "json", cwd=b)
    assert [f for f in json.loads(check.stdout) if f["rule"].startswith("framework")] == []


def test_adoption_without_framework_option_is_a_located_error(tmp_path):
    from factory import make_repo

    repo = make_repo(tmp_path / "repo")
    write(repo, "procedures/x.md", "---\ncode: X\nbased_on: {code: QT-KHUNG-01, revision: 1}\n---\n")
    result = run_eiso("check", cwd=repo)
    assert result.returncode == 1
    assert "procedures/x.md:3: based_on: " in result.stdout and "framework" in result.stdout


def test_diff_of_a_submodule_update_lists_adopted_documents_whose_content_changes(tmp_path):
    framework = make_framework(tmp_path / "khung")
    agency = make_agency(tmp_path / "d", framework)
    write(agency, B_FILE, adoption_text(3))
    write(agency, "procedures/tthc/he-thong.md", adoption_text(1, code="QT-KHUNG-01"))
    Git(agency).commit_all("D áp dụng khung")
    # The province fixes a typo in revision 3 (no new revision) and issues revision 2 of the other document.
    fw = Git(framework)
    fw("checkout", "-q", "main")
    text = (framework / "procedures/tthc/khai-sinh.md").read_text(encoding="utf-8")
    write(framework, "procedures/tthc/khai-sinh.md", text.replace("Cơ sở dữ liệu hộ tịch điện tử", "CSDL hộ tịch điện tử"))
    system = (framework / "procedures/he-thong/qt-khung-01.md").read_text(encoding="utf-8")
    write(framework, "procedures/he-thong/qt-khung-01.md", system.replace("revision: 1", "revision: 2"))
    fw.commit_all("Khung: sửa lỗi chính tả, kiểm soát tài liệu lần 2")
    run_git(agency / "khung", "pull", "-q", "origin", "main")
    Git(agency).commit_all("Cập nhật mô hình khung")
    result = run_eiso("diff", "HEAD~1", "HEAD", "--format", "json", cwd=agency)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["framework"]["changed"] == [FW_CODE]
    assert report["framework"]["behind"] == ["QT-KHUNG-01: lần 1 → khung lần 2"]
    changed = {d["code"]: d for d in report["documents"]}
    assert list(changed) == [FW_CODE] and changed[FW_CODE]["body"]  # the section whose text changed
    markdown = run_eiso("diff", "HEAD~1", "HEAD", cwd=agency).stdout
    assert "### Mô hình khung" in markdown and "nội dung hiệu lực thay đổi: QT-KHUNG-HT-01" in markdown


def test_problems_of_an_adoption_are_located(province, tmp_path):
    framework = open_framework(province["a"], "khung/")
    from eiso.documents.loader import parse_document

    text = ("---\nbased_on: {code: QT-KHUNG-01, revision: 1}\ncode: QT-X\nrevision: không\nstatus: effective\n"
            "effective: 2026-01-15\n---\n")
    doc, findings = parse_document("procedures/x.md", text, framework)
    assert doc is None and [(f.line, f.field) for f in findings] == [(4, "revision")]
    # Keys taken from the framework are located at the based_on line.
    text = "---\ncode: QT-X\nbased_on: {code: QT-KHUNG-01, revision: 1}\nrevision: 1\nstatus: draft\n---\n"
    doc, findings = parse_document("procedures/x.md", text, framework)
    assert findings == [] and doc.line_of("title") == 3 and doc.line_of("code") == 2
    bad = "---\nbased_on: QT-KHUNG-01\ncode: QT-X\nrevision: 1\nstatus: draft\n---\n"
    doc, findings = parse_document("procedures/x.md", bad, framework)
    assert doc is None and [(f.line, f.field, f.rule) for f in findings] == [(2, "based_on", "framework")]


def test_adopt_reports_unknown_codes_and_a_missing_framework(province, tmp_path):
    from factory import make_repo

    result = run_eiso("adopt", "QT-KHONG-CO", cwd=province["c"])
    assert result.returncode == 1
    assert "QT-KHONG-CO: mã không có trong mô hình khung «khung/»" in result.stderr
    plain = make_repo(tmp_path / "plain")
    result = run_eiso("adopt", "--all", cwd=plain)
    assert result.returncode == 2 and "chưa khai báo «framework:»" in result.stderr
    assert run_eiso("adopt", cwd=province["c"]).returncode == 2  # neither codes nor --all
