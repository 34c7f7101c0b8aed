"""``eiso sync tthc --apply``: take the safe national changes, and remember what was reported.

Per document with safe changes: each change is applied to the front matter (``frontmatter.py``), the
revision is raised by one, the status becomes ``draft`` and ``effective`` is removed (the secretary
sets it when the new revision is approved). The result must pass ``eiso check`` before it is written;
otherwise nothing is written and the document needs a person. The baseline in the manifest takes the
national value of every change taken, and everything reported (conflicts, local edits, abolished and
new records) is remembered so that the next sync says only what is new. A file's hash in ``files`` is
left as it was: a later ``eiso import tthc`` sees the document as edited and never overwrites it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eiso.documents.checks import check_document
from eiso.documents.loader import parse_document
from eiso.errors import EisoError
from eiso.importers.facts import ABSENT, legal_identity, occurrences, text
from eiso.importers.frontmatter import FrontMatterFile, read_front_matter
from eiso.importers.files import write_file
from eiso.importers.manifest import write_manifest
from eiso.importers.sync import SAFE, FieldChange, ProcedureSync, SyncReport


def apply(report: SyncReport, root: Path) -> SyncReport:
    root = root.resolve()
    for procedure in report.procedures:
        safe = procedure.of(SAFE)
        if safe and not procedure.problem:
            _apply_procedure(procedure, safe, root, report)
        _remember(report, procedure)
    for gone in report.abolished:
        manifest, slot = report.slot(gone.path, gone.home)
        manifest.reported.setdefault(slot, {})["abolished"] = True
    home = report.manifests[report.home]  # type: ignore[index]
    home.reported["national-records"] = {r.national_code: True for r in report.new_records}
    for path, manifest in report.manifests.items():
        if path.is_file() or manifest.files or manifest.imported or any(manifest.reported.values()):
            write_manifest(path, manifest, root)
    report.applied = True
    return report


def _remember(report: SyncReport, procedure: ProcedureSync) -> None:
    manifest, slot = report.slot(procedure.path, procedure.home)
    kept = {c.key: c.seen() for c in procedure.changes if c.kind != SAFE or c.key not in procedure.applied}
    if kept:
        manifest.reported[slot] = kept
    else:
        manifest.reported.pop(slot, None)


def preview(report: SyncReport, root: Path) -> SyncReport:
    """Without --apply: say now which procedures' safe changes --apply could not take (the result would fail
    ``eiso check``), so that a sync run after an --apply does not offer them again as if they could be taken."""
    root = root.resolve()
    for procedure in report.procedures:
        safe = procedure.of(SAFE)
        if safe and not procedure.problem:
            _draft(procedure, safe, root)
    return report


def _draft(procedure: ProcedureSync, safe: list[FieldChange], root: Path) -> tuple[FrontMatterFile, str, int] | None:
    """The document with ``safe`` taken, its text and its new revision; None (and ``procedure.problem``) when it
    cannot be read or would not pass ``eiso check``."""
    path = root / procedure.path
    try:
        document = read_front_matter(path)
    except EisoError as error:
        procedure.problem = f"không sửa được tệp: {error}"
        return None
    data = document.data
    for change in safe:
        _take(data, change, procedure.national_facts)
    _drop_removed_channels(data, safe)
    revision = data.get("revision")
    revision = (revision if isinstance(revision, int) and not isinstance(revision, bool) else 0) + 1
    data["revision"] = revision
    data.pop("effective", None)
    data["status"] = "draft"
    new_text = document.text()
    doc, findings = parse_document(procedure.path, new_text)
    if doc is not None:
        findings = findings + check_document(doc, root)
    errors = [f for f in findings if f.severity == "error"]
    if doc is None or errors:
        shown = "; ".join(f"{f.field}: {f.message}" for f in errors[:3]) or "không đọc lại được"
        procedure.problem = f"sau khi nhận thay đổi, tài liệu không đạt kiểm tra ({shown}); cần sửa tay"
        return None
    return document, new_text, revision


def _apply_procedure(procedure: ProcedureSync, safe: list[FieldChange], root: Path, report: SyncReport) -> None:
    drafted = _draft(procedure, safe, root)
    if drafted is None:
        return
    document, new_text, procedure.revision = drafted
    write_file(root / procedure.path, new_text, root)
    procedure.applied = [c.key for c in safe]
    if document.comments:  # the front matter is written again from its data: YAML keeps no comments
        report.notes.append(f"{procedure.path}: phần đầu YAML được ghi lại khi nhận thay đổi nên {document.comments} "
                            "dòng chú thích (#) trong đó đã bị bỏ (ví dụ báo cáo «Cần kiểm tra» của lần nhập); "
                            "xem lại trong yêu cầu hợp nhất và chép lại nếu cần")
    if procedure.home is not None:
        baseline = report.manifests[procedure.home[0]].imported[procedure.home[1]].facts
        for change in safe:
            if change.national is ABSENT:
                baseline.pop(change.key, None)
            else:
                baseline[change.key] = change.national


def _take(data: dict, change: FieldChange, national: dict[str, Any]) -> None:
    key, value = change.key, change.national
    if key == "title":
        data["title"] = value
        return
    tthc = data.setdefault("tthc", {})
    if key.startswith("tthc.channels["):
        name, _, part = key[len("tthc.channels["):].rpartition("].")
        _take_channel(tthc, name, part, value)
    elif key.startswith("tthc.dossier["):
        _take_dossier(tthc, key[len("tthc.dossier["):-1], value, key, national)
    elif key.startswith("legal_basis["):
        _take_legal(data, key[len("legal_basis["):-1], value)
    elif key.startswith("tthc."):
        name = key[len("tthc."):]
        if value in ("", ABSENT):
            tthc.pop(name, None)
        else:
            tthc[name] = value


def _find(items: list, field: str, identity: str) -> int | None:
    """Position of the item whose identity (``facts.occurrences``) is ``identity``."""
    for found, item in occurrences(items, field):
        if found == identity:
            return next(i for i, candidate in enumerate(items) if candidate is item)
    return None


def _take_channel(tthc: dict, name: str, part: str, value: Any) -> None:
    channels = tthc.setdefault("channels", [])
    index = _find(channels, "channel", name)
    if value is ABSENT:
        return  # the whole channel goes in _drop_removed_channels, when both its facts were safe to take
    if index is None:
        channels.append({"channel": _name(name)})
        index = len(channels) - 1
    channel = channels[index]
    if part == "time":
        if value is None:
            channel.pop("time", None)
        else:
            channel["time"] = dict(value)
    else:
        channel["fee"] = value


def _name(identity: str) -> str:
    """``Trực tiếp#2`` -> ``Trực tiếp``."""
    name, mark, number = identity.rpartition("#")
    return name if mark and number.isdigit() else identity


def _drop_removed_channels(data: dict, safe: list[FieldChange]) -> None:
    removed: dict[str, int] = {}
    for change in safe:
        if change.key.startswith("tthc.channels[") and change.national is ABSENT:
            name = change.key[len("tthc.channels["):].rpartition("].")[0]
            removed[name] = removed.get(name, 0) + 1
    channels = (data.get("tthc") or {}).get("channels") or []
    for name, count in removed.items():
        index = _find(channels, "channel", name)
        if count == 2 and index is not None and len(channels) > 1:
            del channels[index]


def _take_dossier(tthc: dict, name: str, value: Any, key: str, national: dict[str, Any]) -> None:
    dossier = tthc.setdefault("dossier", [])
    index = _find(dossier, "name", name)
    if value is ABSENT:
        if index is not None:
            del dossier[index]
        return
    if index is not None:
        dossier[index]["originals"], dossier[index]["copies"] = value["originals"], value["copies"]
        return
    # A new item goes after the national item before it, as the citizen reads the list.
    order = [k for k in national if k.startswith("tthc.dossier[")]
    position = len(dossier)
    for previous in reversed(order[: order.index(key)] if key in order else []):
        found = _find(dossier, "name", previous[len("tthc.dossier["):-1])
        if found is not None:
            position = found + 1
            break
    dossier.insert(position, {"name": _name(name), "originals": value["originals"], "copies": value["copies"]})


def _take_legal(data: dict, identity: str, value: Any) -> None:
    refs = data.setdefault("legal_basis", [])
    index = next((i for i, ref in enumerate(refs) if isinstance(ref, dict) and
                  (legal_identity(text(ref.get("code"))) if text(ref.get("code")) else text(ref.get("title"))) == identity),
                 None)
    if value is ABSENT:
        if index is not None:
            del refs[index]
        return
    entry = {"code": value["code"], "title": value["title"]} if value["code"] else {"title": value["title"]}
    if index is None:
        refs.append(entry)
    else:
        refs[index].update(entry)

