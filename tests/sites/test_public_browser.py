"""The public portal as a citizen meets it: in Chromium, on a phone, on paper, with a screen reader's eyes."""

from __future__ import annotations

import pytest
from test_public import canary_repo

from conftest import built_and_served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def public_url(tmp_path_factory):
    repo = canary_repo(tmp_path_factory.mktemp("public-browser") / "repo")
    with built_and_served(repo, "--public", site="site-public") as url:
        yield url


@pytest.mark.parametrize("path", ["", "linh-vuc/", "thu-tuc/qt-tthc-01/"])
def test_no_serious_accessibility_violation(browser, public_url, path):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(public_url + path)
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []


def test_usable_on_a_360px_phone(browser, public_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(public_url + "thu-tuc/qt-tthc-01/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    dossier_width = page.evaluate("document.querySelector('.eiso-dossier').getBoundingClientRect().right")
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.eiso-dossier td')).fontSize)")
    context.close()
    assert overflow <= 0, f"trang rộng hơn màn hình {overflow}px"
    assert dossier_width <= 360
    assert font >= 10


def test_checklist_prints_on_one_a4_page(browser, public_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(public_url + "thu-tuc/qt-tthc-01/")
    page.emulate_media(media="print")
    hidden = page.evaluate("getComputedStyle(document.querySelector('.md-header')).display")
    visible = page.evaluate("getComputedStyle(document.querySelector('.eiso-checklist')).display")
    pdf = page.pdf(format="A4", print_background=True)
    context.close()
    assert hidden == "none" and visible != "none"
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages == 1, f"{pages} trang A4"
