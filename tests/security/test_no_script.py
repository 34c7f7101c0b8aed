"""2. No script reaches a page, whatever field carries it; CSP forbids inline script."""

from __future__ import annotations

import re

import pytest
from conftest import StaticServer, build_site, soup
from factory import system_meta, tthc_meta, write_doc
from gitrepo import Git

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def hostile_repo(repo):
    meta = tthc_meta(code="QT-XSS", title=f"Khai sinh {XSS}", unit=XSS,
                     approved_by={"name": XSS, "title": "<svg onload=alert(1)>"})
    meta["tthc"]["dossier"][0]["name"] = f"Tờ khai {XSS}"
    meta["tthc"]["online"] = {"level": "toan_trinh", "url": "javascript:window.__pwned=3"}
    body = (f"## Nội dung\n\n{XSS}\n\n<a href=\"javascript:window.__pwned=4\">a</a> "
            "<a href=\"data:text/html,<script>alert(1)</script>\">b</a> [c](javascript:window.__pwned=5)\n\n"
            "<div onmouseover=\"window.__pwned=6\">d</div>\n\n<iframe src=\"javascript:alert(1)\"></iframe>\n")
    write_doc(repo, "tthc/xss.md", meta, body)
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git.merge_request("xss", f"Sửa {XSS}", 3, lambda: write_doc(repo, "tthc/xss.md", {**meta, "revision": 3}, body),
                      approver=f"{XSS} Kẻ gian")
    return repo


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    from factory import REPO, make_repo
    import shutil

    repo = hostile_repo(make_repo(tmp_path_factory.mktemp("xss") / "repo"))
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Công khai\n", encoding="utf-8")
    intranet = build_site(repo)
    public = build_site(repo, "--public", site="site-public")
    assert intranet[0].returncode == 0 and public[0].returncode == 0, intranet[0].stderr + public[0].stderr
    return intranet[1], public[1]


def executable_markup(html: str) -> list[str]:
    page = soup_text(html)
    found = []
    for tag in page.select(".eiso-doc *"):
        if tag.name in ("script", "iframe", "object", "embed") and tag.get("type") != "application/ld+json":
            found.append(str(tag)[:80])
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or re.match(r"\s*(javascript|data|vbscript):", text, re.I):
                found.append(f"{tag.name}[{name}]")
    return found


def soup_text(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_pages_carry_no_executable_markup(sites):
    intranet, public = sites
    for path in [intranet / "quy-trinh" / "qt-xss" / "index.html", intranet / "quy-trinh" / "qt-xss" / "lan-2" / "index.html",
                 public / "thu-tuc" / "qt-xss" / "index.html", intranet / "danh-muc" / "index.html"]:
        assert executable_markup(path.read_text(encoding="utf-8")) == [], path


def test_hostile_text_is_shown_as_text(sites):
    intranet, _ = sites
    page = soup(intranet / "quy-trinh" / "qt-xss" / "index.html")
    assert XSS in page.select_one("h1").get_text()
    assert XSS in page.select_one(".eiso-signatures").get_text()
    revisions = page.select_one(".eiso-revisions").get_text()
    assert f"Sửa {XSS}" in revisions  # the MR title, as text


def test_search_index_has_no_markup(sites):
    for site in sites:
        files = {p.name: p.read_text(encoding="utf-8") for p in (site / "search").glob("eiso-*.json")}
        # the docs file, the excerpts and at least one term shard of each set
        assert {name.split(".")[0].rstrip("-0123456789") for name in files} == \
            {"eiso-docs", "eiso-excerpts", "eiso-titles", "eiso-bodies"}
        assert any("Khai sinh" in text for text in files.values())
        for value in files.values():
            # Hostile text may be there, escaped (&lt;script&gt;); markup may not.
            assert not re.search(r"<\s*(script|iframe|img|svg)\b", value, re.I), value
            assert not re.search(r"<[a-z][^>]*\son\w+\s*=", value, re.I), value
            assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", value, re.I), value


def test_csp_meta_forbids_inline_script_on_both_sites(sites):
    for site in sites:
        for path in [site / "index.html", site / "404.html"]:
            meta = soup(path).select_one('meta[http-equiv="Content-Security-Policy"]')
            policy = meta["content"]
            script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
            assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
            assert "object-src 'none'" in policy


@pytest.mark.browser
def test_nothing_runs_in_the_browser(browser, sites):
    intranet, public = sites
    for site, path in [(intranet, "quy-trinh/qt-xss/"), (public, "thu-tuc/qt-xss/")]:
        server = StaticServer(site)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            for link in page.query_selector_all(".eiso-doc a"):
                link.hover()
            page.click(".md-search__input")
            page.type(".md-search__input", "khai sinh", delay=20)
            page.wait_for_selector(".md-search-result__item", timeout=15000)
            titles = page.eval_on_selector_all(".md-search-result__item h1", "els => els.map(e => e.textContent)")
            assert any("onerror" in title for title in titles)  # hostile text shown as text...
            assert page.evaluate("window.__pwned") is None  # ...and never run
            assert page.evaluate("typeof document$") == "object"  # the theme's own script still runs
            page.close()
        finally:
            server.close()
