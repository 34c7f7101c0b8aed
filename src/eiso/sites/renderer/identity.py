"""What decides a page template's output besides the body, as a hash: the build cache's key of a page.

Two sets of values hash alike exactly when they hold the same data, so an incremental build can tell an
unchanged page without rendering it. Code (filters, the columns' functions) is not part of it: the build
cache is already versioned by the package's source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from enum import Enum
from pathlib import PurePath
from types import FunctionType
from typing import Any

from pydantic import BaseModel


class Identities:
    """Hashes of values. An object (a document, a row of the lists) is hashed once per build however many
    pages show it; it is held until the end, so that its ``id`` is not reused by another object meanwhile.

    :attr:`shown` tells, after :meth:`of`, which documents' bodies the value's hash took in (by their
    fingerprints): the pages an edit of those bodies may change (:mod:`eiso.sites.snapshot`)."""

    def __init__(self, bodies: bool = True) -> None:
        self.bodies = bodies  # False: documents count by all but their body (for pages that never show one)
        self.shown: set[str] = set()
        self._objects: dict[int, tuple[Any, bytes, frozenset[str]]] = {}
        self._kinds: dict[type, str] = {}
        self._fields: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, or an object's slots
        self._without_bodies: Identities | None = None

    def of(self, value: Any, bodies: bool = True) -> str:
        if bodies != self.bodies:
            if self._without_bodies is None:
                self._without_bodies = Identities(bodies=False)
            self.shown = set()
            return self._without_bodies.of(value, bodies)
        self.shown = set()
        return self._digest(value).hex()

    def _digest(self, value: Any) -> bytes:
        hasher = hashlib.sha256()
        self._feed(value, hasher.update)
        return hasher.digest()

    def _feed(self, value: Any, out: Any) -> None:
        kind = self._kinds.get(type(value))
        if kind is None:
            kind = self._kinds[type(value)] = _kind(value)
        if kind == "str":
            out(_text(value))
        elif kind == "value":
            out(b"v" + repr(value).encode() + b";")
        elif kind == "sequence":
            out(b"l%d:" % len(value))
            for item in value:  # texts inline: most items are (a quarter of a million calls saved per build)
                if type(item) is str:
                    out(_text(item))
                else:
                    self._feed(item, out)
        elif kind == "dict":
            out(b"d%d:" % len(value))
            for key, item in value.items():
                if type(key) is str:
                    out(_text(key))
                else:
                    self._feed(key, out)
                if type(item) is str:
                    out(_text(item))
                else:
                    self._feed(item, out)
        elif kind == "set":
            out(b"e%d:" % len(value))
            for digest in sorted(self._digest(item) for item in value):
                out(digest)
        elif kind == "object":
            out(b"o" + self._object(value))
        elif kind == "function" and not (value.__closure__ or value.__defaults__ or value.__kwdefaults__):
            out(f"f{value.__module__}.{value.__qualname__}:{value.__code__.co_firstlineno};".encode())
        else:
            # Anything else (a closure, whose captured values are not seen here): a value never seen before,
            # so the page never counts as unchanged (a repr would not do: addresses repeat, across runs too).
            out(b"u" + secrets.token_bytes(16))

    def _object(self, value: Any) -> bytes:
        known = self._objects.get(id(value))
        if known is None:
            outer, self.shown = self.shown, set()
            digest = self._hash_object(value)
            known = self._objects[id(value)] = (value, digest, frozenset(self.shown) if self.shown else _NONE)
            self.shown = outer
        if known[2]:
            self.shown |= known[2]
        return known[1]

    def _hash_object(self, value: Any) -> bytes:
        name = type(value).__qualname__.encode()
        if isinstance(value, BaseModel):
            fingerprint = getattr(value, "fingerprint", None)  # a document's: all it holds, line numbers too
            text = fingerprint(body=self.bodies) if callable(fingerprint) else value.model_dump_json()
            if callable(fingerprint) and self.bodies:
                self.shown.add(text)
            return hashlib.sha256(name + b"\0" + text.encode("utf-8", "surrogatepass")).digest()
        names = self._fields.get(type(value))
        if names is None:
            names = self._fields[type(value)] = (tuple(f.name for f in dataclasses.fields(value))
                                                 if dataclasses.is_dataclass(value)
                                                 else value.__slots__)  # a page's fragment: template, values
        # The type's name and field names once, then each field's value (each one self-delimiting).
        hasher = hashlib.sha256(b"o%d:%s%d:%s" % (len(name), name, len(names), "\0".join(names).encode()))
        for field in names:
            self._feed(getattr(value, field), hasher.update)
        return hasher.digest()


_NONE: frozenset[str] = frozenset()


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"s%d:" % len(data) + data


def _kind(value: Any) -> str:
    """How values of this type are hashed (decided once per type)."""
    if isinstance(value, type):
        return "unknown"  # a class: not data
    if isinstance(value, str):
        return "str"
    if value is None or isinstance(value, (bool, int, float, dt.date, Enum, PurePath)):
        return "value"
    if isinstance(value, (list, tuple)):
        return "sequence"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (set, frozenset)):
        return "set"
    if isinstance(value, BaseModel) or dataclasses.is_dataclass(value) or (
            isinstance(getattr(value, "__slots__", None), tuple) and hasattr(value, "__html__")):
        return "object"
    if isinstance(value, FunctionType):
        return "function"
    return "unknown"
