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
from pathlib import Path
from typing import Any, Callable

FORMAT = b"eiso-documents-1"
_PACKAGE = Path(__file__).resolve().parent.parent

Parsed = tuple[Any, list[Any]]  # (Document | None, findings), as parse_document returns


def package_fingerprint() -> str:
    """Hash of every Python file of the package: a change of the parser or model invalidates the cache."""
    hasher = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
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


class DocumentCache:
    """Results of ``parse_document`` by (path, text); only the entries used by the last run are kept."""

    def __init__(self, path: Path, fingerprint: str | None = None, key: bytes | None = None):
        self.path = path
        self.fingerprint = (fingerprint or package_fingerprint()).encode()
        self.key = key if key is not None else signing_key()
        # Each result pickled on its own: a rebuild unpickles the container (bytes, cheap) and only the
        # results it uses, and writes back the container without pickling the unchanged results again.
        self.entries: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.changed = False
        if self.key is not None:
            self.entries = self._read()

    def _sign(self, payload: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, FORMAT + self.fingerprint + payload, hashlib.sha256).digest()

    def _read(self) -> dict[str, bytes]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        signature, payload = data[:32], data[32:]
        if len(data) < 32 or not hmac.compare_digest(signature, self._sign(payload)):
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
        key = self._key(scope, rel, text)
        stored = self.entries.get(key)
        if stored is not None:
            try:
                found = pickle.loads(stored)
                self.used[key] = stored
                return found
            except Exception:  # noqa: BLE001 - signed but unreadable (another Python): parse again
                pass
        found = parse(rel, text)
        if keep is not None and not keep(found):
            return found
        self.changed = True
        try:
            self.used[key] = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable result is simply not cached
            pass
        return found

    def recall(self, name: str, scope: str) -> Any | None:
        """The value remembered under ``name`` (a content address, e.g. a git blob id), or None."""
        key = self._key(scope, name, "")
        stored = self.entries.get(key)
        if stored is None:
            return None
        try:
            value = pickle.loads(stored)
        except Exception:  # noqa: BLE001 - signed but unreadable (another Python): computed again
            return None
        self.used[key] = stored
        return value

    def remember(self, name: str, scope: str, value: Any) -> None:
        key = self._key(scope, name, "")
        if key in self.used:
            return
        try:
            self.used[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return
        self.changed = True

    @staticmethod
    def _key(scope: str, rel: str, text: str) -> str:
        return hashlib.sha256("\0".join((scope, rel, text)).encode("utf-8", "surrogatepass")).hexdigest()

    def save(self) -> None:
        """Write the entries of this run (signed), unless nothing changed since the last one."""
        if self.key is None or not (self.changed or set(self.used) != set(self.entries)):
            return
        payload = pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(self._sign(payload) + payload)
            tmp.replace(self.path)
        except OSError:
            pass
