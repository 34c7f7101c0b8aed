"""A page's identity is equal exactly when its template is given the same data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eiso.sites.renderer.identity import Identities
from factory import make_repo, tthc_meta, write_doc


@dataclass
class Row:
    code: str
    day: dt.date


def test_equal_data_built_twice_is_one_identity_and_any_difference_shows():
    def values(code="QT-01", day=dt.date(2026, 1, 5)):
        return {"rows": [Row(code, day)], "labels": {"a": ("b", 1)}, "flags": {"x", "y"}}

    assert Identities().of(values()) == Identities().of(values())
    assert Identities().of(values()) != Identities().of(values(code="QT-02"))
    assert Identities().of(values()) != Identities().of(values(day=dt.date(2026, 1, 6)))
    assert Identities().of({"n": 1}) != Identities().of({"n": "1"})


def test_a_closure_never_counts_as_unchanged():
    def make(base):
        return lambda row: base + row

    first, second = Identities().of({"link": make("../")}), Identities().of({"link": make("../../")})
    assert first != second  # what a closure captured is not seen: its identity must not repeat


def test_a_document_counts_by_all_it_holds(tmp_path):
    from eiso.documents.loader import load_corpus

    root = make_repo(tmp_path)
    write_doc(root, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn"), "Nội dung.\n")
    before = Identities().of(load_corpus(root, "procedures").documents)
    assert before == Identities().of(load_corpus(root, "procedures").documents)
    write_doc(root, "tthc/ket-hon.md", tthc_meta("QT-HT-02", title="Đăng ký kết hôn"), "Nội dung khác.\n")
    assert before != Identities().of(load_corpus(root, "procedures").documents)


def test_names_equal_once_folded_sort_the_same_whatever_order_they_come_in():
    """Lists sorted by folded name (units on the audit programme) must not take a set's order for ties:
    that order changes from run to run, and so did the page."""
    from eiso.documents.text import fold_order

    names = ["Văn phòng Đăng ký đất đai", "Văn phòng đăng ký đất đai", "văn phòng đăng ký đất đai", "Ban Tư pháp"]
    orders = {tuple(sorted(names[i:] + names[:i], key=fold_order)) for i in range(len(names))}
    orders |= {tuple(sorted(list(reversed(names[i:] + names[:i])), key=fold_order)) for i in range(len(names))}
    assert len(orders) == 1
