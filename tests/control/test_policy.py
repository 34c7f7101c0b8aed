"""The change policy of a merge request (``eiso check --against REV``) and its GitLab Code Quality report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from factory import BODY, document_text, system_meta, tthc_meta, write_doc
from test_diff import FORM, NEW_FORM, build_base, build_scenario, git

from eiso.control.diff import compare
from eiso.documents.findings import Finding, format_codequality
from eiso.documents.loader import parse_document
from eiso.control.policy import check_policy, policy_findings

KHAI_SINH = "procedures/tthc/khai-sinh.md"
DELETED = "procedures/he-thong/danh-gia-noi-bo.md"


def line_of(repo: Path, rel: str, prefix: str) -> int:
    lines = (repo / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return build_scenario(tmp_path / "repo")


# --------------------------------------------------------------------------- the merge request scenario


def test_missing_revision_bump_and_deleted_effective_document(scenario: Path) -> None:
    findings = check_policy(scenario, "procedures", "main")
    assert [(f.path, f.line, f.field, f.rule, f.severity) for f in findings] == [
        (DELETED, 1, "-", "policy-delete", "error"),
        (KHAI_SINH, line_of(scenario, KHAI_SINH, "revision:"), "revision", "policy-revision", "error"),
    ]
    deleted, revision = findings
    assert "QT-NB-02" in deleted.message and "withdrawn" in deleted.message
    assert revision.message == ("nội dung tài liệu đã thay đổi so với main nhưng lần ban hành vẫn là 2; "
                                "khi thay đổi nội dung phải ghi lần ban hành 3")
    # Neither the properly revised QT-NB-01, the moved QT-HT-02, the deleted withdrawn QT-NB-03,
    # nor QT-NB-04 (added on main after the branch: the merge-base is the branch point) is a finding.


def test_eiso_check_against_exits_1(scenario: Path, eiso) -> None:
    result = eiso("check", "--against", "main", cwd=scenario)
    assert result.returncode == 1, result.stderr
    assert f"{KHAI_SINH}:{line_of(scenario, KHAI_SINH, 'revision:')}: revision: nội dung tài liệu đã thay đổi" in result.stdout
    assert f"{DELETED}:1: -: tài liệu đang hiệu lực «QT-NB-02»" in result.stdout
    assert "Tổng cộng: 2 lỗi, 0 cảnh báo." in result.stdout
    # without --against the same tree is valid: these are policy findings only
    assert eiso("check", cwd=scenario).returncode == 0


def test_a_correct_merge_request_passes(tmp_path: Path, eiso) -> None:
    repo = build_scenario(tmp_path / "repo", bump=True, withdraw_instead=True)
    assert check_policy(repo, "procedures", "main") == []
    result = eiso("check", "--against", "main", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # once withdrawn on main, the document may be deleted by a later merge request
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'mr' into 'main'", "mr")
    git(repo, "checkout", "-q", "-b", "xoa")
    git(repo, "rm", "-q", DELETED)
    assert check_policy(repo, "procedures", "main") == []


def test_unknown_revision_exits_2(scenario: Path, eiso) -> None:
    result = eiso("check", "--against", "origin/khong-co", cwd=scenario)
    assert result.returncode == 2
    assert "không có phiên bản" in result.stderr and "Traceback" not in result.stderr


def test_unrelated_histories_compare_with_the_revision_itself(scenario: Path) -> None:
    git(scenario, "checkout", "-q", "--orphan", "khac")
    git(scenario, "rm", "-rq", "--cached", ".")
    git(scenario, "commit", "-q", "--allow-empty", "-m", "Lịch sử khác")
    git(scenario, "checkout", "-q", "-f", "mr")
    findings = check_policy(scenario, "procedures", "khac")
    assert findings == []  # an empty BASE: every document is new, and it is the first import


def test_a_document_that_no_longer_loads_is_not_called_deleted(scenario: Path) -> None:
    (scenario / DELETED).write_text("---\ncode: [\n---\n", encoding="utf-8")
    rules = [(f.path, f.rule) for f in check_policy(scenario, "procedures", "main")]
    assert (DELETED, "policy-delete") not in rules  # eiso check reports the broken file itself


def test_a_document_repaired_is_not_new(tmp_path: Path) -> None:
    repo = build_base(tmp_path / "repo")
    write_doc(repo, "he-thong/sua.md", system_meta("QT-NB-07", title="Sửa lỗi", revision=4))
    path = repo / "procedures/he-thong/sua.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kind: system", "kind: khong-co"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Tệp lỗi")
    path.write_text(good, encoding="utf-8")
    assert check_policy(repo, "procedures", "HEAD") == []  # not a new document at revision 4


def test_only_a_form_file_changed(tmp_path: Path) -> None:
    repo = build_base(tmp_path / "repo")
    (repo / FORM).write_bytes(NEW_FORM)
    findings = check_policy(repo, "procedures", "HEAD")
    assert [(f.path, f.field, f.rule) for f in findings] == [(KHAI_SINH, "revision", "policy-revision")]


def test_formatting_only_changes_are_not_content(tmp_path: Path) -> None:
    repo = build_base(tmp_path / "repo")
    path = repo / KHAI_SINH
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n# ghi chú của người soạn\n", 1).replace("\n\n## 2.", "   \n\n## 2."),
                    encoding="utf-8")
    assert check_policy(repo, "procedures", "HEAD") == []


# --------------------------------------------------------------------------- rules, one by one


def doc(rel: str, meta: dict, body: str = BODY):
    document, findings = parse_document(rel, document_text(meta, body))
    assert document is not None, findings
    return document


def policy(base: list, head: list, base_files=None, head_files=None, **kw) -> list[Finding]:
    return sorted(policy_findings(compare(base, head, base_files or {}, head_files or {}).documents, **kw))


def rules(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.field, f.rule, f.severity) for f in findings]


A = "procedures/a.md"


def test_revision_must_rise_by_exactly_one() -> None:
    base = [doc(A, system_meta(revision=2))]
    changed = {"unit": "Phòng Tư pháp"}
    assert policy(base, [doc(A, system_meta(revision=3, **changed))]) == []
    jump = policy(base, [doc(A, system_meta(revision=4, **changed))])
    assert rules(jump) == [("revision", "policy-revision", "error")] and "nhảy quá một bậc" in jump[0].message
    down = policy(base, [doc(A, system_meta(revision=1, **changed))])
    assert "giảm từ 2 xuống 1" in down[0].message
    # a revision raised without any other change is a content change too, and fine
    assert policy(base, [doc(A, system_meta(revision=3))]) == []


def test_body_change_needs_a_bump_at_the_revision_line() -> None:
    base = [doc(A, system_meta())]
    head = doc(A, system_meta(), BODY + "\nThêm một câu.\n")
    (finding,) = policy(base, [head])
    assert (finding.field, finding.line, finding.rule) == ("revision", head.line_of("revision"), "policy-revision")


def test_effective_date_may_not_go_back() -> None:
    base = [doc(A, system_meta(revision=1, effective="2025-03-01"))]
    head = doc(A, system_meta(revision=2, effective="2025-02-01"))
    (finding,) = policy(base, [head])
    assert (finding.field, finding.line, finding.rule) == ("effective", head.line_of("effective"), "policy-effective")
    assert "01/02/2025" in finding.message and "01/03/2025" in finding.message
    assert policy(base, [doc(A, system_meta(revision=2, effective="2025-03-01"))]) == []


def test_effective_document_may_not_become_a_draft() -> None:
    base = [doc(A, system_meta(revision=1))]
    head = doc(A, system_meta(revision=2, status="draft", effective=None, approved_by=None))
    assert rules(policy(base, [head])) == [("status", "policy-draft", "error")]


def test_drafts_are_not_yet_issued() -> None:
    base = [doc(A, system_meta(revision=1, status="draft", approved_by=None))]
    assert policy(base, [doc(A, system_meta(revision=1, status="draft", approved_by=None, unit="Khác"))]) == []
    assert policy(base, [doc(A, system_meta(revision=1, unit="Khác"))]) == []  # first issue
    assert rules(policy(base, [doc(A, system_meta(revision=3))])) == [("revision", "policy-revision", "error")]


def test_withdrawal_keeps_the_revision_but_needs_an_approver() -> None:
    base = [doc(A, system_meta(revision=2))]
    assert policy(base, [doc(A, system_meta(revision=2, status="withdrawn", effective="2025-09-01"))]) == []
    unapproved = policy([doc(A, system_meta(revision=2, approved_by=None))],
                        [doc(A, system_meta(revision=2, status="withdrawn", approved_by=None))])
    assert rules(unapproved) == [("approved_by", "policy-approval", "error")]
    # withdrawing while changing the content is a change like any other
    assert rules(policy(base, [doc(A, system_meta(revision=2, status="withdrawn", unit="Khác"))])) == [
        ("revision", "policy-revision", "error")]


def test_deleting_documents() -> None:
    effective = doc(A, system_meta(code="QT-NB-09"))
    (finding,) = policy([effective], [])
    assert (finding.path, finding.line, finding.field, finding.rule) == (A, 1, "-", "policy-delete")
    assert policy([doc(A, system_meta(status="withdrawn"))], []) == []
    assert policy([doc(A, system_meta(status="draft", approved_by=None))], []) == []


def test_moving_a_file_is_not_a_change() -> None:
    assert policy([doc(A, system_meta())], [doc("procedures/x/b.md", system_meta())]) == []


def test_a_code_may_not_be_reused() -> None:
    base = [doc(A, system_meta("QT-NB-05", title="Đánh giá nội bộ", status="withdrawn"))]
    head = doc("procedures/moi.md", system_meta("QT-NB-05", title="Quản lý rủi ro"))
    (finding,) = policy(base, [head])
    assert (finding.path, finding.line, finding.field, finding.rule) == (
        "procedures/moi.md", head.line_of("code"), "code", "policy-code-reuse")
    assert A in finding.message


def test_new_documents_start_at_revision_one() -> None:
    other = doc("procedures/z.md", system_meta("QT-NB-99", title="Khác"))
    assert policy([other], [other, doc(A, system_meta(revision=1))]) == []
    (finding,) = policy([other], [other, doc(A, system_meta(revision=3))])
    assert (finding.field, finding.rule, finding.severity) == ("revision", "policy-new-revision", "warning")
    # the first import of a paper system keeps its revision numbers
    assert policy([], [doc(A, system_meta(revision=3))], first_import=True) == []


def test_form_file_bytes_count_as_content() -> None:
    base = [doc("procedures/tthc/a.md", tthc_meta())]
    head = [doc("procedures/tthc/a.md", tthc_meta())]
    path = "procedures/tthc/forms/BM-HT-01-01.docx"
    assert policy(base, head, {path: "1" * 64}, {path: "1" * 64}) == []
    assert rules(policy(base, head, {path: "1" * 64}, {path: "2" * 64})) == [("revision", "policy-revision", "error")]


# --------------------------------------------------------------------------- GitLab Code Quality

# The GitLab Code Quality report format (docs.gitlab.com: "Code Quality report format"), written out here:
# a JSON array of issues, each with these required properties.
GITLAB_CODE_QUALITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "categories": {"type": "array", "items": {"type": "string"}},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


def codequality(repo: Path, eiso, name: str) -> list[dict]:
    result = eiso("check", "--against", "main", "--format", "codequality", "-o", name, cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "Tổng cộng: 2 lỗi" in result.stdout  # the text report still reaches the job log
    return json.loads((repo / name).read_text(encoding="utf-8"))


def test_codequality_report_validates_and_fingerprints_are_stable(scenario: Path, eiso) -> None:
    first = codequality(scenario, eiso, "gl-code-quality.json")
    jsonschema.validate(first, GITLAB_CODE_QUALITY_SCHEMA)
    assert {issue["check_name"] for issue in first} == {"eiso/policy-revision", "eiso/policy-delete"}
    assert len({issue["fingerprint"] for issue in first}) == len(first)
    # the same tree twice: the same report
    assert codequality(scenario, eiso, "again.json") == first
    # a line inserted above the finding moves it, without changing its identity
    path = scenario / KHAI_SINH
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\n# ghi chú\n", 1), encoding="utf-8")
    moved = codequality(scenario, eiso, "moved.json")
    jsonschema.validate(moved, GITLAB_CODE_QUALITY_SCHEMA)
    before = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in first}
    after = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in moved}
    assert set(before) == set(after)
    shifted = {fp for fp in before if after[fp] != before[fp]}
    assert len(shifted) == 1 and all(after[fp] == before[fp] + 1 for fp in shifted)


def test_codequality_of_all_finding_kinds_validates() -> None:
    findings = [
        Finding("procedures/a.md", 3, "revision", "lỗi", "policy-revision"),
        Finding("procedures/a.md", 3, "revision", "lỗi", "policy-revision"),  # twice: distinct fingerprints
        Finding("procedures/b.md", 9, "body", "cảnh báo <script>", "unsafe-html", "warning"),
        Finding("procedures/c.md", 1, "-", "tệp nhị phân", "encoding"),
    ]
    report = json.loads(format_codequality(findings))
    jsonschema.validate(report, GITLAB_CODE_QUALITY_SCHEMA)
    assert len({issue["fingerprint"] for issue in report}) == 4
    assert json.loads(format_codequality(list(reversed(findings)))) == report
    assert json.loads(format_codequality([])) == []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**report[0], "severity": "error"}], GITLAB_CODE_QUALITY_SCHEMA)


def test_git_processes_are_few(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    class Popen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, argv, *a, **k):  # type: ignore[no-untyped-def]
            calls.append(list(argv))
            super().__init__(argv, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", Popen)
    for i in range(30):  # many more documents must not mean more git processes
        write_doc(scenario, f"them/qt-{i}.md", system_meta(f"QT-TH-{i:02d}", title=f"Quy trình {i}"))
    git(scenario, "add", "-A")
    git(scenario, "commit", "-q", "-m", "Thêm nhiều tài liệu")
    calls.clear()
    check_policy(scenario, "procedures", "main")
    assert len(calls) <= 5, [c[3:6] for c in calls]  # rev-parse HEAD, merge-base, ls-tree, cat-file
