"""Build real sites and read their HTML: what a civil servant sees."""

from __future__ import annotations

import json

from conftest import build_site, soup
from factory import make_repo, system_meta, write_doc


def test_tthc_page_has_header_block_tables_and_body(repo):
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    block = page.select_one(".eiso-iso-block").get_text(" ", strip=True)
    for label, value in [("Mã hiệu", "QT-HT-01"), ("Lần ban hành", "2"), ("Ngày hiệu lực", "01/03/2025"),
                         ("Trạng thái", "Đang hiệu lực"), ("Đơn vị chủ trì", "Văn phòng - Thống kê")]:
        assert label in block and value in block
    signatures = page.select_one(".eiso-signatures").get_text(" ", strip=True)
    assert "Nguyễn Thị Lan" in signatures and "Chủ tịch UBND xã" in signatures
    dossier = page.select(".eiso-dossier tbody tr")
    assert [row.select("td")[1].get_text(strip=True) for row in dossier] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    link = dossier[0].select_one("a[download]")
    assert link["href"] == "bieu-mau/BM-HT-01-01.docx"
    assert (site / "quy-trinh" / "qt-ht-01" / "bieu-mau" / "BM-HT-01-01.docx").read_bytes() == b"PK\x03\x04 demo form"
    channels = [r.get_text(" ", strip=True) for r in page.select(".eiso-channels tbody tr")]
    assert channels[0] == "Trực tiếp 1 ngày làm việc Miễn phí"
    steps = page.select(".eiso-steps tbody tr")
    assert len(steps) == 3 and "Thẩm định, trình ký" in steps[1].get_text()
    total = page.select_one(".eiso-steps tfoot").get_text(" ", strip=True)
    assert "1 ngày làm việc" in total and "Đạt" in total  # 0.5 + 0.25 + 0.25
    assert "123/2015/NĐ-CP" in page.select_one(".eiso-legal").get_text()
    assert "Sổ đăng ký khai sinh" in page.select_one(".eiso-records").get_text()
    related = page.select_one(".eiso-related a")
    assert related["href"] == "../../quy-trinh/qt-nb-01/" and "Kiểm soát tài liệu" in related.get_text()
    assert page.select_one(".eiso-body h2").get_text(strip=True).startswith("1. Mục đích")
    assert page.select_one("html")["lang"] == "vi"


def test_change_actions_open_the_forge(repo):
    _, site = build_site(repo)
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    hrefs = [a["href"] for a in page.select(".eiso-actions a")]
    assert "https://gitlab.example.vn/xa/e-iso/-/edit/main/procedures/tthc/khai-sinh.md" in hrefs
    issue = next(h for h in hrefs if "/-/issues/new?" in h)
    assert "QT-HT-01" in issue and "%C4%90%C4%83ng" in issue  # code and the encoded title


def test_no_change_actions_without_repo_url(tmp_path):
    repo = make_repo(tmp_path / "repo", repo_url="")
    _, site = build_site(repo)
    assert soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select(".eiso-actions") == []


def test_master_list_and_documents_json(repo):
    _, site = build_site(repo)
    page = soup(site / "danh-muc" / "index.html")
    table = page.select_one("table[data-eiso-sortable]")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers[:7] == ["Mã hiệu", "Tên tài liệu", "Loại", "Lần ban hành", "Ngày hiệu lực", "Trạng thái", "Đơn vị"]
    rows = {r.select("td")[0].get_text(strip=True): r for r in table.select("tbody tr")}
    assert set(rows) == {"QT-HT-01", "QT-NB-01"}
    assert rows["QT-HT-01"].select_one("a")["href"] == "../quy-trinh/qt-ht-01/"
    records = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    by_code = {r["code"]: r for r in records}
    for key, value in {"title": "Đăng ký khai sinh", "kind": "tthc", "field": "Hộ tịch", "revision": 2,
                       "effective": "2025-03-01", "status": "effective", "url": "quy-trinh/qt-ht-01/"}.items():
        assert by_code["QT-HT-01"][key] == value
    assert by_code["QT-NB-01"]["field"] is None


def test_indexes_by_field_and_unit(repo):
    _, site = build_site(repo)
    by_field = soup(site / "linh-vuc" / "index.html")
    assert [h.get_text(strip=True) for h in by_field.select("h2")][:2] == ["Chưa phân lĩnh vực", "Hộ tịch"]
    by_unit = soup(site / "don-vi" / "index.html")
    assert "Văn phòng - Thống kê" in [h.get_text(strip=True) for h in by_unit.select("h2")]


def test_sidebar_does_not_list_documents(repo):
    for number in range(2, 12):
        write_doc(repo, f"nb/{number}.md", system_meta(code=f"QT-NB-{number:02d}", title=f"Quy trình số {number}"))
    _, site = build_site(repo)
    nav = soup(site / "quy-trinh" / "qt-nb-05" / "index.html").select_one(".md-nav--primary")
    assert "Quy trình số" not in nav.get_text() and "Danh mục tài liệu" in nav.get_text()


def test_print_stylesheet_hides_chrome(repo):
    _, site = build_site(repo)
    css = (site / "assets" / "eiso" / "eiso.css").read_text(encoding="utf-8")
    media = css[css.index("@media print"):]
    for selector in (".md-header", ".md-sidebar", ".md-footer", ".eiso-actions"):
        assert selector in media
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    assert any("assets/eiso/eiso.css" in link["href"] for link in page.select("link[rel=stylesheet]"))


def test_invalid_document_is_not_published_and_build_fails(repo):
    write_doc(repo, "bad.md", system_meta(code="QT-BAD", revision="x"))
    result, site = build_site(repo)
    assert result.returncode == 1
    assert "procedures/bad.md" in result.stderr and "revision" in result.stderr
    assert not (site / "quy-trinh" / "qt-bad").exists()
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()  # the rest still builds


def test_plain_mkdocs_build_fails_with_the_same_messages(repo):
    import subprocess
    import sys

    write_doc(repo, "bad.md", system_meta(code="QT-BAD", revision="x"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"], cwd=repo,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "procedures/bad.md:" in result.stderr and "revision: phải là số nguyên" in result.stderr
    assert "Traceback" not in result.stderr
