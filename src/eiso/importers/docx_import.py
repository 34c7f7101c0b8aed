"""``eiso import docx``: Word procedures → e-ISO documents, one file each, safe to run again.

Like the TTHC importer, a manifest (``.eiso-import-docx.json`` in the output folder) keeps the SHA-256 of
what was written: a second run rewrites only files nobody edited since, and ``--force`` is needed to
overwrite an edit. A file that cannot be read (corrupt, password-protected, old ``.doc``) is reported and
the others are imported. A code another document of the repository (or an earlier Word file of the same
run) already has is refused, naming that file: two documents with one code take both off the site.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from eiso.boundedjson import loads
from eiso.documents.text import shown, slugify
from eiso.importers.docx_coverage import keep_leftovers
from eiso.importers.docx_procedure import recognise
from eiso.importers.files import write_file
from eiso.importers.docx_reader import DocxError, read_blocks
from eiso.importers.tthc import render_document

MANIFEST_NAME = ".eiso-import-docx.json"
SUFFIXES = (".docx", ".doc")


@dataclass
class FileResult:
    source: str
    code: str = ""
    target: str = ""
    fields: int = 0  # front-matter keys filled from the Word file
    checks: list[str] = field(default_factory=list)  # what a person must check
    error: str = ""  # why the file was not imported
    state: str = ""  # "tạo mới" | "cập nhật" | "không đổi" | "đã sửa, không ghi đè" | "lỗi"


@dataclass
class DocxImport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


def word_files(paths: list[Path]) -> list[Path]:
    """The Word files named, a folder standing for the Word files in it (sorted, so runs are stable).

    A file named twice (directly and through its folder) is read once: a second import of it would
    only clash with the first."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                            and not p.name.startswith("~$"))  # ~$ files are Word's lock files
        else:
            inside = [path]
        for item in inside:
            found.setdefault(item.resolve(), item)
    return list(found.values())


def import_docx(paths: list[Path], out: Path, *, kind: str | None = None, unit: str | None = None,
                force: bool = False, repo_root: Path | None = None, procedures_dir: str = "procedures") -> DocxImport:
    """Import the Word files into ``out``. With ``repo_root``, a code the repository's documents already
    use is refused (two documents with one code take both off the site)."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST_NAME
    manifest = _read_manifest(manifest_path)
    claims = _Claims(existing=_existing_codes(repo_root, procedures_dir) if repo_root else {})
    outcome = DocxImport()
    for path in word_files(paths):
        result = FileResult(source=path.as_posix())  # as typed: two folders may hold the same name
        outcome.files.append(result)
        draft = _draft(path, result, kind, unit)
        if draft is None:
            continue
        name, text = draft
        refusal = claims.refusal(result, out / name)
        if refusal:
            result.error, result.state = refusal, "lỗi"
            continue
        result.target = name
        result.checks += _check_findings(out / name, text, repo_root or out)
        result.state = _write(out / name, text.encode("utf-8"), manifest, force)
    _write_manifest(manifest_path, manifest)
    return outcome


def _check_findings(target: Path, text: str, root: Path, limit: int = 10) -> list[str]:
    """What ``eiso check`` will say of exactly this text, for the import's report: the draft is still written
    (a person finishes it), but nobody learns of its errors only from the merge request's pipeline."""
    from eiso.documents.checks import check_document
    from eiso.documents.loader import MAX_FILE_BYTES, parse_document, too_large

    try:
        rel = target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = target.name
    found = []
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        found.append(too_large(rel, size).message)
    doc, findings = parse_document(rel, text)
    if doc is not None:
        findings = findings + check_document(doc, root)
    errors = [f for f in findings if f.severity == "error"]
    found += [f"eiso check sẽ báo lỗi: dòng {f.line}: {f.field}: {f.message}" for f in errors[:limit]]
    if len(errors) > limit:
        found.append(f"eiso check sẽ báo thêm {len(errors) - limit} lỗi khác")
    return found


def _draft(path: Path, result: FileResult, kind: str | None, unit: str | None) -> tuple[str, str] | None:
    """The output file name and text of one Word file; None (with ``result.error``) when unreadable."""
    try:
        blocks = read_blocks(path)
    except DocxError as error:
        result.error, result.state = str(error), "lỗi"
        return None
    if not blocks:
        result.error, result.state = "tài liệu Word không có nội dung", "lỗi"
        return None
    recognised = recognise(blocks, kind=kind, unit=unit, fallback_title=path.stem, fallback_code=path.stem.upper())
    try:
        keep_leftovers(path, recognised)
    except DocxError as error:
        result.error, result.state = str(error), "lỗi"
        return None
    meta = recognised.meta
    result.code, result.checks = meta["code"], recognised.report
    result.fields = sum(1 for key in meta if key not in {"status", "audience"})
    # A name of dots or signs slugs to nothing: never ".md", a hidden file
    name = (f"{slugify(meta['code'])}-{slugify(meta['title'])}"[:120].strip("-") or "tai-lieu-tu-word") + ".md"
    text = _with_report(render_document(meta, "\n\n".join(recognised.body) + "\n"), path.name,
                        recognised.report, recognised.sources)
    return name, text


@dataclass
class _Claims:
    """Codes and output names this run has taken, and the codes the repository's documents already use."""

    existing: dict[str, tuple[str, Path]]  # code slug -> (path shown, path) of a document in the repository
    codes: dict[str, str] = field(default_factory=dict)  # code slug -> the Word file that took it
    names: dict[str, str] = field(default_factory=dict)  # output file name -> the Word file that took it

    def refusal(self, result: FileResult, target: Path) -> str | None:
        """Why this Word file must not be written to ``target``; None after claiming its code and name."""
        key, name = slugify(result.code), target.name
        if key in self.codes:  # one code, two documents: the site publishes neither
            return (f"mã hiệu «{result.code}» trùng với tệp Word «{self.codes[key]}» đã nhập ở trên trong lần nhập "
                    "này; không nhập để khỏi có hai tài liệu trùng mã — hãy sửa mã hiệu của một trong hai tệp")
        if name in self.names:  # never write one file twice in a run: the later Word file would replace it
            return (f"tệp e-ISO «{name}» đã được tạo từ tệp Word «{self.names[name]}» trong lần nhập này; "
                    "không nhập để khỏi ghi đè — hãy sửa mã hiệu hoặc tên tài liệu của một trong hai tệp")
        shown, existing = self.existing.get(key, ("", None))
        if existing is not None and existing.resolve() != target.resolve():  # the same file is a re-import
            return (f"mã hiệu «{result.code}» đã có ở {shown}; không nhập để khỏi có hai tài liệu trùng mã (khi đó "
                    "không tài liệu nào được xuất bản) — hãy sửa mã hiệu trong tệp Word, hoặc sửa tài liệu đã có")
        self.codes[key] = self.names[name] = result.source
        return None


def _existing_codes(root: Path, procedures_dir: str) -> dict[str, tuple[str, Path]]:
    """The codes of the repository's documents, as the loader reads them, with their files."""
    from eiso.documents.loader import load_corpus

    if not (root / procedures_dir).is_dir():
        return {}
    found: dict[str, tuple[str, Path]] = {}
    for doc in sorted(load_corpus(root, procedures_dir).documents, key=lambda d: d.path):
        found.setdefault(doc.slug, (doc.path, root / doc.path))
    return found


def _with_report(document: str, source: str, report: list[str], sources: list[str]) -> str:
    """The report as YAML comments at the top of the front matter, where the secretary reads first.

    After it, the Word labels each fact was read under, so that every line of the Word file can be found.
    """
    lines = [f"# Nhập từ tệp Word «{_one_line(shown(source, 200))}» bằng eiso import docx. Cần kiểm tra:"]
    lines += [f"#   - {_one_line(item)}" for item in report] or ["#   (không có)"]
    if sources:
        lines += ["# Nguồn trong bản Word (nhãn và đề mục đã đọc thành phần đầu):"]
        lines += [f"#   - {_one_line(item)}" for item in sources]
    return document.replace("---\n", "---\n" + "\n".join(lines) + "\n", 1)


def _one_line(text: str) -> str:
    # A comment ends at the line break: nothing from the Word file may start a YAML line of its own.
    return " ".join(text.split())


def _write(target: Path, data: bytes, manifest: dict[str, str], force: bool) -> str:
    digest = hashlib.sha256(data).hexdigest()
    state = "tạo mới"
    if target.exists() and not target.is_symlink():
        current = hashlib.sha256(target.read_bytes()).hexdigest()
        if current == digest:
            manifest[target.name] = digest
            return "không đổi"
        if manifest.get(target.name) != current and not force:
            return "đã sửa, không ghi đè"
        state = "cập nhật"
    write_file(target, data, target.parent)
    manifest[target.name] = digest
    return state


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        files = loads(path.read_text(encoding="utf-8")).get("files", {})
        return {str(k): str(v) for k, v in files.items() if isinstance(v, str)}
    except (OSError, ValueError, AttributeError):
        return {}  # no manifest: every existing file counts as edited, so nothing is overwritten


def _write_manifest(path: Path, files: dict[str, str]) -> None:
    data = {"about": "Tệp do «eiso import docx» quản lý: mã băm SHA-256 của mỗi tệp khi được nhập. "
                     "Tệp có nội dung khác mã băm này là đã được sửa và sẽ không bị ghi đè.",
            "version": 1, "files": dict(sorted(files.items()))}
    write_file(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", path.parent)
