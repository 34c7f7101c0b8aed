"""``eiso new``: scaffold a draft document with the next free code."""

from __future__ import annotations

import argparse
import re

import yaml

from eiso.cli.common import EXIT_OK, UsageError
from eiso.documents.loader import load_corpus
from eiso.documents.model import Kind
from eiso.documents.text import slugify
from eiso.documents.adoption import framework_context
from eiso.framework import framework_of
from eiso.project import procedures_dir, repo_root

PREFIXES = {
    Kind.policy: "CSCL", Kind.objectives: "MTCL", Kind.manual: "STCL", Kind.system: "QT-HT",
    Kind.tthc: "QT-TTHC", Kind.internal: "QT-NB", Kind.guide: "HD",
}
FOLDERS = {Kind.tthc: "tthc", Kind.internal: "noi-bo", Kind.guide: "huong-dan"}


def new(args: argparse.Namespace) -> int:
    from eiso.cli.new_record import RECORD_KINDS, new_record

    if args.kind in RECORD_KINDS:
        return new_record(args)
    if not args.unit:
        raise UsageError("cần --unit (đơn vị chủ trì) khi tạo tài liệu")
    try:
        kind = Kind(args.kind)
    except ValueError:
        raise UsageError(f"loại «{args.kind}» không hợp lệ; chọn một trong: {', '.join(k.value for k in Kind)}") from None
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    with framework_context(framework_of(args.config)):
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
