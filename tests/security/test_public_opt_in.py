"""3. Internal sections cannot leak: a body section reaches the public portal only when its heading has ``.public``.

Each spelling below once escaped the old line-regex filter. Every one carries its own
canary word (one token, so that the search index, which lower-cases and splits words,
keeps it whole), which must be absent from every file of the public build (pages, search
index, exports), while the sections marked ``{.public}`` are present.
"""

from __future__ import annotations

import gzip
import shutil

import pytest
from conftest import build_site, soup
from factory import REPO, tthc_meta, write_doc

from eiso.documents.budget import MarkdownSetup
from eiso.documents.budget import OverBudget
from eiso.sites.public_body import PublicSections, public_sections

EXTENSIONS = """\
  - admonition
  - def_list
  - footnotes
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tasklist
"""

# Headings that must end a public section before them, each followed by its canary.
HEADING_LEAKS = {
    "no-space": "##X {.internal}\n\nLEAKNOSPACE\n",
    "closing-hashes": "## X {.internal} ##\n\nLEAKCLOSING\n",
    "id-and-class": "## X {#bi-mat .internal}\n\nLEAKIDCLASS\n",
    "two-classes": "## X {.internal .note}\n\nLEAKTWOCLASSES\n",
    "upper-case": "## X {.INTERNAL}\n\nLEAKUPPER\n",
    "colon-form": "## X {: .internal }\n\nLEAKCOLON\n",
    "setext-2": "X {.internal}\n-------------\n\nLEAKSETEXT2\n",
    "setext-1": "X\n===\n\nLEAKSETEXT1\n",
    "unmarked": "## Không đánh dấu\n\nLEAKUNMARKED\n",
    "admonition": "!!! note \"Ghi chú\"\n    ## Trong hộp {.internal}\n\n    LEAKADMONITION\n",
    "details": "??? note \"Chi tiết\"\n    ## Trong hộp {.internal}\n\n    LEAKDETAILS\n",
    "list-item": "- ## Trong danh sách {.internal}\n\n    LEAKLISTITEM\n",
    "class-prefix": "## X {.public-ish}\n\nLEAKPREFIX\n",
    "class-as-text": "## X .public\n\nLEAKASTEXT\n",
    "attribute-not-class": "## X {data-c=public}\n\nLEAKATTRIBUTE\n",
    # attr_list's class= replaces the classes written before it; a heading that says internal anywhere is internal.
    "class-replaces-internal": "## X {.internal class=public}\n\nLEAKCLASSREPLACES\n",
    "class-value-both": "## X {class=\"internal public\"}\n\nLEAKCLASSVALUEBOTH\n",
    "both-classes": "## X { .public .internal }\n\nLEAKBOTHCLASSES\n",
    "quoted-class-then-internal": "## X {: class='x public' .Internal }\n\nLEAKQUOTEDCLASS\n",
}
# Content that must not open a public section ("{.public}" where Markdown sees no heading class).
OPENING_LEAKS = {
    "public-admonition-title": "!!! note \"Ghi chú {.public}\"\n    LEAKADMONITIONTITLE\n",
    "indented-fence": "    ```\n    ## Giả {.public}\n    ```\n\nLEAKINDENTEDFENCE\n",
    "nested-fence": "````\n```\n````\n\n## Giả {.public\n\nLEAKNESTEDFENCE\n",
    "tilde-fence": "~~~\n## Giả {.public}\n~~~\n\nLEAKTILDE\n",
    "raw-html-heading": "<h2 class=\"public\">Giả</h2>\n\nLEAKRAWHTML\n",
    "deflist": "Thuật ngữ\n:   LEAKDEFLIST\n",
}
BEFORE_HEADINGS = "LEAKLEAD: văn bản trước đề mục đầu tiên.\n\n"
# The public section also links to the internal footnote by hand (only a footnote reference cites one) and uses
# a reference definition written in the internal sub-section (only a public one gives its URL and title).
PUBLIC = ("## Lưu ý cho người dân {.public}\n\nPUBLICSHOWNA có trích dẫn[^a]. Xem [ghi chú](#fn:b), [sổ tay][so-tay]."
          "\n\n[TOC]\n\n<div id=\"__config\">{\"search\": \"PUBLICSHOWNCONFIG\"}</div>\n\n"
          "### Giờ làm việc {#__search}\n\nPUBLICSHOWNB\n\n"
          "### Nội bộ trong mục công khai {.internal}\n\nLEAKSUBINTERNAL[^b]\n\n"
          "[so-tay]: https://noi-bo.example/LEAKREFURL \"LEAKREFTITLE\"\n\n"
          "[^a]: PUBLICSHOWNNOTE\n[^b]: LEAKFOOTNOTE\n")


def hostile_body() -> str:
    # Opening leaks before the public section (nothing may open one), heading leaks after it
    # (the first one must end it, the others must not open another).
    return (BEFORE_HEADINGS + "".join(text + "\n" for text in OPENING_LEAKS.values()) + PUBLIC + "\n"
            + "".join(text + "\n" for text in HEADING_LEAKS.values()))


def canaries(text: str) -> set[str]:
    return {word.strip(".,:[]^\"") for word in text.split() if "LEAK" in word}


SETUP = MarkdownSetup(("toc", "tables", "attr_list", *(line.strip(" -") for line in EXTENSIONS.splitlines())))
PUBLIC_FIRST = "## Công khai {.public}\n\nPUBLICSHOWN\n\n"


@pytest.mark.parametrize("name", sorted(HEADING_LEAKS))
def test_heading_spelling_ends_the_public_section(name):
    html = public_sections(PUBLIC_FIRST + HEADING_LEAKS[name], SETUP)
    assert "PUBLICSHOWN" in html
    assert canaries(HEADING_LEAKS[name]) and not canaries(html), html


@pytest.mark.parametrize("name", sorted(OPENING_LEAKS))
def test_content_without_a_public_heading_opens_nothing(name):
    html = public_sections(OPENING_LEAKS[name], SETUP)
    assert canaries(OPENING_LEAKS[name]) and not canaries(html), html


def test_one_converter_for_many_bodies_gives_each_its_own_output():
    # The projection converts every body with one converter: nothing of a body (footnotes, heading ids, an
    # interrupted conversion) may reach the next one. Each output must equal a fresh converter's.
    bodies = [hostile_body(), PUBLIC, "## A {.public}\n\nB[^x]\n\n[^x]: NOTEX\n", PUBLIC_FIRST + PUBLIC,
              "## Lưu ý cho người dân {.public}\n\nTrùng đề mục, mã neo mới.\n", "Không có mục công khai.\n"]
    shared = PublicSections(SETUP)
    for body in bodies + bodies[::-1]:
        assert shared(body) == public_sections(body, SETUP)
    assert "NOTEX" not in shared(PUBLIC) and "PUBLICSHOWNNOTE" not in shared("## A {.public}\n\nB[^x]\n\n[^x]: Y\n")


def test_a_conversion_cut_short_does_not_spoil_the_next(monkeypatch):
    shared = PublicSections(SETUP)
    shared(PUBLIC)
    converter = shared._public._md
    monkeypatch.setattr(converter, "convert", lambda text: (_ for _ in ()).throw(OverBudget("quá 3 giây")))
    with pytest.raises(OverBudget):
        shared(PUBLIC_FIRST)
    assert shared._public._md is None  # dropped: the next body gets a new converter
    assert shared(PUBLIC_FIRST) == public_sections(PUBLIC_FIRST, SETUP)


def test_bodies_converted_in_two_processes_give_the_one_process_answer(tmp_path, monkeypatch):
    # A public build converts bodies in a forked copy too: same procedures, same order, same refusals.
    from eiso.documents.loader import load_corpus
    from eiso.forked import ENV_VAR
    from eiso.sites import projection

    bodies = [hostile_body(), PUBLIC, PUBLIC_FIRST + PUBLIC, "Không có mục công khai.\n", "## Chậm {.public}\n\nSLOW\n"]
    for i, body in enumerate(bodies * 2):
        write_doc(tmp_path, f"tthc/t{i:02d}.md", tthc_meta(code=f"QT-TT-{i:02d}", title=f"Thủ tục {i}"), body)
    documents = load_corpus(tmp_path).documents
    sections = projection.PublicSections.__call__

    def over_budget_on_slow(self, markdown):
        if "SLOW" in markdown:
            raise OverBudget("quá thời gian")
        return sections(self, markdown)

    monkeypatch.setattr(projection.PublicSections, "__call__", over_budget_on_slow)
    monkeypatch.setenv(ENV_VAR, "on")
    two = projection.project(documents, tmp_path, setup=SETUP, parallel=True)
    one = projection.project(documents, tmp_path, setup=SETUP)
    assert len(one) == 10 and two == one
    assert [p.refused for p in one].count("quá thời gian") == 2
    assert not canaries(" ".join(p.body_html for p in two)) and "PUBLICSHOWNA" in two[0].body_html


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    from factory import make_repo

    repo = make_repo(tmp_path_factory.mktemp("optin") / "repo")
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + EXTENSIONS, encoding="utf-8")
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    write_doc(repo, "tthc/lo-lot.md", tthc_meta(code="QT-LOLOT-01", title="Thủ tục thử rò rỉ"), hostile_body())
    result, site = build_site(repo, "--public", site="site-public")
    assert result.returncode == 0, result.stderr
    return site


def public_files(site):
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            yield path, (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", errors="replace")


def test_no_leak_canary_in_any_public_file(public_site):
    expected = canaries(hostile_body())
    # Every spelling, the lead text, the internal sub-section, its footnote, its reference's URL and title.
    assert len(expected) == len(HEADING_LEAKS) + len(OPENING_LEAKS) + 5
    found = {(path.relative_to(public_site).as_posix(), word)
             for path, text in public_files(public_site) for word in expected if word.lower() in text.lower()}
    assert found == set()


def test_public_sections_are_published_and_indexed(public_site):
    page = (public_site / "thu-tuc" / "qt-lolot-01" / "index.html").read_text(encoding="utf-8")
    for word in ("PUBLICSHOWNA", "PUBLICSHOWNB", "PUBLICSHOWNNOTE", "Lưu ý cho người dân"):
        assert word in page
    search = "\n".join(text for path, text in public_files(public_site / "search"))
    assert "publicshownb" in search.lower()


def test_the_sanitiser_drops_ids_of_the_themes_kind():
    from eiso.sites.sanitize import clean_html

    html = clean_html('<div id="__config">{}</div><h2 id="__search">Tìm</h2><p id="muc__1">x</p>')
    assert "__config" not in html and "__search" not in html and 'id="muc__1"' in html


def test_no_body_element_takes_the_id_of_a_theme_element(public_site):
    # Material finds its settings with querySelector("#__config"): a body element with that id, coming first,
    # would be read in their place. Body ids starting with "__" (the theme's) are dropped.
    page = soup((public_site / "thu-tuc" / "qt-lolot-01" / "index.html"))
    assert "PUBLICSHOWNCONFIG" in page.get_text() and "PUBLICSHOWNB" in page.get_text()
    assert [element.name for element in page.select('[id="__config"]')] == ["script"]
    assert all(not element.get("id", "").startswith("__") for element in page.select(".md-content [id]"))


# A heading line that Markdown reads otherwise where it stands (a row of the table above it, text of a
# raw-HTML block left open) must not carry the internal section after it into the public part.
SWALLOWED = {
    "table": "## Công khai {.public}\n\nPUBLICSHOWN\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
             "## 3. Nội bộ {.internal}\n\nLEAKTABLE\n",
    "table-setext": "## Công khai {.public}\n\nPUBLICSHOWN\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
                    "Nội bộ\n------\n\nLEAKSETEXT\n",
    "open-div": "## Công khai {.public}\n\nPUBLICSHOWN\n\n<div>\n\n## 3. Nội bộ {.internal}\n\nLEAKDIV\n",
    "open-details": "## Công khai {.public}\n\nPUBLICSHOWN\n\n<details>\n\n## Nội bộ\n\nLEAKDETAILS\n",
    # The heading's text as written differs from what Markdown makes of it (emphasis, an entity, nothing).
    "emphasis-in-div": "## Công khai {.public}\n\nPUBLICSHOWN\n\n<div>\n\n## 3. Nội *bộ* {.internal}\n\nLEAKEM\n",
    "entity-in-table": "## Công khai {.public}\n\nPUBLICSHOWN\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
                       "## 3. Nội&#32;bộ {.internal}\n\nLEAKENTITY\n",
    "empty-heading": "## Công khai {.public}\n\nPUBLICSHOWN\n\n<div>\n\n#\n\nLEAKEMPTY\n",
    # A real heading of the same text further down must not stand in for the swallowed one.
    "twin-below": "## Công khai {.public}\n\nPUBLICSHOWN\n\n| a | b |\n|---|---|\n| 1 | 2 |\n## X {.internal}\n\n"
                  "LEAKTWIN\n\n## X {.internal}\n",
}


@pytest.mark.parametrize("name", sorted(SWALLOWED))
def test_a_heading_swallowed_where_it_stands_refuses_the_body(name):
    from eiso.sites.public_body import UnclearSections

    with pytest.raises(UnclearSections, match="dòng"):
        public_sections(SWALLOWED[name], SETUP)


def test_swallowed_shapes_leak_without_the_check():
    # What the refusal guards against: without it, each body would publish its canary.
    for name, body in SWALLOWED.items():
        html = PublicSections(SETUP)._public(body)[0]
        assert canaries(body) and all(canary in html for canary in canaries(body)), name


def test_a_heading_line_in_an_internal_code_block_does_not_refuse_a_public_part_with_internal_sub_sections():
    body = (PUBLIC_FIRST + "### Con nội bộ {.internal}\n\nLEAKSUB\n\n## Nội bộ\n\n~~~\n# chú thích\n~~~\n")
    html = public_sections(body, SETUP)
    assert "PUBLICSHOWN" in html and "LEAKSUB" not in html and "chú thích" not in html


def test_a_heading_line_in_an_internal_code_block_is_left_alone():
    body = "~~~\n## Giả {.public}\n~~~\n\nLEAKTILDE\n\n" + PUBLIC_FIRST
    html = public_sections(body, SETUP)
    assert "PUBLICSHOWN" in html and "LEAKTILDE" not in html


def test_a_title_never_carries_a_tag_into_the_theme_tooltips():
    from eiso.sites.sanitize import clean_html

    html = clean_html('<span title="&lt;img src=x onerror=alert(1)&gt;&lt;style&gt;">x</span>')
    assert "<" not in html.split('title="', 1)[1].split('"', 1)[0] and "&lt;img" not in html


def test_the_swallowed_heading_check_keeps_within_one_budget(monkeypatch):
    # A line that is not a heading on its own (indented code above a rule) makes the check read every line one
    # by one; with each reading slowed to a second, the readings together must hit the one budget of the
    # check (3 s), where a budget per reading would let them all run.
    import time

    sections = PublicSections(SETUP)
    reader = sections._reader
    read = type(reader).__call__

    def slow(self, text):
        if self is reader:
            time.sleep(1.0)
        return read(self, text)

    monkeypatch.setattr(type(reader), "__call__", slow)
    body = PUBLIC_FIRST + "    mã\n---\n\n" + "".join(f"## Nội bộ {n} {{.internal}}\n\nx\n\n" for n in range(4))
    started = time.monotonic()
    with pytest.raises(OverBudget):
        sections(body)
    assert time.monotonic() - started < 5


def test_public_parts_are_converted_without_extensions_that_read_files_or_apply_definitions_from_anywhere(tmp_path,
                                                                                                          monkeypatch):
    # A site may enable pymdownx.snippets or abbr for its intranet: a public part must not include a file of the
    # repository, nor take an abbreviation's title from an internal section.
    (tmp_path / "noi-bo.md").write_text("LEAKSNIPPET\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    setup = MarkdownSetup(("toc", "attr_list", "abbr", "pymdownx.snippets"),
                          {"pymdownx.snippets": {"base_path": [str(tmp_path)]}})
    body = ('## Công khai {.public}\n\nUBND xã.\n\n--8<-- "noi-bo.md"\n\n## Nội bộ\n\n*[UBND]: LEAKABBR\n')
    html = public_sections(body, setup)
    assert "UBND xã." in html
    assert "LEAKSNIPPET" not in html and "LEAKABBR" not in html


@pytest.mark.parametrize("container", ["> {marker}", "- {marker}", "!!! note\n\n    {marker}"])
def test_the_footnotes_marker_in_a_container_publishes_only_cited_footnotes(container):
    marker = "///Footnotes Go Here///"
    body = (PUBLIC_FIRST + "Có trích dẫn[^a].\n\n" + container.format(marker=marker) + "\n\n## Nội bộ\n\nGhi chú[^b].\n\n"
            "[^a]: PUBLICSHOWNNOTE\n[^b]: LEAKFOOTNOTE\n")
    html = public_sections(body, SETUP)
    assert "PUBLICSHOWNNOTE" in html and "LEAKFOOTNOTE" not in html


# A link the body writes to a footnote's anchor is not a footnote reference: it must not publish the footnote.
LINKS_TO_A_FOOTNOTE = {
    "plain-link": "Xem [ghi chú](#fn:tk).",
    "angle-link": "Xem [ghi chú](<#fn:tk>).",
    "with-footnote-class": "Xem [ghi chú](#fn:tk){.footnote-ref}.",
    "reference-link": "Xem [ghi chú][g].\n\n[g]: #fn:tk",
}


@pytest.mark.parametrize("name", sorted(LINKS_TO_A_FOOTNOTE))
def test_only_a_footnote_reference_cites_a_footnote(name):
    body = (PUBLIC_FIRST + LINKS_TO_A_FOOTNOTE[name] + "\n\n## Nội bộ\n\nTài khoản[^tk].\n\n"
            "[^tk]: LEAKFOOTNOTE\n")
    html = public_sections(body, SETUP)
    assert "PUBLICSHOWN" in html and "ghi chú" in html
    assert "LEAKFOOTNOTE" not in html, html



# A reference definition written in an internal section: a public section's reference to it must not publish
# its URL or title (the definition lines are not in the public part; Python-Markdown keeps them for the whole body).
REFERENCES_TO_INTERNAL = {
    "link": "Xem [sổ tay][so-tay].",
    "short-link": "Xem [so-tay].",
    "image": "Xem ![sơ đồ][so-tay].",
    "short-image": "Xem ![so-tay].",
    "in-a-list": "- Xem [sổ tay][so-tay].",
}
INTERNAL_DEFINITION = "## Nội bộ\n\n[so-tay]: https://noi-bo.example/LEAKREFURL \"LEAKREFTITLE\"\n"


@pytest.mark.parametrize("name", sorted(REFERENCES_TO_INTERNAL))
def test_a_reference_to_an_internal_definition_publishes_neither_url_nor_title(name):
    html = public_sections(PUBLIC_FIRST + REFERENCES_TO_INTERNAL[name] + "\n\n" + INTERNAL_DEFINITION, SETUP)
    assert "PUBLICSHOWN" in html and "Xem" in html
    assert "LEAK" not in html and "noi-bo.example" not in html, html


def test_only_definitions_written_in_public_sections_resolve_and_the_last_definition_decides():
    body = (PUBLIC_FIRST + "Xem [trang][cong-khai], [sổ tay][so-tay], [lại][hai-lan].\n\n"
            "> [cong-khai]: https://dichvucong.example/ \"Cổng dịch vụ công\"\n\n"
            "[hai-lan]: https://dichvucong.example/LEAKOVERRIDDEN\n\n" + INTERNAL_DEFINITION
            + "[hai-lan]: https://noi-bo.example/LEAKLAST\n")
    html = public_sections(body, SETUP)
    assert '<a href="https://dichvucong.example/" title="Cổng dịch vụ công">trang</a>' in html
    assert "sổ tay" in html and "lại" in html  # their text stays, without a link
    assert "LEAK" not in html and "noi-bo.example" not in html, html
