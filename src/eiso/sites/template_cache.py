"""Compiled templates kept between runs, signed like the documents cache.

Compiling the theme's and e-ISO's templates costs about a second per build, which a rebuild after one
edit should not pay. Jinja's own file cache stores marshalled code and loads whatever it finds; here
each file carries an HMAC made with this user's key (:func:`eiso.documents.cache.signing_key`), so a
file written by anyone else — or edited — is never loaded, only compiled again. The files live in the
user's cache folder, outside every repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache

from eiso.documents.cache import cache_home, read_signed, signing_key, write_signed

_FORMAT = f"eiso-templates-1 {sys.implementation.cache_tag}".encode()


class SignedBytecodeCache(BytecodeCache):
    def __init__(self, directory: Path, key: bytes):
        self.directory = directory
        self.key = key

    def _path(self, bucket: Bucket) -> Path:
        return self.directory / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        payload = read_signed(self._path(bucket), self.key, _FORMAT + b"\0" + bucket.key.encode())
        if payload:
            bucket.bytecode_from_string(payload)  # Jinja itself rejects code compiled from another source

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_signed(self._path(bucket), self.key, _FORMAT + b"\0" + bucket.key.encode(), bucket.bytecode_to_string())


def template_cache() -> SignedBytecodeCache | None:
    """The cache of compiled templates, or ``None`` when this user cannot keep a signing key."""
    key = signing_key()
    return SignedBytecodeCache(cache_home() / "templates", key) if key is not None else None
