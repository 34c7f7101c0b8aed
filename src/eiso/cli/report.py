"""``eiso report``: reports for the document controller."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from eiso.cli.common import EXIT_OK, UsageError
from eiso.control.reviews import reviews_due
from eiso.documents.loader import load_corpus
from eiso.project import procedures_dir, repo_root

def report(args: argparse.Namespace) -> int:
    root, procedures = repo_root(args.config), procedures_dir(args.config)
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
        print(f"{r.document.meta.code}\t{r.due:%d/%m/%Y}\t{r.label}\t{r.document.meta.title}\t{r.document.meta.unit}")
    return EXIT_OK
