"""One CPU thread while mmviz trains or measures, and the caller's thread count back afterwards.

mmviz's models are tiny: with two or more threads each small matrix product pays thread hand-off
costs (measured on 2 cores: a training step 9.8 ms on one thread, 370 ms on two while the other core
was busy), and one thread keeps results bit-identical from run to run. ``import mmviz`` changes
nothing in the process; :func:`one_thread` sets one thread only for the length of a ``with`` block
(or a call of a function it decorates) and then restores the count it found.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_lock = threading.Lock()
_depth = 0                   # how many one_thread blocks are open, in every Python thread
_before = 1                  # the thread count the first of them found


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one intra-op thread, then restore the caller's ``torch.get_num_threads()``.

    Nested blocks and blocks open in several Python threads at once (an explorer's background pass)
    share one count: the first to enter sets one thread, the last to leave restores what the first
    found. Usable as a decorator: ``@one_thread()``.
    """
    global _depth, _before
    with _lock:
        if _depth == 0:
            _before = torch.get_num_threads()
            if _before != 1:
                torch.set_num_threads(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _before != 1:
                torch.set_num_threads(_before)
