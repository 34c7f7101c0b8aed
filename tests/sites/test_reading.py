"""Reading without a browser (issue 13): printed-page strings, words, anchors, table of contents, CLI help."""

from __future__ import annotations

import re

import pytest
from conftest import build_site, run_eiso, soup
from factory import system_meta, write_doc

from eiso.cli import main
from eiso.cli.vietnamese import translate_error
from eiso.documents.text import heading_slug
from eiso.search.entries import plain_text
from eiso.sites.csp import add_csp_meta, refresh_csp_meta
from eiso.sites.renderer import css_string, mr_number


def _css_unescape(literal: str) -> str:
    assert literal[0] == literal[-1] == '"'
    return re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), literal[1:-1])


@pytest.mark.parametrize("text", ['QT-HT-01 · Lần 2', 'a"b', "x</style><script>alert(1)</script>", "a\\b\nc", "1 \\0041 "])
def test_css_strings_of_untrusted_text_cannot_leave_their_literal(text):
    literal = css_string(text)
    inner = literal[1:-1]
    # nothing that could end the string, the rule or the <style> element appears as itself
    assert not set(inner) & set('"\'\\<>{};\n') - {"\\"}
    assert all(m.group(0) for m in re.finditer(r"\\[0-9a-f]{6}", inner))
    assert "</" not in literal and "\n" not in literal
    assert _css_unescape(literal) == " ".join(text.split())


def test_merge_requests_are_named_by_their_number():
    assert mr_number("ubnd-xa-hoa-binh/e-iso!12") == "!12"
    assert mr_number("#7") == "#7"
    assert mr_number(None) == ""


@pytest.mark.parametrize("heading,anchor", [("1. Mục đích", "1-muc-dich"), ("Góp ý, đề xuất sửa đổi", "gop-y-de-xuat-sua-doi"),
                                            ("Đường dây nóng", "duong-day-nong")])
def test_anchors_keep_d(heading, anchor):
    assert heading_slug(heading) == anchor


def test_index_text_leaves_out_the_header_block_and_starts_with_the_body():
    page = ('<div><!--eiso:noindex--><style>@page{}</style><table><tr><th>Mã hiệu</th><td>QT-1</td>'
            '<th>Trạng thái</th><td>Đang hiệu lực</td></tr></table><!--/eiso:noindex-->'
            '<h2>Căn cứ pháp lý</h2><p>Luật Hộ tịch</p><div class="eiso-body"><!--eiso:body--><p>Thân bài.</p>'
            '<!--/eiso:body--></div><!--eiso:noindex--><h2>Theo dõi sửa đổi</h2><!--/eiso:noindex--></div>')
    assert plain_text(page) == "Thân bài. Căn cứ pháp lý Luật Hộ tịch"


def test_index_text_has_no_heading_permalinks():
    page = ('<h2 id="1-muc-dich">1. Mục đích<a class="headerlink" href="#1-muc-dich" title="Liên kết đến mục này" '
            'rel="noopener noreferrer">¶</a></h2><p>Quy định trình tự.</p><p>Ký hiệu ¶ trong văn bản.</p>')
    assert plain_text(page) == "1. Mục đích Quy định trình tự. Ký hiệu ¶ trong văn bản."  # the text's own ¶ stays


def test_the_live_reload_script_and_nothing_else_is_allowed():
    page = add_csp_meta("<html><head></head><body><article>x</article></body></html>")
    served = page.replace("</body>", "<script>livereload(1, 2);</script></body>")
    policy = re.search(r'content="([^"]*)"', refresh_csp_meta(served)).group(1)
    assert served.count("Content-Security-Policy") == 1 and refresh_csp_meta(served).count("Content-Security-Policy") == 1
    assert len(re.findall(r"'sha256-", policy)) == 1
    injected_in_article = page.replace("x</article>", "<script>evil()</script></article>")
    assert "sha256" not in refresh_csp_meta(injected_in_article)


def test_vietnamese_command_line_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("Cách dùng: eiso") and "tùy chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    for english in ("usage:", "options:", "show this help message", "positional arguments"):
        assert english not in out
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    out = capsys.readouterr().out
    assert "tham số:" in out and "positional" not in out
    with pytest.raises(SystemExit) as done:
        main(["check", "--format", "pdf"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "eiso check: lỗi: tham số --format: giá trị không hợp lệ: 'pdf'" in err and "usage" not in err


def test_argparse_errors_are_translated():
    assert translate_error("the following arguments are required: --kind, TÊN") == "thiếu tham số bắt buộc: --kind, TÊN"
    assert translate_error("argument --limit: invalid int value: 'x'") == "tham số --limit: giá trị 'x' không hợp lệ (cần kiểu int)"
    assert translate_error("unrecognized arguments: --zz") == "tham số không nhận ra: --zz"


def test_review_report_says_overdue_once(repo):
    write_doc(repo, "he-thong/cu.md", system_meta("QT-NB-02", effective="2024-01-01"))
    result = run_eiso("report", "review-due", "--today", "2026-03-01", cwd=repo)
    line = next(line for line in result.stdout.splitlines() if line.startswith("QT-NB-02"))
    assert "Quá hạn" in line and "quá hạn" not in line


def test_document_page_prints_its_identity_and_lists_generated_sections(repo):
    write_doc(repo, "he-thong/huy.md", system_meta("QT-NB-09", status="withdrawn", title="Tài liệu đã hủy"))
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    style = page.select_one(".eiso-doc style").string
    top_left = re.search(r"@top-left \{ content: (\"[^\"]*\")", style).group(1)
    assert _css_unescape(top_left) == "QT-HT-01 · Lần ban hành 2 · Hiệu lực từ 01/03/2025"
    assert _css_unescape(re.search(r"@top-right \{ content: (\"[^\"]*\")", style).group(1)) == "Đang hiệu lực"
    # the table of contents: generated sections, the body's headings under "Nội dung", anchors with d
    toc = [(a["href"], a.get_text(strip=True)) for a in page.select(".md-sidebar--secondary a.md-nav__link")]
    hrefs = [h for h, _ in toc]
    for anchor in ("#can-cu-phap-ly", "#thanh-phan-ho-so", "#bieu-mau", "#noi-dung", "#1-muc-dich", "#theo-doi-sua-doi"):
        assert anchor in hrefs, (anchor, hrefs)
    assert hrefs.index("#noi-dung") < hrefs.index("#1-muc-dich") < hrefs.index("#theo-doi-sua-doi")
    assert page.find("h2", id="1-muc-dich") is not None
    withdrawn = soup(site / "quy-trinh" / "qt-nb-09" / "index.html").select_one(".eiso-doc style").string
    assert _css_unescape(re.search(r"@top-right \{ content: (\"[^\"]*\")", withdrawn).group(1)) == "HẾT HIỆU LỰC"
    # the theme speaks Vietnamese, and no outside call for repository statistics or fonts
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Đang chuẩn bị tìm kiếm" in home and "Initializing" not in home
    assert 'data-md-component="source"' not in home
    assert "fonts.googleapis.com" not in home


def test_the_policy_allows_exactly_the_inline_scripts_a_plain_reading_of_the_page_finds():
    # The policy's two searches stand for one lazy pattern per element; that pattern is the oracle here.
    import re

    from eiso.sites.csp import _executable_inline_scripts

    def oracle(html: str) -> list[str]:
        articles = [(m.start(), m.end()) for m in re.finditer(r"<article\b.*?</article\s*>", html, re.I | re.S)]
        found = []
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script\s*>", html, re.I | re.S):
            kind = re.search(r"""\btype\s*=\s*["']?([^"'\s>]+)""", m.group(1), re.I)
            if "src=" in m.group(1).lower() or any(a <= m.start() < b for a, b in articles) or (
                    kind and kind.group(1).lower() in {"application/json", "application/ld+json"}):
                continue
            found.append(m.group(2))
        return found

    pages = [
        "<head><script>a()</script></head><body><article><script>no()</script></article><script>b()</script>",
        "<HEAD><SCRIPT type=module>a()</SCRIPT ></HEAD><ARTICLE class=x><script>no()</script></Article ><script>c",
        "<script src=x.js></script><script type='application/ld+json'>{}</script><script>\n</script><script>d()",
        "<article><script>one()</script><article>two</article><script>three()</script></article>",
        "<article>unclosed <script>e()</script>",
        "<scripts>not a script</scripts><script data-x='>'>f()</script><script\n>g()</script\t>",
        "",
    ]
    for html in pages:
        assert _executable_inline_scripts(html) == oracle(html), html
    assert _executable_inline_scripts(pages[0]) == ["a()", "b()"]


def test_index_text_collapses_every_kind_of_space_to_one():
    from eiso.search.entries import plain_title

    assert plain_text("<p>\u00a0Một\u2003\n\t hai</p>\u3000<p>ba\u2028</p> ") == "Một hai ba"
    assert plain_title("  Cấp\u00a0\u00a0giấy  phép\n") == "Cấp giấy phép"
