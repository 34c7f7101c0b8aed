"""A build's long-lived objects, kept out of the cyclic garbage collector's way.

The documents, their check results and the site's plan are made at the start of a build and live to its
end: hundreds of thousands of objects that each full collection would walk again, a second of a rebuild at
2,000 documents, two of a full build. They are made with the collector paused, then frozen (``gc.freeze``:
never walked again, still freed by reference counting). The end of the build thaws them, so that the live
preview's next build collects what this one left.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def long_lived() -> Iterator[None]:
    """Make the build's lasting state inside this block: no collection meanwhile, then frozen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def thaw() -> None:
    """The build is over: what it froze is the collector's again."""
    gc.unfreeze()
