"""The page cache tells an unchanged output file by its signature, and never keeps a file written over."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from eiso.search import build_search_files
from eiso.search.model import SearchEntry, StoredEntry
from eiso.filestate import RACY_NS
from eiso.sites.build_cache import BuildCache

KEY = b"k" * 32


def _written(tmp_path: Path, data: bytes) -> tuple[BuildCache, Path]:
    """A cache that recorded ``page.md`` written as ``data``, signed once the write is no longer recent."""
    output = tmp_path / "site" / "page" / "index.html"
    output.parent.mkdir(parents=True)
    output.write_bytes(data)
    cache = BuildCache.open(tmp_path / "cache", tmp_path / "site", "fp", KEY)
    cache.record("page.md", "key", data, None)
    time.sleep(2 * RACY_NS / 1e9)
    cache.sign({"page.md": output})
    cache.save()
    return BuildCache.open(tmp_path / "cache", tmp_path / "site", "fp", KEY), output


def test_an_untouched_output_is_reused_by_its_signature(tmp_path: Path) -> None:
    cache, output = _written(tmp_path, b"<p>trang</p>")
    assert cache.pages["page.md"].signature is not None
    assert cache.reusable("page.md", "key", output) is not None
    assert cache.reusable("page.md", "other key", output) is None


def test_a_file_written_over_with_its_times_set_back_is_not_reused(tmp_path: Path) -> None:
    """Same size, same modification time (``touch -d`` can set it): the change time, which no one can set,
    still tells, and the file's bytes are hashed."""
    cache, output = _written(tmp_path, b"<p>trang</p>")
    before = output.stat()
    output.write_bytes(b"<p>GIA MAO</p>"[: before.st_size].ljust(before.st_size, b" "))
    os.utime(output, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert output.stat().st_size == before.st_size and output.stat().st_mtime_ns == before.st_mtime_ns
    assert cache.reusable("page.md", "key", output) is None


def test_a_file_written_just_before_the_cache_is_not_signed(tmp_path: Path) -> None:
    """A change within the file system's clock tick would keep the signature: such a file is hashed."""
    output = tmp_path / "index.html"
    output.write_bytes(b"x")
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    cache.record("page.md", "key", b"x", None)
    cache.sign({"page.md": output})
    assert cache.fresh["page.md"].signature is None


def test_a_previous_search_file_counts_only_with_its_recorded_bytes(tmp_path: Path) -> None:
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "a.json").write_bytes(b"{}")
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    cache.record_output("search/a.json", hashlib.sha256(b"{}").hexdigest())
    cache.save()
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    assert cache.previous_output("search/a.json", tmp_path / "search" / "a.json") == b"{}"
    (tmp_path / "search" / "a.json").write_bytes(b"[]")
    assert cache.previous_output("search/a.json", tmp_path / "search" / "a.json") is None
    assert cache.previous_output("search/b.json", tmp_path / "search" / "a.json") is None


def test_the_search_index_takes_the_compressed_files_it_is_given_and_compresses_the_others() -> None:
    entries = [SearchEntry(f"quy-trinh/qt-{i}/", f"Quy trình {i}", f"Nội dung thủ tục số {i}", (f"QT-{i}",), ())
               for i in range(5)]
    plain = build_search_files(entries)
    asked: list[str] = []

    def reuse(uri: str, data: bytes) -> bytes | None:
        asked.append(uri)
        assert plain[uri] == data  # it is asked with the file's own bytes
        return b"PREVIOUS" if "titles" in uri else None

    reused = build_search_files(entries, reuse=reuse)
    assert set(reused) == set(plain)
    gz = [uri for uri in plain if uri.endswith(".gz")]
    assert sorted(asked) == sorted(uri[:-3] for uri in gz)
    for uri in gz:
        assert reused[uri] == (b"PREVIOUS" if "titles" in uri else plain[uri])


def test_what_is_recorded_while_the_pages_are_saved_is_in_the_cache(tmp_path: Path) -> None:
    """The search index is waited for while the pages' lines are written: its files, recorded then, are saved
    with them."""
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "a.json").write_bytes(b"{}")
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    cache.record("page.md", "key", b"<p>trang</p>", StoredEntry.of(SearchEntry("page/", "Trang", "")))
    calls: list[int] = []
    cache.save(lambda: (calls.append(1), cache.record_output("search/a.json", hashlib.sha256(b"{}").hexdigest())))
    assert calls == [1]
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    assert set(cache.pages) == {"page.md"}
    assert cache.previous_output("search/a.json", tmp_path / "search" / "a.json") == b"{}"


def test_the_search_index_is_written_even_where_no_cache_can_be(tmp_path: Path) -> None:
    """No signing key, or a cache folder that cannot be made: the cache is lost, the waiting still done once."""
    blocked = tmp_path / "blocked"
    blocked.write_text("một tệp, không phải thư mục")
    for cache in (BuildCache.open(tmp_path / "cache", tmp_path, "fp", None),
                  BuildCache.open(blocked / "cache", tmp_path, "fp", KEY)):
        calls: list[int] = []
        cache.save(lambda: calls.append(1))
        assert calls == [1]
    assert not (tmp_path / "cache").exists()


def test_a_failure_while_the_cache_is_written_leaves_no_file(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    cache.record("page.md", "key", b"x", None)

    def fail() -> None:
        raise RuntimeError("chỉ mục tìm kiếm hỏng")

    try:
        cache.save(fail)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    assert list((tmp_path / "cache").iterdir()) == []


def test_search_entries_come_back_as_recorded(tmp_path: Path) -> None:
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    entries = {"a.md": SearchEntry("a/", "Trang «A»\n", "nội dung\tcó tab", ("QT-01",), (("Cấp", "xã"),)),
               "b.md": None,
               "c.md": SearchEntry("c/", "C", "")}
    for uri, entry in entries.items():
        cache.record(uri, "key-" + uri, uri.encode(), StoredEntry.of(entry) if entry else None)
    cache.save()
    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    assert set(cache.pages) == set(entries)
    assert not cache.pages["b.md"].entry
    for uri in ("a.md", "c.md"):
        assert StoredEntry(cache.pages[uri].location, cache.pages[uri].entry).entry() == entries[uri]
        assert cache.pages[uri].key == "key-" + uri


def test_a_signed_cache_of_another_shape_is_not_used(tmp_path: Path) -> None:
    """Signed by this user, but its entry sizes run past its end (another version's file): nothing is reused,
    nothing fails."""
    import json

    from eiso.documents.cache import write_signed
    from eiso.sites import build_cache

    cache = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
    head = json.dumps({"format": build_cache.FORMAT, "fingerprint": "fp", "pages": 1}).encode()
    line = json.dumps(["a.md", {"key": "k", "output": "o", "signature": None, "location": "a/"}, 10**9]).encode()
    for payload in (head + b"\n" + line + b"\n{}\n{}\n", head + b"\n", b"[]\n", head + b"\n" + line + b"\nxx"):
        write_signed(cache.path, KEY, build_cache._CONTEXT, payload)
        reopened = BuildCache.open(tmp_path / "cache", tmp_path, "fp", KEY)
        assert reopened.pages == {} and reopened.extras == {}
