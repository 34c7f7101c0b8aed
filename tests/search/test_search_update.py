"""A rebuild's index, made from the previous build's files and the entries that changed (eiso.search.update), is
byte for byte the index made from all the entries."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import eiso.search.index as index_module
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
    counted = index_module._all_counts

    def spy(*args, **kwargs):
        calls.append(1)
        return counted(*args, **kwargs)

    monkeypatch.setattr(index_module, "_all_counts", spy)
    return calls


@pytest.mark.parametrize("seed", range(6))
def test_an_index_changed_where_entries_changed_is_the_full_index(tmp_path: Path, seed: int, full_counts) -> None:
    rng = random.Random(seed)
    entries = [_entry(rng, number) for number in range(40)]
    path = tmp_path / "terms.pickle"
    memo = _memo(path)
    files = build_search_files(entries, shard_bytes=400, memo=memo)
    memo.save()
    for round_ in range(4):
        changed = rng.sample(range(len(entries)), rng.randint(1, 4))
        for number in changed:  # new words, words gone, a word twice, a new title
            entries[number] = _entry(rng, number, f" từmới{seed}x{round_} từmới{seed}x{round_}")
        untouched = frozenset(e.location for i, e in enumerate(entries) if i not in changed)
        full_counts.clear()
        memo = _memo(path)
        updated = build_search_files(entries, shard_bytes=400, memo=memo, previous=PreviousIndex(files.get, untouched))
        memo.save()
        assert not full_counts, "the previous index was not used"
        expected = build_search_files(entries, shard_bytes=400)
        assert updated.keys() == expected.keys()
        assert [name for name in expected if updated[name] != expected[name]] == []
        files = updated


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
