"""The demo agency shipped in this repository: valid, and built into real pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_eiso, soup

from eiso.documents.loader import load_corpus
from eiso.documents.model import Kind, Status


AS_OF = "2026-12-01"  # after the demo's history, before its upcoming revision (2027-06-01)


def make_demo(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo.py"), str(target)],
                          capture_output=True, text=True, timeout=300, check=True)


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory):
    """What `make build` does: the demo agency's repository, then its intranet."""
    target = tmp_path_factory.mktemp("demo") / "repo"
    make_demo(target)
    return target


@pytest.fixture(scope="module")
def demo(demo_repo):
    site = demo_repo.parent / "site"
    result = run_eiso("build", "-d", str(site), "--as-of", AS_OF, cwd=demo_repo, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return load_corpus(demo_repo), site


def test_demo_passes_eiso_check(demo_repo):
    for root in (REPO, demo_repo):
        result = run_eiso("check", cwd=root)
        assert result.returncode == 0, result.stdout[-3000:]


def test_demo_has_the_promised_documents():
    corpus = load_corpus(REPO)
    kinds = [doc.meta.kind for doc in corpus.documents]
    assert Kind.policy in kinds and Kind.objectives in kinds
    assert kinds.count(Kind.system) >= 5
    tthc = [d for d in corpus.documents if d.meta.kind is Kind.tthc]
    assert len(tthc) >= 20
    assert all("Cấp xã" in d.meta.tthc.level for d in tthc)
    form_files = [f for d in corpus.documents for f in d.meta.forms if f.file]
    assert len(form_files) >= 3


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_demo_repository_is_reproducible_and_idempotent(demo_repo, tmp_path):
    other = tmp_path / "again"
    make_demo(other)
    assert git(other, "rev-parse", "HEAD") == git(demo_repo, "rev-parse", "HEAD")
    again = make_demo(other)  # nothing changed: nothing is redone
    assert "đã cập nhật" in again.stdout
    assert git(other, "status", "--porcelain") == ""


def test_demo_repository_ignores_the_build_cache(demo_repo):
    # A build writes its signed, per-user caches into .eiso-cache/: `git add -A` in the demo must not commit them.
    cache = demo_repo / ".eiso-cache" / "documents.pickle"
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(b"cache")
    try:
        assert git(demo_repo, "status", "--porcelain", "--untracked-files=all") == ""
    finally:
        cache.unlink()


def test_demo_history_is_the_agencys_own(demo, demo_repo):
    _, site = demo
    ours = git(REPO, "log", "-n", "30", "--format=%H%x09%s").splitlines()
    theirs = git(demo_repo, "log", "--all", "--format=%H%x09%s")
    pages = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    pages += (site / "api" / "documents.json").read_text(encoding="utf-8")
    for line in ours:
        sha, subject = line.split("\t", 1)
        assert sha not in theirs and sha[:10] not in pages
        assert subject not in theirs and subject not in pages, subject
    merges = git(demo_repo, "log", "--first-parent", "--merges", "--format=%B%x00").split("\x00")
    merges = [m.strip() for m in merges if m.strip()]
    assert len(merges) >= 20
    for message in merges:  # README's GitLab merge commit template
        assert message.startswith("Merge branch '") and "See merge request ubnd-xa-hoa-binh/e-iso!" in message
        assert "Approved-by: Nguyễn Văn Thắng <" in message or "Approved-by: Trần Thị Thu Hà <" in message


def test_demo_shows_approvals_an_archive_and_one_unapproved_change(demo):
    corpus, site = demo
    records = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    unapproved = [r["code"] for r in records if not r["approved"]]
    assert unapproved == ["QT-HT-06"]  # the one direct push of the story
    assert all(r["approvers"] for r in records if r["approved"])
    assert sum(1 for r in records if r["revision"] >= 3 and r["approved"]) >= 3
    page = soup(site / "quy-trinh" / "qt-ht-06" / "index.html")
    assert "không qua yêu cầu hợp nhất" in page.select_one(".eiso-unapproved").get_text()
    pages = [p for p in site.rglob("index.html") if p.parent.name != "qt-ht-06"]
    assert not any("eiso-unapproved" in p.read_text(encoding="utf-8") for p in pages)  # seen once, where it belongs
    # Revisions 1 → 2 → 3: two archived revisions with their banner, and the table's three rows.
    rows = soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select(".eiso-revisions tbody tr")
    assert [r.select("td")[0].get_text(strip=True) for r in rows] == ["3", "2", "1"]
    assert all("Nguyễn Văn Thắng" in r.select("td")[4].get_text() for r in rows)
    for revision in (1, 2):
        old = soup(site / "quy-trinh" / "qt-ht-01" / f"lan-{revision}" / "index.html")
        assert "HẾT HIỆU LỰC" in old.select_one(".eiso-banner").get_text()
        assert "đang hiệu lực" not in old.get_text().lower()
    archive = soup(site / "danh-muc" / "luu-tru" / "index.html")
    states = {r.select("td")[0].get_text(strip=True) for r in archive.select("tbody tr")}
    assert {"QT-HT-01", "QT-NB-01", "QT-HTICH-01"} <= states  # superseded revisions and the withdrawn document


def test_demo_upcoming_revision(demo):
    _, site = demo
    current = soup(site / "quy-trinh" / "qt-htich-01" / "index.html")
    assert "Lần ban hành 3" in current.select_one(".eiso-iso-block").get_text(" ", strip=True)
    assert "01/06/2027" in current.select_one(".eiso-banner-announce").get_text()
    coming = soup(site / "quy-trinh" / "qt-htich-01" / "sap-hieu-luc" / "index.html")
    assert "SẮP CÓ HIỆU LỰC TỪ NGÀY 01/06/2027" in coming.select_one(".eiso-banner-upcoming").get_text()


def test_tthc_page_shows_its_front_matter(demo):
    corpus, site = demo
    doc = next(d for d in sorted(corpus.documents, key=lambda d: d.slug)
               if d.meta.kind is Kind.tthc and d.meta.status is Status.effective and d.meta.tthc.dossier)
    page = soup(site / doc.url / "index.html")
    assert page.select_one("h1").get_text(strip=True) == doc.meta.title
    block = page.select_one(".eiso-iso-block").get_text(" ", strip=True)
    assert doc.meta.code in block and f"Lần ban hành {doc.meta.revision}" in block
    dossier = [r.select("td")[1].get_text(strip=True) for r in page.select(".eiso-dossier tbody tr")]
    assert dossier == [item.name for item in doc.meta.tthc.dossier]
    channels = page.select(".eiso-channels tbody tr")
    assert [r.select("td")[0].get_text(strip=True) for r in channels] == [c.channel for c in doc.meta.tthc.channels]
    if doc.meta.approved_by:
        assert doc.meta.approved_by.name in page.select_one(".eiso-signatures").get_text()


def test_master_list_and_api(demo):
    corpus, site = demo
    page = soup(site / "danh-muc" / "index.html")
    codes = {r.select("td")[0].get_text(strip=True) for r in page.select("#eiso-master tbody tr")}
    current = {d.meta.code for d in corpus.documents if d.meta.status is not Status.withdrawn}
    assert codes == current
    records = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    assert {r["code"] for r in records} == {d.meta.code for d in corpus.documents}
    for record in records:
        assert record["url"] == f"quy-trinh/{record['url'].split('/')[1]}/"
        assert (site / record["url"] / "index.html").exists()


def test_home_page_has_policy_and_objectives(demo):
    _, site = demo
    text = soup(site / "index.html").select_one("article").get_text()
    assert "Chính sách chất lượng" in text and "Mục tiêu chất lượng" in text


QUERIES = [
    ("dang ky khai sinh", "Đăng ký khai sinh"),
    ("Đăng ký khai sinh", "Đăng ký khai sinh"),
    ("ket hon", "Đăng ký kết hôn"),
    ("đăng ký kết hôn", "Đăng ký kết hôn"),
    ("dang ky lai khai tu", "Đăng ký lại khai tử"),
    ("chung thuc di chuc", "Chứng thực di chúc"),
    ("xac nhan tinh trang hon nhan", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ("1.001193", "Đăng ký khai sinh"),
    ("QT-HTICH-02", "Đăng ký kết hôn"),
]


@pytest.mark.browser
def test_search_finds_the_procedure_first(browser, demo):
    from conftest import StaticServer

    _, site = demo
    server = StaticServer(site)
    page = browser.new_page()
    try:
        page.goto(server.url)
        for query, expected in QUERIES:
            page.click(".md-search__input")
            page.fill(".md-search__input", "")
            page.type(".md-search__input", query, delay=10)
            page.wait_for_function(
                "q => document.querySelector('.md-search-result__item h1') !== null", arg=query, timeout=15000)
            page.wait_for_timeout(300)  # let the last keystroke's results replace the previous ones
            first = page.inner_text(".md-search-result__item h1")
            assert first == expected, (query, first)
    finally:
        page.close()
        server.close()


@pytest.mark.browser
@pytest.mark.parametrize("code", ["123/2015/NĐ-CP", "BM-HTICH-01-01"])
def test_legal_and_form_codes_are_searchable(browser, demo, code):
    """Several documents cite one decree or share one form: the first result must be one of them."""
    from conftest import StaticServer

    corpus, site = demo
    holders = {d.meta.title for d in corpus.documents if d.meta.status is Status.effective
               and (any(ref.code == code for ref in d.meta.legal_basis) or any(f.code == code for f in d.meta.forms))}
    assert holders
    server = StaticServer(site)
    page = browser.new_page()
    try:
        page.goto(server.url)
        page.click(".md-search__input")
        page.type(".md-search__input", code, delay=10)
        page.wait_for_selector(".md-search-result__item h1", timeout=15000)
        page.wait_for_timeout(300)
        assert page.inner_text(".md-search-result__item h1") in holders
    finally:
        page.close()
        server.close()
