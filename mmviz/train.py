"""Train a tiny fusion Transformer (or the tiny ViT) on a generated task in seconds.

``FusionClassifier`` = one embedder per modality + a modality-type vector + ``build_fusion`` + a head;
``fit`` runs AdamW with a linear warm-up then a cosine decay; ``evaluate`` gives accuracy and loss.
``train_vit`` and ``vit_accuracy`` do the same for ``VisionTransformer`` on ``make_pictures``.
"""
from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from ._random import seeded
from ._threads import one_thread
from ._validate import MAX_SAMPLES, flag, integer, positive_float, positive_int, probability, real, run_budget
from ._validate import float_tensor as check_float
from ._validate import seed as check_seed
from .data import Modality, Task, task_budget
from .fusion import build_fusion, variant_of
from .outputs import FusionOutput
from .tokens import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding
from .vit import VisionTransformer


def embedder(spec: Modality, dim: int) -> nn.Module:
    """The embedder a modality spec asks for: patches, symbols or signal frames → (batch, N_m, dim)."""
    if spec.kind == "image":
        return PatchEmbedding(spec.image_size, spec.patch_size, spec.channels, dim)
    if spec.kind == "symbols":
        return SymbolEmbedding(spec.vocab_size, spec.length, dim)
    return SignalEmbedding(spec.length, spec.frame, dim, spec.channels)


def check_task(task: object) -> None:
    if not isinstance(task, Task):
        raise ValueError(f"expected a Task from mmviz.make_task, got {type(task).__name__}")


def task_signature(task: Task) -> tuple:
    """What a model is built for: the task's name, its modalities (name, kind, tokens) and classes."""
    return (task.name, tuple((m.name, m.kind, m.num_tokens) for m in task.modalities), task.num_classes)


def check_model(model: object, task: Task) -> None:
    """Raise a ValueError unless ``model`` is a FusionClassifier built for ``task`` (its embedders and
    classes fit no other task, so another task's accuracy would be a number without meaning)."""
    check_task(task)
    if not isinstance(model, FusionClassifier) or model.task_name != task.name:
        got = getattr(model, "task_name", type(model).__name__)
        raise ValueError(f"expected a FusionClassifier built for task {task.name!r}, got one for {got!r}")
    built = getattr(model, "signature", None)
    if built is not None and built != task_signature(task):
        raise ValueError(f"this FusionClassifier was built for task {task.name!r} with modalities "
                         f"{[m[:3] for m in built[1]]} and {built[2]} classes; the task given has "
                         f"{[m[:3] for m in task_signature(task)[1]]} and {task.num_classes} classes")


class TrainingDiverged(ValueError):
    """``fit`` met a non-finite loss or gradient: the learning rate is too high for this model.

    ``.history`` holds the steps before it; the model keeps the weights of the last finite step.
    """

    history: History | None = None      # set by fit
    losses: list[float] | None = None   # set by train_vit


class FusionClassifier(nn.Module):
    """A task's embedders → fusion variant → head; ``forward(inputs)`` → logits (batch, num_classes).

    Readout "pooled": Linear(mean of all final tokens). "pointer": one score s_k per final token of
    the pointed modality, logit k = s_k, so the answer keeps token identity. "any" (no/yes tasks):
    logits (0, max_k s_k) over the pointed modality's tokens (all final tokens if none is pointed),
    "yes" when some token scores high; "soft_any" the same with log mean_k exp s_k, whose gradient
    reaches every token. ``readout=None`` takes the task's; "pooled" works for every task.
    The last FusionOutput is kept on ``model.last`` for pictures of its attention.
    Parameters are initialised from ``seed`` without touching the global torch RNG.
    ``forward(inputs, key_padding_mask)``: one (batch, N_m) bool mask or None per modality, True = a
    padded or absent token (``task.without`` makes both); the readouts read present tokens only, so
    the pointed modality (pointer, any) must keep a token in every sample.
    """

    def __init__(self, variant: str, task: Task, dim: int = 32, depth: int = 2, heads: int = 4,
                 norm: str = "pre", alpha: Sequence[float] | None = None, readout: str | None = None,
                 seed: int = 0) -> None:
        super().__init__()
        spec = variant_of(variant)
        check_task(task)
        readout = task.readout if readout is None else readout
        if readout not in ("pooled", task.readout):
            raise ValueError(f"readout must be 'pooled' or {task.readout!r} for task {task.name!r}, "
                             f"got {readout!r}")
        names = [m.name for m in task.modalities]
        try:
            spec.check([m.num_tokens for m in task.modalities], names)
        except ValueError as error:
            raise ValueError(f"task {task.name!r} ({', '.join(names)}): {error}") from None
        if readout != "pooled" and task.pointer_modality is not None and spec.mixes_tokens:
            raise ValueError(f"the {readout!r} readout scores tokens of one modality, but {variant} "
                             f"mixes all modalities into each token; use readout='pooled'")
        self.variant, self.task_name, self.readout = variant, task.name, readout
        self.signature = task_signature(task)
        self.pointer_modality = task.pointer_modality
        with seeded(seed):      # own generator: thread-safe, the global RNG is left alone
            self.embedders = nn.ModuleList(embedder(m, dim) for m in task.modalities)
            self.types = ModalityTypeEmbedding(task.num_modalities, dim)
            self.fusion = build_fusion(variant, task.num_modalities, dim, depth, heads, norm, alpha)
            self.head = nn.Linear(dim, task.num_classes if readout == "pooled" else 1)
        self.last: FusionOutput | None = None

    def embed(self, inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """One (batch, N_m, dim) token sequence per modality, each tagged with its modality type."""
        if len(inputs) != len(self.embedders):
            raise ValueError(f"expected {len(self.embedders)} inputs (one per modality), got {len(inputs)}")
        return [self.types(e(x), m) for m, (e, x) in enumerate(zip(self.embedders, inputs))]

    @one_thread()
    @torch.no_grad()
    def run(self, task: Task, n: int = 8, split: str = "test",
            absent: Sequence[str | int] | str | int = ()) -> FusionOutput:
        """The FusionOutput (tokens, attention records) of the first ``n`` samples of ``task``'s split,
        in eval mode and without gradients: what the pictures and measures read. ``absent``:
        modalities (names or 0-based indices) removed from every sample (see ``task.without``)."""
        check_model(self, task)
        positive_int(n, "n")
        self.eval()
        self(*task.without(absent, split, n)) if absent else self(task.split(split).first(n))
        assert self.last is not None            # forward has just set it
        return self.last

    def forward(self, inputs: Sequence[torch.Tensor],
                key_padding_mask: Sequence[torch.Tensor | None] | None = None) -> torch.Tensor:
        zs = self.embed(inputs)
        out = self.fusion(zs) if key_padding_mask is None else self.fusion(zs, key_padding_mask)
        self.last = out
        if self.readout == "pooled":
            return self.head(out.pooled)
        tokens = out.tokens if self.pointer_modality is None else out.stream(self.pointer_modality)
        scores = self.head(tokens).squeeze(-1)              # (batch, N): one score per token
        if out.padding is not None:
            scores = self.present_scores(scores, out.stream_padding(self.pointer_modality))
        if self.readout == "pointer":
            return scores
        if self.readout == "any":          # a hard max: the one token that answers gets the gradient
            yes = scores.max(-1).values
        elif out.padding is None:
            yes = scores.logsumexp(-1) - math.log(scores.shape[-1])
        else:                              # the log of the mean over present tokens only
            yes = scores.logsumexp(-1) - (~out.stream_padding(self.pointer_modality)).sum(-1).log()
        return torch.stack([torch.zeros_like(yes), yes], dim=-1)

    def present_scores(self, scores: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """Scores with padded tokens at -inf (no answer there); a ValueError if a sample has none left."""
        if padding.all(dim=-1).any():
            pointed = "every modality" if self.pointer_modality is None else \
                f"modality {self.pointer_modality} ({self.signature[1][self.pointer_modality][0]})"
            raise ValueError(f"the {self.readout!r} readout scores the tokens of {pointed}, which is absent "
                             f"from sample(s) {padding.all(dim=-1).nonzero().flatten().tolist()}; keep it, "
                             f"or use readout='pooled'")
        return scores.masked_fill(padding, float("-inf"))


@dataclass
class History:
    """What ``fit`` saw: per step the training loss and batch accuracy; every ``eval_every`` steps the
    test accuracy and the training seconds so far (evaluation excluded). Plot with
    ``plt.plot(h.step, h.loss)``; ``h.final`` sums it up."""

    step: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    eval_step: list = field(default_factory=list)
    eval_seconds: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    seconds: float = 0.0

    def record(self, step: int, loss: float, accuracy: float, lr: float, seconds: float) -> None:
        """Append one step's numbers, all of them or none (an interrupt waits until they are in)."""
        self.step.append(step)
        self.loss.append(loss)
        self.accuracy.append(accuracy)
        self.lr.append(lr)
        self.seconds = seconds

    def record_evaluation(self, step: int, seconds: float, test_accuracy: float) -> None:
        self.eval_step.append(step)
        self.eval_seconds.append(seconds)
        self.test_accuracy.append(test_accuracy)

    def trim(self) -> History:
        """Cut the per-step and per-evaluation lists to a common length (after an interrupt that came
        between two appends), so that ``plt.plot(h.eval_step, h.test_accuracy)`` always works."""
        n = min(map(len, (self.step, self.loss, self.accuracy, self.lr)))
        del self.step[n:], self.loss[n:], self.accuracy[n:], self.lr[n:]
        e = min(map(len, (self.eval_step, self.eval_seconds, self.test_accuracy)))
        del self.eval_step[e:], self.eval_seconds[e:], self.test_accuracy[e:]
        return self

    @property
    def final(self) -> dict[str, float]:
        return dict(steps=len(self.step), loss=self.loss[-1] if self.loss else math.nan,
                    train_accuracy=self.accuracy[-1] if self.accuracy else math.nan,
                    test_accuracy=self.test_accuracy[-1] if self.test_accuracy else math.nan,
                    seconds=self.seconds)


def schedule(step: int, warmup: int, steps: int) -> float:
    """Learning-rate factor: linear warm-up over ``warmup`` steps, then cosine down to 10 %."""
    if step < warmup:
        return (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return 0.1 + 0.45 * (1 + math.cos(math.pi * t))


@one_thread()
def fit(model: FusionClassifier, task: Task, steps: int | None = None, lr: float | None = None,
        warmup: int | None = None, batch_size: int = 64, weight_decay: float = 0.01, seed: int = 0,
        progress: bool = True, eval_every: int = 50,
        callback: Callable[[int, History], bool | None] | None = None, modality_dropout: float = 0.0,
        absent: Sequence[str | int] | str | int = ()) -> History:
    """Train ``model`` on ``task.train`` with AdamW; return a History. Same seed → same numbers.

    ``steps``, ``lr``, ``warmup`` left at None take the task's budget (``task_budget(task.name)``):
    enough for the variants the task is meant for to solve it. Mini-batches are drawn from a
    torch.Generator seeded with ``seed``; ``callback(step, history)``, if given, runs after every
    step (return True to stop early, e.g. ``history.seconds > 15``; False or None to go on).
    A non-finite loss, gradient or updated weight stops training with :class:`TrainingDiverged` (a
    ValueError naming the learning rate); the model keeps the weights of its last finite step.
    A ``KeyboardInterrupt`` (the kernel's stop button) is re-raised, so a loop over runs stops too; it
    takes effect between two steps (a second one at once), so every step in the history was applied to
    the model and the next ``fit`` starts clean. Either way the error carries the steps so far as
    ``.history`` (in Jupyter: ``sys.last_value.history``), the progress bar is closed and the model is
    left in eval mode, ready for ``evaluate`` and the pictures.
    A run is refused before it starts if steps × its cost per step would take hours (``run_budget``).
    ``modality_dropout`` p: in every training sample each modality is absent (masked, see
    ``FusionClassifier.forward``) with probability p, never all of them and never the modality a
    pointer/any readout points at; p = 0 trains exactly as without it. ``absent``: modalities (names or
    0-based indices) absent from every training sample, e.g. a control that sees only the others; the
    test checks (``eval_every``) are made without them too.
    It runs on one CPU thread and gives the caller's thread count back (``mmviz._threads``).

    Args:
        model: a FusionClassifier built for ``task``.
        task: the Task whose train split it learns and whose test split it is checked on.
        steps, lr, warmup: None takes the task's budget.
        batch_size: samples per step; weight_decay: AdamW's; seed: the mini-batch order.
        progress: show a progress bar; eval_every: steps between test checks.
        callback: ``callback(step, history)`` after every step; True stops.
        modality_dropout: the probability p above; absent: modalities left out of every sample.
    """
    check_model(model, task)
    modality_dropout = probability(modality_dropout, "modality_dropout")
    absent = task.modality_indices(absent) if absent else []
    if (modality_dropout or absent) and variant_of(model.variant).equal_counts and task.num_modalities > 1:
        raise ValueError(f"modality_dropout needs a variant that can run without a modality; {model.variant} "
                         f"adds token i of every modality, and an α-weighted sum has no 'absent'")
    budget = task_budget(task.name)
    batch_size = positive_int(batch_size, "batch_size", MAX_SAMPLES)
    eval_every = positive_int(eval_every, "eval_every")
    tokens = sum(m.num_tokens for m in task.modalities)
    params = sum(p.numel() for p in model.parameters())
    per_step = 6 * params * tokens * batch_size + 2 * params * tokens * len(task.test) // eval_every
    steps = run_budget(budget["steps"] if steps is None else steps, per_step,
                       f"fit of a {params:,}-parameter model on {tokens} tokens, batch_size={batch_size}")
    lr = positive_float(budget["lr"] if lr is None else lr, "lr")
    weight_decay = real(weight_decay, "weight_decay", 0.0)
    warmup = integer(budget["warmup"] if warmup is None else warmup, "warmup", 0, None)
    gen = torch.Generator().manual_seed(check_seed(seed))
    progress = flag(progress, "progress")
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be a function (step, history) -> bool or None, got {callback!r}")
    data, n = task.train, len(task.train)
    history, bar = History(), None
    try:
        with held_interrupts() as interrupted:
            # The optimizer's first construction imports torch._dynamo (~2 s, sympy among it): an
            # interrupt inside that import would leave sympy half-imported and break every later fit.
            opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(s, warmup, steps))
            order, pos = torch.randperm(n, generator=gen), 0
            bar = tqdm(total=steps, desc=f"{model.variant} on {task.name}", leave=False) if progress else None
            start, eval_time = time.perf_counter(), 0.0
            for step in range(steps):
                if interrupted():
                    raise KeyboardInterrupt
                if pos + batch_size > n:                     # a new epoch: a new shuffle
                    order, pos = torch.randperm(n, generator=gen), 0
                idx = order[pos:pos + batch_size]
                pos += batch_size
                model.train()
                masks = dropped(task, len(idx), modality_dropout, gen) if modality_dropout else None
                if absent:
                    masks = [torch.ones(len(idx), spec.num_tokens, dtype=torch.bool) if m in absent else
                             None if masks is None else masks[m] for m, spec in enumerate(task.modalities)]
                logits = model([x[idx] for x in data.inputs], masks)
                loss = F.cross_entropy(logits, data.labels[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                lr_now = float(sched.get_last_lr()[0])
                check_finite(loss, model, step, lr, lr_now)      # before the step touches weights
                safe_step(opt, model, step, lr, lr_now)
                sched.step()
                correct = (logits.argmax(-1) == data.labels[idx]).float().mean().item()
                history.record(step, loss.item(), correct, lr_now, time.perf_counter() - start - eval_time)
                stop = callback is not None and wants_stop(callback(step, history))
                if (step + 1) % eval_every == 0 or step + 1 == steps or stop:
                    tick = time.perf_counter()
                    checked = evaluate(model, task, absent=absent) if absent else evaluate(model, task)
                    accuracy = checked["accuracy"]
                    history.record_evaluation(step, history.seconds, accuracy)
                    eval_time += time.perf_counter() - tick      # evaluation time is not training time
                if bar is not None:
                    bar.update()
                    bar.set_postfix(loss=f"{history.loss[-1]:.3f}", acc=f"{history.accuracy[-1]:.2f}",
                                    refresh=False)
                if stop:
                    break
    except (TrainingDiverged, KeyboardInterrupt) as error:
        error.history = history.trim()  # type: ignore[union-attr]  # a KeyboardInterrupt carries it too
        raise
    finally:
        if bar is not None:
            bar.close()
        model.eval()
    return history


def dropped(task: Task, batch: int, p: float, gen: torch.Generator) -> list[torch.Tensor | None]:
    """Modality dropout for one batch: one (batch, N_m) bool mask per modality, a modality absent from a
    sample with probability p; never every droppable one, and never a pointed modality (None)."""
    keep = task.pointer_modality if task.readout != "pooled" else None
    droppable = [m for m in range(task.num_modalities) if m != keep]
    drop = torch.rand(batch, len(droppable), generator=gen) < p
    if keep is None:                     # the sample must keep one modality: restore one at random
        every = drop.all(dim=1)
        drop[every, torch.randint(len(droppable), (batch,), generator=gen)[every]] = False
    masks: list[torch.Tensor | None] = [None] * task.num_modalities
    for column, m in enumerate(droppable):
        masks[m] = drop[:, column:column + 1].expand(batch, task.modalities[m].num_tokens)
    return masks


def wants_stop(answer: object) -> bool:
    """A callback's answer as a bool: True (stop), False or None (go on); numpy and 0-d tensors too."""
    if answer is None:
        return False
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.dtype == torch.bool:
        return bool(answer)
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    raise ValueError(f"callback(step, history) must return True (stop), False or None, got {answer!r:.80}")


@contextlib.contextmanager
def held_interrupts() -> Iterator[Callable[[], bool]]:
    """Inside the block, a first Ctrl-C (SIGINT, the kernel's stop button) is held: ``interrupted()``
    (yielded) says whether one came, and the block raises KeyboardInterrupt where its state is whole.
    A second Ctrl-C raises at once; a held one not asked for is raised on leaving the block.
    Only the main thread receives signals: elsewhere nothing is held; nor where Ctrl-C has no Python
    handler (ignored, or handled outside Python)."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield lambda: False
        return
    held: list[int] = []

    def hold(signum, frame):
        if held:                                   # the second press: do not wait any longer
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        held.append(signum)

    def interrupted():
        if held:
            held.clear()
            return True
        return False

    signal.signal(signal.SIGINT, hold)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def safe_step(opt: torch.optim.Optimizer, model: nn.Module, step: int, lr: float, scheduled: float) -> None:
    """``opt.step()``, undone if it fails or leaves a weight non-finite (an lr so large that the update
    overflows float32): then TrainingDiverged, and the model keeps its weights from before the step."""
    params = [p for p in model.parameters()]
    before = nn.utils.parameters_to_vector(params).detach().clone()
    try:
        opt.step()
        finite = bool(torch.isfinite(nn.utils.parameters_to_vector(params)).all())
    except RuntimeError:                   # e.g. "value cannot be converted ... without overflow"
        finite = False
    if not finite:
        with torch.no_grad():
            nn.utils.vector_to_parameters(before, params)
        raise TrainingDiverged(f"training diverged at step {step}: the update with lr={lr:g} (this step: "
                               f"{scheduled:g}) made the weights overflow; try a smaller lr, e.g. "
                               f"lr={lr / 10:g}, or a longer warmup. The model keeps its weights from "
                               f"before this step.")


def check_finite(loss: torch.Tensor, model: nn.Module, step: int, lr: float, scheduled: float) -> None:
    """Raise TrainingDiverged if the loss or any gradient is NaN or inf (the weights are still finite)."""
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    if math.isfinite(loss.item()) and torch.isfinite(torch.nn.utils.get_total_norm(grads)):
        return
    raise TrainingDiverged(f"training diverged at step {step}: the loss or its gradient became "
                           f"{'NaN or inf' if math.isfinite(loss.item()) else loss.item()} with lr={lr:g} "
                           f"(this step: {scheduled:g}); try a smaller lr, e.g. lr={lr / 10:g}, or a longer "
                           f"warmup. The model keeps its weights from before this step; the error's "
                           f".history holds the steps so far.")


@one_thread()
@torch.no_grad()
def evaluate(model: FusionClassifier, task: Task, split: str = "test", batch_size: int = 500,
             absent: Sequence[str | int] | str | int = ()) -> dict[str, float]:
    """{"accuracy", "loss", "n"} of ``model`` (built for ``task``) on one split of ``task``; ``absent``:
    modalities (names or 0-based indices) removed from every sample (blanked and masked)."""
    check_model(model, task)
    batch_size = positive_int(batch_size, "batch_size", MAX_SAMPLES)
    data = task.split(split)
    inputs, masks = task.without(absent, split) if absent else (data.inputs, None)
    model.eval()
    correct, total_loss = 0, 0.0
    for start in range(0, len(data), batch_size):
        part = slice(start, start + batch_size)
        logits = model([x[part] for x in inputs], None if masks is None else
                       [None if k is None else k[part] for k in masks])
        labels = data.labels[start:start + batch_size]
        correct += (logits.argmax(-1) == labels).sum().item()
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
    return dict(accuracy=correct / len(data), loss=total_loss / len(data), n=len(data))


def check_pictures(model: object, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Raise a ValueError unless ``model`` is a VisionTransformer, images (n, C, H, W), labels (n,) long."""
    if not isinstance(model, VisionTransformer):
        raise ValueError(f"model must be a mmviz.VisionTransformer, got {type(model).__name__}")
    check_float(images, "images", "(n, channels, height, width)")
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.long or labels.shape != images.shape[:1]:
        got = (f"dtype {labels.dtype}, shape {tuple(labels.shape)}" if isinstance(labels, torch.Tensor)
               else type(labels).__name__)
        raise ValueError(f"labels must be a long tensor of shape ({len(images)},): the same length as "
                         f"images, one label per image; got {got}")
    if len(images) == 0:
        raise ValueError("images must hold at least one picture, got none")
    if not torch.isfinite(images).all():     # a NaN image would score as a guess, not as an error
        raise ValueError("images must be finite, got NaN or inf")


@one_thread()
def train_vit(model: VisionTransformer, images: torch.Tensor, labels: torch.Tensor, steps: int = 200,
              lr: float = 3e-3, batch_size: int = 32, seed: int = 0) -> list[float]:
    """AdamW on cross-entropy for ``steps`` mini-batches drawn with ``seed``; returns the list of losses.

    A non-finite loss, gradient or updated weight stops training with :class:`TrainingDiverged`
    (its ``.losses`` are the steps before it; the model keeps its last finite weights). A run of hours
    (steps × cost per step, see ``run_budget``) is refused before it starts.
    """
    batch_size = positive_int(batch_size, "batch_size", MAX_SAMPLES)
    check_pictures(model, images, labels)
    params = sum(p.numel() for p in model.parameters())
    tokens = model.grid[0] * model.grid[1] + 1                 # patches and the class token
    steps = run_budget(steps, 6 * params * tokens * batch_size,
                       f"train_vit of a {params:,}-parameter ViT, batch_size={batch_size}")
    g = torch.Generator().manual_seed(check_seed(seed))
    lr = positive_float(lr, "lr")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    model.train()
    losses = []
    try:
        for step in range(steps):
            idx = torch.randint(0, len(images), (batch_size,), generator=g)
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            check_finite(loss, model, step, lr, lr)
            safe_step(opt, model, step, lr, lr)
            losses.append(loss.item())
    except TrainingDiverged as error:
        error.losses = losses
        raise
    finally:
        model.eval()
    return losses


@one_thread()
@torch.no_grad()
def vit_accuracy(model: VisionTransformer, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``images`` whose arg-max logit equals the label."""
    check_pictures(model, images, labels)
    model.eval()
    return (model(images).argmax(-1) == labels).float().mean().item()
