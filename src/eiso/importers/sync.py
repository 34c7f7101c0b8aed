"""``eiso sync tthc``: what changed in the national records since they were imported.

Three versions of every fact (``importers/facts.py``) are compared: what was imported (the baseline
kept in ``.eiso-import.json``), what the document says now, what the national record says now.

- changed nationally only: **safe** to take;
- changed locally only: **kept** (a local edit is never overwritten);
- changed on both sides, differently: **conflict**, both values shown;
- a document with no baseline (imported under a version 1 manifest, or written by hand and naming a
  national code): every difference needs a person (**no_baseline**).

Documents whose national record is gone are **abolished**; national records at the agency's level
with no document are **new**. Applying is ``importers/sync_apply.py``; output ``sync_output.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping

from eiso.documents.loader import load_corpus
from eiso.documents.model import Status
from eiso.documents.text import fold, fold_order, shown, slugify
from eiso.errors import EisoError
from eiso.importers.facts import ABSENT, facts
from eiso.importers.frontmatter import read_front_matter
from eiso.importers.manifest import MANIFEST_NAME, Baseline, Manifest, ManifestError, find_manifests, read_manifest
from eiso.importers.national_codes import is_full_form, national_key, national_spelling
from eiso.importers.tthc import build_document
from eiso.importers.tthc.clean import one_line  # national text shown as the importer keeps it

SAFE, KEPT, CONFLICT, NO_BASELINE = "safe", "kept", "conflict", "no_baseline"
# A national addition or removal from a record the importer could not read cleanly: a malformed value reads
# as "national removed it" (a list given as text, a time as a string), so it is never taken on its own.
DOUBTFUL = "doubtful"
NEEDS_PERSON = (CONFLICT, NO_BASELINE, DOUBTFUL)


@dataclass
class FieldChange:
    key: str
    kind: str  # safe | kept | conflict | no_baseline | doubtful
    imported: Any
    local: Any
    national: Any
    new: bool = True  # not yet reported by an earlier --apply

    @property
    def change(self) -> str:
        """added | removed | changed: the national side's change for safe and conflict, the local for kept."""
        before = self.local if self.kind == NO_BASELINE else self.imported
        after = self.local if self.kind == KEPT else self.national
        if before is ABSENT:
            return "added"
        if after is ABSENT:
            return "removed"
        return "changed"

    def seen(self) -> dict:
        """What an --apply remembers of it, to tell a new change from one already reported."""
        return {"local": encode(self.local), "national": encode(self.national)}


@dataclass
class ProcedureSync:
    path: str  # repository-relative
    code: str
    national_code: str
    title: str
    baseline: bool
    changes: list[FieldChange] = field(default_factory=list)
    problem: str = ""  # why it could not be compared or applied
    applied: list[str] = field(default_factory=list)  # keys taken by --apply
    revision: int | None = None  # the new revision after --apply
    # Where the baseline lives: (manifest path, key in it), None for a document no import wrote.
    home: tuple[Path, str] | None = None
    national_facts: dict[str, Any] = field(default_factory=dict)
    national_warnings: list[str] = field(default_factory=list)  # what the importer could not read in the record

    def of(self, kind: str) -> list[FieldChange]:
        return [c for c in self.changes if c.kind == kind]


@dataclass
class Abolished:
    path: str
    code: str
    national_code: str
    title: str
    new: bool = True
    home: tuple[Path, str] | None = None


@dataclass
class NewRecord:
    national_code: str
    name: str
    field: str
    level: str
    new: bool = True


@dataclass
class SyncReport:
    source: str = ""
    procedures: list[ProcedureSync] = field(default_factory=list)
    abolished: list[Abolished] = field(default_factory=list)
    new_records: list[NewRecord] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    applied: bool = False
    manifests: dict[Path, Manifest] = field(default_factory=dict)
    home: Path | None = None  # the manifest that remembers abolished and new national records
    national_count: int = 0  # national records read with a code

    def needs_person(self, only_new: bool = True) -> bool:
        """Anything a person must decide (conflicts, no baseline, abolished, new records, problems)."""
        def counted(item: Any) -> bool:
            return item.new or not only_new
        return (any(p.problem for p in self.procedures)
                or any(counted(c) for p in self.procedures for c in p.changes if c.kind in NEEDS_PERSON)
                or any(counted(a) for a in self.abolished) or any(counted(r) for r in self.new_records))

    def slot(self, path: str, home: tuple[Path, str] | None) -> tuple[Manifest, str]:
        """Where what was reported about a document is remembered: beside its baseline, or in the home manifest."""
        if home is not None and home[0] in self.manifests:
            return self.manifests[home[0]], home[1]
        return self.manifests[self.home], "doc:" + path  # type: ignore[index]

    def pending_safe(self) -> bool:
        return any(c.kind == SAFE and c.key not in p.applied for p in self.procedures for c in p.changes)


def encode(value: Any) -> Any:
    return None if value is ABSENT else {"value": value}


def three_way(base: dict[str, Any] | None, local: dict[str, Any], national: dict[str, Any]) -> list[FieldChange]:
    """The changes between the three versions, in the national record's order of keys."""
    keys = list(dict.fromkeys([*national, *local, *(base or {})]))
    changes = []
    for key in keys:
        mine, theirs = local.get(key, ABSENT), national.get(key, ABSENT)
        if mine == theirs:
            continue
        if base is None:
            changes.append(FieldChange(key, NO_BASELINE, ABSENT, mine, theirs))
            continue
        before = base.get(key, ABSENT)
        kind = SAFE if mine == before else KEPT if theirs == before else CONFLICT
        changes.append(FieldChange(key, kind, before, mine, theirs))
    return changes


def sync(records: Iterable[tuple[str, Any]], root: Path, procedures_dir: str, *, source: str = "",
         level: str | None = None, report: SyncReport | None = None,
         unreadable: Mapping[str, int] | None = None) -> SyncReport:
    """Compare the repository's TTHC documents with ``records`` (``(label, record)`` pairs).

    ``unreadable``: national code key -> the line of the file that seems to hold that procedure's record but
    could not be read; such a procedure is not abolished, it cannot be compared.
    """
    report = report or SyncReport(source=source)
    unreadable = unreadable or {}
    root = root.resolve()
    homes = _baselines(root, procedures_dir, report)
    national = _national(records, report)
    report.national_count = sum(map(len, national.values()))
    corpus = load_corpus(root, procedures_dir)
    present = {doc.path for doc in corpus.documents} | set(corpus.rejected)
    moved = _moved_imports(corpus.documents, homes, present)
    named: set[str] = set()
    for doc in sorted(corpus.documents, key=lambda d: d.path):
        if doc.meta.tthc is None:
            continue
        key = national_key(doc.meta.tthc.national_code)
        named.add(key)
        if doc.meta.status is Status.withdrawn:
            continue
        home = homes.get(doc.path)
        if home is None and doc.path in moved:
            home = homes[moved[doc.path]]
            report.notes.append(f"{shown(doc.path, 300)}: tệp do «eiso import tthc» tạo ở {shown(moved[doc.path], 300)}, nay "
                                "đã đổi tên hoặc di chuyển; so sánh với dữ liệu lần nhập của tệp cũ")
        if key not in national and key in unreadable:
            report.procedures.append(ProcedureSync(
                doc.path, doc.meta.code, doc.meta.tthc.national_code, doc.meta.title, home is not None, home=home,
                problem=f"bản ghi quốc gia của thủ tục có vẻ nằm ở dòng {unreadable[key]} của tệp dữ liệu nhưng dòng đó "
                        "không đọc được; không so sánh được (không coi là đã bị bãi bỏ): sửa tệp dữ liệu rồi đồng bộ lại"))
            continue
        if key not in national:
            gone = Abolished(doc.path, doc.meta.code, doc.meta.tthc.national_code, doc.meta.title, home=home)
            manifest, slot = report.slot(doc.path, home)
            gone.new = manifest.reported.get(slot, {}).get("abolished") is not True
            report.abolished.append(gone)
            continue
        record, doubt = _record_for(national[key], doc.meta.tthc.national_code)
        written = one_line(record.get("code"))
        if doubt is None and national_spelling(written) != national_spelling(doc.meta.tthc.national_code):
            report.notes.append(f"{shown(doc.path, 300)}: dữ liệu quốc gia ghi mã thủ tục «{shown(written, 60)}», tài liệu ghi "
                                f"«{shown(doc.meta.tthc.national_code, 60)}»: cùng một thủ tục, vẫn so sánh")
        drift = _level_drift(report, home, record)
        if drift:
            report.notes.append(f"{doc.path}: {drift}")
        report.procedures.append(_compare(root, doc, record, home, report, doubt))
    for rel, (manifest_path, _) in sorted(homes.items()):
        if rel not in present and rel not in moved.values():  # its baseline stays, and nothing else would say so
            report.notes.append(f"{shown(rel, 300)}: tệp do «eiso import tthc» tạo không còn (đã xóa, đổi tên hoặc di chuyển); "
                                f"dữ liệu lần nhập của nó vẫn ghi trong {manifest_path.relative_to(root).as_posix()}")
    for rel in corpus.rejected:
        if rel in homes:
            report.procedures.append(ProcedureSync(rel, "", "", "", True, problem="tài liệu có lỗi, không đọc được; "
                                                   "chạy eiso check và sửa trước khi đồng bộ", home=homes[rel]))
    if report.abolished and len(report.malformed) > len(set(unreadable.values())):
        report.notes.append("có dòng của tệp dữ liệu không đọc được và không rõ là thủ tục nào: trước khi hủy bỏ một quy "
                            "trình «không còn trong dữ liệu quốc gia», kiểm tra các dòng lỗi đó")
    report.levels = [level] if level else _agency_levels(report, corpus.documents)
    _new_records(report, national, named)
    return report


def _baselines(root: Path, procedures_dir: str, report: SyncReport) -> dict[str, tuple[Path, str]]:
    """Repository path of every imported file -> (its manifest, its key there)."""
    homes: dict[str, tuple[Path, str]] = {}
    for path in find_manifests(root, procedures_dir):
        try:
            report.manifests[path] = manifest = read_manifest(path)
        except ManifestError as error:
            report.notes.append(f"không đọc được {path.relative_to(root).as_posix()} ({error}); "
                                "các tài liệu của nó được coi là không có dữ liệu lần nhập")
            continue
        folder = path.parent.relative_to(root)
        for rel in manifest.files:
            homes[(folder / rel).as_posix()] = (path, rel)
    main = root / procedures_dir / MANIFEST_NAME
    report.home = main if main in report.manifests or not report.manifests else next(iter(report.manifests))
    report.manifests.setdefault(report.home, Manifest())
    return homes


def _moved_imports(documents, homes: dict[str, tuple[Path, str]], present: set[str]) -> dict[str, str]:
    """Path of a document that no import wrote -> the imported file it was moved or renamed from: the one missing
    file that the import named after this document's code (``qt-tthc-1-010055.md`` for ``QT-TTHC-1.010055``).
    Moving files between folders is routine; without this, every difference of the moved file needed a person."""
    missing: dict[str, list[str]] = {}
    for rel in homes:
        if rel not in present:
            missing.setdefault(PurePosixPath(rel).name, []).append(rel)
    found: dict[str, str] = {}
    for doc in documents:
        if doc.path in homes or doc.meta.tthc is None:
            continue
        candidates = missing.get(f"{slugify(doc.meta.code)}.md", [])
        if len(candidates) == 1:
            found[doc.path] = candidates[0]
    # Two documents claiming one missing file: neither is that file for certain.
    claims = Counter(found.values())
    return {path: rel for path, rel in found.items() if claims[rel] == 1}


def _national(records: Iterable[tuple[str, Any]], report: SyncReport) -> dict[str, list[dict]]:
    """National key -> the records of that procedure, one per code as written. The portal publishes one
    procedure under each agency's code (``….H12`` for a province, ``….G15`` for a ministry), with its own fees:
    those are different records, not duplicates; only a code written twice is."""
    found: dict[str, list[dict]] = {}
    spellings: set[str] = set()
    for label, record in records:
        if not isinstance(record, dict):
            continue
        code = one_line(record.get("code"))
        if not code:
            report.notes.append(f"{label}: bản ghi thiếu mã thủ tục (code), bỏ qua")
            continue
        if national_spelling(code) in spellings:
            report.notes.append(f"{label}: mã thủ tục {shown(code, 60)} lặp lại; dùng bản ghi đầu tiên")
            continue
        spellings.add(national_spelling(code))
        found.setdefault(national_key(code), []).append(record)
    return found


def _record_for(candidates: list[dict], written: str) -> tuple[dict, str | None]:
    """The national record of a document whose code is ``written``, and why it is uncertain (None when it is not).

    The record written with the document's own code wins. A lone record in the other form (``1.001193`` for
    ``1.001193.000.00.00.H12`` or back) is the same procedure. Otherwise (another agency's code, or several records
    and none with the document's code) taking its values could bring another agency's fees: a person decides."""
    mine = national_spelling(written)
    for record in candidates:
        if national_spelling(one_line(record.get("code"))) == mine:
            return record, None
    codes = [one_line(record.get("code")) for record in candidates]
    if len(candidates) == 1 and not (is_full_form(codes[0]) and is_full_form(written)):
        return candidates[0], None
    listed = ", ".join(f"«{shown(code, 60)}»" for code in codes[:5]) + (" …" if len(codes) > 5 else "")
    return candidates[0], (f"tài liệu ghi mã «{shown(written, 60)}», dữ liệu quốc gia chỉ có {listed} (mã của cơ quan "
                           f"khác); đã so sánh với «{shown(codes[0], 60)}» nhưng không nhận tự động: cần người "
                           "chọn đúng bản ghi")


def _compare(root: Path, doc, record: dict, home: tuple[Path, str] | None, report: SyncReport,
             doubt: str | None = None) -> ProcedureSync:
    """``doubt``: why ``record`` may not be the document's (``_record_for``); then no change is safe."""
    tthc = doc.meta.tthc
    manifest = report.manifests.get(home[0]) if home else None
    baseline: Baseline | None = manifest.imported.get(home[1]) if manifest and home else None
    result = ProcedureSync(doc.path, doc.meta.code, tthc.national_code, doc.meta.title, baseline is not None,
                           home=home)
    level = baseline.level if baseline else (tthc.level if "," not in tthc.level else None)
    try:
        draft = build_document(record, level=level, warnings=result.national_warnings)
        local = facts(read_front_matter(root / doc.path).data)
    except EisoError as error:
        result.problem = f"không đọc được phần đầu: {error}"
        return result
    except Exception as error:  # a malformed national record must not stop the sync
        result.problem = f"không xử lý được bản ghi quốc gia ({type(error).__name__}: {error})"
        return result
    if draft is None:
        result.problem = "bản ghi quốc gia thiếu tên thủ tục"
        return result
    result.national_facts = facts(draft.meta)
    result.changes = three_way(baseline.facts if baseline else None, local, result.national_facts)
    if doubt is not None:
        result.national_warnings.insert(0, doubt)
    for change in result.changes:
        if change.kind != SAFE:
            continue
        if doubt is not None:
            change.kind = DOUBTFUL  # maybe another agency's record: none of its values is taken on its own
        elif result.national_warnings and (change.change != "changed" or change.national in (None, "")):
            change.kind = DOUBTFUL  # an addition, a removal or an emptied value: maybe only unreadable
    holder, slot = report.slot(doc.path, home)
    seen = holder.reported.get(slot, {})
    for change in result.changes:
        change.new = change.kind == SAFE or seen.get(change.key) != change.seen()
    return result


def _level_drift(report: SyncReport, home: tuple[Path, str] | None, record: dict) -> str | None:
    """Why the national record no longer seems the agency's: its level no longer includes the level it was
    imported at (the comparison itself uses the imported level, so it would not show)."""
    manifest = report.manifests.get(home[0]) if home else None
    baseline = manifest.imported.get(home[1]) if manifest and home else None
    if baseline is None or not baseline.level:
        return None
    now = one_line(record.get("level"))
    if any(fold(baseline.level) in fold(part) for part in now.split(",")):
        return None
    return (f"ở dữ liệu quốc gia, thủ tục nay ở cấp «{now or 'không ghi'}», không còn ở «{shown(baseline.level)}» (cấp đã "
            "nhập): kiểm tra cơ quan còn giải quyết thủ tục này không")


def _agency_levels(report: SyncReport, documents) -> list[str]:
    """The levels the agency imported at (``--level`` of its imports), else those of its procedures."""
    levels = {b.level for m in report.manifests.values() for b in m.imported.values() if b.level}
    if not levels:
        levels = {part.strip() for d in documents if d.meta.tthc for part in d.meta.tthc.level.split(",")
                  if part.strip()}
    return sorted(levels, key=fold_order)


def _new_records(report: SyncReport, national: dict[str, list[dict]], named: set[str]) -> None:
    wanted = [fold(level) for level in report.levels]
    home = report.manifests[report.home]  # type: ignore[index]
    known = home.reported.get("national-records", {})
    seen_level = False
    for key, record in ((key, record) for key, group in national.items() for record in group):
        levels = [fold(part.strip()) for part in str(record.get("level") or "").split(",")]
        if not any(want and want in part for want in wanted for part in levels):
            continue
        seen_level = True
        if key in named:
            continue
        # Shown, not kept: a record of the national file is untrusted (a 5 MB name, terminal escapes).
        item = NewRecord(shown(one_line(record.get("code")), 60), shown(one_line(record.get("name")), 300),
                         shown(one_line(record.get("field")), 200), shown(one_line(record.get("level")), 200))
        item.new = not known.get(item.national_code)
        report.new_records.append(item)
    report.new_records.sort(key=lambda r: r.national_code)
    if wanted and national and not seen_level:  # a misspelt --level would otherwise read as "nothing new"
        report.notes.append(f"không bản ghi quốc gia nào ở cấp {', '.join(f'«{level}»' for level in report.levels)}: "
                            "kiểm tra lại --level (ví dụ «Cấp xã», «Cấp huyện», «Cấp tỉnh»)")
