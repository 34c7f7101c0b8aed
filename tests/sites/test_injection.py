"""Procedure files are untrusted: no Jinja, no script, whatever their front matter asks."""

from __future__ import annotations

from conftest import build_site, run_eiso, soup
from factory import system_meta, write_doc

PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}"


def test_template_injection_is_shown_literally(repo):
    body = f"## Nội dung\n\nThử: {PAYLOAD}\n\n{{% for x in range(3) %}}lặp{{% endfor %}}\n"
    write_doc(repo, "evil.md", system_meta(code="QT-EVIL", title=f"Tiêu đề {PAYLOAD}", render_macros=True), body)
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    assert not (repo / "PWNED").exists() and not (site / "PWNED").exists()
    page = soup(site / "quy-trinh" / "qt-evil" / "index.html")
    text = page.select_one(".eiso-body").get_text()
    assert PAYLOAD in text and "{% for x in range(3) %}" in text
    assert PAYLOAD in page.select_one("h1").get_text()


def test_macros_still_work_on_hand_written_pages(repo):
    _, site = build_site(repo)
    assert "Số trang: 2" in soup(site / "index.html").get_text()


def test_script_and_handlers_never_reach_the_page(repo):
    body = ("## 1\n\n<script>alert('x')</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n"
            "[bấm vào](javascript:alert(1))\n\n<a href=\"JaVaScRiPt:alert(2)\">b</a>\n\n"
            "<iframe src=\"https://evil.example\"></iframe>\n\n<p onclick=\"alert(3)\">đoạn</p>\n")
    title = "<script>alert('t')</script>Quy trình"
    write_doc(repo, "xss.md", system_meta(code="QT-XSS", title=title,
                                          approved_by={"name": "<img src=x onerror=alert(4)>", "title": "x"}), body)
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    html = (site / "quy-trinh" / "qt-xss" / "index.html").read_text(encoding="utf-8")
    page = soup(site / "quy-trinh" / "qt-xss" / "index.html")
    content = page.select_one(".eiso-doc")
    assert content.select("script, iframe") == []
    for tag in content.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs), tag
        for attr in ("href", "src"):
            assert not tag.get(attr, "").lower().strip().startswith("javascript:"), tag
    assert "<script>alert('t')</script>Quy trình" in page.select_one("h1").get_text()  # shown as text
    assert "alert('x')" not in html
    # Removed from the page, and reported by eiso check with its lines.
    check = run_eiso("check", "--format", "json", cwd=repo)
    import json

    reported = [f for f in json.loads(check.stdout) if f["path"] == "procedures/xss.md" and f["rule"] == "unsafe-html"]
    assert check.returncode == 1 and len(reported) >= 4  # script, onerror, javascript:, iframe, onclick
