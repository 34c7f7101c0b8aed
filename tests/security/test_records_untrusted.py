"""QMS records are untrusted input too: no script from a record's fields, body or a closing MR's title."""

from __future__ import annotations

import json
import re

import pytest
from conftest import build_site, run_eiso, soup
from factory import make_repo
from gitrepo import Git
from records_factory import audit, nc, write_record

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
BODY = f"## Ghi chú\n\n{XSS}\n\n[c](javascript:window.__pwned=5)\n\n<div onmouseover=\"window.__pwned=6\">d</div>\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("records-xss") / "repo")
    write_record(repo, "nc.md", nc("NC-2026-01", title=f"Sổ {XSS}", description=XSS, unit=XSS, cause=XSS,
                                   found_by={"name": XSS, "title": XSS}, audit="DGNB-2026-01",
                                   actions=[{"action": XSS, "owner": XSS, "due": "2026-04-01"}]), BODY)
    write_record(repo, "dgnb.md", audit("DGNB-2026-01", title=XSS, findings=["NC-2026-01"],
                                        scope={"units": [XSS], "clauses": ["7.5"], "documents": ["QT-HT-01"]}), BODY)
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git.merge_request("xss", f"{XSS} NC-2026-01", 2, lambda: (repo / "docs" / "a.md").write_text("# A\n"),
                      approver="Lê Văn Cường")
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    return repo, site


def executable(path) -> list[str]:
    found = []
    for tag in soup(path).select("article *"):
        if tag.name in ("script", "iframe", "object", "embed"):
            found.append(str(tag)[:80])
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or re.match(r"\s*(javascript|data|vbscript):", text, re.I):
                found.append(f"{tag.name}[{name}]")
    return found


def test_no_executable_markup_on_any_record_page(built):
    _, site = built
    pages = sorted((site / "ho-so").rglob("index.html")) + [site / "quy-trinh" / "qt-ht-01" / "index.html"]
    assert len(pages) == 7  # two records, four registers, the document page
    assert {p.relative_to(site).as_posix(): executable(p) for p in pages} == {
        p.relative_to(site).as_posix(): [] for p in pages}


def test_hostile_text_is_shown_as_text_and_the_title_closure_still_counts(built):
    _, site = built
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    closure_cell = page.select(".eiso-doc-ncs tbody tr td")[-1].get_text()
    assert "xa/e-iso!2" in closure_cell and "<script>" in closure_cell  # escaped text, not markup
    record = soup(site / "ho-so" / "nc-2026-01" / "index.html")
    assert "<script>" in record.select_one(".eiso-title").get_text()


def test_check_reports_unsafe_html_in_record_bodies(built):
    repo, _ = built
    result = run_eiso("check", "--format", "json", cwd=repo)
    unsafe = {(f["path"], f["rule"]) for f in json.loads(result.stdout) if f["rule"] == "unsafe-html"}
    assert unsafe == {("records/nc.md", "unsafe-html"), ("records/dgnb.md", "unsafe-html")}
