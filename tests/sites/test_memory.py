"""The build's lasting state is frozen out of the garbage collector's walks, and given back at its end."""

from __future__ import annotations

import gc

from eiso.mkdocs.memory import long_lived, thaw


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_state_made_in_the_block_is_frozen_and_the_collector_runs_again_after() -> None:
    assert gc.isenabled()
    before = gc.get_freeze_count()
    try:
        with long_lived():
            assert not gc.isenabled()
            kept = [Node() for _ in range(100)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + 100
    finally:
        thaw()
    assert gc.get_freeze_count() == 0
    assert kept


def test_an_error_in_the_block_still_gives_the_collector_back() -> None:
    try:
        with long_lived():
            raise ValueError("hỏng")
    except ValueError:
        pass
    finally:
        thaw()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_thawed_cycle_is_collected() -> None:
    import weakref

    with long_lived():
        node = Node()
    probe = weakref.ref(node)
    del node
    gc.collect()
    assert probe() is not None  # frozen: never walked
    thaw()
    gc.collect()
    assert probe() is None
