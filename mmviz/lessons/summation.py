"""Notebook 05's experiments: early summation on aligned and shuffled streams, and its weights α.

  streams   does the sensor disagree with the sound at some step? ``aligned=False`` shuffles the sensor's
            steps (each keeps its time stamp); :func:`realign` puts them back by their stamps
  sync      is there a step at which all M streams (sound, sensor, video, motion) peak at once?

Every run is a one-layer pre-norm model of width 32 with 4 heads, trained by :func:`mmviz.train.fit`
(AdamW, warm-up, cosine decay over ``steps``); seed s sets the initial weights and the mini-batches.
The claims over seeds are registered in :mod:`mmviz.evidence.nb05`.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import torch

from ..data import Split, make_task
from ..train import FusionClassifier, evaluate, fit

MODEL: dict[str, Any] = dict(dim=32, depth=1, heads=4)
DATA: dict[str, Any] = dict(n_train=1000, n_test=300, seed=0)


@lru_cache(maxsize=None)
def streams(aligned=True):
    """The streams task of notebook 05 (1,000 training and 300 test samples, data seed 0)."""
    return make_task("streams", aligned=aligned, **DATA)


@lru_cache(maxsize=None)
def sync(num_modalities=2):
    """The sync task with ``num_modalities`` streams (1,000 training and 300 test samples, data seed 0)."""
    return make_task("sync", num_modalities=num_modalities, **DATA)


def realign(split):
    """The split with each sensor frame moved to the time step its time stamp names."""
    sound, sensor = split.inputs
    n, channels, _ = sensor.shape
    stamps = torch.tensor([[int(label[2:]) for label in row] for row in split.words[1]])   # "t=5" → 5
    order = stamps.argsort(dim=1)[:, None, :, None].expand(n, channels, 8, 8)
    frames = sensor.reshape(n, channels, 8, 8).gather(2, order)         # (n, channels, step, sample)
    same_time = torch.eye(8, dtype=torch.bool).expand(n, 8, 8)
    return Split([sound, frames.reshape(n, channels, 64)], split.labels, {(0, 1): same_time})


@lru_cache(maxsize=None)
def realigned():
    """The shuffled streams with every sensor frame put back at the step its stamp names."""
    shuffled = streams(aligned=False)
    return dataclasses.replace(shuffled, train=realign(shuffled.train), test=realign(shuffled.test))


def train(variant, task, seed, steps, alpha=None, frozen=False, eval_every=None):
    """A one-layer ``variant`` classifier trained on ``task`` from ``seed`` for ``steps``; ``frozen``
    keeps the embedders as initialised. Returns (model, history); ``history.test_accuracy`` is measured
    every ``eval_every`` steps (default: once, at the end)."""
    model = FusionClassifier(variant, task, alpha=alpha, seed=seed, **MODEL)
    if frozen:
        model.embedders.requires_grad_(False)           # frozen, like pretrained encoders
    history = fit(model, task, steps=steps, seed=seed, progress=False, eval_every=eval_every or steps)
    return model, history


def weights(num_modalities, w):
    """α with weight ``w`` on the first stream (sound) and the others sharing 1 − w equally."""
    return [w] + [(1 - w) / (num_modalities - 1)] * (num_modalities - 1)


def accuracy_at(model, task, alpha):
    """Test accuracy of a trained summation model with its α moved to ``alpha`` (then put back)."""
    trained = model.fusion.alpha.detach().clone()
    model.fusion.set_alpha(alpha)
    try:
        return evaluate(model, task)["accuracy"]
    finally:
        model.fusion.set_alpha(trained)


def chance(task):
    """The test accuracy of always giving the commoner answer."""
    share = task.test.labels.float().mean().item()
    return max(share, 1 - share)


@lru_cache(maxsize=None)
def explorer_sync(num_modalities):
    """The sync task as notebook 05's explorer builds it (1,000 training, 200 test samples, data seed 0)."""
    return make_task("sync", num_modalities=num_modalities, n_train=1000, n_test=200, seed=0)
