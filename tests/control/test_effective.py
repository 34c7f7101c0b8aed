"""Effective dates (DESIGN.md): the site built as of a day shows the revision in force on that day."""

from __future__ import annotations

import json

import pytest
from conftest import build_site, run_eiso, soup
from factory import make_repo, tthc_meta, write_doc
from gitrepo import Git

from eiso.documents.text import fold

KHAI_SINH = "tthc/khai-sinh.md"
EFFECTIVE = "2027-06-01"  # revision 4 takes effect on this day


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("asof") / "repo")
    git = Git(repo).init()
    git.commit_all("Nhập tài liệu ban đầu")

    def revise(revision: int, effective: str, text: str):
        return lambda: write_doc(repo, KHAI_SINH, tthc_meta(revision=revision, effective=effective),
                                 f"## 1. Mục đích\n\n{text}\n")

    git.merge_request("lan-3", "Ban hành lần 3", 2, revise(3, "2025-06-01", "Nội dung lần ba."), approver="Lê Văn Cường")
    git.merge_request("lan-4", "Ban hành lần 4", 3, revise(4, EFFECTIVE, "Nội dung lần bốn."), approver="Lê Văn Cường")
    return repo


@pytest.fixture(scope="module")
def day_before(repo):
    result, site = build_site(repo, "--as-of", "2027-05-31", site="site-before")
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def on_the_day(repo):
    result, site = build_site(repo, "--as-of", EFFECTIVE, site="site-on")
    assert result.returncode == 0, result.stderr
    return site


def block(page) -> str:
    return page.select_one(".eiso-iso-block").get_text(" ", strip=True)


def indexed(site) -> set[str]:
    from eiso.search import indexed_documents

    return {doc["location"] for doc in indexed_documents(site)}


def test_the_day_before_the_current_page_is_revision_3(day_before):
    page = soup(day_before / "quy-trinh" / "qt-ht-01" / "index.html")
    assert "Lần ban hành 3" in block(page) and "Đang hiệu lực" in block(page)
    assert "Nội dung lần ba." in page.select_one(".eiso-body").get_text()
    announce = page.select_one(".eiso-banner-announce")
    assert "Lần ban hành 4 sắp có hiệu lực từ ngày 01/06/2027" in announce.get_text()
    assert announce.select_one("a")["href"] == "sap-hieu-luc/"


def test_the_day_before_revision_4_is_upcoming_and_not_searchable(day_before):
    page = soup(day_before / "quy-trinh" / "qt-ht-01" / "sap-hieu-luc" / "index.html")
    assert "SẮP CÓ HIỆU LỰC TỪ NGÀY 01/06/2027" in page.select_one(".eiso-banner-upcoming").get_text()
    assert "Lần ban hành 4" in block(page) and "Sắp có hiệu lực từ ngày 01/06/2027" in block(page)
    assert "đang hiệu lực" not in fold(page.get_text())
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "Nội dung lần bốn." in page.select_one(".eiso-body").get_text()
    locations = indexed(day_before)
    assert "quy-trinh/qt-ht-01/" in locations
    assert not any("sap-hieu-luc" in loc for loc in locations)
    # Revision 3 is in force: it is not archived yet.
    assert not (day_before / "quy-trinh" / "qt-ht-01" / "lan-3").exists()


def test_the_day_before_the_lists_show_both(day_before):
    master = soup(day_before / "danh-muc" / "index.html")
    rows = [r for r in master.select("#eiso-master tbody tr") if r.select("td")[0].get_text(strip=True) == "QT-HT-01"]
    states = sorted(r.get_text(" ", strip=True) for r in rows)
    assert len(rows) == 2
    assert any("Đang hiệu lực" in s and " 3 " in s for s in states)
    assert any("Sắp có hiệu lực từ ngày 01/06/2027" in s for s in states)
    links = {r.select_one("a")["href"] for r in rows}
    assert links == {"../quy-trinh/qt-ht-01/", "../quy-trinh/qt-ht-01/sap-hieu-luc/"}
    records = {r["code"]: r for r in json.loads((day_before / "api" / "documents.json").read_text(encoding="utf-8"))}
    ks = records["QT-HT-01"]
    assert ks["revision"] == 3 and ks["effective"] == "2025-06-01" and ks["status_label"] == "Đang hiệu lực"
    assert ks["approved"] is True and ks["approvers"] == ["Lê Văn Cường"]
    assert ks["upcoming"] == {"revision": 4, "effective": EFFECTIVE, "status": "effective",
                              "status_label": "Sắp có hiệu lực từ ngày 01/06/2027",
                              "url": "quy-trinh/qt-ht-01/sap-hieu-luc/"}


def test_on_the_day_revision_4_is_current_and_3_archived(on_the_day):
    page = soup(on_the_day / "quy-trinh" / "qt-ht-01" / "index.html")
    assert "Lần ban hành 4" in block(page) and "Đang hiệu lực" in block(page)
    assert page.select_one(".eiso-banner-announce") is None
    assert not (on_the_day / "quy-trinh" / "qt-ht-01" / "sap-hieu-luc").exists()
    assert "quy-trinh/qt-ht-01/" in indexed(on_the_day)
    archived = soup(on_the_day / "quy-trinh" / "qt-ht-01" / "lan-3" / "index.html")
    assert "Lần ban hành 3" in block(archived) and "Hết hiệu lực" in block(archived)
    assert "HẾT HIỆU LỰC" in archived.select_one(".eiso-banner").get_text()
    assert "đang hieu luc" not in fold(archived.get_text()) and "đang hiệu lực" not in archived.decode().lower()
    archive = soup(on_the_day / "danh-muc" / "luu-tru" / "index.html")
    row = next(r for r in archive.select("tbody tr") if r.select("td")[0].get_text(strip=True) == "QT-HT-01")
    assert "Hết hiệu lực" in row.get_text()
    record = next(r for r in json.loads((on_the_day / "api" / "documents.json").read_text(encoding="utf-8"))
                  if r["code"] == "QT-HT-01")
    assert record["revision"] == 4 and "upcoming" not in record and record["status_label"] == "Đang hiệu lực"


def test_two_builds_with_one_as_of_date_are_identical(repo, day_before):
    result, again = build_site(repo, "--as-of", "2027-05-31", site="site-again")
    assert result.returncode == 0
    files = sorted(p.relative_to(day_before) for p in day_before.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((day_before / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_environment_variable_sets_the_date(repo, tmp_path):
    import os
    import subprocess
    import sys

    from factory import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), EISO_AS_OF="2027-05-31")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=repo, env=env, check=True,
                   capture_output=True, timeout=300)
    assert (site / "quy-trinh" / "qt-ht-01" / "sap-hieu-luc" / "index.html").exists()


def test_a_future_withdrawal_keeps_the_document_in_force(tmp_path):
    repo = make_repo(tmp_path / "repo")
    git = Git(repo).init()
    git.commit_all("Ban hành")
    git.merge_request("huy", "Hủy bỏ quy trình", 3, lambda: write_doc(
        repo, KHAI_SINH, tthc_meta(status="withdrawn", effective="2027-01-01")), approver="Lê Văn Cường")
    result, site = build_site(repo, "--as-of", "2026-12-31")
    assert result.returncode == 0, result.stderr
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    assert "Đang hiệu lực" in block(page)
    assert "Sắp hết hiệu lực từ ngày 01/01/2027" in page.select_one(".eiso-banner-announce").get_text()
    master = soup(site / "danh-muc" / "index.html").get_text(" ")
    assert "Hết hiệu lực từ ngày 01/01/2027" in master
    result, site = build_site(repo, "--as-of", "2027-01-01", site="site-after")
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    assert "Hết hiệu lực" in block(page) and "đang hiệu lực" not in page.get_text().lower()


def test_a_malformed_as_of_date_is_a_usage_error(repo):
    result = run_eiso("build", "--as-of", "31/05/2027", cwd=repo)
    assert result.returncode == 2 and "không hợp lệ" in result.stderr


def test_an_incremental_build_switches_on_the_day(repo, on_the_day):
    """The daily rebuild into the same folder: yesterday's output, today's date, the result of a clean build."""
    result, site = build_site(repo, "--as-of", "2027-05-31", site="site-daily")
    assert result.returncode == 0
    assert (site / "quy-trinh" / "qt-ht-01" / "sap-hieu-luc" / "index.html").exists()
    result, site = build_site(repo, "--as-of", EFFECTIVE, site="site-daily")
    assert result.returncode == 0
    files = sorted(p.relative_to(on_the_day) for p in on_the_day.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())  # sap-hieu-luc/ is gone
    assert all((on_the_day / f).read_bytes() == (site / f).read_bytes() for f in files)
