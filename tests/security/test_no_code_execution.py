"""1. Content cannot run code at build time."""

from __future__ import annotations

from conftest import build_site, run_eiso, soup
from factory import system_meta, write_doc

PWN = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


def test_procedure_never_goes_through_jinja(repo):
    bodies = [
        PWN % "PWNED1",
        "{% set x = cycler.__init__.__globals__.os.popen('touch PWNED2').read() %}{{ x }}",
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
    ]
    for number, body in enumerate(bodies):
        write_doc(repo, f"evil{number}.md", system_meta(code=f"QT-EVIL-{number}", render_macros=True), f"## A\n\n{body}\n")
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    assert not list(repo.rglob("PWNED*"))
    for number, body in enumerate(bodies):
        text = soup(site / "quy-trinh" / f"qt-evil-{number}" / "index.html").select_one(".eiso-body").get_text()
        assert body in text
    assert "root:x:0:0" not in (site / "quy-trinh" / "qt-evil-2" / "index.html").read_text(encoding="utf-8")


def test_other_spellings_of_render_macros_are_refused(repo):
    write_doc(repo, "evil.md", system_meta(code="QT-EVIL", Render_Macros=True), "## A\n\n" + PWN % "PWNED" + "\n")
    result = run_eiso("check", cwd=repo)
    assert result.returncode == 1 and "Render_Macros" in result.stdout
    build_site(repo)
    assert not (repo / "PWNED").exists()


def test_yaml_tags_do_not_construct_objects(repo):
    path = repo / "procedures" / "tag.md"
    path.write_text("---\ncode: !!python/object/apply:os.system ['touch PWNED']\ntitle: x\n---\n", encoding="utf-8")
    result = run_eiso("check", cwd=repo)
    assert result.returncode == 1 and "procedures/tag.md:2:" in result.stdout and "thẻ YAML" in result.stdout
    build_site(repo)
    assert not (repo / "PWNED").exists()


def test_hand_written_macros_run_in_the_sandbox(repo):
    (repo / "docs" / "index.md").write_text(f"# Trang chủ\n\n{{{{ 2 * 21 }}}}\n\n{PWN % 'PWNED'}\n", encoding="utf-8")
    result = run_eiso("build", "-d", "site", cwd=repo)
    assert not (repo / "PWNED").exists()
    assert "SecurityError" in result.stderr  # the sandbox refused the attribute access


def test_snippets_cannot_read_outside_the_repository(repo):
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - pymdownx.snippets\n", encoding="utf-8")
    write_doc(repo, "snip.md", system_meta(code="QT-SNIP"), '## A\n\n--8<-- "/etc/passwd"\n\n--8<-- "../../../../etc/hostname"\n')
    result, site = build_site(repo)
    page = site / "quy-trinh" / "qt-snip" / "index.html"
    if page.exists():
        assert "root:x:0:0" not in page.read_text(encoding="utf-8")
    assert "root:x:0:0" not in result.stdout + result.stderr


def test_a_page_template_that_never_ends_or_fails_is_a_located_error(repo):
    # The sandbox refuses objects, not work: two nested loops over long strings run for hours; a template
    # error or ordinary prose with braces printed a Python traceback and stopped the build with status 100.
    docs = repo / "docs"
    (docs / "vong-lap.md").write_text("# Vòng lặp\n\nMở đầu\n\n{% for i in 'x' * 100000 %}{% for j in 'x' * 100000 %}"
                                      "{% endfor %}{% endfor %}\n", encoding="utf-8")
    (docs / "chia.md").write_text("# Chia\n\nDòng một\n\n{{ 1 / 0 }}\n", encoding="utf-8")
    (docs / "van-xuoi.md").write_text("---\ntitle: Văn xuôi\n---\n\nGhi {{ họ và tên }} vào đơn.\n", encoding="utf-8")
    # One power or repetition is one step no clock interrupts; Jinja folded constants while compiling, too.
    (docs / "luy-thua.md").write_text("# Lũy thừa\n\n{{ 7 ** (10 ** 8) % 10 }} và {{ 'x' * 10 ** 10 }}\n", encoding="utf-8")
    # A text added to itself forty times: gigabytes long before the budget's clock (each step is one operation).
    (docs / "gap-doi.md").write_text("# Gấp đôi\n\n{% set ns = namespace(s='x') %}{% for i in 'x' * 40 %}"
                                     "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}\n", encoding="utf-8")
    # One string method or filter that allocates gigabytes at once: the memory cap turns it into a MemoryError.
    # Each piece within bounds, the page's result not: over a build, what pages leave behind adds up.
    (docs / "dai.md").write_text("# Dài\n\n" + "{{ 'x' * 900000 }}" * 3 + "\n", encoding="utf-8")
    (docs / "dem.md").write_text("# Đệm\n\n{{ 'x'.ljust(3 * 10 ** 9) | length }}\n", encoding="utf-8")
    result = run_eiso("build", "-d", "site", cwd=repo, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "lỗi không mong đợi" not in result.stderr
    assert "docs/vong-lap.md:1: mẫu Jinja (macros): chạy quá 5 giây" in result.stderr
    assert "docs/chia.md:5: mẫu Jinja (macros): lỗi khi chạy mẫu (ZeroDivisionError)" in result.stderr
    assert "docs/van-xuoi.md:5: mẫu Jinja (macros): cú pháp không đúng" in result.stderr
    assert "docs/luy-thua.md:3: mẫu Jinja (macros): phép tính «**» cho kết quả quá lớn" in result.stderr
    assert "docs/luy-thua.md:3: mẫu Jinja (macros): phép tính «*» cho kết quả quá lớn" in result.stderr
    assert "docs/gap-doi.md:3: mẫu Jinja (macros): phép nối chuỗi «~» cho kết quả quá lớn" in result.stderr
    assert "docs/dem.md:1: mẫu Jinja (macros): cần quá 512 MB bộ nhớ" in result.stderr
    assert "docs/dai.md:1: mẫu Jinja (macros): kết quả dài quá 2 triệu ký tự" in result.stderr
