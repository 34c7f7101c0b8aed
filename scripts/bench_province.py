#!/usr/bin/env python3
"""Benchmark the framework model and the province portal on generated repositories.

Generates, in a temporary folder (real git):

* a framework repository with ``--documents`` documents (a third TTHC, the rest system
  procedures), every fifth document raised to revision 2 and every tenth to revision 3,
  each revision merged as a GitLab merge request approved by the province;
* ``--agencies`` agency repositories, each with the framework at ``khung/`` (a shared
  clone, or a real git submodule with ``--submodules``, slower) and one adoption file per
  framework document; every seventh agency stays on revision 1 of the documents the
  framework moved on; one merge commit with an approval trailer.

Then times: adoption checks of every agency (load with the framework + lag findings),
the published ``api/`` data of every agency (core only, no pages), one agency's full
``eiso build``, and ``eiso province build`` over all agencies. Prints a Markdown table.

    PYTHONPATH=src .venv/bin/python scripts/bench_province.py --agencies 225 --documents 60
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from eiso.control.history import read_history  # noqa: E402
from eiso.documents.adoption import framework_context  # noqa: E402
from eiso.documents.loader import load_corpus  # noqa: E402
from eiso.framework import adoption_lags, lag_findings, open_framework  # noqa: E402
from eiso.sites.intranet import SiteOptions, api_files  # noqa: E402
from eiso.sites.qms import LagEntry  # noqa: E402

PROVINCE = {"name": "Nguyễn Văn Tỉnh", "title": "Giám đốc Sở Khoa học và Công nghệ"}
ENV = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@example.vn", GIT_COMMITTER_NAME="GitLab",
           GIT_COMMITTER_EMAIL="gitlab@example.vn", GIT_AUTHOR_DATE="1767225600 +0700",
           GIT_COMMITTER_DATE="1767225600 +0700")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "protocol.file.allow=always", *args], cwd=root, env=ENV, check=True,
                   capture_output=True)


def merge(root: Path, branch: str, title: str, number: int, approver: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", title)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", branch, "-m",
        f"Merge branch '{branch}' into 'main'\n\n{title}\n\nSee merge request tinh/khung!{number}\n\n"
        f"Approved-by: {approver} <duyet@example.vn>")


def framework_doc(index: int, revision: int) -> str:
    code = f"QT-KHUNG-{index:03d}"
    meta: dict = {"code": code, "title": f"Quy trình khung số {index}", "kind": "system",
                  "unit": "Văn phòng - Thống kê", "revision": revision, "effective": f"2025-0{revision}-01",
                  "status": "effective", "approved_by": PROVINCE}
    if index % 3 == 0:
        meta.update(kind="tthc", field="Hộ tịch", tthc={
            "national_code": f"1.00{index:04d}", "level": "Cấp xã", "agency": "UBND cấp xã",
            "channels": [{"channel": "Trực tiếp", "time": {"value": 3, "unit": "working_days"},
                          "fee": "Miễn phí" if revision == 1 else f"{revision * 5}.000 đồng"}],
            "dossier": [{"name": f"Tờ khai số {n}"} for n in range(revision + 1)]})
    body = f"## 1. Mục đích\n\nQuy trình khung {index}.\n\n## 2. Nội dung\n\nLần ban hành {revision}.\n"
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n{body}"


def make_framework(root: Path, documents: int) -> dict[int, int]:
    """The framework; returns each document's final revision."""
    (root / "procedures").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "mkdocs.yml").write_text("site_name: Mô hình khung\nplugins:\n  - eiso\n", encoding="utf-8")
    final = {}
    for index in range(documents):
        (root / "procedures" / f"qt-{index:03d}.md").write_text(framework_doc(index, 1), encoding="utf-8")
        final[index] = 1
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Mô hình khung lần đầu")
    for number, revision in enumerate((2, 3), 1):
        git(root, "checkout", "-q", "-b", f"lan-{revision}")
        for index in range(documents):
            if index % (5 if revision == 2 else 10) == 0:
                (root / "procedures" / f"qt-{index:03d}.md").write_text(framework_doc(index, revision), encoding="utf-8")
                final[index] = revision
        merge(root, f"lan-{revision}", f"Khung: lần ban hành {revision}", number, PROVINCE["name"])
    return final


def make_agency(root: Path, number: int, framework: Path, final: dict[int, int], submodules: bool) -> None:
    (root / "procedures").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    agency = {"name": f"UBND xã Số {number}", "code": f"X{number:03d}", "district": f"Huyện {number % 9}",
              "approver": {"name": f"Chủ tịch xã {number}", "title": "Chủ tịch UBND xã"}}
    config = {"site_name": agency["name"], "theme": {"name": "material", "language": "vi"},
              "plugins": [{"eiso": {"framework": "khung/", "agency": agency}}]}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Trang chủ\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Khởi tạo")
    if submodules:
        git(root, "submodule", "add", "-q", str(framework), "khung")
    else:  # the same on-disk shape as a submodule checkout, without its bookkeeping
        git(root, "clone", "-q", "--shared", str(framework), "khung")
    git(root, "checkout", "-q", "-b", "ap-dung")
    lagging = number % 7 == 0
    for index, revision in final.items():
        adopted = 1 if lagging else revision
        meta = {"based_on": {"code": f"QT-KHUNG-{index:03d}", "revision": adopted}, "code": f"QT-KHUNG-{index:03d}",
                "revision": 1, "effective": "2026-01-15", "status": "effective", "approved_by": agency["approver"]}
        text = f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)}---\n"
        (root / "procedures" / f"qt-{index:03d}.md").write_text(text, encoding="utf-8")
    merge(root, "ap-dung", "Áp dụng mô hình khung", 1, agency["approver"]["name"])


def check_and_publish(root: Path, number: int) -> tuple[float, float, int]:
    """(seconds of adoption check, seconds of api/ data, lag warnings) for one agency."""
    started = time.perf_counter()
    framework = open_framework(root, "khung/")
    with framework_context(framework):
        corpus = load_corpus(root)
        warnings = lag_findings(corpus.documents, framework)
    checked = time.perf_counter()
    with framework_context(framework):
        history = read_history(root)
        lags = tuple(LagEntry(l.document.meta.code, l.framework_code, l.adopted, l.latest)
                     for l in adoption_lags(corpus.documents, framework))
        options = SiteOptions(agency={"name": f"UBND xã Số {number}", "code": f"X{number:03d}"}, lags=lags)
        files = api_files(corpus.documents, root, options, history)
        history.close()
    for uri, content in files.items():
        target = root / "public" / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return checked - started, time.perf_counter() - checked, len(warnings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=225)
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--submodules", action="store_true", help="real git submodules (slower to generate)")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="eiso-bench-province-") as tmp:
        base = Path(tmp)
        started = time.perf_counter()
        final = make_framework(base / "khung", args.documents)
        for number in range(args.agencies):
            make_agency(base / "co-quan" / f"{number:03d}", number, base / "khung", final, args.submodules)
        rows.append((f"generate framework + {args.agencies} agencies × {args.documents} documents (git)",
                     f"{time.perf_counter() - started:.1f} s"))
        check_total = publish_total = 0.0
        lagging = 0
        for number in range(args.agencies):
            check, publish, warnings = check_and_publish(base / "co-quan" / f"{number:03d}", number)
            check_total += check
            publish_total += publish
            lagging += warnings > 0
        rows.append((f"adoption checks, all agencies ({lagging} behind)",
                     f"{check_total:.1f} s ({check_total / args.agencies * 1000:.0f} ms each)"))
        rows.append(("api/documents.json + api/qms.json, all agencies (core, no pages)",
                     f"{publish_total:.1f} s ({publish_total / args.agencies * 1000:.0f} ms each)"))
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        started = time.perf_counter()
        build = subprocess.run([sys.executable, "-m", "eiso.cli", "build", "-d", "site"], cwd=base / "co-quan" / "000",
                               env=env, capture_output=True, text=True)
        rows.append((f"one agency: eiso build (exit {build.returncode})", f"{time.perf_counter() - started:.1f} s"))
        config = {"province": "Tỉnh Thử Nghiệm", "framework": {"name": "Mô hình khung", "repository": "khung"},
                  "agencies": [{"name": f"UBND xã Số {n}", "code": f"X{n:03d}", "district": f"Huyện {n % 9}",
                                "data": f"co-quan/{n:03d}/public"} for n in range(args.agencies)]}
        (base / "province.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        started = time.perf_counter()
        cpu = os.times()
        province = subprocess.run([sys.executable, "-m", "eiso.cli", "province", "build", "province.yml", "-d", "portal"],
                                  cwd=base, env=env, capture_output=True, text=True)
        after = os.times()
        cpu_used = (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
        rows.append((f"eiso province build, {args.agencies} agencies (exit {province.returncode})",
                     f"{time.perf_counter() - started:.1f} s wall, {cpu_used:.1f} s CPU"))
    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| step | time |\n|---|---|")
    for step, value in rows:
        print(f"| {step} | {value} |")


if __name__ == "__main__":
    main()
