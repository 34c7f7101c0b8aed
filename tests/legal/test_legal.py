"""The legal register (legal.yml): eiso check, eiso report legal-impact, review-due and van-ban-phap-luat/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import build_site, run_eiso, soup
from factory import system_meta, tthc_meta, write_doc

from eiso.checks import check_repository as check_corpus
from eiso.documents.loader import load_corpus
from eiso.legal.codes import canonical_code, code_problem, legal_key
from eiso.legal.flags import legal_change_flags
from eiso.legal.register import Register, parse_register

DECREE = "123/2015/NĐ-CP"
REPLACEMENT = "999/2026/NĐ-CP"
LAW = {"code": "60/2014/QH13", "title": "Luật Hộ tịch"}


def cites(*codes: str) -> list[dict]:
    return [{"code": code, "title": f"Văn bản {code}"} for code in codes]


@pytest.fixture
def legal_repo(repo: Path) -> Path:
    """QT-HT-01 (factory, effective) cites the decree; QT-HT-02 (effective) spells it ND; a draft cites it;
    QT-HT-04 (effective) does not cite it; QT-HT-05 (withdrawn) cites it."""
    write_doc(repo, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn",
                                                  legal_basis=[LAW, *cites("123/2015/ND-CP")],
                                                  tthc=dict(tthc_meta()["tthc"], national_code="1.000894")))
    write_doc(repo, "tthc/khai-tu.md", tthc_meta("QT-HT-03", title="Đăng ký khai tử", status="draft",
                                                  tthc=dict(tthc_meta()["tthc"], national_code="1.000656")))
    write_doc(repo, "tthc/giam-ho.md", tthc_meta("QT-HT-04", title="Đăng ký giám hộ", legal_basis=[LAW],
                                                  tthc=dict(tthc_meta()["tthc"], national_code="1.004837")))
    write_doc(repo, "tthc/cu.md", tthc_meta("QT-HT-05", title="Thủ tục cũ", status="withdrawn",
                                             tthc=dict(tthc_meta()["tthc"], national_code="1.000001")))
    return repo


def write_register(repo: Path, text: str) -> None:
    (repo / "legal.yml").write_text(text, encoding="utf-8")


REPEALED = f"""\
- {{code: {DECREE}, title: Nghị định hộ tịch, status: repealed, replaced_by: [{REPLACEMENT}]}}
- {{code: 60/2014/QH13, title: Luật Hộ tịch, status: in_force}}
"""


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if text in line)


def test_check_warns_on_exactly_the_effective_documents_citing_a_repealed_decree(legal_repo: Path) -> None:
    write_register(legal_repo, REPEALED)
    findings = [f for f in check_corpus(load_corpus(legal_repo)) if f.rule == "legal-repealed"]
    assert sorted(f.path for f in findings) == ["procedures/tthc/ket-hon.md", "procedures/tthc/khai-sinh.md"]
    for finding in findings:
        assert finding.severity == "warning" and REPLACEMENT in finding.message and DECREE in finding.message
        assert finding.field == "legal_basis[1]"
        path = legal_repo / finding.path
        assert finding.line == line_of(path, "123/2015/N")  # the cited item's line
    result = run_eiso("check", cwd=legal_repo)
    assert result.returncode == 1 and "cảnh báo" in result.stdout and "lỗi" in result.stdout


def test_malformed_codes_are_noted_with_their_canonical_form(legal_repo: Path) -> None:
    findings = [f for f in check_corpus(load_corpus(legal_repo)) if f.rule == "legal-code"]
    assert [(f.path, f.field) for f in findings] == [("procedures/tthc/ket-hon.md", "legal_basis[1].code")]
    assert "123/2015/NĐ-CP" in findings[0].message
    assert code_problem("34/2023") and code_problem("TCVN ISO 9001:2015") is None
    assert canonical_code("123 /2015/ND-CP") == DECREE and legal_key("123/2015/ND-CP") == legal_key(DECREE)


def test_no_register_no_legal_warning(repo: Path) -> None:
    assert check_corpus(load_corpus(repo)) == []


def test_malformed_register_entries_are_located_and_the_others_used() -> None:
    text = ("- {code: 123/2015/NĐ-CP, status: repealed}\n"
            "- {code: 1/2020/NĐ-CP, status: abolished}\n"
            "- just text\n"
            "- {title: Không có số, status: in_force}\n"
            "- {code: 123/2015/ND-CP, status: in_force}\n"
            "- {code: 5/2021/TT-BTP, status: amended, colour: red, date: 31/12/2021}\n")
    register = parse_register(text, Register())
    assert sorted(register.entries) == [legal_key("123/2015/NĐ-CP"), legal_key("5/2021/TT-BTP")]
    located = sorted((f.line, f.field) for f in register.findings)
    assert located == [(2, "[1].status"), (3, "[2]"), (4, "[3].code"), (5, "[4].code"), (5, "[4].code"),
                       (6, "[5].colour"), (6, "[5].date")]
    assert any("đã khai báo ở dòng 1" in f.message for f in register.findings)  # one decree, two spellings
    assert all(f.path == "legal.yml" for f in register.findings)
    broken = parse_register("- {code: 1/2020/NĐ-CP, status: in_force}\n- code: [unclosed\n", Register()).findings
    assert broken[0].line in (2, 3) and "YAML" in broken[0].message  # where the parser stopped
    hostile = parse_register("- &a {code: 1/2020/NĐ-CP, status: in_force}\n- *a\n", Register())
    assert hostile.findings and not hostile.entries


def test_legal_impact_lists_the_citing_documents(legal_repo: Path) -> None:
    write_register(legal_repo, REPEALED)
    result = run_eiso("report", "legal-impact", "123/2015/ND-CP", "--format", "json", cwd=legal_repo)
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)["affected"]
    # Effective and draft documents citing it; not the withdrawn one, not the one citing only the law.
    assert sorted(r["code"] for r in rows) == ["QT-HT-01", "QT-HT-02", "QT-HT-03"]
    first = next(r for r in rows if r["code"] == "QT-HT-01")
    assert first["unit"] == "Văn phòng - Thống kê" and first["revision"] == 2
    assert first["next_review"] == "2026-03-01" and REPLACEMENT in first["action"]
    text = run_eiso("report", "legal-impact", DECREE, cwd=legal_repo)
    assert "QT-HT-02" in text.stdout and "Cần làm" in text.stdout
    nothing = run_eiso("report", "legal-impact", "1/1999/NĐ-CP", cwd=legal_repo)
    assert nothing.returncode == 0 and "Không có tài liệu nào" in nothing.stdout


def test_legal_impact_of_an_announcement_decision(legal_repo: Path, tmp_path: Path) -> None:
    decision = tmp_path / "qd.csv"
    decision.write_text("national_code,change,name\n1.001193,amended,Đăng ký khai sinh\n1.000894,bãi bỏ,\n"
                        "9.999999,new,Thủ tục mới\n1.234567,amended,\n", encoding="utf-8")
    result = run_eiso("report", "legal-impact", "--decision", str(decision), "--format", "json", cwd=legal_repo)
    assert result.returncode == 1, result.stderr
    rows = {(r["cause"], r["code"]): r for r in json.loads(result.stdout)["affected"]}
    assert set(rows) == {("1.001193", "QT-HT-01"), ("1.000894", "QT-HT-02"), ("9.999999", None)}
    assert "withdrawn" in rows[("1.000894", "QT-HT-02")]["action"]
    assert "eiso import tthc" in rows[("9.999999", None)]["action"]
    as_json = tmp_path / "qd.json"
    as_json.write_text(json.dumps([{"national_code": "1.000656", "change": "amended"}]), encoding="utf-8")
    rows = json.loads(run_eiso("report", "legal-impact", "--decision", str(as_json), "--format", "json",
                               cwd=legal_repo).stdout)["affected"]
    assert [r["code"] for r in rows] == ["QT-HT-03"]


def test_malformed_decision_rows_are_located(legal_repo: Path, tmp_path: Path) -> None:
    decision = tmp_path / "qd.csv"
    decision.write_text("national_code,change\n1.001193,amended\n,new\n1.000894,changed\n", encoding="utf-8")
    result = run_eiso("report", "legal-impact", "--decision", str(decision), cwd=legal_repo)
    assert result.returncode == 2
    assert "qd.csv:3: national_code" in result.stderr and "qd.csv:4: change" in result.stderr
    assert "QT-HT-01" in result.stdout  # the good row is still reported
    missing = run_eiso("report", "legal-impact", cwd=legal_repo)
    assert missing.returncode == 2 and "cần ít nhất" in missing.stderr


AMENDED = f"""\
- {{code: {DECREE}, title: Nghị định hộ tịch, status: amended, replaced_by: [{REPLACEMENT}]}}
"""


def test_review_due_shows_documents_flagged_by_a_legal_change(legal_repo: Path) -> None:
    write_register(legal_repo, AMENDED)
    # QT-HT-02 already cites the amending decree: it was reviewed since.
    write_doc(legal_repo, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn",
                                                        legal_basis=[LAW, *cites(DECREE, REPLACEMENT)],
                                                        tthc=dict(tthc_meta()["tthc"], national_code="1.000894")))
    flags = legal_change_flags(legal_repo, load_corpus(legal_repo).documents)
    assert [f.document.meta.code for f in flags] == ["QT-HT-01"]
    result = run_eiso("report", "review-due", "--today", "2025-06-01", "--format", "json", cwd=legal_repo)
    rows = json.loads(result.stdout)
    # QT-HT-01's periodic review is 2026-03-01, far off; the amended decree makes it due now.
    assert [(r["code"], r["due"]) for r in rows] == [("QT-HT-01", "2025-06-01")]
    assert DECREE in rows[0]["legal_change"]
    assert check_corpus(load_corpus(legal_repo)) == []  # amended is not a warning


def test_change_date_clears_documents_reviewed_after_it(legal_repo: Path) -> None:
    write_register(legal_repo, AMENDED.replace("]}", "], date: 2025-01-01}"))
    documents = load_corpus(legal_repo).documents
    assert legal_change_flags(legal_repo, documents) == []  # QT-HT-01 took effect 2025-03-01
    write_register(legal_repo, AMENDED.replace("]}", "], date: 2025-06-01}"))
    flagged = [f.document.meta.code for f in legal_change_flags(legal_repo, documents)]
    assert flagged == ["QT-HT-01", "QT-HT-02"]  # both effective 2025-03-01, both cite it (QT-HT-02 as ND)


@pytest.mark.slow
def test_intranet_lists_cited_legal_documents(legal_repo: Path) -> None:
    write_register(legal_repo, REPEALED + "- {code: 1/2000/NĐ-CP, title: Văn bản không ai viện dẫn, status: in_force}\n")
    write_doc(legal_repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(legal_basis=cites("<b>7/2019/NĐ-CP</b>")))
    result, site = build_site(legal_repo)
    assert result.returncode == 0, result.stderr  # warnings do not stop a build
    page = soup(site / "van-ban-phap-luat" / "index.html")
    rows = {r.select_one("td.eiso-code").get_text(strip=True): r for r in page.select("table.eiso-legal tbody tr")}
    assert DECREE in rows and "60/2014/QH13" in rows
    decree = rows[DECREE]
    assert decree.select_one(".eiso-legal-status").get_text(strip=True) == "Hết hiệu lực"
    links = sorted(a.get_text(strip=True) for a in decree.select(".eiso-legal-citing a"))
    assert links == ["QT-HT-01", "QT-HT-02", "QT-HT-03", "QT-HT-05"]  # both spellings are one decree
    assert page.select_one("input[data-eiso-filter='eiso-legal']") is not None
    assert "1/2000/NĐ-CP" in page.select_one("#chua-vien-dan").find_next("table").get_text()
    assert "<b>7/2019/NĐ-CP</b>" in rows  # content is text, never markup
    review = soup(site / "xem-xet-dinh-ky" / "index.html")
    flagged = sorted(r.select_one("td.eiso-code").get_text(strip=True) for r in review.select("tr.eiso-legal-flag"))
    assert flagged == ["QT-HT-01", "QT-HT-02"]  # effective documents citing the repealed decree
    assert all(not r.has_attr("data-due") for r in review.select("tr.eiso-legal-flag"))
    assert soup(site / "index.html").select_one("a[href$='van-ban-phap-luat/']") is not None  # in the navigation


def test_a_malformed_code_on_the_command_line_is_noted(legal_repo: Path) -> None:
    result = run_eiso("report", "legal-impact", "123/2015/ND-CP", cwd=legal_repo)
    assert result.returncode == 1 and "123/2015/NĐ-CP" in result.stderr and "lưu ý" in result.stderr
