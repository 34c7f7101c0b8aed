"""Bounded alignment: opcodes that always turn one sequence into the other, difflib's own while small."""

from __future__ import annotations

import difflib
import random

from eiso.control.alignment import MAX_COMPARISONS, opcodes, similarity


def _apply(a: list[str], b: list[str], codes) -> list[str]:
    out: list[str] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out += a[i1:i2]
        else:
            out += b[j1:j2]
    return out


def test_opcodes_turn_one_sequence_into_the_other():
    rng = random.Random(7)
    for _ in range(500):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 40))]
        b = [item for item in a if rng.random() > 0.1] + [rng.choice("xyz") for _ in range(rng.randint(0, 3))]
        codes = opcodes(a, b)
        assert _apply(a, b, codes) == b
        covered_a = [i for _, i1, i2, _, _ in codes for i in range(i1, i2)]
        assert covered_a == list(range(len(a)))  # every item of a once, in order


def test_a_small_difference_is_aligned_as_difflib_aligns_it():
    a = ["Mục đích", "Phạm vi", "Nội dung", "Hồ sơ"]
    b = ["Mục đích", "Phạm vi", "Định nghĩa", "Nội dung", "Hồ sơ"]
    assert opcodes(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    assert similarity(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_a_middle_too_large_to_align_counts_as_replaced_whole():
    side = int(MAX_COMPARISONS ** 0.5) + 10
    a = ["đầu"] + ["mục"] * side + ["cuối"]
    b = ["đầu"] + ["khác"] + ["mục"] * (side - 2) + ["thêm"] + ["cuối"]
    assert opcodes(a, b) == [("equal", 0, 1, 0, 1), ("replace", 1, side + 1, 1, side + 1), ("equal", side + 1, side + 2,
                                                                                            side + 1, side + 2)]
