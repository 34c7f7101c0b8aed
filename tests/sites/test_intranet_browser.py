"""The intranet lists as a civil servant uses them: filter without accents, sort by a column."""

from __future__ import annotations

import pytest
from conftest import built_and_served
from factory import system_meta, write_doc

pytestmark = pytest.mark.browser


@pytest.fixture
def site_url(repo):
    write_doc(repo, "nb/ket-hon.md", system_meta(code="QT-NB-02", title="Tiếp nhận hồ sơ đăng ký kết hôn"))
    with built_and_served(repo) as url:
        yield url


def visible_codes(page):
    return page.eval_on_selector_all("#eiso-master tbody tr:not([hidden]) td:first-child", "cells => cells.map(c => c.textContent)")


def test_master_list_filters_without_accents(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "danh-muc/")
    assert sorted(visible_codes(page)) == ["QT-HT-01", "QT-NB-01", "QT-NB-02"]
    page.fill("input[data-eiso-filter]", "ket hon")
    assert visible_codes(page) == ["QT-NB-02"]
    page.fill("input[data-eiso-filter]", "KHAI SINH")
    assert visible_codes(page) == ["QT-HT-01"]
    page.close()


def test_master_list_sorts_by_column(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "danh-muc/")
    header = page.locator("#eiso-master thead th", has_text="Mã hiệu")
    header.click()
    assert visible_codes(page) == ["QT-HT-01", "QT-NB-01", "QT-NB-02"]
    header.click()
    assert visible_codes(page) == ["QT-NB-02", "QT-NB-01", "QT-HT-01"]
    assert header.get_attribute("aria-sort") == "descending"
    page.close()


def test_review_states_follow_today(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "xem-xet-dinh-ky/")
    # Effective 2025-01-15 and 2025-03-01 with 12-month reviews: both are past due by now (2026 or later).
    states = page.eval_on_selector_all("tr[data-due] .eiso-review-state", "cells => cells.map(c => c.textContent)")
    assert states and all(state.startswith("Quá hạn") for state in states)
    page.close()
