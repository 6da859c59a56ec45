"""Argument checks used at mmviz's boundaries: a bad value gets a ValueError that names it.

Private: the public modules call these where a reader's values enter (constructors, embedders,
``Fusion``, the task makers), so that the model code itself can read like a textbook figure.
"""
from __future__ import annotations

import math
import operator

import numpy as np
import torch

# What a teaching model on a laptop can use; larger values are refused before anything is allocated.
# mmviz's models hold ~10⁵ parameters (dim 32, depth 2) and its tasks ~10³ samples.
MAX_DIM = 1024              # token width dim, and heads <= dim
MAX_MLP_DIM = 4096          # hidden width of a block's MLP
MAX_DEPTH = 64              # blocks in one stack
MAX_HEADS = 64
MAX_TOKENS = 4096           # tokens of one modality (rows of a position table)
MAX_VOCAB = 65536           # symbols of a symbol embedding
MAX_MODALITIES = 16
MAX_SAMPLES = 20_000        # samples in one generated split (an image sample is 7 KB)
MAX_PARAMETERS = 20_000_000  # one model: 80 MB of float32
MAX_SEED = 2**63 - 1
# Limits on what one call may cost, whatever the combination of its arguments. An attention map holds
# batch × heads × Nq × Nk float32 numbers (and a forward keeps a few tensors of that size): 512 MB of
# one map is ~50× what any mmviz lesson draws. A training run costs steps × FLOPs per step; 10^14 FLOPs
# is hours on one core (mmviz's task budgets: ~10^12).
MAX_ATTENTION_BYTES = 2**29
MAX_STEPS = 1_000_000
MAX_RUN_FLOPS = 10**14


def integer(value, name, low, high):
    """``value`` as a Python int if it is an integer (Python, numpy, or a 0-d integer tensor; not a bool)
    with low <= value <= high (``high=None``: no upper end); otherwise a ValueError naming ``name``."""
    expected = (("a positive int" if low == 1 else f"an int >= {low}") if high is None
                else f"an int from {low} to {high}")
    bool_like = isinstance(value, (bool, np.bool_)) or (isinstance(value, torch.Tensor)
                                                         and value.dtype == torch.bool)
    try:
        number = None if bool_like else operator.index(value)      # refuses floats and strings
    except TypeError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return number


def positive_int(value, name, high=None):
    """``value`` as a Python int if it is >= 1 (and <= ``high``); otherwise a ValueError naming ``name``."""
    return integer(value, name, 1, high)


def int_in(value, low, high, name):
    """``value`` as a Python int if low <= value <= high (not a bool); otherwise a ValueError naming it."""
    return integer(value, name, low, high)


def depth(value, name="depth"):
    """A number of blocks in one stack: an int from 1 to MAX_DEPTH (64); e.g. the norm explorer's
    ``max_depth``, whose background pass measures every depth up to it."""
    return integer(value, name, 1, MAX_DEPTH)


def seed(value, name="seed"):
    """A seed: an int from 0 to 2**63 - 1 (``None`` would give different data each call, so it is refused)."""
    return integer(value, name, 0, MAX_SEED)


def real(value, name, low=-math.inf, high=math.inf, low_open=False):
    """``value`` as a finite Python float with low <= value <= high (low < value if ``low_open``)."""
    bool_like = isinstance(value, (bool, np.bool_))
    try:
        number = None if bool_like or isinstance(value, (str, bytes)) else float(value)
    except (TypeError, ValueError, RuntimeError):          # RuntimeError: a tensor of more than one number
        number = None
    if number is None or not math.isfinite(number) or not low <= number <= high or (low_open
                                                                                       and number == low):
        sign = ">" if low_open else ">="
        bounds = f"{sign} {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
        raise ValueError(f"{name} must be a finite number {bounds}, got {value!r}")
    return number


def positive_float(value, name):
    """``value`` as a finite Python float > 0; otherwise a ValueError naming ``name``."""
    return real(value, name, 0.0, low_open=True)


def probability(value, name):
    """``value`` as a float in [0, 1) (a dropout rate); otherwise a ValueError naming ``name``."""
    number = real(value, name, 0.0, 1.0)
    if number == 1.0:
        raise ValueError(f"{name} must be a finite number from 0 to 1 (1 excluded), got {value!r}")
    return number


def parameter_budget(count, what):
    """Raise a ValueError if a model of ``count`` parameters (``what``, in words) exceeds MAX_PARAMETERS."""
    if count > MAX_PARAMETERS:
        raise ValueError(f"{what} would hold {count:,} parameters ({4 * count / 1e6:,.0f} MB); mmviz refuses "
                         f"more than {MAX_PARAMETERS:,} (its teaching models hold about 10^5)")


def attention_budget(batch, heads, queries, keys):
    """Raise a ValueError before an attention map of batch × heads × queries × keys float32 numbers
    is allocated if it would exceed MAX_ATTENTION_BYTES (512 MB)."""
    size = 4 * batch * heads * queries * keys
    if size > MAX_ATTENTION_BYTES:
        raise ValueError(f"an attention map of batch={batch} × heads={heads} × {queries} queries × "
                         f"{keys} keys would take {size / 2**20:,.0f} MB; mmviz refuses more than "
                         f"{MAX_ATTENTION_BYTES // 2**20} MB: use fewer samples, heads or tokens")


def run_budget(steps, flops_per_step, what):
    """``steps`` as an int from 1 to MAX_STEPS, or a ValueError if ``steps`` × ``flops_per_step`` (an
    estimate of one step's cost) exceeds MAX_RUN_FLOPS: a run of hours is refused before it starts."""
    steps = integer(steps, "steps", 1, MAX_STEPS)
    total = steps * flops_per_step
    if total > MAX_RUN_FLOPS:
        raise ValueError(f"{what}: steps={steps:,} × ~{flops_per_step:.2g} FLOPs per step = "
                         f"{total:.2g} FLOPs, hours on one core; mmviz refuses more than {MAX_RUN_FLOPS:.0e} "
                         f"(at most {max(1, MAX_RUN_FLOPS // max(1, flops_per_step)):,} such steps)")
    return steps


def flag(value, name):
    """``value`` as a Python bool if it is True or False (numpy's too); otherwise a ValueError naming it."""
    if isinstance(value, torch.Tensor) and value.dtype == torch.bool and value.dim() == 0:
        return bool(value)
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def one_of(value, choices, name):
    """``value`` if it is one of ``choices``; otherwise a ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def tokens(x, dim, name="x", dtype=None, finite=True):
    """Raise a ValueError unless ``x`` is a (batch, tokens, dim) float tensor (of ``dtype``, finite)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor of shape (batch, tokens, {dim}), "
                         f"got {type(x).__name__}")
    if x.dim() != 3 or x.shape[-1] != dim:
        raise ValueError(f"{name} must have shape (batch, tokens, {dim}), got {tuple(x.shape)}")
    if x.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one token, got shape {tuple(x.shape)}")
    if not x.is_floating_point() or (dtype is not None and x.dtype != dtype):
        raise ValueError(f"{name} must have the model's dtype {dtype or 'float'}, got {x.dtype}")
    if finite and not torch.isfinite(x).all():   # a NaN would otherwise spread silently through softmax
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return x


def float_tensor(x, name, shape_text):
    """Raise a ValueError unless ``x`` is a floating-point tensor (its shape is checked by the caller)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a float tensor {shape_text}, got {type(x).__name__}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must be a float tensor {shape_text}, got dtype {x.dtype}")
    return x


def padding_mask(mask, batch, keys):
    """``mask`` if it is None or a (batch, keys) bool tensor (True = a padded key); else a ValueError."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool or tuple(mask.shape) != (batch, keys):
        got = (f"dtype {mask.dtype}, shape {tuple(mask.shape)}" if isinstance(mask, torch.Tensor)
               else type(mask).__name__)
        raise ValueError(f"key_padding_mask must be a bool tensor of shape ({batch}, {keys}), got {got}")
    return mask
