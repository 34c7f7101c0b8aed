"""``eiso report``: reports for the document controller."""

from __future__ import annotations

import argparse
import json
import sys

from eiso.cli.common import EXIT_OK, UsageError
from eiso.control.effective import is_future, resolve_as_of
from eiso.control.reviews import reviews_due
from eiso.documents.loader import load_corpus
from eiso.documents.text import shown
from eiso.documents.adoption import framework_context
from eiso.framework import framework_of
from eiso.legal.flags import legal_change_flags
from eiso.project import procedures_dir, repo_root

def report(args: argparse.Namespace) -> int:
    if args.name == "legal-impact":
        from eiso.cli.legal_impact import legal_impact

        return legal_impact(args)
    if args.codes or args.decision:
        raise UsageError("mã văn bản và --decision chỉ dùng với báo cáo legal-impact")
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    today = resolve_as_of(args.today)  # the same date as the site's review page
    with framework_context(framework_of(args.config)):
        corpus = load_corpus(root, procedures)
    documents = [doc for doc in corpus.documents if not is_future(doc, today)]
    flagged = {f.document.path: f.reason for f in legal_change_flags(root, documents)}
    due = reviews_due(documents, today, flagged=flagged)
    if args.format == "json":
        rows = [{"code": r.document.meta.code, "title": r.document.meta.title, "unit": r.document.meta.unit,
                 "due": r.due.isoformat(), "days_left": r.days_left, "state": r.state, "path": r.document.path,
                 "legal_change": r.reason or None}
                for r in due]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not due:
        print(f"Không có tài liệu nào đến hạn xem xét định kỳ (tính đến {today:%d/%m/%Y}).")
    for r in due:
        meta = r.document.meta
        # Titles are untrusted: no raw control character reaches the terminal.
        print("\t".join(shown(text, None) for text in (meta.code, f"{r.due:%d/%m/%Y}", r.label, meta.title, meta.unit)))
    if corpus.rejected:
        print(f"Lưu ý: {len(corpus.rejected)} tệp lỗi không được tính (xem «eiso check»).", file=sys.stderr)
    return EXIT_OK
