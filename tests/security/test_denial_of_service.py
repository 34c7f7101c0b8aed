"""4. Hostile sizes and shapes: a finding within seconds, bounded memory, and the rest of the site builds.

Each run of ``eiso check`` and ``eiso build`` is a subprocess with a timeout (the bound the issue sets:
30 seconds; the build gets more because it also starts MkDocs on a machine the test suite shares), and
the peak memory of those children is read back with ``getrusage``.
"""

from __future__ import annotations

import resource

import markdown
import pytest
from conftest import run_eiso
from factory import document_text, system_meta, tthc_meta, write_doc

from eiso.documents.budget import OverBudget, within_budget
from eiso.mkdocs.budget import REFUSED_HTML, BudgetExtension

BOMB = "---\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)) + "---\n"


def dossier_flood() -> str:
    meta = tthc_meta(code="QT-FLOOD")
    meta["tthc"]["dossier"] = [{"name": f"Giấy tờ {i}"} for i in range(100_000)]
    return document_text(meta)


CASES = {
    "alias-bomb.md": lambda: BOMB,
    "nesting.md": lambda: "---\ncode: " + "[" * 10_000 + "]" * 10_000 + "\n---\n",
    "nesting-block.md": lambda: "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(3000)) + "---\n",
    "huge.md": lambda: document_text(system_meta(code="QT-HUGE")) + ("Nội dung dài. " * 80 + "\n") * 45_000,
    "dossier-flood.md": dossier_flood,
    "nested-lists.md": lambda: document_text(system_meta(code="QT-LIST"), "".join("  " * i + "- a\n" for i in range(5000))),
    "nested-quotes.md": lambda: document_text(system_meta(code="QT-QUOTE"), "> " * 5000 + "x\n"),
    "emphasis.md": lambda: document_text(system_meta(code="QT-EM"), "*a **a " * 20_000 + "\n"),
}


def body_case(code: str, body: str):
    return lambda: document_text(system_meta(code=code), body + "\n")


# The shapes of issue 11 that hung or crashed Python-Markdown, the check's HTML scan or the template escaping.
CASES.update({
    "backticks.md": body_case("QT-BT", "{" + "`" * 4000),
    "brackets.md": body_case("QT-BR", "[" * 30_000),
    "braces.md": body_case("QT-BRACE", "{{" * 60_000),
    "cdata.md": body_case("QT-CDATA", "<![CDATA[" * 10_000),
    "footnote-refs.md": body_case("QT-FN", "[^" * 20_000),
    "autolinks.md": body_case("QT-AUTO", "<http://" * 25_000),
    "comments.md": body_case("QT-COMMENT", "<!--" * 100_000),
    "definitions.md": body_case("QT-DL", "Thuật ngữ\n: định nghĩa\n" * 2000),
    # Variants: the same weaknesses reached another way. Each is refused by a shape rule or is far (minutes)
    # over the render budget, so that the outcome does not depend on how loaded the machine is.
    "link-parens.md": body_case("QT-LP", "[a](" * 8000),
    "open-tags.md": body_case("QT-TAG", "<a b='" * 5000),
    "balanced-brackets.md": body_case("QT-NEST", "[ " * 3000 + "] " * 3000),
    "deep-links.md": body_case("QT-NEST2", "[a " * 200 + "](x) " * 200),
    "spaced-definitions.md": body_case("QT-DL2", "Thuật ngữ\n\n: định nghĩa\n\n" * 2000),
    "quoted-lists.md": body_case("QT-QL", ("> - " * 30 + "x\n") * 2000),
    # Python-Markdown splits a block at each heading or rule in it, scanning the rest each time.
    "setext-headings.md": body_case("QT-SETEXT", "a\n=\n" * 20_000),
    "headings-in-a-block.md": body_case("QT-ATX", "## a {: #x .y }\n" * 10_000),
    "rules-in-a-block.md": body_case("QT-HR", "a\n***\n" * 8000),
    # Found by fuzzing the screen: Python-Markdown needs no space after "#", empty list items and admonition
    # titles split a block too, and an escaped "\]" closes no "[".
    "hash-lines.md": body_case("QT-HASH", "#a\n" * 8000),
    "quoted-hash-lines.md": body_case("QT-QHASH", "> #a\n" * 8000),
    "empty-items.md": body_case("QT-EMPTY", "- \n" * 8000),
    "details-titles.md": body_case("QT-DETAILS", "??? note\n" * 8000),
    "escaped-closers.md": body_case("QT-ESC", "[^}\\]" * 3000),
    # 900 of these render in 0.05 s; 1,000 make Python-Markdown recurse without end (the check stopped on it).
    "empty-comments.md": body_case("QT-CMT", "<!-->- " * 1200 + "<!-"),
    # PyYAML builds a base-60 integer in time quadratic in its length: 900 KB took about a minute.
    "sexagesimal.md": lambda: document_text(system_meta(code="QT-60")).replace("revision: 1", "revision: 1" + ":59" * 300_000, 1),
    # Facts once located each heading it could not find by reading the rest of the body again.
    "unfound-headings.md": body_case("QT-HEAD", "## Biểu mẫu\n\n" + "# a*b*\n" * 20_000),
})


def test_a_long_fee_and_many_lines_naming_fees_are_checked_quickly(repo):
    # Facts once worked out the front matter's fees again for every body line that says "phí": a 100 KB fee and
    # 2,000 such lines took about nine minutes.
    meta = tthc_meta(code="QT-FEE")
    meta["tthc"]["channels"][0]["fee"] = "lệ phí " * (100_000 // 7)
    write_doc(repo, "tthc/qt-fee.md", meta, "phí\n" * 2000)
    check = run_eiso("check", cwd=repo, timeout=30)
    assert "Traceback" not in check.stdout + check.stderr and check.returncode in (0, 1)  # finished in time


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gives_a_finding_quickly_and_the_site_builds(repo, name):
    content = CASES[name]()
    if name == "huge.md":
        assert len(content.encode()) > 50 * 1024 * 1024
    (repo / "procedures" / name).write_text(content, encoding="utf-8")
    check = run_eiso("check", cwd=repo, timeout=30)
    assert check.returncode == 1 and f"procedures/{name}:" in check.stdout, check.stdout[-2000:]
    assert "Traceback" not in check.stdout + check.stderr
    result = run_eiso("build", "-d", "site", cwd=repo, timeout=60)
    site = repo / "site"
    assert "Traceback" not in result.stderr
    assert result.returncode == 1  # the build refuses to publish it...
    assert f"procedures/{name}" in result.stderr
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()  # ...and still builds the rest
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1500, f"{peak_mb:.0f} MB"


def test_two_thousand_files_sharing_a_code_give_one_finding(repo):
    for i in range(2000):
        write_doc(repo, f"trung/qt-{i:04}.md", system_meta(code="QT-TRUNG", title=f"Bản sao {i}"), "Nội dung.\n")
    check = run_eiso("check", cwd=repo, timeout=30)
    clash = [line for line in check.stdout.splitlines() if "trùng" in line]
    assert check.returncode == 1 and len(clash) == 1, clash[:3]  # once per code, not once per pair
    assert clash[0].startswith("procedures/trung/qt-0000.md:") and "2000 tài liệu" in clash[0]
    assert "procedures/trung/qt-0001.md" in clash[0] and "và 1979 tệp khác" in clash[0]
    result = run_eiso("build", "-d", "site", cwd=repo, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    site = repo / "site"
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()
    assert not (site / "quy-trinh" / "qt-trung").exists()  # no file may own the shared code's URL
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1500, f"{peak_mb:.0f} MB"


def test_render_budget_interrupts_a_slow_render_and_the_depth_overflow():
    slow = "[ " * 6000 + "] " * 6000  # superlinear in Python-Markdown's link parser: about 12 s here
    with pytest.raises(OverBudget):
        within_budget(lambda: markdown.markdown(slow), seconds=0.5)

    def deep(n):
        return deep(n + 1)
    with pytest.raises(OverBudget):
        within_budget(lambda: deep(0))
    assert within_budget(lambda: markdown.markdown("**đậm**"), seconds=5) == "<p><strong>đậm</strong></p>"
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no timer left behind
    with pytest.raises(OverBudget):  # an inner budget never extends the one around it
        within_budget(lambda: within_budget(lambda: markdown.markdown(slow), seconds=30), seconds=0.5)


def test_site_renderer_replaces_an_over_budget_page_and_reports_it():
    refused: list[str] = []
    md = markdown.Markdown(extensions=["tables", BudgetExtension(refused.append, seconds=0.5)])
    assert md.convert("[ " * 6000 + "] " * 6000) == REFUSED_HTML
    assert refused and "giây" in refused[0]
    md = markdown.Markdown(extensions=["tables", BudgetExtension(refused.append, seconds=0.5)])
    assert md.convert("Bình thường") == "<p>Bình thường</p>" and len(refused) == 1


# -- every parser of untrusted text is linear: each call must end well within its bound -----------------


def _finishes(seconds: float, work, *args) -> bool:
    """Run ``work(*args)`` in a forked child (a C-level regex ignores signals) and kill it at the bound."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=work, args=args)
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def _linear_cases():
    from eiso.boundedjson import too_deep_at
    from eiso.importers.frontmatter import comment_lines
    from eiso.control.diff_sections import atx_heading, body_changes, split_sections
    from eiso.documents.budget import pathological_markdown
    from eiso.documents.htmlscan import unsafe_html
    from eiso.documents.literal import protect_template_text
    from eiso.importers.tthc import citizen_steps, markdown_blocks
    from eiso.importers.tthc.clean import strip_marker
    from eiso.importers.tthc.legal import _title_without_code

    spaces = " " * 200_000
    return {
        "template-backticks": (protect_template_text, "{" + "`" * 200_000),
        "template-braces": (protect_template_text, "{{" * 200_000),
        "template-code-spans": (protect_template_text, "{{ `a" * 50_000),
        "html-comments": (lambda t: unsafe_html("p", t, 1), "<!--" * 200_000),
        "html-autolinks": (lambda t: unsafe_html("p", t, 1), "<http://" * 100_000),
        "html-open-quotes": (lambda t: unsafe_html("p", t, 1), "<a b='" * 100_000),
        "markdown-link-spaces": (lambda t: unsafe_html("p", t, 1), "](" + spaces + "x"),
        "shape-screen": (lambda t: pathological_markdown("p", t, 1), ("[a](<!--" + spaces[:50]) * 20_000),
        "shape-screen-brackets": (lambda t: pathological_markdown("p", t, 1), "[[x]] " * 100_000),
        "shape-screen-containers": (lambda t: pathological_markdown("p", t, 1), "> - 1. " * 100_000),
        "shape-screen-blocks": (lambda t: pathological_markdown("p", t, 1), "- - x\n" * 100_000),
        "diff-heading-spaces": (atx_heading, "# a" + spaces + "x"),
        "diff-sections": (split_sections, ("# a" + spaces[:1000] + "x\n") * 200),
        # difflib aligns repeated items in n * m: 20,000 sections of one heading took minutes (review, finding 14)
        "diff-repeated-headings": (lambda t: body_changes(t, "## Khác\n\n" + t + "Thêm."), "## Mục\n\nNội dung.\n\n" * 20_000),
        "import-step-blanks": (markdown_blocks, "a" + spaces + "b"),
        "import-trailing-punctuation": (strip_marker, "a" + " ;" * 100_000 + "b"),
        "import-number-word": (lambda t: _title_without_code(t, "60/2014/QH13"), "Luật" + spaces + "x số 60/2014/QH13"),
        "citizen-steps": (citizen_steps, "Bước" + spaces + "1:" + "x" * 1000),
        "json-depth-escapes": (too_deep_at, '"\\"' * 200_000 + "[" * 100),
        "json-depth-backslashes": (too_deep_at, '"' + "\\" * 400_001 + "[" * 100),
        "json-depth-brackets": (too_deep_at, "[" * 2_000_000),
        "front-matter-comments": (comment_lines, "a: b # c\n" * 100_000),
    }


@pytest.mark.parametrize("name", sorted(_linear_cases()))
def test_untrusted_text_parsers_finish_within_their_bound(name):
    work, text = _linear_cases()[name]
    assert _finishes(20, work, text), f"{name}: still running after 20 s"


def test_facts_once_has_the_render_budget_and_says_when_it_ran_out(monkeypatch):
    import time

    from eiso.documents import checks
    from eiso.documents.loader import parse_document

    doc, _ = parse_document("procedures/qt-cham.md", document_text(system_meta(code="QT-CHAM"), "Nội dung.\n"))
    monkeypatch.setattr(checks, "check_restated", lambda _doc: time.sleep(30) or [])
    started = time.monotonic()
    found = checks._facts_once(doc)
    assert time.monotonic() - started < 20  # stopped by the budget (3 s), not run to the end
    assert [(f.rule, f.severity) for f in found] == [("facts-once-budget", "warning")]
    assert not checks._timeless(found)  # a verdict of the clock is never cached


def test_brackets_nested_as_deep_as_real_text_are_rendered_and_deeper_ones_refused_with_their_line():
    from eiso.documents.budget import MAX_BRACKET_DEPTH, pathological_markdown

    usual = "Xem [Điều 5 [khoản 2]](https://x) và [[ghi chú]].\n" + "[" * MAX_BRACKET_DEPTH + "]" * MAX_BRACKET_DEPTH
    assert pathological_markdown("p.md", usual, 10) == []
    deep = "Dòng đầu.\n\n" + "[ " * (MAX_BRACKET_DEPTH + 1) + "] " * (MAX_BRACKET_DEPTH + 1)
    (finding,) = pathological_markdown("p.md", deep, 10)
    assert (finding.path, finding.line, finding.field) == ("p.md", 12, "body") and "«[»" in finding.message


def test_quotes_and_lists_nested_in_each_other_count_as_one_depth():
    from eiso.documents.budget import MAX_NESTING, pathological_markdown

    # "> - " thirty times is sixty containers: Python-Markdown took 3.7 s over 2,000 such lines.
    assert pathological_markdown("p.md", "> - 1. > x\n> > - a\n", 1) == []
    (finding,) = pathological_markdown("p.md", "Mở đầu.\n" + "> - " * (MAX_NESTING // 2 + 1) + "x\n", 5)
    assert finding.line == 6 and finding.rule == "markdown-depth"


def test_a_block_of_many_headings_is_refused_at_its_first_line_and_real_shapes_pass():
    from eiso.documents.budget import pathological_markdown

    # Headings separated by blank lines, long tables and long paragraphs are read block by block: no finding.
    usual = ("## Mục\n\nNội dung.\n\n" * 3000 + "| a | b |\n|---|---|\n" + "| x | y |\n" * 20_000
             + "\n" + ("## Bước\n" + "Dòng.\n" * 400) * 50)
    assert pathological_markdown("p.md", usual, 1) == []
    crowded = "Mở đầu.\n\n" + "### Bước\n---\n" * 2000
    (finding,) = pathological_markdown("p.md", crowded, 7)
    assert (finding.line, finding.rule) == (9, "markdown-depth") and "dòng trống" in finding.message


def test_escaped_brackets_are_text_for_the_screen():
    from eiso.documents.budget import pathological_markdown

    # Escaped openers render as text in linear time: not refused; escaped closers close nothing.
    assert pathological_markdown("p.md", "\\[ " * 3000, 1) == []
    (finding,) = pathological_markdown("p.md", "[a\\] " * 600, 1)
    assert "«[»" in finding.message
    # A backslash ending a line is a line break, not an escape: lines are still counted right.
    (finding,) = pathological_markdown("p.md", "a\\\nb\n\n" + "#a\n" * 3000, 4)
    assert finding.line == 7
