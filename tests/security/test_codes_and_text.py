"""Codes limited to Latin/Vietnamese letters, digits and -_./ ; no hidden characters in front matter."""

from __future__ import annotations

import json

import pytest
from conftest import build_site, run_eiso
from factory import system_meta, tthc_meta, write_doc

from eiso.documents.textrules import code_problem

BAD_CODES = {
    "cyrillic": "QТ-NB-01",  # Cyrillic Te: a look-alike of the existing QT-NB-01
    "cyrillic2": "ОТ-НТ-01",
    "greek": "QΤ-ΗΤ-09",
    "zero-width": "QT-NB\u200b-01",
    "zwj": "QT\u200d-NB-02",
    "bidi": "QT-\u202e10-NB",
    "fullwidth": "ＱＴ-NB-03",
    "nbsp": "QT\u00a0NB-04",
    "control": "QT-\x1b[31m-05",
    "empty-slug": "...",
    "empty-slug2": "-/_ ./",
}


def _by_file(repo) -> dict[str, list[dict]]:
    check = run_eiso("check", "--format", "json", cwd=repo)
    found: dict[str, list[dict]] = {}
    for finding in json.loads(check.stdout):
        found.setdefault(finding["path"], []).append(finding)
    return found


def test_bad_codes_are_located_errors_and_steal_no_url(repo):
    for name, code in BAD_CODES.items():
        write_doc(repo, f"ma/{name}.md", system_meta(code=code, title=f"Giả mạo {name}"))
    found = _by_file(repo)
    for name in BAD_CODES:
        (finding,) = [f for f in found[f"procedures/ma/{name}.md"] if f["field"] == "code"]
        assert finding["line"] == 2 and finding["severity"] == "error", finding
    # The genuine document is not blamed for the look-alike.
    assert "procedures/he-thong/kiem-soat-tai-lieu.md" not in found
    result, site = build_site(repo)
    assert result.returncode == 1
    assert "Kiểm soát tài liệu" in (site / "quy-trinh" / "qt-nb-01" / "index.html").read_text(encoding="utf-8")
    assert not (site / "quy-trinh" / "index.html").exists()  # an empty slug would have written here
    pages = {p.parent.name for p in (site / "quy-trinh").glob("*/index.html")}
    assert pages == {"qt-ht-01", "qt-nb-01"}


@pytest.mark.parametrize("code", ["QT-HT-01", "QT 01/CX-HCTP", "QT-ĐẠI-HỘI_2.1", "Quy trình số 5", "BM.01/ỨNG-Ỳ"])
def test_real_codes_are_accepted(code):
    assert code_problem(code) is None


def test_hidden_characters_in_titles_names_and_related_are_errors(repo):
    meta = tthc_meta(code="QT-AN", title="Đăng ký\u202e khai sinh", related=["QT-NB-01\u200b"],
                     approved_by={"name": "Lê Văn\x1b[2J Cường", "title": "Chủ tịch"})
    meta["tthc"]["dossier"][0]["name"] = "Tờ khai\u2066 giả"
    meta["forms"][0]["title"] = "Mẫu\x00"
    write_doc(repo, "tthc/an.md", meta)
    fields = {f["field"]: f for f in _by_file(repo)["procedures/tthc/an.md"]}
    for field in ("title", "related[0]", "approved_by.name", "tthc.dossier[0].name", "forms[0].title"):
        assert fields[field]["severity"] == "error" and fields[field]["line"] > 1, field
    assert "U+202E" in fields["title"]["message"]


def test_text_output_escapes_control_characters(repo):
    # Messages quote the wrong value: here the value carries an escape sequence and a newline.
    write_doc(repo, "x.md", system_meta(code="QT-ESC", revision="A\x1b[31mđỏ\x1b[0m\nprocedures/gia.md:1: -: giả"))
    check = run_eiso("check", cwd=repo)
    assert "procedures/x.md:6: revision: phải là số nguyên" in check.stdout
    assert "\x1b" not in check.stdout and "\\u001b[31m" in check.stdout
    # The newline in the title cannot forge a finding line of its own.
    assert not any(line.startswith("procedures/gia.md") for line in check.stdout.splitlines())


@pytest.mark.parametrize("value", [".inf", ".Inf", "-.inf", ".nan", ".NaN", "1e400"])
def test_infinite_or_nan_durations_are_refused(repo, value):
    path = write_doc(repo, "tthc/khai-sinh.md", tthc_meta())
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.strip() == "value: 1")
    lines[number] = lines[number].replace("value: 1", f"value: {value}")
    path.write_text("\n".join(lines), encoding="utf-8")
    (finding,) = [f for f in _by_file(repo)["procedures/tthc/khai-sinh.md"] if f["field"].endswith("time.value")]
    assert finding["severity"] == "error" and finding["line"] == number + 1
    assert "hữu hạn" in finding["message"]


def test_dossier_form_codes_follow_the_code_rule(repo):
    meta = tthc_meta(code="QT-HS")
    meta["tthc"]["dossier"][0]["form"] = "ВМ-HT-01-01"  # Cyrillic Ve and Em
    write_doc(repo, "tthc/hs.md", meta)
    fields = {f["field"]: f for f in _by_file(repo)["procedures/tthc/hs.md"]}
    assert fields["tthc.dossier[0].form"]["severity"] == "error"
    assert "U+0412" in fields["tthc.dossier[0].form"]["message"]


def test_every_control_format_and_surrogate_character_is_found_in_one_line_and_multi_line_fields():
    # The check skips printable text with str.isprintable; that must never skip a character the rule names.
    import unicodedata

    from eiso.documents.textrules import _hidden

    named = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs")]
    assert len(named) > 2000
    for ch in named:
        assert _hidden("Lệ phí" + ch + "x", one_line=True) == f"U+{ord(ch):04X}"
        assert _hidden("Lệ phí" + ch + "x", one_line=False) == ("" if ch in "\n\t" else f"U+{ord(ch):04X}")
    assert _hidden("Lệ phí\u00a0nộp\ttại\nxã", one_line=False) == ""  # a no-break space is no hidden character
