"""``revision``, ``effective`` and ``code`` of a document state, from the front matter of its blob.

Blobs of every past state are untrusted: front matter may be hostile YAML. Only
YAML events are read, never objects built (see :func:`front_facts`); validating
the rest is the loader's business, for the current file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from eiso.control.gitlog import clean_text

#: Front matter with more YAML events than this is treated as unparsable.
MAX_YAML_EVENTS = 60_000
#: Front matter nested deeper than this is treated as unparsable.
MAX_YAML_DEPTH = 40

_NAME_MAX = 200
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:$|[Tt \t])")
_INT_RE = re.compile(r"^\+?([0-9]{1,9})$")
_FM_OPEN_RE = re.compile(rb"^---[ \t]*\r?\n")
_FM_CLOSE_RE = re.compile(rb"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"

try:  # libyaml's event parser is much faster; the pure one is equivalent.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
) | {"!"}


@dataclass(frozen=True)
class FrontFacts:
    revision: int | None
    effective: str | None
    code: str | None


NO_FACTS = FrontFacts(None, None, None)
_WANTED = ("revision", "effective", "code")


def _front_matter_bytes(blob: bytes) -> bytes | None:
    if blob.startswith(_BOM):
        blob = blob[len(_BOM) :]
    opening = _FM_OPEN_RE.match(blob)
    if opening is None:
        return None
    closing = _FM_CLOSE_RE.search(blob, opening.end())
    if closing is None:
        return None
    return blob[opening.end() : closing.start()]


def front_facts(text: str) -> FrontFacts:
    """``revision``, ``effective`` and ``code`` from front matter text, reading YAML events only.

    No Python object is ever constructed from the YAML: anchors/aliases, custom tags,
    more than one document, deep nesting or too many events make it unparsable.
    Reading stops once the three keys are found, unless the text holds ``&`` or ``*``
    (then every event is screened for anchors and aliases). Validating the rest of
    the front matter is the loader's business, for the current file.
    """
    screen_all = "&" in text or "*" in text
    scalars: dict[str, yaml.ScalarEvent | None] = {}
    stack: list[list[int]] = []  # [is_mapping, children completed] per open collection
    pending_key: str | None = None
    documents = 0
    scalar_t = yaml.ScalarEvent
    mapping_start_t = yaml.MappingStartEvent
    sequence_start_t = yaml.SequenceStartEvent
    end_ts = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_YamlLoader)):
            if count > MAX_YAML_EVENTS:
                return NO_FACTS
            kind = type(event)
            if kind is scalar_t or kind is mapping_start_t or kind is sequence_start_t:
                if event.anchor is not None:
                    return NO_FACTS
                if event.tag is not None and event.tag not in _STANDARD_TAGS:
                    return NO_FACTS
                top = len(stack) == 1 and stack[0][0]
                if top:
                    is_key = stack[0][1] % 2 == 0
                    if kind is scalar_t:
                        if is_key:
                            pending_key = event.value
                        elif pending_key in _WANTED:
                            if pending_key in scalars:
                                scalars[pending_key] = None  # duplicate key: unreliable
                            else:
                                scalars[pending_key] = event
                                if len(scalars) == len(_WANTED) and not screen_all:
                                    break
                        stack[0][1] += 1
                    else:
                        if is_key:
                            pending_key = None  # a complex key: never one of ours
                        elif pending_key in _WANTED:
                            scalars[pending_key] = None  # a collection where a scalar belongs
                if kind is not scalar_t:
                    stack.append([kind is mapping_start_t, 0])
                    if len(stack) > MAX_YAML_DEPTH:
                        return NO_FACTS
            elif kind in end_ts:
                if stack:
                    stack.pop()
                if len(stack) == 1 and stack[0][0]:
                    stack[0][1] += 1
            elif kind is yaml.AliasEvent:
                return NO_FACTS
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return NO_FACTS
    except (yaml.YAMLError, ValueError, RecursionError, MemoryError):
        return NO_FACTS
    return FrontFacts(
        revision=_as_revision(scalars.get("revision")),
        effective=_as_date(scalars.get("effective")),
        code=_as_code(scalars.get("code")),
    )


def _as_revision(event: yaml.ScalarEvent | None) -> int | None:
    if event is None:
        return None
    match = _INT_RE.match(event.value.strip())
    return int(match.group(1)) if match else None


def _as_date(event: yaml.ScalarEvent | None) -> str | None:
    if event is None:
        return None
    match = _DATE_RE.match(event.value.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


def _as_code(event: yaml.ScalarEvent | None) -> str | None:
    if event is None:
        return None
    if not event.style and event.value in ("", "~", "null", "Null", "NULL"):
        return None
    code = clean_text(event.value)[:_NAME_MAX]
    return code or None


class FactsCache:
    """Front matter facts by blob and by front matter text (most edits leave it unchanged)."""

    def __init__(self) -> None:
        self.by_blob: dict[str, FrontFacts] = {}
        self.by_text: dict[bytes, FrontFacts] = {}

    def add(self, sha: str, content: bytes | None) -> None:
        if content is None:
            self.by_blob[sha] = NO_FACTS
            return
        raw = _front_matter_bytes(content)
        if raw is None:
            self.by_blob[sha] = NO_FACTS
            return
        facts = self.by_text.get(raw)
        if facts is None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                facts = NO_FACTS
            else:
                facts = front_facts(text)
            self.by_text[raw] = facts
        self.by_blob[sha] = facts

