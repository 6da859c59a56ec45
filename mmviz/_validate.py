"""Argument checks used at mmviz's boundaries: a bad value gets a ValueError that names it.

Private: the public modules call these where a reader's values enter (constructors, embedders,
``Fusion``, the task makers), so that the model code itself can read like a textbook figure.
"""
from __future__ import annotations

import numbers

import torch


def positive_int(value, name):
    """``value`` if it is an int >= 1 (not a bool); otherwise a ValueError naming ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def int_in(value, low, high, name):
    """``value`` if it is an int with low <= value <= high (not a bool); otherwise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return int(value)


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


def key_padding_mask(mask, batch, keys):
    """Raise a ValueError unless ``mask`` is None or a (batch, keys) bool tensor leaving a key to see."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool or tuple(mask.shape) != (batch, keys):
        got = (f"dtype {mask.dtype}, shape {tuple(mask.shape)}" if isinstance(mask, torch.Tensor)
               else type(mask).__name__)
        raise ValueError(f"key_padding_mask must be a bool tensor of shape ({batch}, {keys}), got {got}")
    if mask.all(dim=1).any():
        rows = mask.all(dim=1).nonzero().flatten().tolist()
        raise ValueError(f"key_padding_mask hides every key of sample(s) {rows}: nothing left to attend to")
    return mask
