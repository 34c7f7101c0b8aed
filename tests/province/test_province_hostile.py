"""The province portal over agency data that is wrong, hostile or absurd: one agency's data never stops the
portal, never reaches a page as markup, and is never silently taken for something it is not."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import run_eiso, soup

GOOD_QMS = {"schema": 1, "as_of": "2026-06-01", "agency": {"name": "", "code": "", "district": ""},
            "documents": {"total": 1, "in_force": 1, "by_status": {"effective": 1}},
            "reviews_overdue": {"count": 0, "codes": []}, "unapproved_changes": {"count": 0, "codes": []},
            "adoptions": {"count": 1, "behind_count": 0, "behind": []}, "check": {"errors": 0, "warnings": 0},
            "nonconformities": {"open": 0, "overdue": 0}, "last_approved_change": "2026-05-20"}
GOOD_DOC = {"code": "QT-CT-01", "title": "Chứng thực bản sao", "kind": "tthc", "revision": 1, "effective": "2026-01-01",
            "status": "effective", "url": "quy-trinh/qt-ct-01/", "based_on": {"code": "QT-KHUNG-CT-01", "revision": 2}}


def publish(folder: Path, documents: list | None = None, **qms) -> None:
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "documents.json").write_text(json.dumps(documents if documents is not None else [GOOD_DOC],
                                                              ensure_ascii=False), encoding="utf-8")
    (folder / "api" / "qms.json").write_text(json.dumps(GOOD_QMS | qms, ensure_ascii=False), encoding="utf-8")


def build(base: Path, agencies: list[dict], province: str = "Tỉnh Thử Nghiệm"):
    framework = base / "khung-site"
    (framework / "api").mkdir(parents=True)
    (framework / "api" / "documents.json").write_text(json.dumps(
        [{"code": "QT-KHUNG-CT-01", "title": "Chứng thực bản sao", "status": "effective", "revision": 2}]), encoding="utf-8")
    config = base / "province.yml"
    config.write_text(yaml.safe_dump({"province": province, "framework": {"name": "Khung", "data": "khung-site"},
                                      "agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return run_eiso("province", "build", str(config), "-d", str(base / "portal"), cwd=base, timeout=120)


def test_a_date_that_is_not_a_date_is_that_agency_s_problem_only(tmp_path):
    publish(tmp_path / "tot")
    publish(tmp_path / "ngay-sai", last_approved_change="hôm qua")
    publish(tmp_path / "as-of-sai", as_of="2026-13-45")
    result = build(tmp_path, [{"name": "UBND xã Tốt", "code": "T1", "data": "tot"},
                              {"name": "UBND xã Ngày Sai", "code": "T2", "data": "ngay-sai"},
                              {"name": "UBND xã Tính Đến", "code": "T3", "data": "as-of-sai"}])
    assert "Traceback" not in result.stderr and "không mong đợi" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert ("UBND xã Ngày Sai (T2): api/qms.json không đúng định dạng: trường «last_approved_change» "
            "có giá trị không hợp lệ") in result.stderr
    assert "UBND xã Tính Đến (T3): api/qms.json không đúng định dạng: trường «as_of»" in result.stderr
    rows = {tr.find_all("td")[1].get_text(strip=True): tr["data-severity"]
            for tr in soup(tmp_path / "portal" / "index.html").select("#eiso-province tbody tr")}
    assert rows == {"T1": "ok", "T2": "missing", "T3": "missing"}
    assert "20/05/2026" in soup(tmp_path / "portal" / "co-quan" / "t1" / "index.html").get_text()


def test_values_of_the_wrong_type_are_not_taken_as_numbers(tmp_path):
    publish(tmp_path / "bool", check={"errors": True, "warnings": 0})
    publish(tmp_path / "rev-bool", [GOOD_DOC | {"based_on": {"code": "QT-KHUNG-CT-01", "revision": True}}])
    publish(tmp_path / "rev-am", [GOOD_DOC | {"based_on": {"code": "QT-KHUNG-CT-01", "revision": -1}}])
    publish(tmp_path / "rev-lon", [GOOD_DOC | {"based_on": {"code": "QT-KHUNG-CT-01", "revision": 10 ** 30}}])
    publish(tmp_path / "chuoi", reviews_overdue={"count": "5", "codes": []})
    result = build(tmp_path, [{"name": f"UBND xã {n}", "code": n, "data": n}
                              for n in ("bool", "rev-bool", "rev-am", "rev-lon", "chuoi")])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bool (bool): api/qms.json không đúng định dạng: trường «check.errors»" in result.stderr
    for code, reason in (("rev-bool", "cần một số nguyên"), ("rev-am", "cần từ 1"), ("rev-lon", "cần không quá 10000")):
        assert (f"({code}): api/documents.json không đúng định dạng: tài liệu thứ 1: "
                f"trường «based_on.revision» có giá trị không hợp lệ: {reason}\n") in result.stderr
    assert "(chuoi): api/qms.json không đúng định dạng: trường «reviews_overdue.count»" in result.stderr
    rows = [tr["data-severity"] for tr in soup(tmp_path / "portal" / "index.html").select("#eiso-province tbody tr")]
    assert rows == ["missing"] * 5


def test_json_problems_are_told_in_vietnamese_with_their_place(tmp_path):
    publish(tmp_path / "hong")
    (tmp_path / "hong" / "api" / "documents.json").write_text('[{"code": "A",\n "title": }]', encoding="utf-8")
    publish(tmp_path / "long")
    (tmp_path / "long" / "api" / "qms.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    publish(tmp_path / "bom")
    documents = tmp_path / "bom" / "api" / "documents.json"
    documents.write_bytes(b"\xef\xbb\xbf" + documents.read_bytes())  # written by a Windows tool
    result = build(tmp_path, [{"name": "UBND xã Hỏng", "code": "H", "data": "hong"},
                              {"name": "UBND xã Lồng", "code": "L", "data": "long"},
                              {"name": "UBND xã Bom", "code": "B", "data": "bom"}])
    assert "UBND xã Hỏng (H): api/documents.json không phải JSON hợp lệ (dòng 2, cột 11)" in result.stderr
    assert "UBND xã Lồng (L): api/qms.json: JSON lồng quá sâu (quá 64 cấp, dòng 1, cột 65)" in result.stderr
    assert "UBND xã Bom (B)" not in result.stderr
    assert "Expecting" not in result.stderr and "recursion" not in result.stderr


def test_names_with_markup_reach_no_page_as_markup(tmp_path):
    publish(tmp_path / "x")
    name = "<script>alert('ten')</script>UBND xã <img src=x onerror=alert(5)>"
    result = build(tmp_path, [{"name": name, "code": "X1", "district": "<b onmouseover=alert(7)>Huyện</b>", "data": "x"}],
                   province="Tỉnh <script>alert(8)</script>")
    assert result.returncode == 0, result.stderr
    for page in (tmp_path / "portal").rglob("*.html"):
        html = soup(page)
        assert not [s for s in html.find_all("script") if "alert" in s.get_text()], page
        assert not html.select("img[onerror], b[onmouseover]"), page
    agency = soup(tmp_path / "portal" / "co-quan" / "x1" / "index.html")
    assert name in agency.select_one("article h1").get_text()
    assert name in agency.title.get_text() and "Tỉnh <script>alert(8)</script>" in agency.title.get_text()


def test_an_agencys_error_details_are_shown_as_text_and_checked(tmp_path):
    hostile = {"path": "procedures/<b>x</b>.md", "line": 3, "field": "title",
               "message": '<img src=x onerror="window.__pwned=1"> thiếu tên'}
    publish(tmp_path / "loi", check={"errors": 1, "warnings": 0, "error_details": [hostile]})
    publish(tmp_path / "kieu-sai", check={"errors": 1, "warnings": 0, "error_details": [{"path": 1, "line": "3"}]})
    result = build(tmp_path, [{"name": "UBND xã Lỗi", "code": "L1", "data": "loi"},
                              {"name": "UBND xã Kiểu Sai", "code": "L2", "data": "kieu-sai"}])
    assert "Traceback" not in result.stderr
    assert "(L2): api/qms.json không đúng định dạng: trường «check.error_details" in result.stderr
    page = soup(tmp_path / "portal" / "co-quan" / "l1" / "index.html")
    row = [td.get_text(strip=True) for td in page.select(".eiso-check-errors tbody td")]
    assert row == ["procedures/<b>x</b>.md", "3", "title", '<img src=x onerror="window.__pwned=1"> thiếu tên']
    assert page.select_one("article img") is None and page.select_one(".eiso-check-errors b") is None


def test_a_long_error_is_shown_cut_and_details_never_outnumber_the_errors(tmp_path):
    long_key = "k" * 5000
    publish(tmp_path / "dai", check={"errors": 1, "warnings": 0, "error_details": [
        {"path": "procedures/a.md", "line": 2, "field": long_key, "message": "khóa không hợp lệ"}]})
    publish(tmp_path / "mau-thuan", check={"errors": 0, "warnings": 0, "error_details": [
        {"path": "procedures/a.md", "line": 2, "field": "title", "message": "thiếu tên"}]})
    result = build(tmp_path, [{"name": "UBND xã Dài", "code": "D1", "data": "dai"},
                              {"name": "UBND xã Mâu Thuẫn", "code": "D2", "data": "mau-thuan"}])
    assert "Traceback" not in result.stderr
    assert "(D1)" not in result.stderr  # one long key does not hide the agency's status
    cells = [td.get_text(strip=True) for td in
             soup(tmp_path / "portal" / "co-quan" / "d1" / "index.html").select(".eiso-check-errors tbody td")]
    assert cells[2] == "k" * 299 + "…"
    assert "(D2): api/qms.json không đúng định dạng: trường «check»" in result.stderr
