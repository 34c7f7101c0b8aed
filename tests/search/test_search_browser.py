"""The search in a real MkDocs + Material site, driven in headless Chromium.

The site is built by ``mkdocs build`` in a temporary folder with Material's search
plugin, our ``overrides/partials/search.html`` and a tiny test-local MkDocs hook that
does what the eiso plugin does: collect each page as a ``SearchEntry``, write
``build_search_files`` into the site after Material's search plugin, and add the
portal's Content-Security-Policy (``eiso.sites.csp``) to each page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import StaticServer
from factory import REPO

ROOT = REPO

pytestmark = pytest.mark.browser

HOOK = '''
import html
import os
import re

from mkdocs.plugins import event_priority

from eiso.sites.csp import add_csp_meta
from eiso.search import SearchEntry, build_search_files

ENTRIES = {}
TAGS = re.compile(r"<[^>]+>")


def on_page_content(html_text, page, config, files):
    text = " ".join(html.unescape(TAGS.sub(" ", html_text)).split())
    labels = page.meta.get("labels") or {}
    ENTRIES[page.url] = SearchEntry(
        location=page.url,
        title=page.title,
        text=text,
        codes=tuple(page.meta.get("codes") or ()),
        meta=tuple((str(k), str(v)) for k, v in labels.items()),
    )
    return html_text


@event_priority(-100)  # the portal's Content-Security-Policy: our inline script must pass it
def on_post_page(output, page, config):
    return add_csp_meta(output)


@event_priority(-100)  # after Material's search plugin has written its search_index.json
def on_post_build(config):
    # small term shards, so that a query fetching only its own is visible on a small site
    for rel, data in build_search_files(list(ENTRIES.values()), lang="vi", shard_bytes=400).items():
        path = os.path.join(config.site_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
'''

PAGES = {
    "index.md": "# Trang chủ\n\nCổng thông tin thủ tục hành chính của xã.\n",
    "quy-trinh/dang-ky-khai-sinh.md": """---
codes: [QT-HT-01, "1.001193", BM-HT-01-01, 123/2015/NĐ-CP]
labels: {Mã: QT-HT-01, Cấp: Cấp xã, Thời hạn: 1 ngày làm việc}
---
# Đăng ký khai sinh

Người đi đăng ký khai sinh nộp Tờ khai đăng ký khai sinh và Giấy chứng sinh.
Trường hợp cha, mẹ chưa đăng ký kết hôn thì ghi theo thỏa thuận.
Căn cứ Nghị định số 123/2015/NĐ-CP.
""",
    "quy-trinh/dang-ky-ket-hon.md": """---
codes: [QT-HT-02, "1.000894", 52/2014/QH13]
labels: {Mã: QT-HT-02, Cấp: Cấp xã, Thời hạn: 3 ngày làm việc}
---
# Đăng ký kết hôn

Hai bên nam, nữ nộp Tờ khai đăng ký kết hôn và xuất trình giấy tờ tùy thân.
""",
    "quy-trinh/ket-hon-nuoc-ngoai.md": """---
codes: [QT-HT-03, "2.000806"]
labels: {Mã: QT-HT-03, Cấp: Cấp tỉnh, Thời hạn: 15 ngày}
---
# Đăng ký kết hôn có yếu tố nước ngoài

Kết hôn giữa công dân Việt Nam với người nước ngoài. Hồ sơ đăng ký kết hôn gồm tờ khai
đăng ký kết hôn, giấy xác nhận tình trạng hôn nhân. Việc kết hôn được thực hiện tại
Ủy ban nhân dân cấp tỉnh. Kết hôn, kết hôn, kết hôn.
""",
    "quy-trinh/giay-phep-xay-dung.md": """---
codes: [QT-XD-01, "1.009994", 15/2021/NĐ-CP]
labels: {Mã: QT-XD-01, Cấp: Cấp huyện, Thời hạn: 20 ngày}
---
# Cấp giấy phép xây dựng

Cấp giấy phép xây dựng nhà ở riêng lẻ.
""",
    "quy-trinh/sua-chua-cong-trinh.md": """---
codes: [QT-XD-02]
---
# Cấp giấy phép sửa chữa, cải tạo công trình xây dựng

Giấy phép sửa chữa, cải tạo công trình xây dựng.
""",
    "quy-trinh/giay-phep-lai-xe.md": """---
codes: [QT-GT-01]
---
# Cấp giấy phép lái xe

Đổi, cấp lại giấy phép lái xe.
""",
    "quy-trinh/chung-thuc-ban-sao.md": """---
codes: [QT-CT-01, "2.000815", 23/2015/NĐ-CP]
labels: {Mã: QT-CT-01, Cấp: Cấp xã, Thời hạn: Trong ngày}
---
# Chứng thực bản sao từ bản chính

Chứng thực bản sao từ bản chính giấy tờ, văn bản.
""",
    "quy-trinh/thu-nghiem.md": """---
title: 'Thủ tục <img src=x onerror="window.__pwned=1"> thử nghiệm'
codes: [QT-TN-01]
labels: {Mã: '<b onmouseover="window.__pwned=2">QT-TN-01</b>'}
---
Nội dung thử nghiệm.
""",
}


def _build_site(root: Path) -> Path:
    docs = root / "docs"
    for rel, text in PAGES.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    partials = root / "overrides" / "partials"
    partials.mkdir(parents=True)
    shutil.copy(ROOT / "overrides" / "partials" / "search.html", partials / "search.html")
    shutil.copy(ROOT / "overrides" / "partials" / "eiso-search-start.html", partials / "eiso-search-start.html")
    (root / "eiso_search_hook.py").write_text(HOOK, encoding="utf-8")
    config = {
        "site_name": "Thử nghiệm tìm kiếm",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "language": "vi", "custom_dir": "overrides", "font": False,
                  "features": ["search.highlight"]},
        "plugins": ["search"],
        "hooks": ["eiso_search_hook.py"],
        # as in the portal: procedures are reached from lists, not from the sidebar (and
        # MkDocs' navigation would print the untrusted test title unescaped)
        "nav": ["index.md"],
        "not_in_nav": "/quy-trinh/",
        "extra": {"eiso_search": True},
    }
    (root / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"], cwd=root,
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return root / "site"


class _Handler(SimpleHTTPRequestHandler):
    def copyfile(self, source, outputfile):
        self.server.requests.append(unquote(urlsplit(self.path).path))
        super().copyfile(source, outputfile)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    root = _build_site(tmp_path_factory.mktemp("search-site"))
    served = StaticServer(root, _Handler)
    served.httpd.requests = []
    yield {"root": root, "url": served.url, "server": served.httpd}
    served.close()


@pytest.fixture
def page(browser, site):  # browser: tests/conftest.py (Debian's Chromium; skipped without it)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.errors = errors
    yield page
    context.close()


FIRST_TITLE = """() => {
  const item = document.querySelector('.md-search-result__list .md-search-result__item')
  if (!item) return null
  const heading = item.querySelector('h1, h2')
  const link = item.querySelector('a.md-search-result__link')
  return {title: heading ? heading.textContent.trim() : '', href: link ? link.href : ''}
}"""


def search(page, site, query: str, expected: str | None = None, timeout: float = 10.0) -> dict:
    """Type a query in Material's search box; wait until the first result is stable."""
    page.goto(site["url"])
    box = page.locator(".md-search__input")
    box.click()
    box.press_sequentially(query, delay=15)
    box.press("End")  # a keyup after the last character, whatever it is
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        first = page.evaluate(FIRST_TITLE)
        if first and (expected is None or first["title"] == expected):
            time.sleep(0.3)  # results of earlier keystrokes may still be on their way
            again = page.evaluate(FIRST_TITLE)
            if again == first:
                return first
        last = first
        time.sleep(0.05)
    titles = page.evaluate("() => [...document.querySelectorAll('.md-search-result__item h1')].map(h => h.textContent)")
    raise AssertionError(f"{query!r}: first result {last}, expected {expected!r}; results: {titles}")


@pytest.mark.parametrize("query,title,location", [
    ("ket hon", "Đăng ký kết hôn", "quy-trinh/dang-ky-ket-hon/"),
    ("kết hôn", "Đăng ký kết hôn", "quy-trinh/dang-ky-ket-hon/"),
    ("giay phep xay dung", "Cấp giấy phép xây dựng", "quy-trinh/giay-phep-xay-dung/"),
    ("giấy phép xây dựng", "Cấp giấy phép xây dựng", "quy-trinh/giay-phep-xay-dung/"),
    ("1.001193", "Đăng ký khai sinh", "quy-trinh/dang-ky-khai-sinh/"),
    ("123/2015/NĐ-CP", "Đăng ký khai sinh", "quy-trinh/dang-ky-khai-sinh/"),
    ("QT-HT-02", "Đăng ký kết hôn", "quy-trinh/dang-ky-ket-hon/"),
    ("BM-HT-01-01", "Đăng ký khai sinh", "quy-trinh/dang-ky-khai-sinh/"),
    ("chung thuc ban sao", "Chứng thực bản sao từ bản chính", "quy-trinh/chung-thuc-ban-sao/"),
    ("dang ky ket hon co yeu to nuoc ngoai", "Đăng ký kết hôn có yếu tố nước ngoài", "quy-trinh/ket-hon-nuoc-ngoai/"),
])
def test_first_result(page, site, query, title, location):
    first = search(page, site, query, title)
    assert first["href"].split("?")[0] == site["url"] + location
    assert not page.errors


def test_result_shows_code_level_time_and_highlights(page, site):
    search(page, site, "ket hon", "Đăng ký kết hôn")
    item = page.locator(".md-search-result__item").first
    assert item.locator(".md-tag").all_text_contents() == ["Mã: QT-HT-02", "Cấp xã", "Thời hạn: 3 ngày làm việc"]
    assert item.locator("h1 mark").all_text_contents() == ["kết", "hôn"]


def test_body_text_is_searched_too(page, site):
    first = search(page, site, "giấy chứng sinh", "Đăng ký khai sinh")
    assert first["href"].startswith(site["url"] + "quy-trinh/dang-ky-khai-sinh/")


def test_untrusted_titles_and_labels_are_shown_as_text(page, site):
    page.add_init_script("window.__pwned = null")
    search(page, site, "thu nghiem", 'Thủ tục <img src=x onerror="window.__pwned=1"> thử nghiệm')
    results = page.locator(".md-search-result")
    assert results.locator("img").count() == 0
    assert results.locator(".md-tag b").count() == 0
    assert page.locator(".md-search-result__item .md-tag").first.text_content() == \
        'Mã: <b onmouseover="window.__pwned=2">QT-TN-01</b>'
    assert page.evaluate("window.__pwned") is None


def test_enter_opens_the_best_result(page, site):
    search(page, site, "ket hon", "Đăng ký kết hôn")
    page.locator(".md-search__input").press("Enter")
    page.wait_for_url("**/quy-trinh/dang-ky-ket-hon/**")
    # Material's search.highlight carries the matched words to the page
    assert "h=" in page.url


def test_keyboard_shortcut_opens_search(page, site):
    page.goto(site["url"])
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")


def test_pages_carry_the_portal_policy(site):
    html = (site["root"] / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in html and "eiso-search-worker.js" in html


def worker_events(page) -> list:
    """The worker's own log ([name, time] pairs: "fetch <file>", "result", ...), read once it has loaded
    the whole index (the e-ISO message "eiso:complete")."""
    return page.evaluate("""() => new Promise(resolve => {
        const worker = window.eisoSearchWorker
        worker.addEventListener('message', e => { if (e.data.type === 'eiso:complete') resolve(e.data.data.events) })
        worker.postMessage({type: 'eiso:complete'})
    })""")


def test_prebuilt_index_replaces_materials_worker(page, site):
    server = site["server"]
    server.requests.clear()
    search(page, site, "ket hon", "Đăng ký kết hôn")
    requested = list(server.requests)
    assert any(p.endswith("/search/eiso-search-worker.js") for p in requested)
    assert any("/search/eiso-docs." in p and p.endswith(".json.gz") for p in requested)
    # the first answer waited for the term shards holding its words, not the whole index
    # (the worker's own log: files fetched before its first result; the rest loads after)
    events = worker_events(page)
    names = [name for name, _ in events]
    first_fetch = next(i for i, n in enumerate(names) if n.startswith("fetch eiso-titles-"))
    before = names[:names.index("result", first_fetch)]
    shards = {n.split(" ", 1)[1] for n in before if n.startswith("fetch eiso-titles-") or n.startswith("fetch eiso-bodies-")}
    written = {p.name for p in (site["root"] / "search").glob("eiso-*-*.json")}
    assert shards and shards < written, (sorted(shards), len(written))
    assert {n.split(" ", 1)[1] for n in names if n.startswith("got eiso-")} > shards  # then everything
    assert not any("/assets/javascripts/workers/search." in p for p in requested)
    assert not any("/assets/javascripts/lunr/" in p for p in requested)
    index = json.loads((site["root"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"] == []  # nothing for the browser to index


def test_a_visit_without_a_search_never_loads_page_bodies(page, site):
    page.goto(site["url"])
    page.wait_for_timeout(1500)  # Material has started and sent its empty query; warming would have begun
    events = worker_events(page)
    names = [name for name, _ in events]
    asked = names.index("message:eiso:complete")
    fetched = [n.split(" ", 1)[1] for n in names[:asked] if n.startswith("fetch ")]
    assert fetched[0].startswith("eiso-docs.") and len(fetched) > 1
    assert all(name.startswith("eiso-titles-") for name in fetched[1:]), fetched  # no bodies, no excerpts
    assert any(n.startswith("fetch eiso-bodies-") for n in names[asked:])  # the test's request loads the rest


def test_a_deep_link_query_loads_its_shards_before_material_asks(page, site):
    """``?q=``: the start script in <head> names the query in the worker's URL, so its shards load with the
    docs file while Material's bundle starts; Material's own query is then answered with what they hold."""
    page.goto(site["url"] + "?q=" + "gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh")  # body words: bodies shards needed
    page.wait_for_function("() => document.querySelector('.md-search-result__item h1')", timeout=10_000)
    assert page.evaluate(FIRST_TITLE)["title"] == "Đăng ký khai sinh"
    names = [name for name, _ in worker_events(page)]
    first_body = next(i for i, n in enumerate(names) if n.startswith("fetch eiso-bodies-"))
    assert names.index("prefetch") < first_body
    fetched = [n for n in names if n.startswith("fetch ")]
    assert len(fetched) == len(set(fetched))  # the query did not fetch again what the prefetch fetched
    assert not page.errors

