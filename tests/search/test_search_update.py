"""A rebuild's index, made from the previous build's files and the entries that changed (eiso.search.update), is
byte for byte the index made from all the entries."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import eiso.search.index as index_module
import eiso.search.update as update_module
from eiso.documents.cache import DocumentCache
from eiso.search import SearchEntry, build_search_files
from eiso.search.update import PreviousIndex

WORDS = ("đăng ký khai sinh kết hôn hộ tịch chứng thực bản sao giấy phép xây dựng đất đai thuế phí lệ phí hồ sơ "
         "thời hạn ngày làm việc ủy ban nhân dân xã phường công chức tiếp nhận trả kết quả").split()


def _entry(rng: random.Random, number: int, extra: str = "") -> SearchEntry:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))) + extra
    return SearchEntry(f"quy-trinh/qt-{number:02d}/", f"Quy trình {rng.choice(WORDS)} {number}", text,
                       (f"QT-{number:02d}",), (("Lĩnh vực", rng.choice(WORDS)),))


def _memo(path: Path) -> DocumentCache:
    return DocumentCache(path, fingerprint="test", key=b"k" * 32)


@pytest.fixture
def full_counts(monkeypatch) -> list[int]:
    """How many times the index counted every entry (a full index)."""
    calls: list[int] = []
    counted = index_module._count_all

    def spy(*args, **kwargs):
        calls.append(1)
        return counted(*args, **kwargs)

    monkeypatch.setattr(index_module, "_count_all", spy)
    return calls


#: Words that sort before and after every other (a shard range is extended at either end), or in the middle.
EDGES = ("aaa", "ỹỹ", "\U0001f600", "hồsơmới", "0001")


def _edited(rng: random.Random, number: int, seed: int, round_: int) -> SearchEntry:
    """New words, words gone, a word twice, a new title; now and then an entry left with no text at all."""
    if rng.random() < 0.15:
        return SearchEntry(f"quy-trinh/qt-{number:02d}/", f"Quy trình {number}", "", (f"QT-{number:02d}",), ())
    edge = rng.choice(EDGES) if rng.random() < 0.4 else ""
    return _entry(rng, number, f" từmới{seed}x{round_} từmới{seed}x{round_} {edge}")


@pytest.mark.parametrize("seed", range(12))
def test_an_index_changed_where_entries_changed_is_the_full_index(tmp_path: Path, seed: int, full_counts) -> None:
    rng = random.Random(seed)
    entries = [_entry(rng, number) for number in range(40)]
    path = tmp_path / "terms.pickle"
    memo = _memo(path)
    shard_bytes = rng.choice((150, 400, 1500))
    files = build_search_files(entries, shard_bytes=shard_bytes, memo=memo)
    memo.save()
    for round_ in range(6):
        changed = rng.sample(range(len(entries)), rng.randint(1, 4))
        for number in changed:
            entries[number] = _edited(rng, number, seed, round_)
        untouched = frozenset(e.location for i, e in enumerate(entries) if i not in changed)
        full_counts.clear()
        memo = _memo(path)
        updated = build_search_files(entries, shard_bytes=shard_bytes, memo=memo,
                                     previous=PreviousIndex(files.get, untouched))
        memo.save()
        assert not full_counts, "the previous index was not used"
        expected = build_search_files(entries, shard_bytes=shard_bytes)
        assert updated.keys() == expected.keys()
        assert [name for name in expected if updated[name] != expected[name]] == []
        files = updated


def test_a_rebuild_reads_only_the_shards_its_edit_falls_in(tmp_path: Path, monkeypatch) -> None:
    """One new word in one entry: one body shard (and the title shard of its code) is read, not every shard."""
    rng = random.Random(3)
    entries = [_entry(rng, number) for number in range(40)]
    memo = _memo(tmp_path / "terms.pickle")
    files = build_search_files(entries, shard_bytes=300, memo=memo)
    memo.save()
    bodies = [name for name in files if "eiso-bodies-" in name and name.endswith(".json")]
    assert len(bodies) > 10
    decoded: list[tuple[str, int]] = []
    decode = update_module.Postings.decode

    def spy(self, set_name: str, number: int) -> list[str]:
        decoded.append((set_name, number))
        return decode(self, set_name, number)

    monkeypatch.setattr(update_module.Postings, "decode", spy)
    edited = entries[17]
    entries[17] = SearchEntry(edited.location, edited.title, edited.text + " khaisinhmới", edited.codes, edited.meta)
    updated = build_search_files(entries, shard_bytes=300, memo=_memo(tmp_path / "terms.pickle"),
                                 previous=PreviousIndex(files.get, frozenset(e.location for e in entries
                                                                             if e is not entries[17])))
    assert updated == build_search_files(entries, shard_bytes=300)
    assert 1 <= len({number for set_name, number in decoded if set_name == "bodies"}) <= 3


def _first_index(tmp_path: Path, seed: int) -> tuple[random.Random, list[SearchEntry], dict[str, bytes]]:
    rng = random.Random(seed)
    entries = [_entry(rng, number) for number in range(10)]
    memo = _memo(tmp_path / "terms.pickle")
    files = build_search_files(entries, memo=memo)
    memo.save()
    return rng, entries, files


def test_another_set_of_pages_makes_a_full_index(tmp_path: Path, full_counts) -> None:
    _, entries, files = _first_index(tmp_path, 7)
    fewer = entries[1:]
    full_counts.clear()
    updated = build_search_files(fewer, memo=_memo(tmp_path / "terms.pickle"),
                                 previous=PreviousIndex(files.get, frozenset(e.location for e in fewer)))
    assert full_counts and updated == build_search_files(fewer)


def test_a_changed_previous_file_makes_a_full_index(tmp_path: Path, full_counts) -> None:
    """``read`` answers only for files as the previous build wrote them; one it cannot give means a full index."""
    rng, entries, files = _first_index(tmp_path, 8)
    shard = next(name for name in files if "eiso-bodies-" in name and name.endswith(".json"))
    entries[3] = _entry(rng, 3, " thêm")
    full_counts.clear()
    updated = build_search_files(entries, memo=_memo(tmp_path / "terms.pickle"),
                                 previous=PreviousIndex(lambda uri: None if uri == shard else files.get(uri),
                                                        frozenset(e.location for e in entries if e is not entries[3])))
    assert full_counts and updated == build_search_files(entries)


def test_entries_held_compressed_make_the_same_index(tmp_path: Path) -> None:
    """The build holds each page's entry compressed (:class:`StoredEntry`) until the index is made: same files,
    with or without the terms cache, and an entry reads back as it was."""
    from eiso.search.model import StoredEntry

    rng = random.Random(11)
    entries = [_entry(rng, number, " «trích dẫn» & <thẻ>\n\tdòng mới") for number in range(25)]
    stored = [StoredEntry.of(entry) for entry in entries]
    assert [s.entry() for s in stored] == entries
    long = SearchEntry("quy-trinh/dai/", "Dài", " ".join(rng.choice(WORDS) for _ in range(3000)))
    assert len(StoredEntry.of(long).packed) < len(long.text.encode("utf-8")) // 3
    plain_files = build_search_files(entries, shard_bytes=300)
    assert build_search_files(stored, shard_bytes=300) == plain_files
    memo = _memo(tmp_path / "terms.pickle")
    assert build_search_files(stored, shard_bytes=300, memo=memo) == plain_files
