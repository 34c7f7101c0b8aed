"""``forked_map``: the plain loop's answer, with half the items worked in a forked copy of the process."""

from __future__ import annotations

import os
import time

import pytest

from eiso.forked import ENV_VAR, forked_call, forked_map

PARENT = os.getpid()


@pytest.fixture(autouse=True)
def forced(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "on")  # fork whatever the number of items


def test_the_answer_is_the_plain_loops_and_half_of_it_is_worked_elsewhere():
    items = list(range(41))
    worked = forked_map(lambda x: (x * x, os.getpid()), items)
    assert [square for square, _ in worked] == [x * x for x in items]
    pids = {pid for _, pid in worked}
    assert PARENT in pids and len(pids) == 2  # really two processes
    assert sum(pid != PARENT for _, pid in worked) == 20  # every other item


def test_off_means_one_process(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "off")
    assert {pid for pid in forked_map(lambda _: os.getpid(), range(10))} == {PARENT}


def test_an_item_that_fails_in_the_copy_raises_here_as_in_the_plain_loop():
    def work(x):
        if x == 3:  # an odd index: the copy's
            raise ValueError(f"hỏng {x} ở {os.getpid()}")
        return x

    with pytest.raises(ValueError, match=f"hỏng 3 ở {PARENT}"):  # worked again, and raised, here
        forked_map(work, list(range(8)))


def test_a_copy_that_dies_leaves_its_items_to_this_process():
    def work(x):
        if os.getpid() != PARENT:
            os._exit(3)  # killed mid-way: nothing sent
        return x + 1

    assert forked_map(work, list(range(9))) == list(range(1, 10))


def test_results_that_cannot_be_sent_are_worked_here():
    def work(x):
        return (lambda: x) if os.getpid() != PARENT else x  # a lambda does not pickle

    assert forked_map(work, list(range(6))) == list(range(6))


def test_a_failure_here_stops_the_copy_instead_of_waiting_for_it():
    def work(x):
        if os.getpid() != PARENT:
            time.sleep(120)  # the copy would take minutes
        if x == 2:
            raise KeyError("dừng")
        return x

    started = time.monotonic()
    with pytest.raises(KeyError):
        forked_map(work, list(range(6)))
    assert time.monotonic() - started < 60  # not waited for (a hang guard, not a benchmark)


# -- forked_call: one function worked in a copy while this process goes on -----------------------------


def test_a_call_is_worked_in_the_copy_while_this_process_goes_on(tmp_path):
    mark = tmp_path / "started"
    pending = forked_call(lambda: (mark.write_text("x"), os.getpid(), sum(range(1000)))[1:], 1)
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline:  # started before anyone asked for it
        time.sleep(0.01)
    assert mark.exists()
    pid, total = pending.result()
    assert pid != PARENT and total == sum(range(1000))


def test_a_call_that_fails_or_cannot_be_sent_is_worked_here():
    def fails_there():
        if os.getpid() != PARENT:
            raise RuntimeError("hỏng")
        return os.getpid()

    assert forked_call(fails_there, 1).result() == PARENT
    assert forked_call(lambda: (lambda: 1) if os.getpid() != PARENT else "ở đây", 1).result() == "ở đây"


def test_a_call_off_or_too_small_is_worked_here_when_asked(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "")
    assert forked_call(os.getpid, 10).result() == PARENT  # fewer items than the minimum
    monkeypatch.setenv(ENV_VAR, "off")
    assert forked_call(os.getpid, 10_000).result() == PARENT


def test_a_cancelled_call_is_stopped_not_waited_for():
    pending = forked_call(lambda: time.sleep(120), 1)
    started = time.monotonic()
    pending.cancel()
    assert time.monotonic() - started < 60 and pending.pid is None
