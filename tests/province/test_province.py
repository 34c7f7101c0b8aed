"""Province portal over real agency builds (A, B, C) and 222 generated agencies' published data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from conftest import StaticServer, build_site, run_eiso, soup
from framework_repos import FW_CODE, FW_SYSTEM, adoption_text, b_tthc, make_agency, make_framework, write
from gitrepo import Git

GENERATED = 222


def generated_agency(folder: Path, index: int) -> dict:
    """Published data of a generated agency; returns the counts the portal must show for it."""
    behind = index % 10 == 0  # every tenth adopted revision 2 of the framework's TTHC
    documents = [{"code": f"QT-{index:03d}-{n:02d}", "title": f"Quy trình {n}", "kind": "internal", "unit": "Văn phòng",
                  "field": None, "revision": 1, "effective": "2025-01-01", "status": "effective", "url": "x/",
                  "path": f"procedures/{n}.md", "based_on": None, "approved": True} for n in range(58)]
    documents.append(dict(documents[0], code=FW_CODE, based_on={"code": FW_CODE, "revision": 2 if behind else 3}))
    documents.append(dict(documents[0], code=FW_SYSTEM, based_on={"code": FW_SYSTEM, "revision": 1}))
    expected = {"in_force": 60 - index % 4, "behind": int(behind), "reviews": index % 3, "unapproved": int(index % 7 == 0),
                "nc_open": index % 5, "nc_overdue": int(index % 11 == 0)}
    qms = {"schema": 1, "as_of": "2026-06-01", "agency": {"name": f"UBND xã {index}", "code": f"X{index:03d}", "district": ""},
           "documents": {"total": 60, "in_force": expected["in_force"], "by_status": {"effective": 60}},
           "reviews_overdue": {"count": expected["reviews"], "codes": []},
           "unapproved_changes": {"count": expected["unapproved"], "codes": []},
           "adoptions": {"count": 2, "behind_count": 0, "behind": []}, "check": {"errors": 0, "warnings": 0},
           "nonconformities": {"open": expected["nc_open"], "overdue": expected["nc_overdue"]},
           "last_approved_change": "2026-05-20"}
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "documents.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    (folder / "api" / "qms.json").write_text(json.dumps(qms, ensure_ascii=False), encoding="utf-8")
    return expected


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("tinh")
    framework = make_framework(base / "khung")
    a = make_agency(base / "a", framework)
    assert run_eiso("adopt", "--all", "--effective", "2025-01-15", cwd=a).returncode == 0
    Git(a).commit_all("A áp dụng mô hình khung")
    b = make_agency(base / "b", framework)
    write(b, "procedures/tthc/dang-ky-khai-sinh.md", adoption_text(2, unit="Tư pháp xã Bình Minh", tthc=b_tthc()))
    Git(b).commit_all("B áp dụng khung lần 2")
    c = make_agency(base / "c", framework)
    write(c, "procedures/tthc/khong-co.md", adoption_text(1, code="QT-KHUNG-KHONG-CO"))
    Git(c).commit_all("C áp dụng mã không có")
    sites = {}
    for name, repo in (("a", a), ("b", b), ("c", c)):
        result, sites[name] = build_site(repo)
        assert result.returncode == (1 if name == "c" else 0), result.stderr
    agencies = [{"name": "UBND xã A", "code": "A", "district": "Huyện Một", "data": str(sites["a"])},
                {"name": "UBND xã B", "code": "B", "district": "Huyện Một", "data": str(sites["b"])},
                {"name": "UBND xã C", "code": "C", "district": "Huyện Hai", "data": str(sites["c"])},
                {"name": "UBND xã Vắng", "code": "VANG", "district": "Huyện Hai", "data": "khong-co-thu-muc"}]
    expected = {}
    for index in range(GENERATED):
        expected[f"X{index:03d}"] = generated_agency(base / "du-lieu" / f"{index:03d}", index)
        agencies.append({"name": f"UBND xã Số {index}", "code": f"X{index:03d}", "district": f"Huyện {index % 9}",
                         "data": f"du-lieu/{index:03d}"})
    config = base / "province.yml"
    config.write_text(yaml.safe_dump({"province": "Tỉnh Thử Nghiệm",
                                      "framework": {"name": "Mô hình khung cấp xã", "repository": str(framework)},
                                      "agencies": agencies}, allow_unicode=True), encoding="utf-8")
    result = run_eiso("province", "build", str(config), "-d", str(base / "portal"), cwd=base, timeout=300)
    return {"result": result, "site": base / "portal", "expected": expected, "sites": sites, "a": a}


def overview_rows(site: Path) -> dict[str, list[str]]:
    page = soup(site / "index.html")
    rows = {}
    for tr in page.select("#eiso-province tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[cells[1]] = cells
    return rows


def test_builds_with_the_missing_agency_reported(portal):
    result = portal["result"]
    assert "Traceback" not in result.stderr
    assert result.returncode == 1  # one agency's data is missing
    assert "UBND xã Vắng (VANG): không tìm thấy dữ liệu công bố" in result.stderr
    problems = soup(portal["site"] / "index.html").select_one(".eiso-province-problems").get_text(" ", strip=True)
    assert "UBND xã Vắng" in problems and "không tìm thấy dữ liệu công bố" in problems
    assert len(overview_rows(portal["site"])) == 4 + GENERATED


def test_counts_of_every_generated_agency(portal):
    rows = overview_rows(portal["site"])
    for code, want in portal["expected"].items():
        cells = rows[code]
        # Cơ quan, Mã, Huyện, hiệu lực, chậm, quá hạn xem xét, chưa phê duyệt, lỗi kiểm tra, KPH, phê duyệt gần nhất, tình trạng
        assert cells[3:8] == [str(want["in_force"]), str(want["behind"]), str(want["reviews"]),
                              str(want["unapproved"]), "0"], code
        assert cells[8] == f"{want['nc_open']} / {want['nc_overdue']}", code
        bad = want["unapproved"] or want["nc_overdue"]
        warn = want["behind"] or want["reviews"] or want["nc_open"]
        assert cells[10] == ("Cần xử lý ngay" if bad else "Cần theo dõi" if warn else "Đạt"), code


def test_b_is_behind_on_the_framework_document_and_c_has_an_error(portal):
    rows = overview_rows(portal["site"])
    assert rows["A"][4] == "0" and rows["B"][4] == "1"
    assert rows["C"][7] == "1" and rows["C"][10] == "Cần xử lý ngay"  # C's unknown framework code
    assert rows["VANG"][-1] == "Thiếu dữ liệu"
    page = soup(portal["site"] / "khung" / "qt-khung-ht-01" / "index.html")
    states = {tr.find("td").get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
              for tr in page.select("#eiso-adopters tbody tr")}
    assert states["UBND xã B"][2:] == ["2", "Chậm cập nhật"]
    assert states["UBND xã A"][2:] == ["3", "Đúng lần mới nhất"]
    assert states["UBND xã C"][2:] == ["—", "Chưa áp dụng"]
    chart = page.select_one("svg.eiso-chart")
    assert chart is not None and "Lần 2" in chart.get_text(" ")
    behind_generated = sum(w["behind"] for w in portal["expected"].values())
    assert chart.find_all("text", string=str(behind_generated + 1))  # B and the generated ones at revision 2
    agency = soup(portal["site"] / "co-quan" / "b" / "index.html").select_one(".eiso-behind").get_text(" ", strip=True)
    assert FW_CODE in agency and "2" in agency and "3" in agency
    # C's page says what is wrong, where: the error as C's own `eiso check` located it.
    errors = soup(portal["site"] / "co-quan" / "c" / "index.html").select(".eiso-check-errors tbody tr")
    cells = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in errors]
    assert len(cells) == 1
    path, line, field, message = cells[0]
    assert (path, field) == ("procedures/tthc/khong-co.md", "based_on.code") and int(line) > 1
    assert "QT-KHUNG-KHONG-CO" in message
    assert not soup(portal["site"] / "co-quan" / "a" / "index.html").select(".eiso-check-errors")


def test_exports_and_pages_are_safe(portal):
    site = portal["site"]
    records = json.loads((site / "xuat" / "tong-hop.json").read_text(encoding="utf-8"))["agencies"]
    assert len(records) == 4 + GENERATED
    by_code = {r["code"]: r for r in records}
    assert by_code["B"]["behind_detail"] == [{"code": FW_CODE, "framework_code": FW_CODE,
                                             "adopted_revision": 2, "framework_revision": 3}]
    rows = list(csv.DictReader(io.StringIO((site / "xuat" / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 + GENERATED and rows[0].keys() >= {"code", "behind", "reviews_overdue"}
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in html
    article = soup(site / "index.html").select_one("article")
    assert article.find("script") is None and article.find("svg") is not None


def test_pages_fit_a_phone_and_call_no_outside_origin(portal, browser):
    """At 360 px nothing scrolls sideways (the theme's hidden page title reached past the screen), and no page
    asks for Google Fonts, which the pages' policy blocks (a console error on every page)."""
    assert "fonts.googleapis.com" not in (portal["site"] / "index.html").read_text(encoding="utf-8")
    server = StaticServer(portal["site"])
    try:
        for path in ("", "co-quan/a/"):
            page = browser.new_page(viewport={"width": 360, "height": 800})
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
            assert errors == [], (path, errors)
            page.close()
    finally:
        server.close()


def test_qms_json_is_byte_identical_across_builds(portal, tmp_path):
    result, again = build_site(portal["a"], site=str(tmp_path / "again"))
    assert result.returncode == 0
    first = portal["sites"]["a"] / "api" / "qms.json"
    assert first.read_bytes() == (again / "api" / "qms.json").read_bytes()
    qms = json.loads(first.read_text(encoding="utf-8"))
    assert qms["adoptions"]["count"] == 2 and qms["check"] == {"errors": 0, "warnings": 0, "error_details": []}


def test_malformed_agency_data_gives_a_clear_message(tmp_path):
    from eiso.province.config import AgencySpec
    from eiso.province.data import read_agency

    def data(documents: str, qms: str) -> str | None:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        (folder / "api").mkdir(parents=True)
        (folder / "api" / "documents.json").write_text(documents, encoding="utf-8")
        (folder / "api" / "qms.json").write_text(qms, encoding="utf-8")
        return read_agency(AgencySpec("UBND xã X", "X", "", folder, 1)).problem

    good_qms = json.dumps({"schema": 1, "as_of": "2026-01-01", "documents": {"total": 0, "in_force": 0},
                           "reviews_overdue": {"count": 0}, "unapproved_changes": {"count": 0}})
    assert data("[]", good_qms) is None
    assert data("[", good_qms).startswith("api/documents.json không phải JSON hợp lệ")
    assert data('{"code": 1}', good_qms) == "api/documents.json không đúng định dạng: cần một danh sách tài liệu"
    assert data('[{"code": "A"}]', good_qms) == \
        "api/documents.json không đúng định dạng: tài liệu thứ 1: thiếu trường «title»"
    broken = json.loads(good_qms) | {"documents": {"total": "nhiều", "in_force": 0}}
    assert data("[]", json.dumps(broken)) == \
        "api/qms.json không đúng định dạng: trường «documents.total» có giá trị không hợp lệ: cần một số nguyên"
    assert data("[]", "\"\udcff\"".encode("utf-8", "surrogatepass").decode("utf-8", "replace")) is not None


def test_malformed_province_file_is_a_usage_error(tmp_path):
    config = tmp_path / "province.yml"
    config.write_text("province: Tỉnh\nagencies:\n  - {name: A, code: '1', data: a}\n  - {name: B, code: '1', data: b}\n",
                      encoding="utf-8")
    result = run_eiso("province", "build", str(config), "-d", str(tmp_path / "site"), cwd=tmp_path)
    assert result.returncode == 2
    assert "mã cơ quan «1» trùng với dòng 3" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_framework_from_its_published_data(tmp_path):
    from eiso.province.report import read_framework

    (tmp_path / "api").mkdir()
    records = [{"code": "QT-2", "title": "Hai", "status": "effective", "revision": 3},
               {"code": "QT-1", "title": "Một", "status": "effective", "revision": 1},
               {"code": "QT-3", "title": "Dự thảo", "status": "draft", "revision": 1}]
    (tmp_path / "api" / "documents.json").write_text(json.dumps(records), encoding="utf-8")
    docs, problem = read_framework(tmp_path)
    assert problem is None and [(d.code, d.revision) for d in docs] == [("QT-1", 1), ("QT-2", 3)]
    assert read_framework(tmp_path / "khong-co")[1].startswith("mô hình khung: thiếu tệp api/documents.json")
