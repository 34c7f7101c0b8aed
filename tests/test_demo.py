"""The demo agency shipped in this repository: valid, and built into real pages."""

from __future__ import annotations

import json

import pytest
from conftest import REPO, run_eiso, soup

from eiso.documents.loader import load_corpus
from eiso.documents.model import Kind, Status


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    site = tmp_path_factory.mktemp("demo") / "site"
    result = run_eiso("build", "-d", str(site), cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return load_corpus(REPO), site


def test_demo_passes_eiso_check():
    result = run_eiso("check", cwd=REPO)
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
