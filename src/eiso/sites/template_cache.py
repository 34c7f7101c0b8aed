"""Compiled templates kept between runs, signed like the documents cache.

Compiling the theme's and e-ISO's templates costs about a second per build, which a rebuild after one
edit should not pay. Jinja's own file cache stores marshalled code and loads whatever it finds; here
each file carries an HMAC made with this user's key (:func:`eiso.documents.cache.signing_key`), so a
file written by anyone else — or edited — is never loaded, only compiled again. The files live in the
user's cache folder, outside every repository.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache

from eiso.documents.cache import cache_home, signing_key

_FORMAT = f"eiso-templates-1 {sys.implementation.cache_tag}".encode()


class SignedBytecodeCache(BytecodeCache):
    def __init__(self, directory: Path, key: bytes):
        self.directory = directory
        self.key = key

    def _path(self, bucket: Bucket) -> Path:
        return self.directory / f"{bucket.key}.jinja"

    def _sign(self, name: str, payload: bytes) -> bytes:
        return hmac.new(self.key, _FORMAT + name.encode() + b"\0" + payload, hashlib.sha256).digest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        signature, payload = data[:32], data[32:]
        if len(data) > 32 and hmac.compare_digest(signature, self._sign(bucket.key, payload)):
            bucket.bytecode_from_string(payload)  # Jinja itself rejects code compiled from another source

    def dump_bytecode(self, bucket: Bucket) -> None:
        payload = bucket.bytecode_to_string()
        path = self._path(bucket)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(self._sign(bucket.key, payload) + payload)
            tmp.replace(path)
        except OSError:
            pass  # a read-only home only costs compiling again


def template_cache() -> SignedBytecodeCache | None:
    """The cache of compiled templates, or ``None`` when this user cannot keep a signing key."""
    key = signing_key()
    return SignedBytecodeCache(cache_home() / "templates", key) if key is not None else None
