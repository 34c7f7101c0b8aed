"""``eiso new``: scaffold a draft document with the next free code of its field's (or kind's) scheme."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from eiso.cli.common import EXIT_OK, UsageError, checked_text, refuse_unloadable
from eiso.documents.loader import parse_document
from eiso.documents.model import Kind
from eiso.documents.scheme import file_name, known_documents, next_code, scheme_for
from eiso.importers.files import write_file
from eiso.importers.tthc import ImportReport, build_document, read_jsonl, render_document
from eiso.project import procedures_dir, repo_root

PREFIXES = {
    Kind.policy: "CSCL-", Kind.objectives: "MTCL-", Kind.manual: "STCL-", Kind.system: "QT-HT-",
    Kind.tthc: "QT-TTHC-", Kind.internal: "QT-NB-", Kind.guide: "HD-",
}
FOLDERS = {Kind.tthc: "tthc", Kind.internal: "noi-bo", Kind.guide: "huong-dan"}
SECTIONS = ["1. Mục đích", "2. Phạm vi áp dụng", "3. Tài liệu viện dẫn", "4. Định nghĩa, từ viết tắt", "5. Ghi chú"]


def add_parser(sub) -> None:
    new = sub.add_parser("new", help="tạo tài liệu mới (dự thảo) hoặc hồ sơ với mã hiệu kế tiếp")
    new.add_argument("--kind", required=True, help="policy | objectives | manual | system | tthc | internal | guide"
                     " | nonconformity | audit | management_review (hồ sơ)")
    new.add_argument("--unit", help="đơn vị chủ trì (bắt buộc với tài liệu)")
    new.add_argument("--field", help="lĩnh vực: mã hiệu và thư mục theo các tài liệu cùng lĩnh vực")
    new.add_argument("--national-code", help="mã thủ tục trên CSDL quốc gia (cần --from)")
    new.add_argument("--from", dest="source", metavar="FILE.jsonl", help="tệp dữ liệu thủ tục quốc gia (JSON Lines)")
    new.add_argument("title", nargs="?", help="tên tài liệu (mặc định: tên thủ tục trong dữ liệu quốc gia)")
    new.set_defaults(handler=new_document)


def new_document(args: argparse.Namespace) -> int:
    from eiso.cli.new_record import RECORD_KINDS, new_record

    if args.kind in RECORD_KINDS:
        if not args.title:
            raise UsageError("thiếu tên hồ sơ")
        return new_record(args)
    if not args.unit:
        raise UsageError("cần --unit (đơn vị chủ trì) khi tạo tài liệu")
    _check_free_text(args)
    try:
        kind = Kind(args.kind)
    except ValueError:
        raise UsageError(f"loại «{args.kind}» không hợp lệ; chọn một trong: {', '.join(k.value for k in Kind)}") from None
    if bool(args.national_code) != bool(args.source):
        raise UsageError("--national-code và --from phải dùng cùng nhau")
    meta, body = national_facts(Path(args.source), args.national_code) if args.source else ({}, "")
    if args.national_code and kind is not Kind.tthc:
        raise UsageError("--national-code chỉ dùng với --kind tthc")
    title = args.title or meta.get("title")
    if not title:
        raise UsageError("thiếu tên tài liệu")
    field = args.field or meta.get("field")
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    known = known_documents(root, procedures)
    scheme = scheme_for(known, kind.value, field, PREFIXES[kind], FOLDERS.get(kind, "he-thong"))
    code = next_code(scheme, known)
    target = root / procedures / scheme.folder / file_name(code, title)
    if target.exists():
        raise UsageError(f"tệp «{target.relative_to(root).as_posix()}» đã tồn tại")
    rel = target.relative_to(root).as_posix()
    text = scaffold(code, title, kind, args.unit, field, meta, body)
    refuse_unloadable(rel, text, parse_document, "tài liệu")
    write_file(target, text, root)  # atomic: a failed write leaves no empty or partial document behind
    print(f"Đã tạo {rel} với mã hiệu {code} (dự thảo).")
    return EXIT_OK


def _check_free_text(args: argparse.Namespace) -> None:
    """Every one-line text typed on the command line, refused naming its field before any file exists."""
    for name, label in (("title", "tên tài liệu"), ("unit", "--unit (đơn vị chủ trì)"), ("field", "--field (lĩnh vực)"),
                        ("national_code", "--national-code (mã thủ tục)")):
        value = getattr(args, name)
        if value is not None:
            setattr(args, name, checked_text(value, label))


def national_facts(source: Path, national_code: str) -> tuple[dict, str]:
    """Front matter and body the importer makes of one national record."""
    if not source.is_file():
        raise UsageError(f"không tìm thấy tệp «{source}»")
    report = ImportReport()
    for _, record in read_jsonl(source, report):
        if str(record.get("code", "")).strip() == national_code.strip():
            draft = build_document(record)
            if draft is not None:
                return dict(draft.meta), draft.body
    raise UsageError(f"không có thủ tục mã «{national_code}» trong «{source}»")


def scaffold(code: str, title: str, kind: Kind, unit: str, field: str | None, national: dict, body: str) -> str:
    meta = {"code": code, "title": title, "kind": kind.value, "unit": unit}
    if field:
        meta["field"] = field
    meta |= {"revision": 1, "status": "draft", "audience": "public" if kind is Kind.tthc else "internal"}
    # The national record's facts; without one, a draft TTHC is warned of its missing facts, not refused.
    meta |= {key: national[key] for key in ("legal_basis", "tthc", "steps") if national.get(key)}
    if not body:
        body = "\n".join(f"## {section}\n\n(Nội dung)\n" for section in SECTIONS)
    return render_document(meta, body) if national else f"---\n{_dump(meta)}---\n\n{body}"


def _dump(meta: dict) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
