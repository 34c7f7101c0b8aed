"""Templates of docs/ pages read plain data only: no plugin object, path or configuration."""

from __future__ import annotations

from conftest import build_site, soup

PAYLOADS = [
    "{{ config.plugins['eiso'].root.joinpath('PWNED1').write_text('y') }}",
    "{{ config['plugins']['eiso'].root.joinpath('PWNED2').write_text('y') }}",
    "{% set p = config.plugins.eiso %}{{ p.root.parent.joinpath('PWNED3').write_text('y') }}",
    "{{ page.file.abs_src_path }}",
    "{{ config.docs_dir }}",
    "{{ config.plugins['macros'].env.loader.searchpath }}",
    "{{ files.documentation_pages()[0].abs_src_path }}",
    "{{ (config.plugins|list) }}{{ config.plugins.values()|map(attribute='root')|first }}",
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED4').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ macros['context']() }}",
    "{{ now().__class__.__module__ }}",
]


def test_payloads_in_docs_pages_write_nothing_and_are_located(repo):
    lines = ["---", "title: Trang thử", "---", "# Trang thử", ""]
    first = len(lines) + 1
    lines += PAYLOADS
    (repo / "docs" / "thu.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (repo / "docs" / "index.md").write_text(
        "# Trang chủ\n\nTên: {{ config.site_name }}; trang: {{ page.title }}; năm: {{ now().year > 2000 }}; "
        "{{ ['b', 'a']|sort|join(',') }}; {{ 'abc'.upper() }}; {% for i in range(3) %}{{ i }}{% endfor %}; "
        "{{ range(1, 10, 4)|list }}\n", encoding="utf-8")
    (repo / "docs" / "dai.md").write_text(
        "# Dài\n\n{% set n = page.title|length * 10 ** 8 %}{% for i in range(n) %}x{% endfor %}\n", encoding="utf-8")
    result, site = build_site(repo)
    assert not list(repo.rglob("PWNED*")) and not list(repo.parent.rglob("PWNED*"))
    assert result.returncode == 1  # the build reports the page, the site is still written
    for offset in (0, 1, 2, 3, 4, 8):
        assert f"docs/thu.md:{first + offset}: mẫu Jinja (macros) bị chặn" in result.stderr, (offset, result.stderr)
    page = (site / "thu" / "index.html").read_text(encoding="utf-8")
    assert str(repo) not in page and "abs_src_path" not in page and "EisoPlugin" not in page
    # Plain data keeps working, and the rest of the site is built.
    assert "Tên: Thử nghiệm e-ISO; trang: Trang chủ; năm: True; a,b; ABC; 012; [1, 5, 9]" in soup(site / "index.html").get_text()
    assert "docs/dai.md:3: mẫu Jinja (macros): số quá lớn (range() tối đa 100.000 số)" in result.stderr  # located
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()


def test_payload_in_a_page_title_is_refused(repo):
    (repo / "docs" / "tieu-de.md").write_text(
        "---\ntitle: \"{{ config.plugins['eiso'].root.joinpath('PWNED5').write_text('y') }}\"\n---\n\nNội dung\n",
        encoding="utf-8")
    result, site = build_site(repo)
    assert not (repo / "PWNED5").exists()
    assert "docs/tieu-de.md" in result.stderr and "bị chặn" in result.stderr
    assert (site / "index.html").exists()
