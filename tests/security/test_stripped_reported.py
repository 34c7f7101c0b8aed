"""eiso check reports what the sanitiser strips, from the rendered body; nothing inside code."""

from __future__ import annotations

import json

from conftest import build_site, run_eiso, soup
from factory import system_meta, write_doc

STRIPPED = [  # (body line, what the finding names)
    ("[bấm](&#106;avascript:alert(1))", "javascript:"),
    ("[bấm](&#x6A;&#x41;VASCRIPT&#58;alert(2))", "javascript:"),
    ("[bấm](java&#x09;script:alert(3))", "javascript:"),
    ('<a href="java&#x0A;script:alert(4)">b</a>', "javascript:"),
    ('<a href=" &#x20;javascript:alert(5)">c</a>', "javascript:"),
    ("Đoạn văn có sự kiện\n{onclick=alert(6)}", "onclick"),
    ("## Mục có sự kiện {: onmouseover=\"alert(7)\" }", "onmouseover"),
    ("[liên kết](https://example.vn){ OnFocus='alert(8)' }", "onfocus"),
    ("[tham chiếu][r]\n\n[r]: vbscript:msgbox(9)", "vbscript:"),
    ("![ảnh](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
]
IN_CODE = [
    "```html\n<script>alert('rào')</script>\n```",
    "~~~\n<iframe src=x></iframe>\n~~~",
    "Đoạn văn.\n\n    <script>alert('thụt lề')</script>",
    "`<img src=x onerror=alert(1)>` trong mã",
    "- mục\n\n    ```\n    [x](javascript:alert(1))\n    ```",
    "````\n```\n<script>lồng</script>\n```\n````",
]


def _body(parts: list[str]) -> str:
    return "## Nội dung\n\n" + "\n\n".join(parts) + "\n"


def test_stripped_spellings_are_reported_on_their_lines(repo):
    body = _body([part for part, _ in STRIPPED])
    path = write_doc(repo, "x.md", system_meta(code="QT-STRIP"), body)
    lines = path.read_text(encoding="utf-8").split("\n")
    check = run_eiso("check", "--format", "json", cwd=repo)
    found = [f for f in json.loads(check.stdout) if f["rule"] == "unsafe-html"]
    for part, name in STRIPPED:
        last = part.split("\n")[-1]
        line = next(i for i, text in enumerate(lines, 1) if text == last)
        assert any(f["line"] == line and name in f["message"].lower() for f in found), (part, found)
    assert all(f["path"] == "procedures/x.md" and f["severity"] == "warning" for f in found)
    # And they are indeed stripped from the page.
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    content = soup(site / "quy-trinh" / "qt-strip" / "index.html").select_one(".eiso-body")
    for tag in content.find_all(True):
        assert not any(attr.lower().startswith("on") for attr in tag.attrs), tag
        for attr in ("href", "src"):
            value = "".join(ch for ch in tag.get(attr, "") if ord(ch) > 0x20).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), tag


def test_nothing_inside_code_is_reported(repo):
    # Code is what the site's Markdown makes code: fences need superfences, as in the demo's mkdocs.yml.
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - pymdownx.superfences\n", encoding="utf-8")
    write_doc(repo, "code.md", system_meta(code="QT-CODE"), _body(IN_CODE))
    check = run_eiso("check", "--format", "json", cwd=repo)
    assert [f for f in json.loads(check.stdout) if f["path"] == "procedures/code.md"] == []
    _, site = build_site(repo)
    text = soup(site / "quy-trinh" / "qt-code" / "index.html").select_one(".eiso-body").get_text()
    assert "<script>alert('rào')</script>" in text  # shown as code, not removed


def test_a_body_too_costly_to_render_is_refused_not_hung(repo):
    write_doc(repo, "nang.md", system_meta(code="QT-NANG"), "## A\n\n" + "<![CDATA[" * 10000 + "\n")
    check = run_eiso("check", cwd=repo, timeout=30)
    assert "procedures/nang.md" in check.stdout and check.returncode == 1
