"""``eiso diff``: the review report of a merge request, from real git repositories.

The scenario (also used by test_policy.py): on ``main`` an agency has five documents;
the branch ``mr`` changes a dossier item's copies, a step time, adds a legal basis,
changes a form file's bytes (and forgets to raise the revision), revises a system
procedure properly, moves a file with ``git mv``, deletes an effective and a withdrawn
document. Meanwhile ``main`` gains a document the branch never saw (merge-base test).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from factory import BODY, REPO, document_text, make_repo, system_meta, tthc_meta, write_doc

from eiso.cli import diff as diff_command
from eiso.control import diff as eiso_diff
from eiso.control import diff_model, diff_report
from eiso.control.gitfiles import GitError, merge_base, read_corpus_at, read_snapshot
from eiso.documents.loader import parse_document

FORM = "procedures/tthc/forms/BM-HT-01-01.docx"
OLD_FORM = b"PK\x03\x04 demo form"
NEW_FORM = b"PK\x03\x04 demo form, revised"
NEW_LAW = {"code": "87/2020/NĐ-CP", "title": "Nghị định quy định về Cơ sở dữ liệu hộ tịch điện tử"}
SYSTEM_BODY = BODY + "\n## 3. Nội dung\n\nBước 1: soạn thảo.\n"


# --------------------------------------------------------------------------- git helpers


def git_env(when: str = "2025-01-02T08:00:00+07:00") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Nguyễn Thị Lan", GIT_AUTHOR_EMAIL="lan@xa.example.vn",
        GIT_COMMITTER_NAME="Nguyễn Thị Lan", GIT_COMMITTER_EMAIL="lan@xa.example.vn",
        GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when,
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def git(repo: Path, *args: str, when: str = "2025-01-02T08:00:00+07:00") -> str:
    result = subprocess.run(["git", *args], cwd=repo, env=git_env(when), capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def ket_hon_meta() -> dict:
    meta = tthc_meta("QT-HT-02", title="Đăng ký kết hôn", forms=[], revision=1)
    meta["tthc"]["national_code"] = "1.000894"
    meta["tthc"]["dossier"] = [{"name": "Tờ khai đăng ký kết hôn", "originals": 1, "copies": 0}]
    return meta


def changed_khai_sinh_meta(**changes) -> dict:
    meta = tthc_meta(related=["QT-NB-01"])
    meta["tthc"]["dossier"][1]["copies"] = 1  # Giấy chứng sinh: 0 -> 1 bản sao
    meta["steps"][0]["time"] = {"value": 0.25, "unit": "working_days"}  # 0,5 -> 0,25 ngày làm việc
    meta["legal_basis"].append(dict(NEW_LAW))
    meta.update(changes)
    return meta


def build_base(root: Path) -> Path:
    """``main`` with five valid documents (one commit)."""
    repo = make_repo(root)
    write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(), SYSTEM_BODY)
    write_doc(repo, "tthc/ket-hon.md", ket_hon_meta())
    write_doc(repo, "he-thong/danh-gia-noi-bo.md", system_meta("QT-NB-02", title="Đánh giá nội bộ"))
    write_doc(repo, "he-thong/cu.md", system_meta("QT-NB-03", title="Quy trình đã bãi bỏ", status="withdrawn"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Ban hành hệ thống tài liệu")
    return repo


def build_scenario(root: Path, *, bump: bool = False, withdraw_instead: bool = False) -> Path:
    """``main`` + branch ``mr`` (checked out, committed; the working tree equals ``mr``)."""
    repo = build_base(root)
    git(repo, "checkout", "-q", "-b", "mr")
    write_doc(repo, "tthc/khai-sinh.md", changed_khai_sinh_meta(**({"revision": 3, "effective": "2025-07-01"} if bump else {})))
    (repo / FORM).write_bytes(NEW_FORM)
    write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(revision=2, effective="2025-06-01"),
              SYSTEM_BODY.replace("Bước 1: soạn thảo.", "Bước 1: soạn thảo.\n\nBước 2: xem xét, phê duyệt."))
    (repo / "procedures/tthc/ho-tich").mkdir()
    git(repo, "mv", "procedures/tthc/ket-hon.md", "procedures/tthc/ho-tich/ket-hon.md")
    if withdraw_instead:
        write_doc(repo, "he-thong/danh-gia-noi-bo.md",
                  system_meta("QT-NB-02", title="Đánh giá nội bộ", status="withdrawn", effective="2025-06-01"))
    else:
        git(repo, "rm", "-q", "procedures/he-thong/danh-gia-noi-bo.md")
    git(repo, "rm", "-q", "procedures/he-thong/cu.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Sửa đổi thủ tục khai sinh", when="2025-01-03T08:00:00+07:00")
    # main moves on: the MR must not be blamed for (or shown) what it never saw.
    git(repo, "checkout", "-q", "main")
    write_doc(repo, "he-thong/moi.md", system_meta("QT-NB-04", title="Quản lý rủi ro"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Thêm quy trình quản lý rủi ro", when="2025-01-04T08:00:00+07:00")
    git(repo, "checkout", "-q", "mr")
    return repo


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return build_scenario(tmp_path / "repo")


# --------------------------------------------------------------------------- running `eiso diff`

# `eiso diff` is registered in cli.py by `diff.add_parser(sub)`; until that line is there the
# tests add it themselves, so they run the real cli.main (its error handling, exit codes) either way.
_RUNNER = """
import argparse, sys
import eiso.cli as cli
from eiso.cli import diff
original = cli._parser
def parser():
    p = original()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    if "diff" not in sub.choices:
        diff.add_parser(sub)
    return p
cli._parser = parser
sys.exit(cli.main(sys.argv[1:]))
"""


def run_diff(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-c", _RUNNER, "diff", *args], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=120)


def diff_json(repo: Path, *args: str) -> dict:
    result = run_diff(repo, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_code(report: dict) -> dict[str, dict]:
    return {doc["code"]: doc for doc in report["documents"]}


# --------------------------------------------------------------------------- reading git


def test_corpus_at_revision_reads_like_the_working_tree(scenario: Path) -> None:
    documents, findings, files = read_corpus_at(scenario, "procedures", "mr")
    work_docs, work_findings, work_files = read_corpus_at(scenario, "procedures", None)
    assert [d.path for d in documents] == [d.path for d in work_docs]
    assert [d.meta for d in documents] == [d.meta for d in work_docs]
    assert [d.body for d in documents] == [d.body for d in work_docs]
    assert [d.lines for d in documents] == [d.lines for d in work_docs]
    assert findings == work_findings == []
    assert files == work_files == {FORM: hashlib.sha256(NEW_FORM).hexdigest()}
    base_docs, _, base_files = read_corpus_at(scenario, "procedures", "main~1")
    assert {d.meta.code for d in base_docs} == {"QT-HT-01", "QT-HT-02", "QT-NB-01", "QT-NB-02", "QT-NB-03"}
    assert base_files == {FORM: hashlib.sha256(OLD_FORM).hexdigest()}


def test_reading_a_revision_costs_two_git_processes(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess as sp

    calls: list[list[str]] = []
    real_popen = sp.Popen

    class Popen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, argv, *a, **k):  # type: ignore[no-untyped-def]
            calls.append(list(argv))
            super().__init__(argv, *a, **k)

    monkeypatch.setattr(sp, "Popen", Popen)  # subprocess.run starts its process through Popen too
    snapshot = read_snapshot(scenario, "procedures", "main")
    assert len(snapshot.documents) == 6
    assert len(calls) == 2, calls
    assert "ls-tree" in calls[0] and "cat-file" in calls[1]


def test_unreadable_blob_becomes_a_finding_not_a_crash(tmp_path: Path) -> None:
    repo = build_base(tmp_path / "repo")
    (repo / "procedures/hong.md").write_bytes(b"---\ncode: [\n---\n")
    (repo / "procedures/nhi-phan.md").write_bytes(b"\x00\x01binary")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Tệp hỏng")
    snapshot = read_snapshot(repo, "procedures", "HEAD")
    assert len(snapshot.documents) == 5
    assert {f.path for f in snapshot.findings} == {"procedures/hong.md", "procedures/nhi-phan.md"}
    assert snapshot.unreadable == {"procedures/hong.md", "procedures/nhi-phan.md"}
    working = read_snapshot(repo, "procedures", None)
    assert sorted(working.findings) == sorted(snapshot.findings)


def test_unknown_revision_is_a_clear_error(scenario: Path) -> None:
    with pytest.raises(GitError, match="không có phiên bản"):
        read_corpus_at(scenario, "procedures", "khong-co-nhanh-nay")
    with pytest.raises(GitError, match="phiên bản git không hợp lệ"):
        read_corpus_at(scenario, "procedures", "--output=/tmp/x")
    with pytest.raises(GitError):
        merge_base(scenario, "khong-co-nhanh-nay", "HEAD")
    assert merge_base(scenario, "main", "mr") == git(scenario, "rev-parse", "main~1")


def test_not_a_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "plain")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
        with pytest.raises(GitError, match="không phải là kho git"):
            read_corpus_at(repo, "procedures", "HEAD")


# --------------------------------------------------------------------------- the JSON report


def test_json_report_names_every_change(scenario: Path) -> None:
    report = diff_json(scenario, "main")
    assert report["base"]["rev"] == "main"
    assert report["base"]["commit"] == git(scenario, "rev-parse", "main~1")  # the merge-base, not main
    assert report["head"] == {"rev": "thư mục làm việc", "commit": None}
    assert report["summary"] == {"added": 0, "removed": 2, "changed": 2, "renamed": 1, "recoded": 0, "unreadable": 0}
    docs = by_code(report)
    assert set(docs) == {"QT-HT-01", "QT-NB-01", "QT-HT-02", "QT-NB-02", "QT-NB-03"}  # not QT-NB-04 (main only)

    khai_sinh = docs["QT-HT-01"]
    assert khai_sinh["status"] == "changed" and khai_sinh["content_changed"] is True
    assert (khai_sinh["old_revision"], khai_sinh["revision"]) == (2, 2)
    assert khai_sinh["fields"] == []  # the revision was not raised: nothing else in the front matter changed
    assert khai_sinh["dossier"] == [{
        "change": "changed", "key": "Giấy chứng sinh", "position": 2,
        "old": {"name": "Giấy chứng sinh", "form": None, "originals": 1, "copies": 0},
        "new": {"name": "Giấy chứng sinh", "form": None, "originals": 1, "copies": 1},
        "old_text": "1 bản chính, 0 bản sao", "new_text": "1 bản chính, 1 bản sao",
        "fields": [{"field": "copies", "label": "Số bản sao", "old": 0, "new": 1, "old_text": "0", "new_text": "1"}],
    }]
    (step,) = khai_sinh["steps"]
    assert (step["change"], step["key"], step["position"]) == ("changed", "Tiếp nhận, kiểm tra hồ sơ", 1)
    assert step["fields"] == [{
        "field": "time", "label": "Thời gian thực hiện",
        "old": {"value": 0.5, "unit": "working_days"}, "new": {"value": 0.25, "unit": "working_days"},
        "old_text": "0,5 ngày làm việc", "new_text": "0,25 ngày làm việc",
    }]
    assert khai_sinh["steps_total"] == {"old": "1 ngày làm việc", "new": "0,75 ngày làm việc"}
    assert [(i["change"], i["key"], i["new"]) for i in khai_sinh["legal_basis"]] == [("added", "87/2020/NĐ-CP", NEW_LAW)]
    assert khai_sinh["channels"] == [] and khai_sinh["records"] == [] and khai_sinh["body"] == []
    assert khai_sinh["forms"] == [{
        "change": "changed", "code": "BM-HT-01-01", "title": "Tờ khai đăng ký khai sinh",
        "old_file": FORM, "new_file": FORM,
        "old_sha256": hashlib.sha256(OLD_FORM).hexdigest(), "new_sha256": hashlib.sha256(NEW_FORM).hexdigest(),
        "content_changed": True, "fields": [],
    }]

    system = docs["QT-NB-01"]
    assert [(f["field"], f["label"], f["old_text"], f["new_text"]) for f in system["fields"]] == [
        ("revision", "Lần ban hành", "1", "2"),
        ("effective", "Ngày hiệu lực", "15/01/2025", "01/06/2025"),
    ]
    (section,) = system["body"]
    assert section["change"] == "changed" and section["heading"] == "3. Nội dung"
    assert "+Bước 2: xem xét, phê duyệt." in section["diff"].splitlines()
    assert (section["added_lines"], section["removed_lines"]) == (2, 0)

    moved = docs["QT-HT-02"]
    assert moved["status"] == "changed" and moved["renamed"] is True and moved["content_changed"] is False
    assert (moved["old_path"], moved["path"]) == ("procedures/tthc/ket-hon.md", "procedures/tthc/ho-tich/ket-hon.md")

    deleted = docs["QT-NB-02"]
    assert (deleted["status"], deleted["old_doc_status"], deleted["old_path"], deleted["path"]) == (
        "removed", "effective", "procedures/he-thong/danh-gia-noi-bo.md", None)
    assert docs["QT-NB-03"]["old_doc_status"] == "withdrawn"


def test_two_revisions_give_the_same_report_as_the_working_tree(scenario: Path) -> None:
    work = diff_json(scenario, "main")
    revs = diff_json(scenario, "main", "mr")
    assert revs["head"] == {"rev": "mr", "commit": git(scenario, "rev-parse", "mr")}
    assert revs["documents"] == work["documents"]
    # Exact comparison, without the merge-base: what main gained looks removed by the MR.
    direct = by_code(diff_json(scenario, "main", "mr", "--no-merge-base"))
    assert direct["QT-NB-04"]["status"] == "removed"


def test_output_is_stable_and_written_to_a_file(scenario: Path) -> None:
    first = run_diff(scenario, "main", "--format", "json").stdout
    assert first == run_diff(scenario, "main", "--format", "json").stdout
    result = run_diff(scenario, "main", "-o", "eiso-diff.md")
    assert result.returncode == 0 and result.stdout == ""
    assert (scenario / "eiso-diff.md").read_text(encoding="utf-8") == run_diff(scenario, "main").stdout


def test_unknown_base_exits_2_with_a_vietnamese_message(scenario: Path) -> None:
    result = run_diff(scenario, "origin/khong-co")
    assert result.returncode == 2
    assert "không có phiên bản" in result.stderr and "Traceback" not in result.stderr
    assert run_diff(scenario, "main", "khong-co").returncode == 2
    outside = run_diff(scenario.parent, "main")  # no mkdocs.yml here
    assert outside.returncode == 2 and "mkdocs.yml" in outside.stderr


def test_no_changes(scenario: Path) -> None:
    report = diff_json(scenario, "HEAD")
    assert report["documents"] == [] and report["summary"]["changed"] == 0
    text = run_diff(scenario, "HEAD").stdout
    assert "Không có thay đổi nào trong các tài liệu kiểm soát." in text


# --------------------------------------------------------------------------- the Markdown report


def test_markdown_report_for_a_merge_request_comment(scenario: Path) -> None:
    result = run_diff(scenario, "main", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "| Tài liệu | Thay đổi | Lần ban hành |" in text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| QT-")}
    assert "2 (không đổi)" in rows["QT-HT-01 — Đăng ký khai sinh"]
    assert "| 1 → 2 |" in rows["QT-NB-01 — Kiểm soát tài liệu"]
    assert "Đổi tên tệp: procedures/tthc/ket-hon.md → procedures/tthc/ho-tich/ket-hon.md" in rows["QT-HT-02 — Đăng ký kết hôn"]
    assert "Xóa tệp (trạng thái trước đó: Đang hiệu lực)" in rows["QT-NB-02 — Đánh giá nội bộ"]
    assert "Xóa tệp (trạng thái trước đó: Hết hiệu lực)" in rows["QT-NB-03 — Quy trình đã bãi bỏ"]
    # the document section of QT-HT-01
    section = text.split("### QT-HT-01 — Đăng ký khai sinh", 1)[1].split("\n### ", 1)[0]
    assert "**Thành phần hồ sơ**" in section
    assert "| Giấy chứng sinh | Sửa: Số bản sao 0 → 1 | 1 bản chính, 0 bản sao | 1 bản chính, 1 bản sao |" in section
    assert "**Các bước xử lý** — tổng thời gian: 1 ngày làm việc → 0,75 ngày làm việc" in section
    assert "Thời gian thực hiện 0,5 ngày làm việc → 0,25 ngày làm việc" in section
    assert "**Căn cứ pháp lý**" in section and "| 87/2020/NĐ-CP | Thêm |" in section
    assert "**Biểu mẫu**" in section and "Sửa: nội dung tệp" in section
    assert hashlib.sha256(NEW_FORM).hexdigest()[:12] in section
    system = text.split("### QT-NB-01 — Kiểm soát tài liệu", 1)[1].split("\n### ", 1)[0]
    assert "| Lần ban hành | 1 | 2 |" in system
    assert "| Ngày hiệu lực | 15/01/2025 | 01/06/2025 |" in system
    assert "Mục «3. Nội dung»: sửa (+2 −0 dòng)" in system
    assert "```diff\n" in system and "+Bước 2: xem xét, phê duyệt." in system
    assert "QT-NB-04" not in text


def _outside_code(markdown: str) -> list[str]:
    """Lines of a Markdown text that are not inside fenced code blocks."""
    lines, fence = [], None
    for line in markdown.splitlines():
        if fence is None and (m := re.match(r"^(`{3,}|~{3,})", line)):
            fence = m.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            lines.append(line)
    return lines


HOSTILE_TITLE = "Thủ tục | giả <script>alert(1)</script> @all [bấm](javascript:alert(1)) `x` <img src=x onerror=alert(1)>"
HOSTILE_BODY = ("## 1. Mục đích\n\n```\n<script>alert(2)</script>\n```\n\n````\n</details><script>alert(3)</script>\n````\n"
                + "\n".join(f"Dòng {i} <b>@all</b>" for i in range(60)) + "\n\n## <img src=x onerror=alert(4)> @all\n\nx\n")


def _doc(rel: str, meta: dict, body: str = BODY):
    document, findings = parse_document(rel, document_text(meta, body))
    assert document is not None, findings
    return document


def test_untrusted_text_cannot_break_the_table_or_inject_html() -> None:
    base = [_doc("procedures/a.md", system_meta("QT-NB-01", title="Kiểm soát"), BODY)]
    evil = dict(system_meta("QT-NB-01", title=HOSTILE_TITLE, revision=2), unit="Văn phòng | <b>x</b>")
    head = [_doc("procedures/a.md", evil, HOSTILE_BODY),
            _doc("procedures/b.md", system_meta("QT|<i>@here", title=HOSTILE_TITLE))]
    report = diff_report.to_markdown(eiso_diff.compare(base, head, {}, {}))
    outside = _outside_code(report)
    allowed = {"<!-- eiso-diff -->", "<details>", "</details>"}
    for line in outside:
        if line in allowed:
            continue
        if line.startswith("<summary>"):
            assert line.endswith("</summary>") and "<" not in line[len("<summary>"):-len("</summary>")], line
            continue
        assert "<" not in line and ">" not in line.replace("→", ""), line
        assert "@" not in line, line
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) in (2, 3, 4), line
    # table rows keep their column count
    summary = [line for line in outside if line.startswith("| QT")]
    assert all(len(re.split(r"(?<!\\)\|", line)) == 5 for line in summary), summary
    # hostile fences stay inside the diff block: a longer fence, and <details> balanced outside code
    assert "`````diff\n" in report
    assert outside.count("<details>") == outside.count("</details>") == 1
    assert "+</details><script>alert(3)</script>" in report  # shown, as code
    # the long section diff is cut
    data = eiso_diff.compare(base, head, {}, {}).to_dict()
    body = data["documents"][0]["body"]
    assert body[0]["truncated"] is True and len(body[0]["diff"].splitlines()) == diff_model.MAX_DIFF_LINES + 1


def test_fence_is_longer_than_any_backtick_run() -> None:
    block = diff_report._fence("a\n````\nb", "diff")
    assert block.startswith("`````diff\n") and block.endswith("\n`````")


def test_recoded_and_reused_codes_are_told_apart() -> None:
    base = [_doc("procedures/a.md", system_meta("QT-NB-01", title="Kiểm soát tài liệu")),
            _doc("procedures/b.md", system_meta("QT-NB-02", title="Đánh giá nội bộ"))]
    head = [_doc("procedures/a.md", system_meta("QT-NB-10", title="Kiểm soát tài liệu", revision=2)),
            _doc("procedures/c.md", system_meta("QT-NB-02", title="Quản lý rủi ro"))]
    result = eiso_diff.compare(base, head, {}, {})
    docs = {(d.status, d.code): d for d in result.documents}
    recoded = docs[("changed", "QT-NB-10")]
    assert recoded.recoded and not recoded.renamed and recoded.old_code == "QT-NB-01"
    assert [f.field for f in recoded.fields] == ["code", "revision"]
    reused = docs[("added", "QT-NB-02")]
    assert reused.reused_code_from == "procedures/b.md"
    assert docs[("removed", "QT-NB-02")].old_path == "procedures/b.md"
    text = diff_report.to_markdown(result)
    assert "Đổi mã hiệu: QT-NB-01 → QT-NB-10" in text
    assert "mã hiệu trước đây thuộc tài liệu khác: procedures/b.md" in text


def test_renamed_with_a_new_title_is_still_the_same_document() -> None:
    body = "## 1. Mục đích\n\n" + "\n\n".join(f"Đoạn {i} của quy trình." for i in range(8)) + "\n"
    base = [_doc("procedures/a.md", system_meta("QT-NB-01", title="Kiểm soát tài liệu"), body)]
    head = [_doc("procedures/x/a.md", system_meta("QT-NB-01", title="Kiểm soát tài liệu và hồ sơ", revision=2), body)]
    (change,) = eiso_diff.compare(base, head).documents
    assert change.renamed and change.status == "changed" and change.reused_code_from is None
    assert [(f.label, f.old_text, f.new_text) for f in change.fields] == [
        ("Tên tài liệu", "Kiểm soát tài liệu", "Kiểm soát tài liệu và hồ sơ"), ("Lần ban hành", "1", "2")]


def test_nested_fields_are_named_in_vietnamese() -> None:
    old = tthc_meta()
    new = tthc_meta(approved_by={"name": "Phạm Văn Dũng", "title": "Chủ tịch UBND xã"}, status="withdrawn",
                    audience="internal")
    new["tthc"] = dict(new["tthc"], online={"level": "toan_trinh", "url": "https://dichvucong.gov.vn"})
    new["tthc"]["channels"] = [dict(new["tthc"]["channels"][0], fee="50.000 đồng"), new["tthc"]["channels"][1]]
    (change,) = eiso_diff.compare([_doc("procedures/a.md", old)], [_doc("procedures/a.md", new)]).documents
    rows = [(f.label, f.old_text, f.new_text) for f in change.fields]
    assert ("Trạng thái", "Đang hiệu lực", "Hết hiệu lực") in rows
    assert ("Phạm vi công bố", "Công khai", "Nội bộ") in rows
    assert ("Người phê duyệt › Họ và tên", "Lê Văn Cường", "Phạm Văn Dũng") in rows
    assert ("Thủ tục hành chính › Dịch vụ công trực tuyến › Mức độ", "(trống)",
            "Dịch vụ công trực tuyến toàn trình") in rows
    (channel,) = change.channels
    assert channel.key == "Trực tiếp" and [(f.label, f.old_text, f.new_text) for f in channel.fields] == [
        ("Phí, lệ phí", "Miễn phí", "50.000 đồng")]


def test_steps_added_and_removed_keep_their_order() -> None:
    old = tthc_meta()
    new = tthc_meta()
    new["steps"] = [old["steps"][0], {"actor": "Lãnh đạo", "action": "Xem xét", "time": {"value": 2, "unit": "hours"}},
                    old["steps"][2]]
    (change,) = eiso_diff.compare([_doc("procedures/a.md", old)], [_doc("procedures/a.md", new)]).documents
    # a replaced step is paired with the one it replaces, in place
    (step,) = change.steps
    assert (step.change, step.key, step.position) == ("changed", "Xem xét", 2)
    assert [f.label for f in step.fields] == ["Trách nhiệm", "Nội dung công việc", "Thời gian thực hiện"]
    assert change.steps_total is not None and change.steps_total.new == "1 ngày làm việc"


def test_add_parser_registers_the_command() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="mkdocs.yml")
    diff_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["diff", "origin/main", "--format", "json", "-o", "x.json"])
    assert (args.base, args.head, args.format, args.output, args.handler) == (
        "origin/main", None, "json", "x.json", diff_command.run)
    with pytest.raises(SystemExit):
        parser.parse_args(["diff", "main", "--format", "html"])
