"""Parsed documents kept between builds, keyed by the exact text they were parsed from.

Parsing and validating the front matter is most of what loading 2,000 documents costs, and a rebuild
after one edit would otherwise redo it for every file. ``parse_document(rel, text)`` is a pure function
of the path and the normalised text, so its result can be reused whenever both are unchanged and the
code that parses them is the same (the cache is versioned by a fingerprint of the package).

The cache is a pickle, because it holds the typed model as built. Unpickling runs code chosen by whoever
wrote the file, and ``.eiso-cache/`` sits inside a repository that anyone may send a merge request to, so
the file is signed with an HMAC whose key lives outside the repository (the user's cache folder, created
on first use). A file without a valid signature — committed, edited, from another machine — is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

FORMAT = b"eiso-documents-1"
_PACKAGE = Path(__file__).resolve().parent.parent

_MISSING = object()  # no usable stored value (None may be one)
Parsed = tuple[Any, list[Any]]  # (Document | None, findings), as parse_document returns


#: The package's files a cache depends on: its code, and the templates, styles and scripts it writes into sites.
PACKAGE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".json"})


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """Hash of the package's code and assets: a change of the parser, the model or a template invalidates the
    caches (documents, pages).

    Once per process: the code that runs is the code that was imported, whatever is edited meanwhile."""
    hasher = hashlib.sha256()
    paths = (path for path in _PACKAGE.rglob("*") if path.suffix in PACKAGE_SUFFIXES and "__pycache__" not in path.parts)
    for path in sorted(paths):
        data = path.read_bytes()
        hasher.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    try:
        from importlib.metadata import version

        hasher.update(f"pydantic={version('pydantic')};pyyaml={version('pyyaml')}".encode())
    except Exception:  # pragma: no cover - metadata missing: the package hash still versions the cache
        pass
    return hasher.hexdigest()


def cache_home() -> Path:
    """This user's e-ISO cache folder, outside every repository."""
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "eiso"


def _key_file() -> Path:
    return cache_home() / "cache-signing.key"


def signing_key() -> bytes | None:
    """This user's secret key for signing caches; ``None`` (no caching) when it cannot be kept."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        tmp.replace(path)
        return path.read_bytes()  # another process may have won the race: use the key that stayed
    except OSError:
        return None


def read_signed(path: Path, key: bytes, context: bytes) -> bytes | None:
    """The payload of a file that :func:`write_signed` wrote with this key and context; None for any other
    file (missing, damaged, written by someone else or for other code): its bytes are never used."""
    try:
        with path.open("rb") as handle:  # signature and payload read apart: no copy of a large payload
            signature, payload = handle.read(32), handle.read()
    except OSError:
        return None
    if len(signature) < 32 or not hmac.compare_digest(signature, _mac(key, context, payload).digest()):
        return None
    return payload


def write_signed(path: Path, key: bytes, context: bytes, payload: bytes) -> None:
    """Write ``payload`` with its HMAC, atomically (a reader never sees half a file); a folder that cannot
    be written only costs the cache."""
    write_signed_stream(path, key, context, lambda out: out.write(payload))


def write_signed_stream(path: Path, key: bytes, context: bytes, write: Callable[[Any], Any]) -> None:
    """:func:`write_signed` of what ``write(out)`` writes to ``out`` (``out.write(bytes)``, as ``pickle.dump``
    calls it): a cache of a hundred megabytes at 10,000 documents is signed and written as it is made, never
    held whole in memory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            handle.write(bytes(32))  # the signature's place, written once the payload is
            signer = _SigningWriter(handle, _mac(key, context))
            try:
                write(signer)
            except BaseException:
                tmp.unlink(missing_ok=True)  # the write's own error (not the disk's) goes on, no half file left
                raise
            handle.seek(0)
            handle.write(signer.mac.digest())
        tmp.replace(path)
    except OSError:
        pass


class _SigningWriter:
    def __init__(self, handle: Any, mac: "hmac.HMAC"):
        self.handle, self.mac = handle, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def _mac(key: bytes, context: bytes, payload: bytes | None = None) -> "hmac.HMAC":
    # Length-prefixed: a context cannot be stretched into the payload. Fed in parts, so that the payload (a
    # hundred megabytes at 10,000 documents) is never copied.
    mac = hmac.new(key, len(context).to_bytes(8, "big"), hashlib.sha256)
    mac.update(context)
    if payload is not None:
        mac.update(payload)
    return mac


#: Results this process already holds, by cache file: a live preview builds again and again in one process,
#: and unpickling every document at each build was most of its loading time.
_LIVE: dict[tuple[str, bytes], dict[str, tuple[bytes, Any]]] = {}


@dataclass(frozen=True)
class _Unpicklable:
    value: Any


class DocumentCache:
    """Results of ``parse_document`` by (path, text); only the entries used by the last run are kept.

    ``live``: results are also kept in this process for the next ``DocumentCache`` of the same file (the live
    preview). They are shared, not copied: the values stored must never be changed by their users.
    """

    def __init__(self, path: Path, fingerprint: str | None = None, key: bytes | None = None, live: bool = False):
        self.path = path
        self.fingerprint = (fingerprint or package_fingerprint()).encode()
        self.key = key if key is not None else signing_key()
        # Each result pickled on its own: a rebuild unpickles the container (bytes, cheap) and only the
        # results it uses, and writes back the container without pickling the unchanged results again.
        self.entries: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.changed = False
        self.live: dict[str, tuple[bytes, Any]] | None = (_LIVE.setdefault((str(path), self.fingerprint), {})
                                                          if live and self.key is not None else None)
        if self.key is not None:
            self.entries = self._read()

    def _read(self) -> dict[str, bytes]:
        assert self.key is not None
        payload = read_signed(self.path, self.key, FORMAT + b"\0" + self.fingerprint)
        if payload is None:
            return {}  # not written by this user's e-ISO for this code: never unpickled
        try:
            entries = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a damaged file only costs a full parse
            return {}
        if not isinstance(entries, dict) or not all(isinstance(v, bytes) for v in entries.values()):
            return {}
        return entries

    def parse(self, rel: str, text: str, parse: Callable[[str, str], Parsed], scope: str = "",
              keep: Callable[[Parsed], bool] | None = None) -> Parsed:
        """``parse(rel, text)``, or its result from the previous run when both are unchanged.

        ``scope`` separates results that depend on more than the text (e.g. read with a framework);
        ``keep(result)`` says whether a fresh result may be stored at all.
        """
        return self.parse_all([(rel, text)], lambda _: parse(rel, text), scope, keep)[0]

    def parse_all(self, items: Sequence[tuple[str, str]], work: Callable[[int], Parsed], scope: str = "",
                  keep: Callable[[Parsed], bool] | None = None,
                  mapper: Callable[[Callable[[int], Parsed], list[int]], list[Parsed]] | None = None) -> list[Parsed]:
        """``parse`` of every ``(rel, text)`` of ``items``: the stored results, and ``work(i)`` for item ``i`` of
        the others, all of them passed at once to ``mapper`` (e.g. :func:`eiso.forked.forked_map`, so that a
        first build parses on every core)."""
        keys = [self._key(scope, rel, text) for rel, text in items]
        results = [self._stored(key) for key in keys]
        missing = [i for i, found in enumerate(results) if found is _MISSING]

        def pickled(i: int) -> bytes | _Unpicklable:
            # Each result is used as unpickled from what is kept, not as made: pickling leaves a UTF-8 copy of
            # every non-ASCII text attached to the text itself (CPython's cache), the value made is let go with
            # them at once (a document's body among them: 100 MB at 10,000 documents).
            found = work(i)
            try:
                return pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
                return _Unpicklable(found)

        made = mapper(pickled, missing) if mapper is not None else [pickled(i) for i in missing]
        for n, i in enumerate(missing):
            data, made[n] = made[n], None  # let go as used
            if isinstance(data, _Unpicklable):
                results[i] = data.value
                continue
            found = results[i] = pickle.loads(data)
            if keep is None or keep(found):
                self._keep(keys[i], data, found)
        return results

    def recall(self, name: str, scope: str) -> Any | None:
        """The value remembered under ``name`` (a content address, e.g. a git blob id), or None."""
        return self.recall_key(self._key(scope, name, ""))

    def remember(self, name: str, scope: str, value: Any) -> None:
        self.store_key(self._key(scope, name, ""), value)

    def note(self, name: str, scope: str, value: Any) -> None:
        """Keep ``value`` under ``name``, in place of what was there (a record of the run, not a result)."""
        self._store(self._key(scope, name, ""), value)

    # By key (:meth:`key_of`): a caller that noted the keys of its values needs no name to find them again.

    @classmethod
    def key_of(cls, name: str, scope: str) -> str:
        return cls._key(scope, name, "")

    def recall_key(self, key: str) -> Any | None:
        found = self._stored(key)
        return None if found is _MISSING else found

    def store_key(self, key: str, value: Any) -> None:
        if key not in self.used:
            self._store(key, value)

    def keep(self, key: str) -> None:
        """Keep the value under ``key`` for the next run without reading it."""
        if key not in self.used and key in self.entries:
            self.used[key] = self.entries[key]

    def _stored(self, key: str) -> Any:
        held = self.live.get(key) if self.live is not None else None
        if held is not None:
            self.used[key] = held[0]
            return held[1]
        stored = self.entries.get(key)
        if stored is None:
            return _MISSING
        try:
            found = pickle.loads(stored)
        except Exception:  # noqa: BLE001 - signed but unreadable (another Python): made again
            return _MISSING
        self.used[key] = stored
        if self.live is not None:
            self.live[key] = (stored, found)
        return found

    def _store(self, key: str, value: Any) -> None:
        try:
            pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return
        self._keep(key, pickled, value)

    def _keep(self, key: str, pickled: bytes, value: Any) -> None:
        self.changed = True
        self.used[key] = pickled
        if self.live is not None:
            self.live[key] = (pickled, value)

    @staticmethod
    def _key(scope: str, rel: str, text: str) -> str:
        return hashlib.sha256("\0".join((scope, rel, text)).encode("utf-8", "surrogatepass")).hexdigest()

    def save(self) -> None:
        """Write the entries of this run (signed), unless nothing changed since the last one."""
        if self.live is not None:  # what this run did not use is let go
            for key in [key for key in self.live if key not in self.used]:
                del self.live[key]
        if self.key is None or not (self.changed or set(self.used) != set(self.entries)):
            return
        write_signed_stream(self.path, self.key, FORMAT + b"\0" + self.fingerprint,
                            lambda out: pickle.dump(self.used, out, protocol=pickle.HIGHEST_PROTOCOL))
