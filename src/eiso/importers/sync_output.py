"""What ``eiso sync tthc`` prints: Vietnamese text, JSON, and the Markdown summary for a merge request."""

from __future__ import annotations

import json
import re
from typing import Any

from eiso.importers.facts import ABSENT, label, shown
from eiso.importers.sync import CONFLICT, DOUBTFUL, KEPT, NEEDS_PERSON, NO_BASELINE, SAFE, FieldChange, SyncReport
from eiso.importers.tthc import escape_inline

KIND_LABELS = {SAFE: "Thay đổi ở dữ liệu quốc gia, có thể nhận", KEPT: "Sửa ở địa phương, giữ nguyên",
               CONFLICT: "Xung đột: cả hai bên cùng sửa", NO_BASELINE: "Khác dữ liệu quốc gia, chưa có dữ liệu lần nhập",
               DOUBTFUL: "Bản ghi quốc gia không chắc chắn (giá trị không đọc được hoặc không rõ là bản ghi nào), "
                         "cần người xem"}
# A safe change of a procedure that --apply cannot take (the result would fail eiso check): not "có thể nhận".
NOT_TAKEN = "Thay đổi ở dữ liệu quốc gia, không nhận tự động được (xem «Cần xử lý»)"
CHANGE_LABELS = {"added": "thêm", "removed": "bỏ", "changed": "sửa"}
MAX_LISTED = 50


def counts(report: SyncReport) -> dict[str, int]:
    changes = [c for p in report.procedures for c in p.changes]
    return {
        **{kind: sum(c.kind == kind for c in changes) for kind in KIND_LABELS},
        "applied": sum(len(p.applied) for p in report.procedures),
        "abolished": len(report.abolished), "new_records": len(report.new_records),
        "problems": sum(bool(p.problem) for p in report.procedures),
        "new": sum(c.new for c in changes) + sum(a.new for a in report.abolished)
        + sum(r.new for r in report.new_records),
    }


def _describe(change: FieldChange) -> str:
    value = lambda v: f"«{shown(change.key, v)}»"  # noqa: E731
    head = f"{label(change.key)} ({CHANGE_LABELS[change.change]})"
    if change.kind in (SAFE, DOUBTFUL):
        return f"{head}: đã nhập {value(change.imported)} → quốc gia {value(change.national)}"
    if change.kind == KEPT:
        return f"{head}: đã nhập {value(change.imported)} → địa phương {value(change.local)}; quốc gia không đổi"
    if change.kind == CONFLICT:
        return (f"{head}: đã nhập {value(change.imported)}; địa phương {value(change.local)}; "
                f"quốc gia {value(change.national)}")
    return f"{head}: địa phương {value(change.local)}; quốc gia {value(change.national)}"


def as_text(report: SyncReport) -> str:
    out = [f"Đồng bộ thủ tục hành chính với dữ liệu quốc gia «{report.source}»"
           + (" (đã nhận các thay đổi an toàn)" if report.applied else "") + "."]
    out += [f"Lưu ý: {note}" for note in report.notes]
    where = f"{report.source}, " if report.source else ""
    out += [f"{where}dòng {line}: {why}" for line, why in report.malformed]
    for p in report.procedures:
        fresh = [c for c in p.changes if c.new]
        old = len(p.changes) - len(fresh)
        if not fresh and not p.problem and not p.applied:
            continue
        out.append("")
        out.append(f"{p.code} — {p.title} (mã thủ tục {p.national_code}; {p.path})")
        if not p.baseline:
            out.append("  Chưa có dữ liệu lần nhập (tài liệu không do «eiso import tthc» tạo, hoặc được nhập bằng "
                       "phiên bản cũ): không phân biệt được sửa ở địa phương với thay đổi quốc gia; cần người đối chiếu.")
        if p.problem:
            out.append(f"  Cần xử lý: {p.problem}")
        if any(c.kind == DOUBTFUL for c in fresh):
            out.append(f"  Bản ghi quốc gia: {'; '.join(p.national_warnings)}")
        for kind in (SAFE, CONFLICT, DOUBTFUL, NO_BASELINE, KEPT):
            for change in (c for c in fresh if c.kind == kind):
                taken = " [đã nhận]" if change.key in p.applied else ""
                shown = NOT_TAKEN if kind == SAFE and p.problem and not p.applied else KIND_LABELS[kind]
                out.append(f"  [{shown}]{taken} {_describe(change)}")
        if p.revision:
            out.append(f"  → đã nâng lên lần ban hành {p.revision}, trạng thái dự thảo; thư ký ISO ghi ngày hiệu lực.")
        if old:
            out.append(f"  ({old} khác biệt đã báo ở lần đồng bộ trước, chưa xử lý)")
    gone = [a for a in report.abolished if a.new]
    if gone:
        out += ["", "Thủ tục không còn trong dữ liệu quốc gia (có thể đã bị bãi bỏ): cần xem xét hủy bỏ quy trình"]
        out += [f"  {a.code} — {a.title} (mã thủ tục {a.national_code}; {a.path})" for a in gone]
    fresh_records = [r for r in report.new_records if r.new]
    if fresh_records:
        out += ["", f"Thủ tục quốc gia ở cấp {', '.join(report.levels)} chưa có quy trình: {len(fresh_records)}"]
        out += [f"  {r.national_code} — {r.name} ({r.field})" for r in fresh_records[:MAX_LISTED]]
        if len(fresh_records) > MAX_LISTED:
            out.append(f"  … và {len(fresh_records) - MAX_LISTED} thủ tục khác (xem --format json)")
    out += ["", summary_line(report)]
    return "\n".join(out) + "\n"


def summary_line(report: SyncReport) -> str:
    n = counts(report)
    if not n["new"] and not n["problems"]:
        known = n[CONFLICT] + n[KEPT] + n[NO_BASELINE] + n[DOUBTFUL] + n["abolished"] + n["new_records"]
        return "Không có thay đổi mới." + (f" ({known} mục đã báo trước đây, chưa xử lý.)" if known else "")
    return (f"Tổng kết: {n[SAFE]} thay đổi an toàn ({n['applied']} đã nhận), {n[KEPT]} sửa ở địa phương được giữ, "
            f"{n[CONFLICT]} xung đột, {n[DOUBTFUL]} thay đổi từ bản ghi quốc gia không đọc được, "
            f"{n[NO_BASELINE]} khác biệt chưa có dữ liệu lần nhập, "
            f"{n['abolished']} thủ tục bị bãi bỏ, {n['new_records']} thủ tục mới chưa có quy trình, "
            f"{n['problems']} tài liệu cần sửa tay.")


def _json_change(change: FieldChange, applied: list[str]) -> dict[str, Any]:
    raw = lambda v: None if v is ABSENT else v  # noqa: E731
    return {"key": change.key, "label": label(change.key), "kind": change.kind, "change": change.change,
            "imported": raw(change.imported), "local": raw(change.local), "national": raw(change.national),
            "imported_text": shown(change.key, change.imported), "local_text": shown(change.key, change.local),
            "national_text": shown(change.key, change.national), "new": change.new, "applied": change.key in applied}


def as_json(report: SyncReport) -> str:
    data = {
        "source": report.source, "applied": report.applied, "levels": report.levels,
        "summary": counts(report) | {"needs_person": report.needs_person()},
        "procedures": [{"path": p.path, "code": p.code, "national_code": p.national_code, "title": p.title,
                        "baseline": p.baseline, "problem": p.problem or None, "revision": p.revision,
                        "national_warnings": p.national_warnings,
                        "changes": [_json_change(c, p.applied) for c in p.changes]}
                       for p in report.procedures if p.changes or p.problem],
        "abolished": [{"path": a.path, "code": a.code, "national_code": a.national_code, "title": a.title,
                       "new": a.new} for a in report.abolished],
        "new_records": [{"national_code": r.national_code, "name": r.name, "field": r.field, "level": r.level,
                         "new": r.new} for r in report.new_records],
        "notes": report.notes, "malformed": [{"line": line, "message": why} for line, why in report.malformed],
    }
    if report.applied:
        data["mr_description"] = as_markdown(report)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    return escape_inline(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """A code span that no backtick in ``text`` (a path a merge request chose) can close early."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"  # the spaces are dropped by Markdown, and keep a ` at an edge apart


def as_markdown(report: SyncReport) -> str:
    """The merge request's description: what was taken, and what a person must still decide."""
    out = [f"## Đồng bộ dữ liệu thủ tục hành chính quốc gia ({_cell(report.source)})", ""]
    taken = [p for p in report.procedures if p.applied]
    if taken:
        out += [f"Nhận thay đổi từ Cơ sở dữ liệu quốc gia về thủ tục hành chính cho {len(taken)} quy trình. Các quy "
                "trình này được nâng lần ban hành và chuyển về **dự thảo**: thư ký ISO ghi ngày hiệu lực "
                "(`effective`), trạng thái `effective` và người phê duyệt khi ban hành.", ""]
    else:
        out += ["Không có thay đổi nào được nhận tự động.", ""]
    for p in taken:
        out += [f"### {_cell(p.code)} — {_cell(p.title)} (lần ban hành {p.revision})", "",
                f"Tệp {_code(p.path)}, mã thủ tục {_cell(p.national_code)}.", "",
                "| Nội dung | Thay đổi | Trước | Sau |", "|---|---|---|---|"]
        out += [f"| {_cell(label(c.key))} | {CHANGE_LABELS[c.change]} | {_cell(shown(c.key, c.imported))} | "
                f"{_cell(shown(c.key, c.national))} |" for c in p.changes if c.key in p.applied]
        out.append("")
    person = [(p, c) for p in report.procedures for c in p.changes if c.kind in NEEDS_PERSON]
    problems = [p for p in report.procedures if p.problem]
    if person or problems or report.abolished or report.new_records:
        out += ["### Cần người xử lý", ""]
        for p, c in person:
            out.append(f"- {_cell(p.code)}: {_cell(_describe(c))}")
        out += [f"- {_cell(p.code or p.path)}: {_cell(p.problem)}" for p in problems]
        out += [f"- {_cell(a.code)}: thủ tục {_cell(a.national_code)} không còn trong dữ liệu quốc gia; xem xét hủy bỏ "
                "quy trình" for a in report.abolished]
        if report.new_records:
            out.append(f"- {len(report.new_records)} thủ tục quốc gia ở cấp {_cell(', '.join(report.levels))} chưa có "
                       "quy trình (xem `eiso sync tthc --format json`)")
        out.append("")
    kept = [(p, c) for p in report.procedures for c in p.changes if c.kind == KEPT]
    if kept:
        out += ["### Sửa ở địa phương được giữ nguyên", ""]
        out += [f"- {_cell(p.code)}: {_cell(_describe(c))}" for p, c in kept]
        out.append("")
    return "\n".join(out)
