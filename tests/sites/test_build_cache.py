"""The page cache tells an unchanged output file by its signature, and never keeps a file written over."""

from __future__ import annotations

import os
import time
from pathlib import Path

from eiso.search import build_search_files
from eiso.search.model import SearchEntry
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
    cache.record_output("search/a.json", b"{}")
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
