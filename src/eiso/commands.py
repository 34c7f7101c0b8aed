"""Implementations of the ``eiso`` sub-commands (argument parsing is in cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path

import yaml

from .checks import check_corpus
from .cli import EXIT_FINDINGS, EXIT_OK, UsageError, repo_root
from .findings import FORMATS, Finding
from .loader import load_corpus
from .model import Kind
from .reviews import reviews_due
from .text import slugify


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose Material settings use !!python/name tags, without running them."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def plugin_options(config_file: Path) -> dict:
    """The ``eiso`` plugin's options in mkdocs.yml (following INHERIT), without loading MkDocs."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UsageError(f"không đọc được «{config_file}»: {error}") from None
    options: dict = {}
    if isinstance(data.get("INHERIT"), str):
        options.update(plugin_options(config_file.parent / data["INHERIT"]))
    for entry in data.get("plugins") or []:
        if isinstance(entry, dict) and isinstance(entry.get("eiso"), dict):
            options.update(entry["eiso"])
    return options


def _procedures_dir(args: argparse.Namespace) -> tuple[Path, str]:
    root = repo_root(args.config)
    return root, str(plugin_options(Path(args.config)).get("procedures_dir", "procedures"))


def check(args: argparse.Namespace) -> int:
    root, procedures = _procedures_dir(args)
    corpus = load_corpus(root, procedures)
    findings: list[Finding] = check_corpus(corpus)
    if args.against:
        from .policy import check_policy

        findings = sorted(findings + check_policy(root, procedures, args.against))
    output = FORMATS[args.format](findings)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        if args.format != "text":
            sys.stdout.write(FORMATS["text"](findings))
    else:
        sys.stdout.write(output)
    return EXIT_FINDINGS if findings else EXIT_OK


def _mkdocs_config(args: argparse.Namespace):
    config_file = args.config
    if getattr(args, "public", False):
        config_file = str(Path(args.config).with_name("mkdocs.public.yml"))
    repo_root(config_file)
    from mkdocs.config import load_config

    overrides = {"site_dir": args.site_dir} if getattr(args, "site_dir", None) else {}
    return config_file, load_config(config_file, **overrides)


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    _setup_logging()
    try:
        _, config = _mkdocs_config(args)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as error:
        # MkDocs has already logged the cause; its Abort text itself is English boilerplate.
        detail = "" if "Aborted with" in str(error) else f"\n{error}"
        print(f"eiso: xây dựng thất bại (xem các lỗi ở trên).{detail}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"Đã xây dựng trang vào {config.site_dir}", file=sys.stderr)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    _setup_logging()
    config_file = str(Path(args.config).with_name("mkdocs.public.yml")) if args.public else args.config
    repo_root(config_file)
    try:
        mkdocs_serve(config_file=config_file, dev_addr=args.dev_addr, livereload=True)
    except MkDocsException as error:
        print(f"eiso: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


PREFIXES = {
    Kind.policy: "CSCL", Kind.objectives: "MTCL", Kind.manual: "STCL", Kind.system: "QT-HT",
    Kind.tthc: "QT-TTHC", Kind.internal: "QT-NB", Kind.guide: "HD",
}
FOLDERS = {Kind.tthc: "tthc", Kind.internal: "noi-bo", Kind.guide: "huong-dan"}


def new(args: argparse.Namespace) -> int:
    try:
        kind = Kind(args.kind)
    except ValueError:
        raise UsageError(f"loại «{args.kind}» không hợp lệ; chọn một trong: {', '.join(k.value for k in Kind)}") from None
    root, procedures = _procedures_dir(args)
    corpus = load_corpus(root, procedures)
    code = next_code(PREFIXES[kind], [doc.meta.code for doc in corpus.documents])
    target = root / procedures / FOLDERS.get(kind, "he-thong") / f"{slugify(code)}.md"
    if target.exists():
        raise UsageError(f"tệp «{target.relative_to(root)}» đã tồn tại")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(code, args.title, kind, args.unit, args.field), encoding="utf-8")
    print(f"Đã tạo {target.relative_to(root).as_posix()} với mã hiệu {code} (dự thảo).")
    return EXIT_OK


def next_code(prefix: str, codes: list[str]) -> str:
    pattern = re.compile(rf"^{re.escape(slugify(prefix))}-(\d+)$")
    numbers = [int(m.group(1)) for c in codes if (m := pattern.match(slugify(c)))]
    return f"{prefix}-{max(numbers, default=0) + 1:02d}"


def scaffold(code: str, title: str, kind: Kind, unit: str, field: str | None) -> str:
    meta = {"code": code, "title": title, "kind": kind.value, "unit": unit}
    if field:
        meta["field"] = field
    meta |= {"revision": 1, "status": "draft", "audience": "public" if kind is Kind.tthc else "internal"}
    if kind is Kind.tthc:
        meta["tthc"] = {"national_code": "", "level": "Cấp xã", "agency": "", "channels": [
            {"channel": "Trực tiếp", "time": {"value": 1, "unit": "working_days"}, "fee": "Không"}], "dossier": []}
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    sections = ["1. Mục đích", "2. Phạm vi áp dụng", "3. Tài liệu viện dẫn", "4. Định nghĩa, từ viết tắt",
                "5. Nội dung quy trình", "6. Biểu mẫu", "7. Hồ sơ cần lưu"]
    body = "\n".join(f"## {s}\n\n(Nội dung)\n" for s in sections)
    return f"---\n{header}---\n\n{body}"


def report(args: argparse.Namespace) -> int:
    root, procedures = _procedures_dir(args)
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        raise UsageError(f"ngày «{args.today}» không hợp lệ, cần dạng YYYY-MM-DD") from None
    corpus = load_corpus(root, procedures)
    due = reviews_due(corpus.documents, today)
    if args.format == "json":
        rows = [{"code": r.document.meta.code, "title": r.document.meta.title, "unit": r.document.meta.unit,
                 "due": r.due.isoformat(), "days_left": r.days_left, "state": r.state, "path": r.document.path}
                for r in due]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not due:
        print(f"Không có tài liệu nào đến hạn xem xét định kỳ (tính đến {today:%d/%m/%Y}).")
    for r in due:
        when = f"quá hạn {-r.days_left} ngày" if r.days_left < 0 else f"còn {r.days_left} ngày"
        print(f"{r.document.meta.code}\t{r.due:%d/%m/%Y}\t{r.state} ({when})\t{r.document.meta.title}\t{r.document.meta.unit}")
    return EXIT_OK
