"""The legal register and its reports with the inputs people really give: codes copied from Word or a web page,
a register with cycles and wrong types, announcement decisions saved by Excel."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_eiso
from factory import system_meta, write_doc
from test_legal import DECREE, REPEALED, REPLACEMENT, legal_repo, write_register

from eiso.checks import check_repository as check_corpus
from eiso.documents.loader import load_corpus
from eiso.legal.codes import canonical_code, code_problem, legal_key

__all__ = ["legal_repo"]  # fixture

# 123/2015/NĐ-CP as Word and web pages give it: a non-breaking hyphen, a zero-width space, Ð (eth) for Đ.
COPIED = ["123/2015/NĐ\u2011CP", "123/2015/NĐ-CP\u200b", "123/2015/NÐ-CP", "123\u00a0/\u00a02015/NĐ—CP"]


def test_a_code_copied_from_word_is_the_same_code() -> None:
    for code in COPIED:
        assert legal_key(code) == legal_key(DECREE), code
        assert canonical_code(code) == DECREE
        assert "dạng chuẩn: «123/2015/NĐ-CP»" in code_problem(code)
    assert "ký tự ẩn" in code_problem(COPIED[1])


def test_check_and_legal_impact_find_a_repealed_decree_however_it_was_pasted(legal_repo: Path) -> None:
    for number, code in enumerate(COPIED, start=10):
        write_doc(legal_repo, f"noi-bo/qt-nb-{number}.md",
                  system_meta(f"QT-NB-{number}", legal_basis=[{"code": code, "title": "Nghị định hộ tịch"}]))
    write_register(legal_repo, REPEALED)
    warned = {f.path for f in check_corpus(load_corpus(legal_repo)) if f.rule == "legal-repealed"}
    assert {f"procedures/noi-bo/qt-nb-{n}.md" for n in range(10, 10 + len(COPIED))} <= warned
    result = run_eiso("report", "legal-impact", DECREE, "--format", "json", cwd=legal_repo)
    codes = {row["code"] for row in json.loads(result.stdout)["affected"]}
    assert {f"QT-NB-{n}" for n in range(10, 10 + len(COPIED))} <= codes
    assert all(REPLACEMENT in row["action"] for row in json.loads(result.stdout)["affected"])
