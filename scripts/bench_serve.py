#!/usr/bin/env python3
"""Benchmark the live preview: how long after one procedure is edited its page shows the edit.

A portal of ``--size`` procedures is generated from the national TTHC corpus (the generator of
``bench_build.py``), with the same pages written as plain Markdown for stock MkDocs + Material. Then, for
``eiso serve`` in the portal and for stock ``mkdocs serve --dirty`` on the plain pages, once the first build is
served: ``--edits`` times, a line is appended to one procedure's file and its page is fetched every 50 ms until
the line is in it (the time a person waits between saving and seeing the change; the browser's own reload is
not counted). Prints a Markdown table and the ratio of the medians.

    .venv/bin/python scripts/bench_serve.py --size 2000 --edits 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))
sys.path.insert(0, str(REPO / "src"))

import bench_build as bb  # noqa: E402
from eiso.documents.text import slugify  # noqa: E402

POLL_S = 0.05
FIRST_BUILD_TIMEOUT_S = 900
EDIT_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


def serve_and_edit(command: list[str], cwd: Path, source: Path, page: str, edits: int, log: Path) -> list[float]:
    """Start ``command`` (a server on ``page``'s host), wait for its first build, then time ``edits`` edits."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + FIRST_BUILD_TIMEOUT_S
        while not fetch(page):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (see {log})")
            time.sleep(0.5)
        time.sleep(3)  # what the first build leaves to do in the background
        times = []
        for n in range(edits):
            marker = f"Dòng đo thời gian xem trước {n} {time.time_ns()}"
            with source.open("a", encoding="utf-8") as handle:
                handle.write(f"\n{marker}\n")
            start = time.perf_counter()
            while marker not in fetch(page):
                if time.perf_counter() - start > EDIT_TIMEOUT_S:
                    raise RuntimeError(f"edit {n} never showed (see {log})")
                time.sleep(POLL_S)
            times.append(time.perf_counter() - start)
            time.sleep(3)
        return times
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def row(name: str, times: list[float]) -> str:
    cells = " | ".join(f"{t:.2f}" for t in times)
    return f"| {name} | {cells} | **{statistics.median(times):.2f}** | {max(times):.2f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="number of procedures (default 2000)")
    parser.add_argument("--edits", type=int, default=5, help="edits timed per server (default 5)")
    parser.add_argument("--corpus", type=Path, default=bb.DEFAULT_CORPUS, help="national TTHC records (JSON Lines)")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary directory, removed)")
    args = parser.parse_args(argv)
    if args.size < 1 or args.edits < 1:
        parser.error("--size và --edits cần là số nguyên dương")
    if not args.corpus.is_file():
        print(f"bench_serve: không tìm thấy dữ liệu {args.corpus}", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="eiso-bench-serve-"))
    portal, stock, logs = work / "portal", work / "stock", work / "logs"
    for leftover in (portal, stock, logs):
        shutil.rmtree(leftover, ignore_errors=True)
    logs.mkdir(parents=True)
    try:
        pages = bb.generate_pages(bb.load_records(args.corpus), args.size)
        bb.write_portal(portal, pages)
        bb.make_history(portal, pages)
        bb.write_stock(stock, pages)
        edited = pages[len(pages) // 2]
        eiso_port, stock_port = free_port(), free_port()
        eiso_page = f"http://127.0.0.1:{eiso_port}/quy-trinh/{slugify(edited.meta['code'])}/"
        stock_page = f"http://127.0.0.1:{stock_port}/{edited.path[:-3]}/"
        eiso = serve_and_edit(bb.eiso_command("serve", "--dev-addr", f"127.0.0.1:{eiso_port}"), portal,
                              portal / "procedures" / edited.path, eiso_page, args.edits, logs / "eiso.log")
        plain = serve_and_edit(bb.mkdocs_command("serve", "--dirty", "-a", f"127.0.0.1:{stock_port}"), stock,
                               stock / "docs" / edited.path, stock_page, args.edits, logs / "stock.log")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Live preview, {args.size:,} procedures, an edit to its page shown (s), {bb.environment()}\n")
    print("| server | " + " | ".join(f"edit {n + 1}" for n in range(args.edits)) + " | median | worst |")
    print("|---|" + "---:|" * (args.edits + 2))
    print(row("eiso serve", eiso))
    print(row("mkdocs serve --dirty (stock)", plain))
    print(f"\neiso / stock (medians): {statistics.median(eiso) / statistics.median(plain):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
