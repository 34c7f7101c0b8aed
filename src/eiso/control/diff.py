"""``eiso diff BASE [HEAD]``: what changed in the controlled documents, for a merge request review.

Two corpora (a git revision and the working tree, or two revisions) are compared
document by document. Documents are matched by the slug of their code; a
document that kept its code but moved is *renamed*, one that kept its path but
took another code is *re-coded*. For each matched pair the report names:

* every front-matter value that changed ("Lần ban hành: 2 → 3"), nested keys
  spelled out in Vietnamese ("Người phê duyệt › Họ và tên");
* the TTHC dossier items (matched by name), channels (by channel name), steps
  (in order, with the new total time), legal basis (by code, else title) and
  records that were added, removed or changed;
* the forms whose file content changed (SHA-256 of the bytes);
* the body, section by section (split at Markdown headings), as short unified diffs.

Everything taken from documents is untrusted: the Markdown report escapes it so
that a title can neither break a table, nor inject HTML, nor mention people.

The comparison is pure (:func:`compare`); :func:`run` reads the corpora with
:mod:`eiso.gitfiles` (two git processes per revision).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from eiso.documents import durations
from eiso.documents.model import Document
from eiso.control.alignment import opcodes, similarity
from eiso.control.diff_model import (CorpusDiff, DocumentDiff, FieldChange, FormChange, ItemChange,
                                     StepsTotal, match_key)
from eiso.control.diff_sections import body_changes
from eiso.control.diff_values import _ITEM_LISTS, _SECTIONS, _SUMMARIES, ITEM_LABELS, LABELS, PERSON_LABELS, format_value
from eiso.documents.text import fold


# --------------------------------------------------------------------------- comparison


def compare(
    base_docs: Iterable[Document],
    head_docs: Iterable[Document],
    base_files: dict[str, str] | None = None,
    head_files: dict[str, str] | None = None,
    *,
    head_unreadable: Iterable[str] = (),
) -> CorpusDiff:
    """Compare two corpora. ``*_files`` map form-file paths to SHA-256 (see eiso.gitfiles).

    ``head_unreadable`` are paths that exist on the new side but did not load: a
    document there is reported as unreadable rather than removed.
    """
    base_files, head_files = base_files or {}, head_files or {}
    unreadable = set(head_unreadable)
    pairs, removed, added, reused = match(list(base_docs), list(head_docs))
    results: list[DocumentDiff] = []
    for old, new in pairs:
        result = _compare_pair(old, new, base_files, head_files)
        result.reused_code_from = reused.get(id(new))
        if result.renamed or result.recoded or result.content_changed:
            results.append(result)
    for old in removed:
        results.append(_one_sided(old, "unreadable" if old.path in unreadable else "removed"))
    for new in added:
        result = _one_sided(new, "added")
        result.reused_code_from = reused.get(id(new))
        results.append(result)
    order = {"changed": 0, "unreadable": 1, "added": 2, "removed": 3}
    results.sort(key=lambda d: (order[d.status], d.slug, d.path or d.old_path or ""))
    return CorpusDiff(results)


def match(
    base_docs: list[Document], head_docs: list[Document]
) -> tuple[list[tuple[Document, Document]], list[Document], list[Document], dict[int, str]]:
    """Pair documents of both sides: (pairs, removed, added, {id(head doc): path of the code's other owner}).

    In this order: same code and same path; same code, other path, same document (renamed);
    same path, other code (re-coded). A head document whose code belonged at BASE to a document
    that is not it (another path, and another title and text) is marked in the last mapping.
    """
    pairs: list[tuple[Document, Document]] = []
    base_left: dict[int, Document] = {id(d): d for d in base_docs}
    head_left: dict[int, Document] = {id(d): d for d in head_docs}

    def pair(old: Document, new: Document) -> None:
        pairs.append((old, new))
        del base_left[id(old)], head_left[id(new)]

    def index(key: Callable[[Document], Any]) -> dict[Any, list[Document]]:
        found: dict[Any, list[Document]] = {}
        for doc in base_left.values():
            found.setdefault(key(doc), []).append(doc)
        return found

    same_place = index(lambda d: (d.slug, d.path))
    for new in list(head_left.values()):
        candidates = same_place.get((new.slug, new.path))
        if candidates:
            pair(candidates.pop(0), new)
    by_slug = index(lambda d: d.slug)
    for new in list(head_left.values()):
        candidates = by_slug.get(new.slug) or []
        old = next((o for o in candidates if same_document(o, new)), None)
        if old is not None:
            candidates.remove(old)
            pair(old, new)
    reused: dict[int, str] = {}
    by_slug = index(lambda d: d.slug)
    for new in head_left.values():
        if by_slug.get(new.slug):
            reused[id(new)] = by_slug[new.slug][0].path
    by_path = index(lambda d: d.path)
    for new in list(head_left.values()):
        candidates = by_path.get(new.path)
        if candidates:
            pair(candidates.pop(0), new)
    return pairs, list(base_left.values()), list(head_left.values()), reused


def same_document(old: Document, new: Document) -> bool:
    """Is ``new`` (same code, other path) the document ``old`` moved, rather than another one?

    Yes when the titles are equal (ignoring case and accents), or when the kind is the same
    and the bodies are mostly the same text (a move with a new title in one change).
    """
    if fold(old.meta.title).strip() == fold(new.meta.title).strip():
        return True
    if old.meta.kind != new.meta.kind:
        return False
    a, b = _content_lines(old.body), _content_lines(new.body)
    if min(len(a), len(b)) < 5:
        return False
    return similarity(a, b) >= 0.6


def _content_lines(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def _one_sided(doc: Document, status: str) -> DocumentDiff:
    meta = doc.meta
    added = status == "added"
    return DocumentDiff(
        status=status, code=meta.code, title=meta.title,
        path=doc.path if added else None, old_path=None if added else doc.path,
        old_code=None, old_title=None,
        revision=meta.revision if added else None, old_revision=None if added else meta.revision,
        doc_status=meta.status.value if added else None, old_doc_status=None if added else meta.status.value,
        content_changed=True, base=None if added else doc, head=doc if added else None,
    )


def _compare_pair(old: Document, new: Document, base_files: dict[str, str], head_files: dict[str, str]) -> DocumentDiff:
    a = old.meta.model_dump(mode="json")
    b = new.meta.model_dump(mode="json")
    result = DocumentDiff(
        status="changed", code=new.meta.code, title=new.meta.title, path=new.path, old_path=old.path,
        old_code=old.meta.code, old_title=old.meta.title,
        revision=new.meta.revision, old_revision=old.meta.revision,
        doc_status=new.meta.status.value, old_doc_status=old.meta.status.value,
        renamed=old.path != new.path and old.slug == new.slug,
        recoded=old.slug != new.slug,
        base=old, head=new,
    )
    result.fields = field_changes(a, b)
    tthc_a, tthc_b = a.get("tthc") or {}, b.get("tthc") or {}
    result.dossier = _keyed_items("dossier", tthc_a.get("dossier") or [], tthc_b.get("dossier") or [],
                                  lambda item: item.get("name") or "")
    result.channels = _keyed_items("channels", tthc_a.get("channels") or [], tthc_b.get("channels") or [],
                                   lambda item: item.get("channel") or "")
    result.legal_basis = _keyed_items("legal_basis", a["legal_basis"], b["legal_basis"],
                                      lambda item: item.get("code") or item.get("title") or "")
    result.records = _keyed_items("records", a["records"], b["records"], lambda item: item.get("name") or "")
    result.steps = _step_items(a["steps"], b["steps"])
    if result.steps:
        result.steps_total = StepsTotal(_steps_total(old), _steps_total(new))
    result.forms = _form_changes(old, new, base_files, head_files)
    result.body = body_changes(old.body, new.body) if old.body != new.body else []
    result.content_changed = any((result.fields, result.dossier, result.channels, result.legal_basis,
                                  result.records, result.steps, result.forms, result.body))
    return result


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: tuple[str, ...] = (),
                  labels: Callable[[tuple[str, ...]], str] | None = None) -> list[FieldChange]:
    """Value-by-value changes of two JSON objects, skipping the lists compared item by item."""
    labels = labels or label_of
    changes: list[FieldChange] = []
    for key in _keys(old, new):
        path = (*prefix, key)
        if path in _ITEM_LISTS and labels is label_of:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if path in _SECTIONS and (a is None or b is None):  # a whole section appears or goes: key by key
            a, b = a or {}, b or {}
        if isinstance(a, dict) and isinstance(b, dict) and not _is_atom(path, a, b):
            changes.extend(field_changes(a, b, path, labels))
            continue
        changes.append(FieldChange(".".join(path), labels(path), a, b, format_value(path, a), format_value(path, b)))
    return changes


def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return list(old) + [k for k in new if k not in old]


def _is_atom(path: tuple[str, ...], a: Any, b: Any) -> bool:
    """Values shown whole rather than key by key: durations."""
    return path[-1] == "time" or ({"value", "unit"} == set(a) == set(b))


def label_of(path: tuple[str, ...]) -> str:
    """Vietnamese name of a front-matter path: ("approved_by", "name") -> "Người phê duyệt › Họ và tên"."""
    parts: list[str] = []
    for depth in range(1, len(path) + 1):
        sub = path[:depth]
        dotted = ".".join(sub)
        if dotted in LABELS:
            parts.append(LABELS[dotted])
        elif depth >= 2 and path[depth - 2] in ("prepared_by", "reviewed_by", "approved_by"):
            parts.append(PERSON_LABELS.get(sub[-1], sub[-1]))
        else:
            parts.append(sub[-1])
    return " › ".join(parts)


def _item_labeller(kind: str) -> Callable[[tuple[str, ...]], str]:
    names = ITEM_LABELS[kind]
    return lambda path: " › ".join(names.get(part, part) for part in path)


def _keyed_items(kind: str, old: list[dict], new: list[dict], key: Callable[[dict], str]) -> list[ItemChange]:
    """Items matched by a name (ignoring case, accents and spacing); repeated names pair in order."""
    summarize = _SUMMARIES[kind]
    labels = _item_labeller(kind)
    remaining: dict[str, list[int]] = {}
    for index, item in enumerate(old):
        remaining.setdefault(match_key(key(item)), []).append(index)
    changes: list[ItemChange] = []
    matched: set[int] = set()
    for position, item in enumerate(new, 1):
        slots = remaining.get(match_key(key(item))) or []
        if not slots:
            changes.append(ItemChange("added", key(item), None, item, "", summarize(item), position=position))
            continue
        index = slots.pop(0)
        matched.add(index)
        before = old[index]
        if before != item:
            changes.append(ItemChange("changed", key(item), before, item, summarize(before), summarize(item),
                                      field_changes(before, item, (), labels), position=position))
    for index, item in enumerate(old):
        if index not in matched:
            changes.append(ItemChange("removed", key(item), item, None, summarize(item), "", position=index + 1))
    return changes


def _step_items(old: list[dict], new: list[dict]) -> list[ItemChange]:
    """Steps are ordered: aligned by their action text, replaced runs paired one to one."""
    summarize, labels = _SUMMARIES["steps"], _item_labeller("steps")
    keys_a = [match_key(step.get("action") or "") for step in old]
    keys_b = [match_key(step.get("action") or "") for step in new]
    changes: list[ItemChange] = []
    for tag, i1, i2, j1, j2 in opcodes(keys_a, keys_b):
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            if old[i] != new[j]:
                changes.append(ItemChange("changed", new[j].get("action") or "", old[i], new[j], summarize(old[i]),
                                          summarize(new[j]), field_changes(old[i], new[j], (), labels), position=j + 1))
        for i in range(i1 + len(pairs), i2):
            changes.append(ItemChange("removed", old[i].get("action") or "", old[i], None, summarize(old[i]), "",
                                      position=i + 1))
        for j in range(j1 + len(pairs), j2):
            changes.append(ItemChange("added", new[j].get("action") or "", None, new[j], "", summarize(new[j]),
                                      position=j + 1))
    return changes


def _steps_total(doc: Document) -> str | None:
    timed = [step.time for step in doc.meta.steps if step.time is not None]
    try:
        spent = durations.total(timed)
    except durations.Incomparable as units:
        return f"không cộng được (đơn vị khác loại: {units})"
    return None if spent is None else str(spent)


def _form_changes(old: Document, new: Document, base_files: dict[str, str], head_files: dict[str, str]) -> list[FormChange]:
    from eiso.control.gitfiles import form_path

    labels = _item_labeller("forms")
    before = {match_key(form.code): form for form in old.meta.forms}
    changes: list[FormChange] = []
    for form in new.meta.forms:
        new_file = form_path(new, form.file) if form.file else None
        new_sha = head_files.get(new_file) if new_file else None
        previous = before.pop(match_key(form.code), None)
        if previous is None:
            changes.append(FormChange("added", form.code, form.title, None, new_file, None, new_sha, False))
            continue
        old_file = form_path(old, previous.file) if previous.file else None
        old_sha = base_files.get(old_file) if old_file else None
        fields = field_changes(previous.model_dump(mode="json"), form.model_dump(mode="json"), (), labels)
        content = old_sha != new_sha
        if fields or content:
            changes.append(FormChange("changed", form.code, form.title, old_file, new_file, old_sha, new_sha,
                                      content, fields))
    for form in before.values():
        old_file = form_path(old, form.file) if form.file else None
        changes.append(FormChange("removed", form.code, form.title, old_file, None,
                                  base_files.get(old_file) if old_file else None, None, False))
    return changes
