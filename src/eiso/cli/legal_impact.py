"""``eiso report legal-impact CODE… [--decision FILE]``: what a change of the law affects."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from eiso.documents.loader import load_corpus
from eiso.legal.codes import code_problem
from eiso.legal.decision import read_decision
from eiso.legal.impact import Impact, decision_impacts, law_impacts
from eiso.legal.register import load_register
from eiso.project import procedures_dir, repo_root


def legal_impact(args: argparse.Namespace) -> int:
    if not args.codes and not args.decision:
        raise UsageError("cần ít nhất một số, ký hiệu văn bản hoặc --decision FILE")
    if any(not code.strip() for code in args.codes):
        raise UsageError("số, ký hiệu văn bản rỗng; ví dụ: eiso report legal-impact 123/2015/NĐ-CP")
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    items, problems = [], []
    if args.decision:
        path = Path(args.decision)
        if not path.is_file():
            raise UsageError(f"không tìm thấy tệp quyết định «{args.decision}»")
        items, problems = read_decision(path)
    corpus = load_corpus(root, procedures)
    register = load_register(root)
    impacts = law_impacts(corpus.documents, register, args.codes) + decision_impacts(corpus.documents, items)
    for problem in problems:
        print(str(problem), file=sys.stderr)
    for code in args.codes:
        if (note := code_problem(code)) is not None:
            print(f"eiso: lưu ý: {note}; vẫn tìm theo dạng đã chuẩn hóa", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({"affected": [i.as_dict() for i in impacts],
                          "decision_problems": [str(p) for p in problems]}, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_text(impacts))
    if problems:
        return EXIT_USAGE
    return EXIT_FINDINGS if impacts else EXIT_OK


def _text(impacts: list[Impact]) -> str:
    if not impacts:
        return "Không có tài liệu nào bị ảnh hưởng.\n"
    lines = []
    for impact in impacts:
        row = impact.as_dict()
        lines.append(f"{impact.cause_label}")
        if impact.document is None:
            lines.append("  (chưa có quy trình)")
        else:
            review = row["next_review"] or "chưa có (tài liệu chưa hiệu lực)"
            lines.append(f"  {row['code']} — {row['title']}")
            lines.append(f"  Đơn vị: {row['unit']}; lần ban hành: {row['revision']}; hạn xem xét: {review}; "
                         f"tệp: {row['path']}")
        lines.append(f"  Cần làm: {impact.action}")
    documents = {i.document.path for i in impacts if i.document}
    lines.append(f"Tổng cộng: {len(impacts)} việc cần làm, {len(documents)} tài liệu bị ảnh hưởng.")
    return "\n".join(lines) + "\n"
