"""The nonconformity register as the ISO secretary uses it: facets combine with the text filter."""

from __future__ import annotations

import pytest
from conftest import built_and_served
from records_factory import nc, write_record

pytestmark = pytest.mark.browser


@pytest.fixture
def site_url(repo):
    write_record(repo, "a.md", nc("NC-2026-01", title="Sổ theo dõi thiếu ngày trả"))
    write_record(repo, "b.md", nc("NC-2026-02", grade="observation", source="complaint", title="Phản ánh chậm trả"))
    write_record(repo, "c.md", nc("NC-2026-03", grade="observation", clause="8.7", title="Sổ chứng thực"))
    with built_and_served(repo) as url:
        yield url


def visible(page):
    return page.eval_on_selector_all("#eiso-nc tbody tr:not([hidden]) td:first-child", "cells => cells.map(c => c.textContent)")


def test_register_facets_and_text_filter(browser, site_url):
    page = browser.new_page()
    page.goto(site_url + "ho-so/khong-phu-hop/")
    assert sorted(visible(page)) == ["NC-2026-01", "NC-2026-02", "NC-2026-03"]
    page.select_option("select[data-eiso-facet=grade]", "observation")
    assert sorted(visible(page)) == ["NC-2026-02", "NC-2026-03"]
    page.select_option("select[data-eiso-facet=clause]", "8.7")
    assert visible(page) == ["NC-2026-03"]
    page.select_option("select[data-eiso-facet=clause]", "")
    page.fill("input[data-eiso-filter=eiso-nc]", "phan anh")
    assert visible(page) == ["NC-2026-02"]
    page.select_option("select[data-eiso-facet=source]", "internal_audit")
    assert visible(page) == []
    page.close()
