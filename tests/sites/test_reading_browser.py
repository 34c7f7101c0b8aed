"""Reading the demo portals as people do (issue 13): on a 360 px phone, on paper, in the search box.

Both sites are built once for the module; every check runs in Debian's headless Chromium.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, StaticServer, run_eiso
from factory import NATIONAL_CORPUS, make_repo, write_doc

from eiso.documents.loader import load_corpus
from eiso.documents.model import Status
from eiso.documents.text import fold
from eiso.importers.tthc import build_document

pytestmark = pytest.mark.browser

INTRANET_PAGES = ["", "danh-muc/", "danh-muc/luu-tru/", "xem-xet-dinh-ky/", "linh-vuc/", "don-vi/",
                  "huong-dan/", "quy-trinh/qt-ht-01/", "quy-trinh/qt-htich-01/", "quy-trinh/qt-ncn-01/",
                  "van-ban-phap-luat/", "ho-so/khong-phu-hop/", "ho-so/danh-gia-noi-bo/", "ho-so/xem-xet-lanh-dao/"]
PUBLIC_PAGES = ["", "linh-vuc/", "cap/", "thu-tuc/qt-htich-01/", "thu-tuc/qt-ncn-01/", "thu-tuc/qt-ct-01/"]

# Every piece of a word that may not be cut: a line may break at spaces, and after "-" or "/".
WORDS_OVER_TWO_LINES = """() => {
  const bad = [];
  for (const cell of document.querySelectorAll("article td, article th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const pieces = /[^\\s\\-\\/]+[\\-\\/]?/gu;
      for (let m = pieces.exec(node.data); m; m = pieces.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                                .map(r => Math.round(r.bottom)));
        if (lines.size > 1) bad.push(m[0]);
      }
    }
  }
  return bad;
}"""


def _build(site: Path, *extra: str) -> None:
    result = run_eiso("build", "-d", str(site), *extra, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading")
    _build(root / "site")
    _build(root / "site-public", "--public")
    servers = {"intranet": StaticServer(root / "site"), "public": StaticServer(root / "site-public")}
    yield {name: server.url for name, server in servers.items()}
    for server in servers.values():
        server.close()


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


@pytest.mark.parametrize("name,paths", [("intranet", INTRANET_PAGES), ("public", PUBLIC_PAGES)])
def test_phone_never_splits_a_word_nor_scrolls_sideways_and_no_csp_violation(browser, sites, name, paths):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    violations = _watch_csp(page)
    problems = {}
    for path in paths:
        page.goto(sites[name] + path)
        page.wait_for_load_state("load")
        split = page.evaluate(WORDS_OVER_TWO_LINES)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if split or overflow > 0:
            problems[path] = (overflow, split[:8])
    context.close()
    assert problems == {}, problems
    assert violations == []


def _pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("cần pdftotext (gói poppler-utils; make browser cài cùng Chromium)")
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_every_printed_page_of_a_procedure_identifies_the_copy(browser, sites, tmp_path):
    doc = next(d for d in load_corpus(REPO).documents if d.meta.code == "QT-HT-01")
    page = browser.new_page()
    page.goto(sites["intranet"] + "quy-trinh/qt-ht-01/")
    pdf = page.pdf(format="A4")
    page.close()
    pages = _pdf_pages(pdf, tmp_path)
    assert len(pages) >= 2  # the point is the pages after the first
    effective = doc.meta.effective.strftime("%d/%m/%Y")
    for number, text in enumerate(pages, start=1):
        assert f"QT-HT-01 · Lần ban hành {doc.meta.revision} · Hiệu lực từ {effective}" in text, number
        assert "Đang hiệu lực" in text
        assert f"Trang {number}/{len(pages)}" in text
        assert "Bản in có giá trị tham khảo tại ngày in — bản hiện hành tại" in text
        assert re.search(r"In ngày \d\d/\d\d/\d{4}", text)
        assert "quy-trinh/qt-ht-01/" in text


def test_a_typical_citizen_checklist_prints_on_one_page_without_dangling_labels(browser, sites, tmp_path):
    # The demo's public procedure with the most documents to bring, within the 8 promised.
    public = [d for d in load_corpus(REPO).documents if d.meta.audience.value == "public" and d.meta.tthc]
    typical = max((d for d in public if len(d.meta.tthc.dossier) <= 8), key=lambda d: len(d.meta.tthc.dossier))
    assert len(typical.meta.tthc.dossier) >= 6
    page = browser.new_page()
    page.goto(sites["public"] + f"thu-tuc/{typical.slug}/")
    pdf = page.pdf(format="A4")
    page.close()
    pages = _pdf_pages(pdf, tmp_path)
    assert len(pages) == 1, len(pages)
    lines = [line.strip() for line in pages[0].splitlines() if line.strip()]
    assert not [line for line in lines if line.endswith(":")]
    assert "Thông tin thêm" not in pages[0]  # its text is not printed, so neither is its heading
    assert f"Thủ tục {typical.meta.tthc.national_code}" in pages[0] and "Trang 1/1" in pages[0]


PEOPLE = {"prepared_by": {"name": "Nguyễn Thị Lan", "title": "Công chức"},
          "reviewed_by": {"name": "Trần Văn Bình", "title": "Phó Chủ tịch"},
          "approved_by": {"name": "Lê Văn Cường", "title": "Chủ tịch"}}


@pytest.mark.skipif(not NATIONAL_CORPUS.is_file(), reason="shared corpus not available")
def test_real_national_checklists_of_up_to_8_documents_print_on_one_page(browser, tmp_path):
    """National procedures as the importer makes them, whose dossier items and fees run to many lines: a seeded
    sample of those with at most 8 documents to bring, and 2.001895 (four items of five to eight lines each)."""
    records = [json.loads(line) for line in NATIONAL_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    typical = [r for r in records if 1 <= len(r.get("dossier") or []) <= 8]
    sample = random.Random(13).sample(typical, 10) + [r for r in records if r["code"] == "2.001895"]
    repo = make_repo(tmp_path / "repo")
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    slugs = []
    for record in sample:
        draft = build_document(record)
        assert draft is not None
        meta = {**draft.meta, "status": "effective", "effective": "2025-01-15", **PEOPLE}
        write_doc(repo, f"{draft.folder}/{draft.filename}", meta, draft.body)
        slugs.append(Path(draft.filename).stem)
    result = run_eiso("build", "--public", "-d", "site-public", cwd=repo, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    server = StaticServer(repo / "site-public")
    page = browser.new_page()
    printed = {}
    try:
        for slug in slugs:
            page.goto(server.url + f"thu-tuc/{slug}/")
            printed[slug] = len(_pdf_pages(page.pdf(format="A4"), tmp_path))
    finally:
        page.close()
        server.close()
    assert {slug: count for slug, count in printed.items() if count != 1} == {}


def _search(page, query: str) -> tuple[str, list[str]]:
    page.click(".md-search__input")
    page.fill(".md-search__input", "")
    page.type(".md-search__input", query, delay=5)
    page.wait_for_function("() => /\\d|Không/.test(document.querySelector('.md-search-result__meta').textContent)",
                           timeout=15000)
    page.wait_for_timeout(700)  # the body shard arrives and results are redrawn
    meta = page.inner_text(".md-search-result__meta")
    titles = page.eval_on_selector_all(".md-search-result__item > .md-search-result__link h1",
                                       "els => els.map(e => e.textContent)")
    return meta, titles


def _words(text: str) -> set[str]:
    """Words and codes (``1.001193``, ``qt-ht-01``) of a text, folded."""
    folded = fold(text)
    return set(re.findall(r"\w+", folded)) | set(re.findall(r"\w+(?:[./-]\w+)+", folded))


def _holders(query: str) -> set[str]:
    """Effective documents whose front matter or body holds every word of ``query``, the last one
    as a word prefix (it is being typed): the relevant set."""
    *words, last = fold(query).split()
    found = set()
    for doc in load_corpus(REPO).documents:
        if doc.meta.status is not Status.effective:
            continue
        text = _words(doc.meta.model_dump_json() + " " + doc.body)
        if all(w in text for w in words) and any(t.startswith(last) for t in text):
            found.add(doc.meta.title)
    return found


def _pages_holding(query: str) -> int:
    """Hand-written pages (docs/) holding every word of ``query``, the last as a prefix."""
    *words, last = fold(query).split()
    count = 0
    for path in (REPO / "docs").rglob("*.md"):
        text = _words(path.read_text(encoding="utf-8"))
        count += all(w in text for w in words) and any(t.startswith(last) for t in text)
    return count


def test_search_results_hold_every_word_and_codes_find_their_document(browser, sites):
    page = browser.new_page()
    page.goto(sites["intranet"])
    assert page.inner_text(".md-source__repository").strip() == "GitLab"
    assert page.eval_on_selector(".md-top", "e => e.textContent").strip() == "Trở lại đầu trang"
    messages = []
    for query, first in [("ket hon", "Đăng ký kết hôn"), ("ly hon", None), ("1.001193", "Đăng ký khai sinh")]:
        meta, titles = _search(page, query)
        relevant = _holders(query)
        count = int(re.search(r"\d+", meta).group()) if re.search(r"\d+", meta) else 0
        pages = _pages_holding(query)
        assert len(titles) == min(count, 10), (query, meta)  # Material draws ten, more on scrolling
        assert count <= len(relevant) + pages, (query, meta, relevant)
        assert len(set(titles) - relevant) <= pages, (query, set(titles) - relevant)
        if first:
            assert titles[0] == first, (query, titles[:3])
        messages.append(page.inner_text(".md-search-result"))
    meta, titles = _search(page, "ket hon xyzw")
    page.close()
    assert meta.startswith("Không có kết quả chứa đủ các từ; kết quả gần đúng:"), meta
    assert titles
    assert not any("Thiếu từ" in m or "Không:" in m for m in messages)


def test_live_preview_reloads_an_edited_procedure_under_the_csp(browser, tmp_path):
    import time

    from factory import make_repo
    from serving import LivePreview, free_port

    repo = make_repo(tmp_path / "repo")
    server = LivePreview(repo, free_port())
    url = server.base + "quy-trinh/qt-ht-01/"
    page = browser.new_page()
    try:
        server.wait_for("quy-trinh/qt-ht-01/", "</html>")
        violations = _watch_csp(page)
        logs: list[str] = []
        page.on("console", lambda m: logs.append(m.text))
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        assert "Enabled live reload" in logs, logs  # MkDocs' reload script ran: the policy let it
        page.evaluate("window.eisoBeforeEdit = true")
        source = repo / "procedures" / "tthc" / "khai-sinh.md"
        source.write_text(source.read_text(encoding="utf-8") + "\nĐoạn thêm khi xem trước.\n", encoding="utf-8")
        page.wait_for_function("() => !window.eisoBeforeEdit && document.body.innerText.includes('Đoạn thêm khi xem trước')",
                               timeout=90000)
        assert violations == []
        # The page is shown before its search index is made again: the reloaded page searches meanwhile (the
        # previous index and its files are kept), and a page opened a moment later finds the new words.
        meta, titles = _search(page, "khai sinh")
        assert titles and "Không" not in meta, meta
        source.write_text(source.read_text(encoding="utf-8") + "\nTừ khóa xemtruocmoi.\n", encoding="utf-8")
        deadline = time.monotonic() + 60
        while True:
            page.goto(url)
            page.wait_for_load_state("load")
            if "xemtruocmoi" in page.inner_text("article"):
                meta, titles = _search(page, "xemtruocmoi")
                if titles:
                    break
            assert time.monotonic() < deadline, meta
            page.wait_for_timeout(1000)
        assert titles[0].startswith("QT-HT-01") or "khai sinh" in titles[0].lower(), titles
        assert violations == []
    finally:
        page.close()
        server.stop()


def test_master_list_fits_a_1366px_screen_with_kind_names_on_two_lines_at_most(browser, sites):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(sites["intranet"] + "danh-muc/")
    table = page.evaluate("""() => { const t = document.querySelector('table.eiso-table')
        return {right: t.getBoundingClientRect().right, width: window.innerWidth,
                scroll: t.parentElement.scrollWidth - t.parentElement.clientWidth} }""")
    lines = page.evaluate("""() => Array.from(document.querySelectorAll('td.eiso-kind')).map(td => {
        const range = document.createRange(); range.selectNodeContents(td)
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.bottom))).size })""")
    headers = page.eval_on_selector_all("table.eiso-table thead th", "ths => ths.map(th => th.textContent)")
    page.close()
    assert table["right"] <= table["width"] and table["scroll"] <= 0, table
    assert lines and max(lines) <= 2, lines
    assert headers[:2] == ["Mã hiệu", "Tên tài liệu"] and "MR" not in headers
