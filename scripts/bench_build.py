#!/usr/bin/env python3
"""Benchmark building e-ISO portals of 500, 2,000 and 10,000 procedures against stock MkDocs + Material.

For each size, in a temporary directory:

1. a portal repository is generated from the national TTHC corpus with the importer
   (``eiso.importers.tthc.build_document``): records past the corpus size are repeated with new national
   codes, every document is made ``status: effective`` with an approver and an effective date so that
   it is a full page, and the repository gets a git history of a few commits (an initial import and a
   few GitLab-style merge requests that bump revisions, merged with ``--no-ff`` and ``Approved-by:``);
2. ``eiso check``, the intranet build (``eiso build``), the public build (``eiso build --public``, with
   ``mkdocs.public.yml`` = ``INHERIT: mkdocs.yml`` + the plugin's ``audience: public``; "n/a" when it
   fails) and a rebuild after one document changed are timed, each in its own subprocess whose peak
   memory is read from ``os.wait4`` (the child's own ``ru_maxrss``);
3. the same pages are written as plain Markdown (title and tables, one folder per field) and built by
   stock MkDocs + Material (``navigation.prune``, default search plugin), for comparison.

Prints a Markdown table. ``--quick`` (200 documents only, enough for the build's helper processes) is the
smoke test and takes well under a minute.

    .venv/bin/python scripts/bench_build.py --quick
    .venv/bin/python scripts/bench_build.py --sizes 500,2000
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from eiso.importers.tthc import build_document, render_document  # noqa: E402
from eiso.documents.model import UNIT_LABELS, TimeUnit  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "tthc-national.jsonl"
DEFAULT_SIZES = (500, 2000, 10000)
MB = 1024 * 1024
PEOPLE = {
    "prepared_by": {"name": "Nguyễn Thị Lan", "title": "Công chức Văn phòng - Thống kê"},
    "reviewed_by": {"name": "Trần Văn Bình", "title": "Phó Chủ tịch UBND xã"},
    "approved_by": {"name": "Lê Văn Cường", "title": "Chủ tịch UBND xã"},
}
APPROVER = "Lê Văn Cường <cuong@example.vn>"
MERGE_REQUESTS = 3  # merge requests after the initial import, each bumping ~1% of the documents

MKDOCS_YML = """\
site_name: Hệ thống quản lý chất lượng – đo hiệu năng
site_url: https://iso.example.vn/
repo_url: https://gitlab.example.vn/xa/e-iso
edit_uri: ""
docs_dir: docs
strict: false
theme:
  name: material
  language: vi
{custom_dir}  features:
    - navigation.sections
    - navigation.top
    - search.highlight
  font: false
nav:
  - Trang chủ: index.md
  - Danh mục tài liệu: danh-muc/index.md
  - Theo lĩnh vực: linh-vuc/index.md
  - Theo đơn vị: don-vi/index.md
not_in_nav: |
  /quy-trinh/
plugins:
  - search
  - eiso:
      procedures_dir: procedures
  - macros:
      on_error_fail: true
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - admonition
  - attr_list
  - def_list
  - footnotes
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tasklist
"""

MKDOCS_PUBLIC_YML = """\
INHERIT: mkdocs.yml
site_name: Thủ tục hành chính – đo hiệu năng
nav:
  - Trang chủ: index.md
plugins:
  - search
  - eiso:
      procedures_dir: procedures
      audience: public
  - macros:
      on_error_fail: true
"""

STOCK_YML = """\
site_name: MkDocs + Material (đối chứng)
site_url: https://stock.example.vn/
theme:
  name: material
  language: vi
  features:
    - navigation.prune
  font: false
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
  - tables
"""


# --------------------------------------------------------------------------------------------------
# Measuring a subprocess
# --------------------------------------------------------------------------------------------------


@dataclass
class Run:
    ok: bool
    seconds: float
    peak_mb: float
    log: str = ""


def measure(command: list[str], cwd: Path, log_dir: Path, name: str, timeout: float = 3600) -> Run:
    """Run ``command``; wall time and the child's own peak RSS (``os.wait4``)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with log_path.open("wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    peak = usage.ru_maxrss / (MB if sys.platform == "darwin" else 1024)
    return Run(process.returncode == 0, seconds, peak, log_path.read_text(encoding="utf-8", errors="replace"))


PROFILE_DIR: Path | None = None  # --profile: every e-ISO build runs under cProfile


def eiso_command(*args: str, profile: str | None = None) -> list[str]:
    if PROFILE_DIR is not None and profile:
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
        return [sys.executable, "-m", "cProfile", "-o", str(PROFILE_DIR / f"{profile}.prof"), "-m", "eiso.cli", *args]
    script = Path(sys.executable).with_name("eiso")
    return [str(script), *args] if script.is_file() else [sys.executable, "-m", "eiso.cli", *args]


def mkdocs_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("mkdocs")
    return [str(script), *args] if script.is_file() else [sys.executable, "-m", "mkdocs", *args]


# --------------------------------------------------------------------------------------------------
# Generating a portal repository
# --------------------------------------------------------------------------------------------------


def load_records(corpus: Path) -> list[dict]:
    records = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
    return [r for r in records if isinstance(r, dict) and r.get("code") and r.get("name")]


@dataclass
class Page:
    path: str  # relative to procedures/
    meta: dict
    body: str


def _visible(value):
    """The record without hidden characters (soft hyphens in the national data): ``eiso check`` rejects them,
    and the benchmark needs documents that all build."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    if isinstance(value, dict):
        return {key: _visible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_visible(item) for item in value]
    return value


def generate_pages(records: list[dict], size: int) -> list[Page]:
    """``size`` effective, approved TTHC procedures made by the importer; repeats get new codes."""
    pages: list[Page] = []
    start = dt.date(2024, 1, 15)
    index = 0
    while len(pages) < size:
        record = _visible(copy.deepcopy(records[index % len(records)]))
        lap = index // len(records)
        index += 1
        if lap:
            record["code"] = f"{record['code']}-{lap + 1}"
            record["name"] = f"{record['name']} (lần lặp {lap + 1})"
        draft = build_document(record)
        if draft is None:
            continue
        meta = dict(draft.meta)
        meta["status"] = "effective"
        meta["effective"] = start + dt.timedelta(days=len(pages) % 365)
        meta.update(copy.deepcopy(PEOPLE))
        ordered = {key: meta[key] for key in ("code", "title", "kind", "unit", "field", "revision", "effective",
                                             "status", "audience", "prepared_by", "reviewed_by", "approved_by")
                   if key in meta}
        ordered.update({k: v for k, v in meta.items() if k not in ordered})
        pages.append(Page(f"{draft.folder}/{draft.filename}", ordered, draft.body))
    return pages


def git(cwd: Path, *args: str, when: int | None = None, author: str = "Nguyễn Thị Lan <lan@example.vn>") -> None:
    name, email = author.rsplit(" <", 1)
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email.rstrip(">"),
               GIT_COMMITTER_NAME="GitLab", GIT_COMMITTER_EMAIL="gitlab@example.vn")
    if when is not None:
        stamp = f"@{when} +0700"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def write_portal(root: Path, pages: list[Page]) -> None:
    (root / "docs").mkdir(parents=True)
    overrides = REPO / "overrides"
    custom_dir = ""
    if overrides.is_dir():
        shutil.copytree(overrides, root / "overrides")
        custom_dir = "  custom_dir: overrides\n"
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(custom_dir=custom_dir), encoding="utf-8")
    (root / "mkdocs.public.yml").write_text(MKDOCS_PUBLIC_YML, encoding="utf-8")
    (root / "docs" / "index.md").write_text(
        "# Hệ thống quản lý chất lượng\n\nCổng tài liệu đo hiệu năng, tạo tự động.\n", encoding="utf-8")
    (root / ".gitignore").write_text("site/\nsite-public/\n", encoding="utf-8")
    for page in pages:
        write_page(root, page)


def write_page(root: Path, page: Page) -> None:
    target = root / "procedures" / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_document(page.meta, page.body), encoding="utf-8")


def make_history(root: Path, pages: list[Page]) -> int:
    """An initial import and a few approved merge requests; returns the number of commits."""
    when = 1_735_700_000  # early 2025
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Nguyễn Thị Lan")
    git(root, "config", "user.email", "lan@example.vn")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Khởi tạo hệ thống tài liệu từ dữ liệu TTHC quốc gia", when=when)
    commits = 1
    step = max(1, len(pages) // max(1, len(pages) // 100))  # ~1% of the documents per merge request
    for number in range(1, MERGE_REQUESTS + 1):
        when += 86_400 * 30
        branch = f"sua-doi-{number}"
        git(root, "checkout", "-q", "-b", branch)
        for page in pages[number::step][: max(1, len(pages) // 100)]:
            page.meta["revision"] = int(page.meta["revision"]) + 1
            page.meta["effective"] = dt.date(2025, 1, 1) + dt.timedelta(days=30 * number)
            page.body += f"\nSửa đổi lần {number}: cập nhật căn cứ pháp lý và thời hạn giải quyết.\n"
            write_page(root, page)
        git(root, "commit", "-q", "-a", "-m", f"Sửa đổi đợt {number}: cập nhật quy trình", when=when)
        git(root, "checkout", "-q", "main")
        message = (f"Merge branch '{branch}' into 'main'\n\nSửa đổi đợt {number}: cập nhật quy trình\n\n"
                   f"See merge request xa/e-iso!{number}\n\nApproved-by: {APPROVER}\n")
        git(root, "merge", "-q", "--no-ff", "-m", message, branch, when=when + 3600, author=APPROVER)
        commits += 2
    return commits


# --------------------------------------------------------------------------------------------------
# The same pages for stock MkDocs + Material
# --------------------------------------------------------------------------------------------------


def cell(value: object) -> str:
    return str(value if value is not None else "").replace("\n", " ").replace("|", "\\|").strip()


def duration(time: dict | None) -> str:
    if not time:
        return "Không quy định"
    value = time["value"]
    number = f"{value:g}".replace(".", ",")
    return f"{number} {UNIT_LABELS[TimeUnit(time['unit'])]}"


def stock_markdown(page: Page) -> str:
    meta, tthc = page.meta, page.meta["tthc"]
    lines = [f"# {meta['title']}", "",
             "| Mã hiệu | Lần ban hành | Ngày hiệu lực | Đơn vị chủ trì |", "|---|---|---|---|",
             f"| {cell(meta['code'])} | {meta['revision']} | {meta['effective']:%d/%m/%Y} | {cell(meta['unit'])} |", "",
             "| Soạn thảo | Xem xét | Phê duyệt |", "|---|---|---|",
             "| " + " | ".join(cell(meta[k]["name"]) for k in ("prepared_by", "reviewed_by", "approved_by")) + " |", ""]
    if meta.get("legal_basis"):
        lines += ["## Căn cứ pháp lý", ""]
        lines += [f"- {cell(r.get('code', ''))} – {cell(r['title'])}" for r in meta["legal_basis"]] + [""]
    lines += ["## Thông tin thủ tục hành chính", "", "| | |", "|---|---|",
              f"| Mã thủ tục | {cell(tthc['national_code'])} |", f"| Cấp thực hiện | {cell(tthc['level'])} |",
              f"| Cơ quan thực hiện | {cell(tthc['agency'])} |", f"| Đối tượng | {cell(tthc.get('applicants'))} |",
              f"| Kết quả | {cell(tthc.get('result'))} |", f"| Yêu cầu, điều kiện | {cell(tthc.get('conditions'))} |", ""]
    lines += ["## Thành phần hồ sơ", "", "| TT | Tên giấy tờ | Bản chính | Bản sao |", "|---|---|---|---|"]
    lines += [f"| {i} | {cell(d['name'])} | {d['originals']} | {d['copies']} |"
              for i, d in enumerate(tthc.get("dossier") or [], start=1)] + [""]
    lines += ["## Cách thức thực hiện", "", "| Cách thức | Thời hạn giải quyết | Phí, lệ phí |", "|---|---|---|"]
    lines += [f"| {cell(c['channel'])} | {duration(c.get('time'))} | {cell(c.get('fee'))} |"
              for c in tthc["channels"]] + [""]
    lines += ["## Các bước xử lý", "", "| TT | Bước | Trách nhiệm | Thời gian |", "|---|---|---|---|"]
    lines += [f"| {i} | {cell(s['action'])} | {cell(s['actor'])} | {duration(s.get('time'))} |"
              for i, s in enumerate(meta.get("steps") or [], start=1)] + [""]
    lines += ["## Nội dung", "", page.body]
    return "\n".join(lines)


def write_stock(root: Path, pages: list[Page]) -> None:
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(STOCK_YML, encoding="utf-8")
    (docs / "index.md").write_text("# Thủ tục hành chính\n\nBản đối chứng: MkDocs + Material.\n", encoding="utf-8")
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(stock_markdown(page), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Sizes of built sites
# --------------------------------------------------------------------------------------------------


def html_per_page_kb(pages: list[Path]) -> float:
    return sum(p.stat().st_size for p in pages) / max(1, len(pages)) / 1024


def site_mb(site: Path) -> float:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / MB


def eiso_pages(site: Path) -> list[Path]:
    return sorted(site.glob("quy-trinh/*/index.html"))  # current revisions; not lan-N/ archives


def stock_pages(site: Path) -> list[Path]:
    return [p for p in site.glob("*/*/index.html") if p.parent.parent.name not in ("assets", "search")]


# --------------------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    size: int
    commits: int = 0
    generate_s: float = 0.0
    check: Run | None = None
    build: Run | None = None
    public: Run | None = None
    rebuild: Run | None = None
    stock: Run | None = None
    html_kb: float = 0.0
    site_mb: float = 0.0
    public_site_mb: float = 0.0
    stock_html_kb: float = 0.0
    stock_site_mb: float = 0.0
    notes: list[str] = field(default_factory=list)


def bench_size(records: list[dict], size: int, work: Path, verbose: bool) -> Result:
    result = Result(size)
    portal, stock, logs = work / f"portal-{size}", work / f"stock-{size}", work / f"logs-{size}"
    say = (lambda text: print(f"[{size}] {text}", file=sys.stderr, flush=True)) if verbose else (lambda text: None)
    started = time.perf_counter()
    pages = generate_pages(records, size)
    write_portal(portal, pages)
    result.commits = make_history(portal, pages)
    write_stock(stock, pages)
    result.generate_s = time.perf_counter() - started
    say(f"tạo kho: {result.generate_s:.1f} s, {result.commits} commit")

    result.check = measure(eiso_command("check"), portal, logs, "check")
    if not result.check.ok and "Tổng cộng:" in result.check.log:
        # exit status 1 = findings: the check ran to the end (national data gives a few warnings)
        result.check.ok = True
        result.notes.append(f"eiso check: {result.check.log.strip().splitlines()[-1]} (xem {logs / 'check.log'})")
    elif not result.check.ok:
        result.notes.append(f"eiso check: thất bại (xem {logs / 'check.log'})")
    say(f"eiso check: {result.check.seconds:.1f} s")

    result.build = measure(eiso_command("build", "-d", "site", profile=f"{size}-build"), portal, logs, "build")
    if result.build.ok:
        result.html_kb = html_per_page_kb(eiso_pages(portal / "site"))
        result.site_mb = site_mb(portal / "site")
        if len(eiso_pages(portal / "site")) < size:
            result.notes.append(f"chỉ có {len(eiso_pages(portal / 'site'))} trang quy trình trong site/")
    else:
        result.notes.append(f"eiso build thất bại (xem {logs / 'build.log'})")
    say(f"eiso build: {result.build.seconds:.1f} s")

    result.public = measure(eiso_command("build", "--public", "-d", "site-public", profile=f"{size}-public"), portal, logs, "public")
    if result.public.ok:
        result.public_site_mb = site_mb(portal / "site-public")
    say(f"eiso build --public: {result.public.seconds:.1f} s ({'ok' if result.public.ok else 'n/a'})")

    changed = portal / "procedures" / pages[len(pages) // 2].path
    changed.write_text(changed.read_text(encoding="utf-8") + "\nGhi chú: thay đổi để đo thời gian xây dựng lại.\n",
                       encoding="utf-8")
    result.rebuild = measure(eiso_command("build", "-d", "site", profile=f"{size}-rebuild"), portal, logs, "rebuild")
    say(f"xây dựng lại sau 1 thay đổi: {result.rebuild.seconds:.1f} s")

    result.stock = measure(mkdocs_command("build", "-q", "-d", "site"), stock, logs, "stock")
    if result.stock.ok:
        result.stock_html_kb = html_per_page_kb(stock_pages(stock / "site"))
        result.stock_site_mb = site_mb(stock / "site")
    else:
        result.notes.append(f"MkDocs gốc thất bại (xem {logs / 'stock.log'})")
    say(f"MkDocs + Material: {result.stock.seconds:.1f} s")
    return result


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def seconds(run: Run | None) -> str:
    return f"{run.seconds:.1f}" if run and run.ok else "n/a"


def memory(run: Run | None) -> str:
    return f"{run.peak_mb:.0f}" if run and run.ok else "n/a"


def ratio(a: Run | None, b: Run | None) -> str:
    return f"{a.seconds / b.seconds:.2f}×" if a and b and a.ok and b.ok and b.seconds > 0 else "n/a"


def table(results: list[Result]) -> str:
    header = ["documents", "commits", "eiso check (s)", "intranet build (s)", "public build (s)",
              "rebuild, 1 doc changed (s)", "peak RSS intranet / public (MB)", "HTML per procedure (KB)",
              "site intranet / public (MB)", "stock MkDocs+Material (s)", "stock peak RSS (MB)",
              "stock HTML per page (KB)", "stock site (MB)", "time eiso / stock", "HTML eiso / stock",
              "rebuild / full", "public / intranet"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for r in results:
        public_mb = f"{r.public_site_mb:.1f}" if r.public and r.public.ok else "n/a"
        html_ratio = f"{r.html_kb / r.stock_html_kb:.2f}×" if r.html_kb and r.stock_html_kb else "n/a"
        cells = [f"{r.size:,}", str(r.commits), seconds(r.check), seconds(r.build), seconds(r.public),
                 seconds(r.rebuild), f"{memory(r.build)} / {memory(r.public)}",
                 f"{r.html_kb:.1f}" if r.html_kb else "n/a", f"{r.site_mb:.1f} / {public_mb}",
                 seconds(r.stock), memory(r.stock), f"{r.stock_html_kb:.1f}" if r.stock_html_kb else "n/a",
                 f"{r.stock_site_mb:.1f}" if r.stock_site_mb else "n/a", ratio(r.build, r.stock), html_ratio,
                 ratio(r.rebuild, r.build), ratio(r.public, r.build)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_profile_summaries(directory: Path, top: int = 20) -> None:
    """Next to each ``.prof``, the ``top`` functions by cumulative time as text (the README quotes them)."""
    import io
    import pstats

    import re

    for prof in sorted(directory.glob("*.prof")):
        out = io.StringIO()
        stats = pstats.Stats(str(prof), stream=out)
        # the interpreter's start-up frames (runpy, the CLI) come first and say nothing: skip them
        stats.sort_stats("cumulative").print_stats(r"^(?!.*(runpy|<string>|cli/__|\{built-in method builtins.exec))", top)
        # paths relative to site-packages or to src/, so that the table fits a README
        text = re.sub(r"/\S*?/(site-packages|src)/", "", out.getvalue())
        prof.with_suffix(".txt").write_text(text, encoding="utf-8")


def environment() -> str:
    import markdown
    import mkdocs

    try:
        from importlib.metadata import version

        material = version("mkdocs-material")
    except Exception:  # pragma: no cover
        material = "?"
    cpus = os.cpu_count() or 0
    return (f"Python {platform.python_version()}, MkDocs {mkdocs.__version__}, Material {material}, "
            f"Markdown {markdown.__version__}, {platform.system()} {platform.machine()}, {cpus} CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="numbers of procedures, comma-separated (default 500,2000,10000)")
    parser.add_argument("--quick", action="store_true", help="200 procedures only: the smoke test")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="national TTHC records (JSON Lines)")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories and sites")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="run every e-ISO build under cProfile: SIZE-build/public/rebuild.prof and a top-20 "
                             "text summary (.txt) in DIR; times then include the profiler's overhead")
    args = parser.parse_args(argv)
    global PROFILE_DIR
    PROFILE_DIR = args.profile.resolve() if args.profile else None
    try:
        sizes = [200] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes: cần các số nguyên, ví dụ 500,2000")
    if not sizes or any(s < 1 for s in sizes):
        parser.error("--sizes: cần các số nguyên dương")
    if not args.corpus.is_file():
        print(f"bench_build: không tìm thấy dữ liệu {args.corpus}", file=sys.stderr)
        return 2
    if shutil.which("git") is None:
        print("bench_build: cần lệnh git", file=sys.stderr)
        return 2
    records = load_records(args.corpus)
    if not records:
        print(f"bench_build: {args.corpus} không có bản ghi nào dùng được", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="eiso-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            target = work / f"portal-{size}"
            for leftover in (target, work / f"stock-{size}", work / f"logs-{size}"):
                shutil.rmtree(leftover, ignore_errors=True)
            results.append(bench_size(records, size, work, verbose=not args.quiet))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if PROFILE_DIR is not None:
        write_profile_summaries(PROFILE_DIR)
    print(f"e-ISO build benchmark ({environment()})\n")
    print(table(results))
    notes = [f"- {r.size:,}: {note}" for r in results for note in r.notes]
    print("\nPublic build: n/a = the public build failed or is not implemented."
          "\nPeak RSS: the build subprocess's own maximum resident set size (os.wait4)."
          "\nHTML per procedure: current-revision procedure pages only (quy-trinh/<slug>/index.html)."
          "\nRebuild: `eiso build` into the built site after one procedure's body changed (incremental)."
          "\nOn a shared machine, compare the ratios of one run rather than seconds across runs.")
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
    if args.keep or args.workdir:
        print(f"\nGenerated files: {work}")
    failed = any(not (r.build and r.build.ok) or not (r.stock and r.stock.ok) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
