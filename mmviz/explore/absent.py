"""The absent-modality explorer: take a modality out and see which edges are left and what a model scores.

Controls: the variant, one "absent" toggle per modality, and **Train** (the selected variant twice:
on every modality, and with modality dropout). Left: each stage's mask with the absent tokens taken
out; right: the trained models' test accuracy with every modality and with the absent ones, beside a
constant answer's score. A variant that cannot run without a modality says why in the status line.
Displayed where no kernel runs, it shows its latest picture (``Explorer``).
"""
from __future__ import annotations

import textwrap

import ipywidgets as W

from .._validate import integer, probability
from ..data import make_task
from ..fusion import VARIANTS, stage_masks, variant_of
from ..lessons.missing import absent_masks, best_without
from ..lessons.playground import majority_share
from ..plot.absent import draw_absent_mask, draw_accuracy_bars
from ..plot.base import Figure, themed
from ..train import FusionClassifier, check_model, check_task, evaluate, fit
from .base import CSS_DPI, Explorer, figure_png, one_thread, picture_row, show_png


class AbsentExplorer(Explorer):
    """A live view of one variant with modalities switched off: masks left, and trained models' accuracy.

    task: a Task or a task name (2,000/500 samples of "tally" with image and caption by default);
    models: optional {variant: (model trained on every modality, model trained with dropout)} already
    trained on ``task``; steps, dropout, seed: what **Train** uses (the task's lr and warm-up); absent:
    the modalities (names) switched off at the start.
    """

    def __init__(self, task="tally", variant="early_concatenation", models=None, steps=150, dropout=0.3,
                 seed=0, absent=()):
        task = make_task(task, num_modalities=2, n_train=1000, n_test=300) if task == "tally" else \
            make_task(task) if isinstance(task, str) else task
        check_task(task)
        variant_of(variant)
        self.task, self.names = task, [m.name for m in task.modalities]
        self.counts = [m.num_tokens for m in task.modalities]
        self.steps = integer(steps, "steps", 1, 5000)
        self.dropout, self.seed = probability(dropout, "dropout"), seed
        self.models = {}
        for name, pair in (models or {}).items():
            for model in pair:
                check_model(model, task)
            self.models[name] = tuple(pair)
        self.baseline = majority_share(task)
        off = [self.names[m] for m in task.modality_indices(absent)] if absent else []
        self.controls = {
            "variant": W.Dropdown(options=list(VARIANTS), value=variant, description="variant",
                                  layout=W.Layout(width="360px")),
            **{name: W.ToggleButton(value=name in off, description=f"{name} absent", icon="ban",
                                    layout=W.Layout(width="150px")) for name in self.names},
        }
        self.train_button = W.Button(description="Train", button_style="primary", icon="play",
                                     tooltip=f"train the variant twice ({self.steps} steps each): on every "
                                             f"modality, and with modality dropout {self.dropout:g}")
        self.train_button.on_click(self.train)
        for control in self.controls.values():
            control.observe(self.draw, names="value")
        self.image, self.status, self.message = W.Image(format="png"), W.HTML(), W.HTML()
        self.status.add_class("mmviz-status")
        self.figure = Figure(figsize=(7.6, 3.3), dpi=CSS_DPI)
        self.png, self.note = b"", ""
        toggles = [self.controls[name] for name in self.names]
        self.view = W.VBox([W.Box([self.controls["variant"], self.train_button],
                                  layout=W.Layout(flex_flow="row wrap")),
                            W.Box(toggles, layout=W.Layout(flex_flow="row wrap")),
                            self.status, picture_row([self.image]), self.message])
        self.draw()

    def absent(self):
        return [m for m, name in enumerate(self.names) if self.controls[name].value]

    def refusal(self, variant, absent):
        """Why ``variant`` cannot run on this task with ``absent`` missing, or None if it can."""
        spec = VARIANTS[variant]
        try:
            spec.check(self.counts, self.names)
        except ValueError as error:
            return str(error)
        if len(absent) == len(self.names):
            return "every modality is absent: a sample needs at least one token to fuse"
        if absent and spec.equal_counts and len(self.names) > 1:
            return (f"{variant} adds token i of every modality: an α-weighted sum of aligned tokens has no "
                    f"'absent' (a zero in its place still changes the sum)")
        if absent and self.task.readout != "pooled" and self.task.pointer_modality in absent:
            return (f"the {self.task.readout!r} readout answers with the tokens of "
                    f"{self.names[self.task.pointer_modality]}, which is absent")
        return None

    def accuracies(self, variant, absent):
        """[(label, accuracy with every modality, accuracy with ``absent`` missing)] of the trained pair."""
        if variant not in self.models:
            return []
        labels = ("trained on every modality", f"with modality dropout {self.dropout:g}")
        rows = []
        with one_thread():
            for label, model in zip(labels, self.models[variant]):
                full = evaluate(model, self.task)["accuracy"]
                without = evaluate(model, self.task, absent=absent)["accuracy"] if absent else full
                rows.append((label, full, without))
        return rows

    def train(self, button=None):
        variant = self.controls["variant"].value
        if self.refusal(variant, []) is not None:
            self.say(f"{variant} cannot run on this task: {self.refusal(variant, [])}", error=True)
            return
        self.say(f"training {variant} twice, {self.steps} steps each …")
        pair = []
        with one_thread():
            for dropout in (0.0, self.dropout):
                model = FusionClassifier(variant, self.task, dim=32, depth=1, heads=4, seed=self.seed)
                fit(model, self.task, steps=self.steps, seed=self.seed, progress=False, eval_every=self.steps,
                    modality_dropout=dropout if not VARIANTS[variant].equal_counts else 0.0)
                pair.append(model)
        self.models[variant] = tuple(pair)
        self.note = (f" Trained {variant}: {self.steps} steps on every modality, and {self.steps} with "
                     f"modality dropout {self.dropout:g}.")
        self.say("")
        self.draw()

    @themed()
    def draw(self, change=None):
        variant, absent = self.controls["variant"].value, self.absent()
        refusal = self.refusal(variant, absent)
        fig = self.figure
        fig.clf()
        masks = None if refusal else absent_masks_of(variant, self.counts, absent)
        bars = [] if refusal else self.accuracies(variant, absent)
        best = self.best(absent)
        if masks:
            width = 0.42 / max(len(masks), 1)
            for k, (kind, mask) in enumerate(masks):
                ax = fig.add_axes((0.06 + k * (width + 0.05), 0.16, width, 0.68))
                draw_absent_mask(ax, kind, mask, self.counts, self.names, absent, fontsize=8)
        else:
            fig.text(0.04, 0.8, "refuses:\n" + textwrap.fill(refusal, 48), ha="left", va="top", fontsize=9,
                     color="#B00020")
        ax = fig.add_axes((0.62, 0.2, 0.36, 0.68))
        if bars:
            draw_accuracy_bars(ax, bars, self.baseline, best, fontsize=8)
        else:
            ax.axis("off")
            ax.text(0.5, 0.5, "nothing to test" if refusal else "press Train\nto train this variant",
                    ha="center", va="center", fontsize=11, color="#555555")
        without = f"without {', '.join(self.names[m] for m in absent)}" if absent else "every modality"
        fig.suptitle(f"{variant.replace('_', ' ')}, {without}", fontsize=10)
        self.png = show_png(self.image, figure_png(fig))
        self.status.value = self.sentence(variant, absent, refusal, bars, best).replace(
            "</div>", f"{self.note}</div>")

    def best(self, absent):
        if self.task.name != "tally" or not absent or len(absent) == len(self.names):
            return None
        try:
            return best_without(self.task, absent)
        except ValueError:                      # tally's sound or sensor: no exact ceiling known here
            return None

    def sentence(self, variant, absent, refusal, bars, best):
        missing = ", ".join(self.names[m] for m in absent) or "nothing"
        if refusal:
            return (f'<div style="color:#B00020"><b>{variant}</b> without {missing}: refuses. '
                    f"{refusal.rstrip('.')}.</div>")
        text = f"<b>{variant}</b> without {missing}: runs, with no NaN."
        if bars:
            text += " Test accuracy " + "; ".join(f"{label}: {b:.0%}" for label, _, b in bars) + "."
        text += f" A constant answer scores {self.baseline:.0%}"
        text += f"; the best any model can do without it: {best:.0%}." if best is not None else "."
        return f"<div>{text}</div>"

    def pictures(self):
        return [self.png] if self.png else []

    def describe(self):
        return f"{self.controls['variant'].value} on {self.task.name!r}, absent: {self.absent() or 'none'}"


def absent_masks_of(variant, counts, absent):
    """Each stage's mask with every modality in ``absent`` taken out (the registry's masks, cleared)."""
    masks = stage_masks(variant, counts)
    for m in absent:
        masks = [(kind, None if left is None else mask & left)
                 for (kind, mask), (_, left) in zip(masks, absent_masks(variant, counts, m))]
    return masks


def absent_explorer(task="tally", variant="early_concatenation", models=None, steps=150, dropout=0.3, seed=0,
                    absent=()):
    """The absent-modality explorer (see :class:`AbsentExplorer`); display it as a cell's last line."""
    return AbsentExplorer(task, variant, models, steps, dropout, seed, absent)

