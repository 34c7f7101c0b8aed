"""``[function(x) for x in items]`` with part of the list worked in a forked copy of this process.

A build has phases that are one pure function over every document — converting the public sections of
bodies, counting each search entry's terms — and that run on one core while the machine has two. The
copy (``os.fork``: same code, same state, nothing to send but the results) works every other item and
sends its results back in one pickle; this process works the rest meanwhile. The answer is the list the
plain loop gives: an item the copy could not work (it raised, or the copy died) is worked here, so that
an exception is raised here, as in the plain loop.

:func:`forked_call` starts one such function in a copy and lets this process go on (the site's search index
is built while the pages are put into the theme).

Only where it pays: ``os.fork`` exists, two cores or more, enough items, and the caller knows no other
thread runs (a forked copy of a threaded process may inherit a lock held by another thread: the live
preview's server never uses this). ``EISO_RENDER_HELPER=off`` turns every helper process off, ``on``
forces one whatever the number of items (tests compare both).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: ``off``: never fork; ``on``: fork whatever the number of items; else automatic.
ENV_VAR = "EISO_RENDER_HELPER"
_FAILED = ("eiso-forked", "failed")  # stands for an item the copy could not work


def worth_forking(count: int, minimum: int) -> bool:
    choice = os.environ.get(ENV_VAR, "")
    if choice == "off" or not hasattr(os, "fork") or not count:
        return False
    return choice == "on" or (count >= minimum and (os.cpu_count() or 1) >= 2)


def plain_map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(x) for x in items]``: what :func:`forked_map` stands for, where forking is not allowed."""
    return [function(item) for item in items]


def forked_map(function: Callable[[T], R], items: Sequence[T], *, minimum: int = 200) -> list[R]:
    """``[function(x) for x in items]``; ``function`` must be pure (what it logs in the copy is not seen
    here) and its results picklable."""
    if not worth_forking(len(items), minimum):
        return [function(item) for item in items]
    theirs = range(1, len(items), 2)  # every other item: both halves cost alike whatever the order
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: work its items, send them, leave without running the parent's clean-up
        os.close(read_end)
        _serve(function, [items[i] for i in theirs], write_end)
    os.close(write_end)
    results: list = [None] * len(items)
    try:
        for i in range(0, len(items), 2):
            results[i] = function(items[i])
    except BaseException:
        _stop(pid, read_end)  # raised here as in the plain loop; the copy's work is not wanted
        raise
    # Read only once this half is done: the copy writes all at the end, so the pipe never blocks it while
    # it still works.
    sent = _receive(read_end, len(theirs))
    _stop(pid, read_end)
    for i, value in zip(theirs, sent):
        results[i] = function(items[i]) if value == _FAILED else value
    return results


class Pending(Generic[R]):
    """``function()``, worked in a forked copy from the moment it was started (:func:`forked_call`)."""

    def __init__(self, function: Callable[[], R], pid: int | None = None, read_end: int | None = None):
        self.function, self.pid, self.read_end = function, pid, read_end

    def result(self) -> R:
        """The copy's answer, or ``function()`` worked here when there is no copy or it failed."""
        if self.pid is None or self.read_end is None:
            return self.function()
        (value,) = _receive(self.read_end, 1)
        _stop(self.pid, self.read_end)
        self.pid = self.read_end = None
        return self.function() if value == _FAILED else value

    def cancel(self) -> None:
        if self.pid is not None and self.read_end is not None:
            _stop(self.pid, self.read_end)
        self.pid = self.read_end = None


def forked_call(function: Callable[[], R], count: int, *, minimum: int = 200) -> Pending[R]:
    """Start ``function()`` in a forked copy, so that it is worked while this process goes on; ``count``
    (the number of items it works) decides whether that pays. The rules of :func:`forked_map`: a picklable
    result, no other thread running, and no side effect that may not happen twice (if the copy fails,
    :meth:`Pending.result` works the function again here; saving a cache is fine)."""
    if not worth_forking(count, minimum):
        return Pending(function)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _serve(lambda _: function(), [None], write_end)
    os.close(write_end)
    return Pending(function, pid, read_end)


def _serve(function: Callable, items: list, write_end: int) -> None:
    # The copy's garbage collections would walk every object it inherited, writing to each (a copy of every
    # page of memory they sit on): only what the copy makes is collected.
    gc.freeze()
    status = 0
    try:
        out = []
        for item in items:
            try:
                out.append(function(item))
            except Exception:  # noqa: BLE001 - worked again by the parent, which raises it there
                out.append(_FAILED)
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(out, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the parent works whatever was not sent
        status = 1
    finally:
        os._exit(status)


def _receive(read_end: int, count: int) -> list:
    try:
        with os.fdopen(read_end, "rb", closefd=False) as pipe:
            sent = pickle.load(pipe)  # our own child's bytes, through a pipe only it holds
    except Exception:  # noqa: BLE001 - the copy died: everything is worked here
        return [_FAILED] * count
    if not isinstance(sent, list) or len(sent) != count:
        return [_FAILED] * count
    return sent


def _stop(pid: int, read_end: int) -> None:
    os.close(read_end)
    stop(pid)


def stop(pid: int) -> None:
    """Kill a forked copy if it still runs (its work is no longer wanted) and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)  # gone already when it sent its results
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
