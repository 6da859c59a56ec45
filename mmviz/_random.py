"""Seeded randomness that never touches torch's global RNG.

``with seeded(seed): model = build()`` draws every random number inside the block (parameter
initialisation, ``torch.randn``, ...) from its own ``torch.Generator(seed)`` instead of the global
one. The redirection is a torch function mode, which is per thread: a background thread building a
model cannot move the numbers of the foreground, nor of a reader's own ``torch.manual_seed`` sequence.
The draws are the ones ``torch.manual_seed(seed); build()`` would give (same order, same
distributions), so seeding a model this way keeps PyTorch's own initialisation.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from ._validate import seed as check_seed

# Every random function mmviz's models use, each with a ``generator`` argument. nn.init's functions are
# listed themselves: a mode sees only the outermost call, not the ``uniform_`` inside ``kaiming_uniform_``.
DRAWS = frozenset({
    torch.randn, torch.rand, torch.randint, torch.randperm, torch.normal, torch.bernoulli, torch.multinomial,
    Tensor.uniform_, Tensor.normal_, Tensor.bernoulli_, Tensor.random_, Tensor.exponential_,
    nn.init.uniform_, nn.init.normal_, nn.init.trunc_normal_, nn.init.xavier_uniform_,
    nn.init.xavier_normal_, nn.init.kaiming_uniform_, nn.init.kaiming_normal_, nn.init.orthogonal_,
})


class DrawFrom(TorchFunctionMode):
    """A torch function mode that hands ``generator`` to every random draw that names none."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in DRAWS and kwargs.get("generator") is None:
            kwargs = {**kwargs, "generator": self.generator}
        return func(*args, **kwargs)


def generator(seed):
    """A CPU ``torch.Generator`` seeded with ``seed`` (an int from 0 to 2**63 - 1, else a ValueError)."""
    return torch.Generator().manual_seed(check_seed(seed))


@contextmanager
def seeded(seed):
    """Inside the block, in this thread, every random draw comes from ``generator(seed)`` (yielded)."""
    g = generator(seed)
    with DrawFrom(g):
        yield g
