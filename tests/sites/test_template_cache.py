"""Compiled templates are reused between runs only from files this user's e-ISO signed."""

from __future__ import annotations

import marshal

from jinja2 import DictLoader, Environment

from eiso.sites.template_cache import SignedBytecodeCache

KEY = b"k" * 32
SOURCE = {"page.html": "<p>{{ name }}</p>"}


class CountingEnvironment(Environment):
    compiled = 0

    def compile(self, *args, **kwargs):
        CountingEnvironment.compiled += 1
        return super().compile(*args, **kwargs)


def _render(cache, templates=SOURCE) -> str:
    env = CountingEnvironment(loader=DictLoader(templates), bytecode_cache=cache)
    return env.get_template("page.html").render(name="Lan")


def test_a_signed_template_is_loaded_without_compiling(tmp_path):
    CountingEnvironment.compiled = 0
    assert _render(SignedBytecodeCache(tmp_path, KEY)) == "<p>Lan</p>"
    assert CountingEnvironment.compiled == 1 and len(list(tmp_path.glob("*.jinja"))) == 1
    assert _render(SignedBytecodeCache(tmp_path, KEY)) == "<p>Lan</p>"
    assert CountingEnvironment.compiled == 1  # read back, not compiled again


def test_an_edited_or_foreign_file_is_never_loaded(tmp_path):
    _render(SignedBytecodeCache(tmp_path, KEY))
    (stored,) = tmp_path.glob("*.jinja")
    # Code of another template, with the real source's checksum (which Jinja alone would accept),
    # put in place of the real one under its old signature: must not run.
    env = Environment(loader=DictLoader(SOURCE))
    cache = SignedBytecodeCache(tmp_path, KEY)
    bucket = cache.get_bucket(env, "page.html", None, SOURCE["page.html"])
    bucket.code = env.compile("PWNED", "page.html")
    stored.write_bytes(stored.read_bytes()[:32] + bucket.bytecode_to_string())
    CountingEnvironment.compiled = 0
    assert _render(SignedBytecodeCache(tmp_path, KEY)) == "<p>Lan</p>"
    assert CountingEnvironment.compiled == 1
    # A well-formed file signed with someone else's key is refused as well.
    _render(SignedBytecodeCache(tmp_path, b"x" * 32), {"page.html": "PWNED"})
    assert _render(SignedBytecodeCache(tmp_path, KEY)) == "<p>Lan</p>"
    # Raw marshalled code without a signature: refused.
    stored.write_bytes(marshal.dumps(compile("1", "x", "eval")))
    assert _render(SignedBytecodeCache(tmp_path, KEY)) == "<p>Lan</p>"
