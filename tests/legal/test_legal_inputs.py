"""The legal register and its reports with the inputs people really give: codes copied from Word or a web page,
a register with cycles and wrong types, announcement decisions saved by Excel."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import run_eiso
from factory import system_meta, write_doc
from test_legal import DECREE, REPEALED, REPLACEMENT, legal_repo, write_register

from eiso.checks import check_repository as check_corpus
from eiso.documents.loader import load_corpus
from eiso.legal.codes import canonical_code, code_problem, legal_key
from eiso.legal.register import Register, parse_register

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


def test_register_cycles_self_references_and_wrong_types_are_located() -> None:
    text = ("- {code: 1/2020/NĐ-CP, status: repealed, replaced_by: [2/2021/NĐ-CP]}\n"
            "- {code: 2/2021/NĐ-CP, status: repealed, replaced_by: [1/2020/ND-CP]}\n"
            "- {code: 3/2022/TT-BTP, status: repealed, replaced_by: [3/2022/TT-BTP]}\n"
            "- {code: [4, 2023], status: in_force}\n"
            "- {code: 5/2024/QĐ-UBND, status: amended, replaced_by: [không rõ], title: [a], note: {b: 1}}\n")
    register = parse_register(text, Register())
    located = {(f.line, f.field): f.message for f in register.findings}
    assert "vòng: 1/2020/NĐ-CP → 2/2021/NĐ-CP → 1/2020/NĐ-CP" in located[(1, "[0].replaced_by")]
    assert not [key for key in located if key[0] == 2 and "vòng" in located[key]]  # one cycle, said once
    assert "chính nó" in located[(3, "[2].replaced_by")]
    assert "phải là một chuỗi" in located[(4, "[3].code")]
    assert "không đúng dạng" in located[(5, "[4].replaced_by[0]")]
    assert (5, "[4].title") in located and (5, "[4].note") in located


def test_a_long_chain_of_replacements_is_walked_once() -> None:
    count = 3000
    text = "".join(f"- {{code: {n}/2020/NĐ-CP, status: repealed, replaced_by: [{n + 1}/2020/NĐ-CP]}}\n"
                   for n in range(1, count))
    register = parse_register(text + f"- {{code: {count}/2020/NĐ-CP, status: in_force}}\n", Register())
    assert not register.findings
    assert register.in_force_replacements(register.get("1/2020/NĐ-CP")) == (f"{count}/2020/NĐ-CP",)


def test_a_decree_replaced_twice_names_the_one_in_force(legal_repo: Path) -> None:
    write_register(legal_repo, f"- {{code: {DECREE}, status: repealed, replaced_by: [{REPLACEMENT}]}}\n"
                               f"- {{code: {REPLACEMENT}, status: repealed, replaced_by: [7/2027/NĐ-CP]}}\n")
    warned = [f for f in check_corpus(load_corpus(legal_repo)) if f.rule == "legal-repealed"]
    assert warned and all("7/2027/NĐ-CP" in f.message and REPLACEMENT in f.message for f in warned)
    result = run_eiso("report", "legal-impact", DECREE, "--format", "json", cwd=legal_repo)
    assert all("bằng 7/2027/NĐ-CP" in row["action"] for row in json.loads(result.stdout)["affected"])


def decision_rows(repo: Path, path: Path) -> tuple[int, str, set[tuple[str, str | None]]]:
    result = run_eiso("report", "legal-impact", "--decision", str(path), "--format", "json", cwd=repo)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr, {(r["cause"], r["code"]) for r in json.loads(result.stdout)["affected"]}


def test_decisions_saved_by_excel_are_read(legal_repo: Path, tmp_path: Path) -> None:
    wanted = {("1.001193", "QT-HT-01"), ("1.000894", "QT-HT-02")}
    semicolons = tmp_path / "excel-vi.csv"  # a Vietnamese Excel: ";" between columns, Vietnamese headings, BOM
    semicolons.write_bytes("\ufeffMã thủ tục;Loại thay đổi;Tên thủ tục\n1.001193;Sửa đổi, bổ sung;Khai sinh\n"
                           "1.000894;Bãi bỏ;\n".encode("utf-8"))
    assert decision_rows(legal_repo, semicolons)[::2] == (1, wanted)
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode Text": UTF-16 with BOM, tabs
    unicode_text.write_text("national_code\tchange\n1.001193\tamended\n1.000894\tbãi bỏ\n", encoding="utf-16")
    assert decision_rows(legal_repo, unicode_text)[::2] == (1, wanted)


def test_decisions_that_would_lose_rows_say_so(legal_repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("national_code,change\n", encoding="utf-8")
    code, stderr, rows = decision_rows(legal_repo, empty)
    assert code == 2 and "empty.csv:1" in stderr and "không có thủ tục nào" in stderr
    quote = tmp_path / "quote.csv"
    quote.write_text('national_code,change\n"1.001193,amended\n1.000894,abolished\n', encoding="utf-8")
    code, stderr, rows = decision_rows(legal_repo, quote)
    assert code == 2 and "quote.csv:2" in stderr and "dòng 3" in stderr
    excel = tmp_path / "excel.csv"  # Excel read 1.010010 as a number and wrote 1.01001
    excel.write_text("national_code,change\n1.001193,amended\n1.01001,abolished\n", encoding="utf-8")
    code, stderr, rows = decision_rows(legal_repo, excel)
    assert code == 2 and "excel.csv:3: national_code" in stderr and "«1.01001»" in stderr
    assert rows == {("1.001193", "QT-HT-01")}


def test_the_portals_long_code_in_a_decision_is_the_procedure(legal_repo: Path, tmp_path: Path) -> None:
    decision = tmp_path / "qd.csv"
    decision.write_text("national_code,change\n1.000894.000.00.00.H12,abolished\n", encoding="utf-8")
    assert decision_rows(legal_repo, decision)[2] == {("1.000894.000.00.00.H12", "QT-HT-02")}


def test_an_empty_code_is_a_usage_error(legal_repo: Path) -> None:
    result = run_eiso("report", "legal-impact", " ", cwd=legal_repo)
    assert result.returncode == 2 and "rỗng" in result.stderr


def test_an_overdue_document_flagged_by_a_legal_change_stays_overdue(legal_repo: Path) -> None:
    write_register(legal_repo, REPEALED)
    result = run_eiso("report", "review-due", "--today", "2026-05-01", cwd=legal_repo)
    row = next(line for line in result.stdout.splitlines() if line.startswith("QT-HT-01"))
    assert "Quá hạn 61 ngày" in row and DECREE in row  # periodic review was due 2026-03-01


def test_a_register_made_to_stall_the_check_is_read_in_linear_time() -> None:
    """One replaced_by listing a code 20,000 times (the work was its square) and a chain of 20,000 repealed
    decrees, each asked what replaces it (as each citation does): both within a generous hang guard."""
    count = 20_000
    code = lambda n: f"{n % 9000 + 1}/{2000 + n // 9000}/NĐ-CP"  # noqa: E731 - numbers stay below 10000
    repeated = ("- {code: 1/2020/NĐ-CP, status: repealed, replaced_by: [" + ", ".join(["2/2020/NĐ-CP"] * count)
                + "]}\n- {code: 2/2020/NĐ-CP, status: in_force}\n")
    chain = "".join(f"- {{code: {code(n)}, status: repealed, replaced_by: [{code(n + 1)}]}}\n"
                    for n in range(count - 1)) + f"- {{code: {code(count - 1)}, status: in_force}}\n"
    started = time.monotonic()
    register = parse_register(repeated, Register())
    assert [(f.line, f.field) for f in register.findings] == [(1, "[0].replaced_by[1]")]
    assert f"ghi {count} lần" in register.findings[0].message
    assert register.get("1/2020/NĐ-CP").replaced_by == ("2/2020/NĐ-CP",)
    assert register.in_force_replacements(register.get("1/2020/NĐ-CP")) == ("2/2020/NĐ-CP",)
    register = parse_register(chain, Register())
    assert not register.findings and len(register.entries) == count
    for n in range(count - 1):
        assert register.in_force_replacements(register.get(code(n))) == (code(count - 1),)
    assert time.monotonic() - started < 10


def test_replacements_that_loop_back_lead_to_nothing_and_are_reported() -> None:
    text = ("- {code: 1/2020/NĐ-CP, status: amended, replaced_by: [2/2020/NĐ-CP]}\n"
            "- {code: 2/2020/NĐ-CP, status: repealed, replaced_by: [3/2020/NĐ-CP]}\n"
            "- {code: 3/2020/NĐ-CP, status: repealed, replaced_by: [2/2020/NĐ-CP]}\n"
            "- {code: 4/2020/NĐ-CP, status: repealed, replaced_by: [3/2020/NĐ-CP, 5/2020/NĐ-CP, 5/2020/ND-CP]}\n"
            "- {code: 6/2020/NĐ-CP, status: repealed, replaced_by: [1/2020/NĐ-CP]}\n")
    register = parse_register(text, Register())
    assert ["vòng" in f.message for f in register.findings].count(True) == 1
    assert [(f.line, f.field) for f in register.findings if "lần" in f.message] == [(4, "[3].replaced_by[2]")]
    assert register.in_force_replacements(register.get("1/2020/NĐ-CP")) == ()
    assert register.in_force_replacements(register.get("4/2020/NĐ-CP")) == ("5/2020/NĐ-CP",)
    assert register.in_force_replacements(register.get("6/2020/NĐ-CP")) == ("1/2020/NĐ-CP",)


def test_a_name_on_two_lines_in_one_excel_cell_is_read(legal_repo: Path, tmp_path: Path) -> None:
    alt_enter = tmp_path / "alt-enter.csv"  # Excel's Alt+Enter: a line break inside a properly quoted cell
    alt_enter.write_bytes("Mã thủ tục,Tên thủ tục,Loại thay đổi\r\n1.001193,\"Đăng ký khai sinh\r\n(sửa đổi theo NĐ 07)\","
                          "sửa đổi\r\n1.000894,\"Khai tử, cấp xã\nlần 2\",bãi bỏ\r\n".encode("utf-8"))
    code, stderr, rows = decision_rows(legal_repo, alt_enter)
    assert "kéo dài" not in stderr and rows == {("1.001193", "QT-HT-01"), ("1.000894", "QT-HT-02")}
    closed_late = tmp_path / "closed-late.csv"  # a quote closed two rows later: it swallowed a procedure
    closed_late.write_text('national_code,change\n"1.001193,amended\n1.000894",abolished\n1.001193,amended\n',
                           encoding="utf-8")
    code, stderr, rows = decision_rows(legal_repo, closed_late)
    assert code == 2 and "closed-late.csv:2" in stderr and "dòng 3" in stderr
    assert rows == {("1.001193", "QT-HT-01")}
