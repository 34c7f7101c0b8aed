#!/usr/bin/env python3
"""Benchmark ``eiso.control.history.read_history`` on a generated repository.

Builds, with one ``git fast-import`` process in a temporary directory, a repository
with ``--docs`` documents under ``procedures/`` (one initial commit) followed by
``--commits`` GitLab-style merge requests: each is a feature commit that edits one
document (every fourth one also bumps ``revision`` and ``effective``) merged with
``--no-ff`` into ``main`` by a merge commit whose message ends, as the documented
template writes it, with ``See merge request demo/portal!N`` and an ``Approved-by:`` trailer.

It then times ``read_history`` plus ``revisions()`` for every document, and, for
comparison, per-file ``git log --follow`` on a sample of files, extrapolated to all
documents. Prints a Markdown table.

    PYTHONPATH=src .venv/bin/python scripts/bench_history.py --docs 2000 --commits 6000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from eiso.control.history import read_history  # noqa: E402

UNITS = [
    "van-phong",
    "tu-phap-ho-tich",
    "dia-chinh-xay-dung",
    "van-hoa-xa-hoi",
    "tai-chinh-ke-toan",
    "cong-an",
    "quan-su",
    "mot-cua",
]
PEOPLE = [
    ("Nguyễn Thị Lan", "lan@example.vn"),
    ("Trần Văn Bình", "binh@example.vn"),
    ("Lê Văn Cường", "cuong@example.vn"),
    ("Phạm Thu Hà", "ha@example.vn"),
]
BASE_TS = 1_700_000_000


def front_matter(code: str, number: int, revision: int, effective: str) -> str:
    return f"""---
code: {code}
title: Thủ tục hành chính số {number} - Đăng ký và cấp giấy chứng nhận
kind: tthc
unit: Văn phòng - Thống kê
field: Hộ tịch
revision: {revision}
effective: {effective}
status: effective
audience: public
review_months: 12
prepared_by: {{name: Nguyễn Thị Lan, title: Công chức Tư pháp - Hộ tịch}}
reviewed_by: {{name: Trần Văn Bình, title: Phó Chủ tịch UBND xã}}
approved_by: {{name: Lê Văn Cường, title: Chủ tịch UBND xã}}
legal_basis:
  - {{code: 60/2014/QH13, title: Luật Hộ tịch}}
  - {{code: 123/2015/NĐ-CP, title: Nghị định quy định chi tiết một số điều của Luật Hộ tịch}}
related: [QT-HT-02]
tthc:
  national_code: 1.{number:06d}
  level: Cấp xã
  applicants: Công dân Việt Nam
  agency: UBND cấp xã
  result: Giấy chứng nhận
  channels:
    - {{channel: Trực tiếp, time: {{value: 1, unit: working_days}}, fee: Miễn phí}}
    - {{channel: Trực tuyến, time: {{value: 1, unit: working_days}}, fee: Miễn phí}}
  dossier:
    - {{name: Tờ khai, form: BM-{number:04d}-01, originals: 1, copies: 0}}
    - {{name: Giấy tờ tùy thân, originals: 0, copies: 1}}
steps:
  - {{actor: Bộ phận một cửa, action: Tiếp nhận hồ sơ, time: {{value: 0.5, unit: working_days}}}}
  - {{actor: Công chức chuyên môn, action: Thẩm định, trình ký, time: {{value: 0.25, unit: working_days}}}}
  - {{actor: Chủ tịch UBND xã, action: Ký kết quả, time: {{value: 0.25, unit: working_days}}}}
forms:
  - {{code: BM-{number:04d}-01, title: Tờ khai, file: forms/BM-{number:04d}-01.docx}}
records:
  - {{name: Sổ đăng ký, keeper: Công chức chuyên môn, retention: Vĩnh viễn}}
---
"""


BODY = """## 1. Mục đích

Quy định trình tự, thủ tục tiếp nhận, thẩm định và trả kết quả cho tổ chức, công dân.

## 2. Phạm vi áp dụng

Áp dụng đối với bộ phận một cửa và các công chức chuyên môn của Ủy ban nhân dân xã.

## 3. Tài liệu viện dẫn

- Tiêu chuẩn quốc gia TCVN ISO 9001:2015.
- Các văn bản pháp luật nêu tại phần căn cứ pháp lý.

## 4. Nội dung quy trình

Công chức tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ; trường hợp hồ sơ chưa đầy đủ
thì hướng dẫn người nộp bổ sung một lần, đầy đủ theo quy định.

"""


def document(code: str, number: int, revision: int, effective: str, edits: int) -> bytes:
    note = f"Ghi chú sửa đổi: đã cập nhật {edits} lần.\n"
    return (front_matter(code, number, revision, effective) + BODY + note).encode("utf-8")


def ident(person: tuple[str, str], ts: int) -> str:
    return f"{person[0]} <{person[1]}> {ts} +0700"


def build_repo(root: Path, docs: int, merges: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert proc.stdin is not None
    out = proc.stdin
    mark = 0

    def next_mark() -> int:
        nonlocal mark
        mark += 1
        return mark

    def data(payload: bytes) -> None:
        out.write(b"data %d\n" % len(payload))
        out.write(payload)
        out.write(b"\n")

    paths = [f"procedures/{UNITS[n % len(UNITS)]}/qt-{n:04d}.md" for n in range(docs)]
    codes = [f"QT-{n:04d}" for n in range(docs)]
    revision = [1] * docs
    effective = ["2024-01-15"] * docs
    edits = [0] * docs

    blob_marks = []
    for n in range(docs):
        m = next_mark()
        out.write(b"blob\nmark :%d\n" % m)
        data(document(codes[n], n, 1, effective[n], 0))
        blob_marks.append(m)
    ts = BASE_TS
    main_tip = next_mark()
    out.write(b"commit refs/heads/main\nmark :%d\n" % main_tip)
    out.write(f"author {ident(PEOPLE[0], ts)}\ncommitter {ident(PEOPLE[0], ts)}\n".encode())
    data("Ban hành hệ thống tài liệu ISO\n".encode())
    for n in range(docs):
        out.write(f"M 100644 :{blob_marks[n]} {paths[n]}\n".encode())
    out.write(b"\n")

    for i in range(1, merges + 1):
        n = (i * 7919) % docs
        edits[n] += 1
        bump = i % 4 == 0
        if bump:
            revision[n] += 1
            day = 1 + i % 28
            effective[n] = f"2025-{1 + i % 12:02d}-{day:02d}"
        blob = next_mark()
        out.write(b"blob\nmark :%d\n" % blob)
        data(document(codes[n], n, revision[n], effective[n], edits[n]))
        author = PEOPLE[i % len(PEOPLE)]
        ts += 600
        feature = next_mark()
        out.write(b"commit refs/heads/feature\nmark :%d\n" % feature)
        out.write(f"author {ident(author, ts)}\ncommitter {ident(author, ts)}\n".encode())
        data(f"Sửa {codes[n]}: cập nhật nội dung\n".encode())
        out.write(f"from :{main_tip}\nM 100644 :{blob} {paths[n]}\n\n".encode())
        ts += 600
        merge = next_mark()
        message = (
            f"Merge branch 'sua-{codes[n].lower()}-{i}' into 'main'\n\n"
            f"Cập nhật {codes[n]}{' (ban hành lần ' + str(revision[n]) + ')' if bump else ''}\n\n"
            f"See merge request demo/portal!{i}\n\n"
            f"Approved-by: Lê Văn Cường <cuong@example.vn>\n"
        )
        out.write(b"commit refs/heads/main\nmark :%d\n" % merge)
        out.write(f"author {ident(author, ts)}\ncommitter {ident(PEOPLE[2], ts)}\n".encode())
        data(message.encode())
        out.write(f"from :{main_tip}\nmerge :{feature}\nM 100644 :{blob} {paths[n]}\n\n".encode())
        main_tip = merge
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(root), "branch", "-q", "-D", "feature"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=6000, help="merge requests merged into main")
    parser.add_argument("--sample", type=int, default=20, help="files timed with git log --follow")
    parser.add_argument("--repeat", type=int, default=3, help="runs of read_history")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="eiso-bench-") as tmp:
        root = Path(tmp) / "repo"
        started = time.perf_counter()
        build_repo(root, args.docs, args.commits)
        build_seconds = time.perf_counter() - started

        runs = []
        history = None
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            history = read_history(root)
            runs.append(time.perf_counter() - started)
        assert history is not None and history.available, history and history.notice
        started = time.perf_counter()
        paths = history.paths()
        rows = sum(len(history.revisions(path)) for path in paths)
        table_seconds = time.perf_counter() - started
        changes = sum(len(history.changes(path)) for path in paths)
        approved = sum(1 for path in paths for c in history.changes(path) if c.approved)

        rng = random.Random(0)
        sample = rng.sample(paths, min(args.sample, len(paths)))
        started = time.perf_counter()
        for path in sample:
            subprocess.run(
                ["git", "log", "--follow", "-M", "--name-status", "--format=%H%x00%an%x00%cI%x00%B",
                 "--", path],
                cwd=root, check=True, stdout=subprocess.DEVNULL,
            )
        follow_sample = time.perf_counter() - started
        follow_all = follow_sample / len(sample) * len(paths)

    first_parent = 1 + args.commits
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"Repository built with one git fast-import in {build_seconds:.1f} s "
          f"({first_parent} first-parent commits, {args.commits} feature commits).")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| documents | {len(paths)} |")
    print(f"| merge requests (merge commits on main) | {args.commits} |")
    print(f"| changes attributed (approved) | {changes} ({approved}) |")
    print(f"| revision-table rows | {rows} |")
    print(f"| read_history, seconds (best of {len(runs)}; all: {', '.join(f'{r:.2f}' for r in runs)}) "
          f"| {min(runs):.2f} |")
    print(f"| revisions() for every document, seconds | {table_seconds:.3f} |")
    print(f"| read_history + revisions(), seconds (median run) | {statistics.median(runs) + table_seconds:.2f} |")
    print(f"| per-file `git log --follow`, {len(sample)} sampled files, seconds | {follow_sample:.2f} |")
    print(f"| per-file `git log --follow`, **extrapolated** to {len(paths)} files, seconds "
          f"| {follow_all:.0f} |")


if __name__ == "__main__":
    main()
