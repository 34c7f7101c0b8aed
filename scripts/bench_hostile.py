#!/usr/bin/env python3
"""Time and peak memory of ``eiso check`` and ``eiso build`` on the hostile inputs of issue 11 (class 5).

For each case, a small valid repository (``tests/factory.py``) gets one hostile procedure (or 2,000 files
sharing one code); ``eiso check`` and ``eiso build`` run in their own subprocess, whose wall time and peak
memory (``ru_maxrss`` from ``os.wait4``) are printed as a Markdown table with the exit code and whether the
hostile file was reported. The bound the issue sets is 30 s and 1.5 GB per command.

    .venv/bin/python scripts/bench_hostile.py            # every case
    .venv/bin/python scripts/bench_hostile.py brackets   # some cases
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from factory import document_text, make_repo, system_meta, write_doc  # noqa: E402

BODIES = {
    "backticks": "{" + "`" * 4000,
    "brackets": "[" * 30_000,
    "braces": "{{" * 60_000,
    "cdata": "<![CDATA[" * 10_000,
    "footnote-refs": "[^" * 20_000,
    "autolinks": "<http://" * 25_000,
    "comments": "<!--" * 100_000,
    "definitions": "Thuật ngữ\n: định nghĩa\n" * 2000,
    "balanced-brackets": "[ " * 3000 + "] " * 3000,
    "same-headings": "## a\n\n" * 24_000,  # linear but long: near the budget, the outcome depends on the machine
}
CASES = [*BODIES, "shared-code-2000"]


def run(args: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, peak MB, exit code and output of one ``eiso`` command in its own process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "eiso.cli", *args], cwd=cwd, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return time.monotonic() - started, usage.ru_maxrss / 1024, process.returncode, text


def prepare(case: str, folder: Path) -> tuple[Path, str]:
    repo = make_repo(folder / "repo")
    if case == "shared-code-2000":
        for i in range(2000):
            write_doc(repo, f"trung/qt-{i:04}.md", system_meta(code="QT-TRUNG", title=f"Bản {i}"), "Nội dung.\n")
        return repo, "procedures/trung/qt-0000.md"
    (repo / "procedures" / f"{case}.md").write_text(document_text(system_meta(code="QT-X"), BODIES[case] + "\n"),
                                                    encoding="utf-8")
    return repo, f"procedures/{case}.md"


def main(selected: list[str]) -> None:
    print("| case | check s | check MB | check exit | reported | build s | build MB | build exit | rest built |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case in selected or CASES:
        with tempfile.TemporaryDirectory() as tmp:
            repo, path = prepare(case, Path(tmp))
            c_time, c_mb, c_exit, c_out = run(["check"], repo)
            b_time, b_mb, b_exit, _ = run(["build", "-d", "site"], repo)
            built = (repo / "site" / "quy-trinh" / "qt-ht-01" / "index.html").exists()
            print(f"| {case} | {c_time:.1f} | {c_mb:.0f} | {c_exit} | {'yes' if path + ':' in c_out else 'NO'} "
                  f"| {b_time:.1f} | {b_mb:.0f} | {b_exit} | {'yes' if built else 'NO'} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
