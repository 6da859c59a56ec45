"""The fusion explorer: change the variant, the number of modalities, α, the norm placement, and see the
maps redraw live; Train fits the model in a few seconds and shows what it learned, and "Train to target"
trains until the task's target accuracy (``mmviz.data.intended``) or its step budget, then says what to
move and what to watch.

Laid out to fit a 1280×720 screen with JupyterLab's file browser open (controls, map, the sample's
answer and the status line together); the "projector" toggle redraws every picture with larger type
(tick labels ≥ 12 pt) for a lecture hall.

Work is kept: every trained model stays, one per (variant, modalities, norm), so switching back shows it
again; α is an inference-time weight, so moving it re-evaluates the test accuracy at once. What a model
answered (maps, accuracy) is kept per setting, α and training steps: switching back redraws at once;
the pictures are sent before the test accuracy is measured.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import torch

from .._validate import MAX_STEPS, integer, positive_int
from .._validate import seed as check_seed
from ..data import TASKS, Task, intended, make_task, modality_range, task_budget
from ..fusion import VARIANTS, variant_of
from ..plot import AttentionPicture, BlocksPicture
from ..plot.attention import PROJECTOR_PT, TICK_PT, AlphaPicture
from ..stages import kind_of
from ..train import FusionClassifier, evaluate, fit
from .base import (
    CSS_DPI,
    MEAN,
    RATIO,
    Explorer,
    one_thread,
    picture_row,
    sample_html,
    show_png,
    thumbnail_png,
)
from .look import what_to_look_for

KEEP_ANSWERS = 64              # answers kept (a few samples' maps: up to ~0.5 MB; an accuracy)
# Untrained models are not kept: each holds its last pass's attention over the whole test set (~6 MB).
CHECK_EVERY = 25               # "Train to target" measures the test accuracy every this many steps
# Figure sizes (inches at 80 CSS px each): compact enough that controls, map, answer and status fit a
# 1280×720 screen with the file browser open; larger in projector mode (the lecturer hides the browser).
SIZES = {False: dict(attention=(4.7, 4.4), blocks=(3.3, 3.0), tick_pt=TICK_PT),
         True: dict(attention=(6.6, 6.0), blocks=(4.8, 4.2), tick_pt=PROJECTOR_PT)}


@dataclass
class Trained:
    """A model the reader trained: kept for its setting, with what its training cost."""

    model: FusionClassifier
    steps: int = 0                 # steps really trained (an interrupted run counts what it ran)
    runs: int = 0
    seconds: float = 0.0
    note: str = ""                 # what the last run reached, said in the status line


class FusionExplorer(Explorer):
    """Variant, number of modalities, α per modality, norm, layer/head/sample, colour scale, Train.

    ``controls`` = {"variant", "num_modalities", "alpha" (a list, one slider per modality), "norm",
    "layer", "head", "sample", "scale", "train", "target", "projector"}; set ``.value`` (or ``.click()``
    a button) to drive it. "target" trains until the task's target accuracy (or its budget of steps).
    """

    def __init__(self, task: str | Task = "tally", variant: str = "early_concatenation",
                 num_modalities: int = 2, dim: int = 32, depth: int = 2, heads: int = 4, steps: int = 120,
                 batch_size: int = 32, samples: int = 8, n_train: int = 1000, n_test: int = 200,
                 seed: int = 0, projector: bool = False) -> None:
        variant_of(variant)
        dim, depth, heads, batch_size, samples, n_train, n_test = (
            positive_int(value, name) for value, name in (
                (dim, "dim"), (depth, "depth"), (heads, "heads"), (batch_size, "batch_size"),
                (samples, "samples"), (n_train, "n_train"), (n_test, "n_test")))
        steps = integer(steps, "steps", 1, MAX_STEPS)
        seed = check_seed(seed)
        self.task_options = {}
        if isinstance(task, Task):
            self.tasks, self.task_name = {task.num_modalities: task}, task.name
            self.task_options = {k: v for k, v in task.options.items() if k != "num_modalities"}
            num_modalities = task.num_modalities
            n_train, n_test = len(task.train), len(task.test)
        elif task in TASKS:
            self.tasks, self.task_name = {}, task
        else:
            raise ValueError(f"task must be one of {', '.join(TASKS)} or a Task, got {task!r}")
        m = num_modalities = integer(num_modalities, "num_modalities", 1, 4)
        # Some tasks are defined for 1 to 4 modalities ("tally"); the others have a fixed set. A reader's
        # Task of such a task keeps the slider live: the other counts are drawn with its options and sizes.
        low, high = modality_range(self.task_name) if self.task_name in TASKS else (m, m)
        self.free_modalities = low < high
        if not self.free_modalities:
            m = num_modalities = high
        self.dim, self.depth, self.heads, self.seed = dim, depth, heads, seed
        self.steps, self.batch_size = steps, batch_size
        self.n_train, self.n_test = n_train, n_test
        self.samples = min(samples, n_test)                     # a small task has fewer samples to show
        self.model = self.output = self.task = self.predicted = self.shown = None
        self.kept: dict = {}                                          # (variant, m, norm) → Trained
        self.answers: dict = {}                                       # see forward()
        self.accuracy = None
        self.busy = False                  # True while the explorer itself sets widget values

        self.make_pictures(projector)
        self.attention_png = self.blocks_png = b""
        wide, narrow = {"description_width": "62px"}, {"description_width": "48px"}
        target, budget = intended(self.task_name)[1], task_budget(self.task_name)["steps"]
        self.controls = {
            "variant": W.Dropdown(options=list(VARIANTS), value=variant, description="variant", style=wide,
                                  layout=W.Layout(width="330px")),
            "num_modalities": W.IntSlider(value=num_modalities, min=1, max=4, description="modalities",
                                           continuous_update=False, disabled=not self.free_modalities,
                                           style={"description_width": "72px"},
                                           layout=W.Layout(width="250px")),
            "alpha": [],
            "norm": W.ToggleButtons(options=["pre", "post"], value="pre", description="LayerNorm",
                                    style={"button_width": "58px", "description_width": "72px"}),
            "layer": W.Dropdown(options=[("-", 0)], value=0, description="map", style=narrow,
                                layout=W.Layout(width="330px")),
            "head": W.Dropdown(options=[("mean of heads", MEAN)], value=MEAN, description="head",
                               style=narrow, layout=W.Layout(width="190px")),
            "sample": W.IntSlider(value=0, min=0, max=self.samples - 1, description="sample",
                                  style=narrow, layout=W.Layout(width="250px")),
            "scale": W.ToggleButtons(options=[("fixed 0–1", "fixed"), ("auto", "auto")], value="fixed",
                                     description="colours", style={"button_width": "82px",
                                                                   "description_width": "50px"},
                                     tooltips=["the same colour scale for every setting: maps compare",
                                               "0 to this map's largest weight: details show"]),
            "train": W.Button(description=f"Train {steps} steps", icon="play", button_style="primary",
                              layout=W.Layout(width="196px")),          # "Train 120 more steps" whole
            "target": W.Button(description=f"Train to {target:.0%}", icon="forward", button_style="success",
                               tooltip=f"train until the test accuracy reaches the task's target, "
                                       f"{target:.0%} (at most {budget} steps); the kernel's stop button "
                                       "ends it early",
                               layout=W.Layout(width="150px")),
            "projector": W.ToggleButton(value=bool(projector), description="projector", icon="television",
                                        tooltip="larger type for a lecture hall (tick labels 12 pt)",
                                        layout=W.Layout(width="110px")),
        }
        self.alpha_box = W.Box([], layout=W.Layout(flex_flow="row wrap"))
        self.message, self.status, self.caption = W.HTML(), W.HTML(), W.HTML()
        self.status.add_class("mmviz-status")           # found by the browser tests
        # Where the task fixes the number of modalities, the slider is hidden and this says why.
        self.modalities_note = W.HTML(f'<span style="color:#555">modalities: {num_modalities}, fixed by '
                                      f'task {self.task_name!r}</span>', layout=W.Layout(margin="0 12px"))
        c = self.controls
        c["num_modalities"].layout.display = None if self.free_modalities else "none"
        self.modalities_note.layout.display = "none" if self.free_modalities else None
        self.progress = W.IntProgress(value=0, min=0, max=steps, layout=W.Layout(width="120px"))
        self.attention_image = W.Image(format="png")
        self.blocks_image = W.Image(format="png")
        self.thumbnail = W.Image(format="png")
        self.sample_text = W.HTML()
        self.sample_text.add_class("mmviz-answer")      # the sample and the model's answer
        for name in ("variant", "num_modalities", "norm"):
            c[name].observe(self.on_model_change, names="value")
        for name in ("layer", "head", "sample", "scale"):
            c[name].observe(self.on_view_change, names="value")
        c["projector"].observe(self.on_projector, names="value")
        c["train"].on_click(self.on_train)
        c["target"].on_click(self.on_target)
        self.pictures_box = picture_row([self.attention_image, self.blocks_image,
                                         W.VBox([self.thumbnail, self.sample_text],
                                                layout=W.Layout(width="176px"))])
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        self.view = W.VBox([W.Box([c["variant"], c["num_modalities"], self.modalities_note, c["norm"]],
                                  layout=wrap),
                            W.Box([c["layer"], c["head"], c["sample"]], layout=wrap),
                            self.alpha_box,
                            W.Box([c["train"], c["target"], self.progress, c["scale"], c["projector"]],
                                  layout=wrap),
                            self.status, self.message, self.pictures_box, self.caption])
        if self.free_modalities:          # draw every task now (~0.2 s each), so the slider stays live
            for k in range(1, 5):
                self.get_task(k)
        self.on_model_change()

    def make_pictures(self, projector):
        """The three live pictures, at the laptop size or (projector) larger, with larger type."""
        size, dpi = SIZES[bool(projector)], CSS_DPI * RATIO
        self.attention_picture = AttentionPicture(size["attention"], dpi, tick_pt=size["tick_pt"])
        self.blocks_picture = BlocksPicture(size["blocks"], dpi, tick_pt=size["tick_pt"])
        self.alpha_picture = AlphaPicture(size["blocks"], dpi, tick_pt=size["tick_pt"])

    # ------------------------------------------------------------------ state → model → output
    def get_task(self, m):
        if m not in self.tasks:
            free = m if self.free_modalities else None
            self.tasks[m] = make_task(self.task_name, num_modalities=free, n_train=self.n_train,
                                      n_test=self.n_test, seed=self.seed, **self.task_options)
        return self.tasks[m]

    def rebuild_alpha(self, m, values=None):
        """One α slider per modality; shown only for early summation, the one variant that uses α. They
        start at ``values`` (a kept model's α) or 1/M each, the average a fresh model starts from (the old
        count's values would not sum to 1). The old sliders are closed (a kernel would otherwise keep
        every one ever made)."""
        old = self.controls["alpha"]
        values = list(values) if values is not None and len(values) == m else [1 / m] * m
        names = [spec.name for spec in self.task.modalities] if self.task else [f"{i + 1}" for i in range(m)]
        sliders = [W.FloatSlider(value=values[i], min=0.0, max=1.0, step=0.05, readout_format=".2f",
                                 description=f"α {names[i] if i < len(names) else i + 1}",
                                 continuous_update=False, style={"description_width": "60px"},
                                 layout=W.Layout(width="230px")) for i in range(m)]
        for s in sliders:
            s.observe(self.on_alpha_change, names="value")
        self.controls["alpha"] = sliders
        self.alpha_box.children = sliders
        for s in old:
            for part in (s.layout, s.style, s):
                part.close()

    def alpha(self):
        return [s.value for s in self.controls["alpha"]]

    def setting(self):
        c = self.controls
        return c["variant"].value, c["num_modalities"].value, c["norm"].value

    def on_model_change(self, change=None):
        if self.busy:
            return
        c = self.controls
        if not self.free_modalities and c["num_modalities"].value != self.fixed_modalities():
            self.busy = True                 # set in code while disabled: the task decides, not the slider
            c["num_modalities"].value = self.fixed_modalities()
            self.busy = False
        variant, m, norm = self.setting()
        left = self.shown if self.shown in self.kept else None     # a trained model we switch away from
        self.model = self.output = self.shown = None
        try:
            self.task = None
            self.task = self.get_task(m)
        except ValueError as error:
            return self.fail(error, m)
        takes_alpha = VARIANTS[variant].takes_alpha
        kept = self.kept.get((variant, m, norm))
        if len(c["alpha"]) != m:             # a fresh model's α is 1/M; a kept model's its own
            alpha = kept.model.fusion.alpha.tolist() if kept is not None and takes_alpha else None
            self.rebuild_alpha(m, alpha)
        self.alpha_box.layout.display = None if takes_alpha else "none"
        for slider in c["alpha"]:
            slider.disabled = False
        try:
            alpha = self.alpha() if takes_alpha else None
            if kept is not None:
                self.model = kept.model
                if takes_alpha:
                    self.model.fusion.set_alpha(alpha)
            else:                            # the same seed, the same weights: its kept answers hold
                self.model = FusionClassifier(variant, self.task, self.dim, self.depth, self.heads, norm,
                                              alpha=alpha, seed=self.seed)
            self.forward()
        except ValueError as error:
            return self.fail(error, m)
        self.shown = self.setting()
        self.refresh_selectors()
        self.say("")
        if left is not None and left != self.shown:
            self.say(f"Your trained model ({left[0]}, {left[1]} modalities, {left[2]}-norm) is kept: "
                     "switch back to see it again.")
        self.draw()
        self.show_status()

    def fixed_modalities(self):
        return next(iter(self.tasks.values())).num_modalities if self.tasks else \
            modality_range(self.task_name)[1]

    @property
    def trained(self):
        return self.model is not None and self.shown in self.kept

    def fail(self, error, m):
        """An impossible combination: say why in the widget; the status, the progress bar and every
        control that needs a model are cleared or disabled (the ones that choose a model stay usable)."""
        c = self.controls
        if len(c["alpha"]) != m:
            self.rebuild_alpha(m)
        self.model = self.output = None
        self.say(f"This combination cannot run: {error}", error=True)
        self.status.value = ('<span style="color:#B00020">no model: this combination cannot run (see below); '
                             'pick another variant or number of modalities</span>')
        self.progress.value = 0
        self.alpha_box.layout.display = "none"
        for slider in c["alpha"]:
            slider.disabled = True
        for name in ("layer", "head", "sample", "scale", "train", "target"):
            c[name].disabled = True
        self.pictures_box.layout.display = "none"
        self.caption.value = ""

    def answer(self, what, compute):
        """What the model answers (``what``: "maps", "accuracy") at the current setting, α and training:
        ``compute()`` once, then kept (the last ``KEEP_ANSWERS`` answers)."""
        setting = self.setting()
        alpha = tuple(self.alpha()) if VARIANTS[setting[0]].takes_alpha else None
        kept = self.kept.get(setting)
        key = (setting, alpha, kept.steps if kept is not None else 0, what)
        if key not in self.answers:
            with one_thread(), torch.no_grad():
                self.model.eval()
                self.answers[key] = compute()
            if len(self.answers) > KEEP_ANSWERS:
                del self.answers[next(iter(self.answers))]         # the oldest
        return self.answers[key]

    def forward(self):
        """The shown samples' maps and the model's answers at the current α: all the pictures need (the
        test accuracy, a pass over the whole test set, is measured after they are sent)."""
        def run():
            logits = self.model(self.task.test.first(self.samples))
            return self.model.last, logits.argmax(-1)

        self.output, self.predicted = self.answer("maps", run)

    def target(self):
        """(accuracy, steps, meant): the task's target test accuracy, its budget of steps, and whether
        the shown variant is one the task is made for (the others need not reach the target)."""
        variants, accuracy = intended(self.task_name)
        return accuracy, task_budget(self.task_name)["steps"], self.setting()[0] in variants

    def show_status(self):
        """The test accuracy at the current α (measured here, after the pictures) and the training, all
        from the shown setting's kept model (its steps are the steps really trained)."""
        self.accuracy = self.answer("accuracy", lambda: evaluate(self.model, self.task)["accuracy"])
        chance = 1 / self.task.num_classes
        kept = self.kept.get(self.shown)
        takes_alpha = VARIANTS[self.setting()[0]].takes_alpha
        alpha = " at α = (" + ", ".join(f"{a:.2f}" for a in self.alpha()) + ")" if takes_alpha else ""
        goal, budget, _ = self.target()
        c = self.controls
        if kept is None:
            why = " (α matters only to a trained model)" if takes_alpha else ""
            text = (f"untrained (random weights): test accuracy <b>{self.accuracy:.0%}</b>{alpha}, chance "
                    f"{chance:.0%}. Press <i>Train to {goal:.0%}</i> first{why}: at most {budget} steps.")
            self.progress.value = 0
        else:
            runs = f" in {kept.runs} runs (each run warms up again)" if kept.runs > 1 else ""
            text = (f"trained {kept.steps} steps{runs}, {kept.seconds:.1f} s: test accuracy "
                    f"<b>{self.accuracy:.0%}</b>{alpha} (chance {chance:.0%}, target {goal:.0%})"
                    + (f". {kept.note}" if kept.note else ""))
        size = 16 if c["projector"].value else 13
        self.status.value = f'<div style="font-size:{size}px;line-height:1.35">{text}</div>'
        more = " more" if kept is not None else ""
        c["train"].description = f"Train {self.steps}{more} steps"
        for name in ("layer", "head", "sample", "scale", "train", "target"):
            c[name].disabled = False

    def refresh_selectors(self):
        c, records = self.controls, self.output.attention
        self.busy = True
        try:
            layer = c["layer"].value if c["layer"].value < len(records) else 0
            c["layer"].options = [(r.name, i) for i, r in enumerate(records)]
            c["layer"].value = layer
            head = c["head"].value if c["head"].value < self.heads else MEAN
            c["head"].options = [("mean of heads", MEAN)] + [(f"head {h}", h) for h in range(self.heads)]
            c["head"].value = head
            c["sample"].max = self.samples - 1
        finally:
            self.busy = False
        c["train"].disabled = False
        self.pictures_box.layout.display = None

    # ------------------------------------------------------------------ events
    def on_alpha_change(self, change=None):
        if self.busy or self.model is None or not VARIANTS[self.controls["variant"].value].takes_alpha:
            return
        self.model.fusion.set_alpha(self.alpha())
        self.forward()                     # α acts at inference: the accuracy changes with it
        self.draw()
        self.show_status()

    def on_view_change(self, change=None):
        if not self.busy and self.output is not None:
            self.draw()

    def on_projector(self, change=None):
        """Projector mode on or off: every picture made again at its size and type, then redrawn."""
        self.make_pictures(self.controls["projector"].value)
        if self.output is not None:
            self.draw()
            self.show_status()

    def on_train(self, button=None):
        """Train the shown model ``steps`` more steps."""
        if self.model is not None:
            self.train_run(self.steps)

    def on_target(self, button=None):
        """Train until the test accuracy reaches the task's target (checked every ``CHECK_EVERY`` steps),
        or the task's budget of steps is spent; then say what to move and what to watch."""
        if self.model is None:
            return
        goal, budget, meant = self.target()
        if self.trained and self.accuracy is not None and self.accuracy >= goal:
            self.kept[self.shown].note = f"Already at the target: {self.what_next()}"
            return self.show_status()

        def reached(step, history):
            if (step + 1) % CHECK_EVERY:
                return False
            return evaluate(self.model, self.task)["accuracy"] >= goal

        self.train_run(budget, reached, goal, meant)

    def what_next(self):
        if VARIANTS[self.setting()[0]].takes_alpha:
            return ("now move an α slider and watch the test accuracy in this line: set one α to 0 and the "
                    "model no longer sees that modality")
        return ("now move the sample, the map and the head and see what the trained model reads; switch the "
                "variant and compare (your trained model is kept)")

    def train_run(self, steps, stop=None, goal=None, meant=True):
        """Train the shown model up to ``steps`` steps (``stop(step, history)`` True ends it early) with the
        progress bar; the kernel's stop button ends it too. The status counts the steps really trained."""
        c = self.controls
        kept = self.kept.setdefault(self.shown, Trained(self.model))
        self.answers = {k: v for k, v in self.answers.items() if k[0] != self.shown}   # the model changes
        c["train"].disabled = c["target"].disabled = True
        self.progress.max, self.progress.value = steps, 0
        history, outcome = None, ""

        def tick(step, so_far):
            self.progress.value = step + 1
            return stop is not None and stop(step, so_far)

        try:
            with one_thread():
                history = fit(self.model, self.task, steps=steps, batch_size=self.batch_size,
                              seed=self.seed + kept.runs, progress=False, callback=tick)
        except KeyboardInterrupt as error:          # the kernel's stop button: keep what was trained
            history, outcome = getattr(error, "history", None), "interrupted"
        except ValueError as error:                 # diverged: the weights of the last finite step
            history, outcome = getattr(error, "history", None), "stopped"
            self.say(f"Training stopped: {error}", error=True)
        finally:
            c["train"].disabled = c["target"].disabled = False
        ran = len(history.step) if history is not None else 0
        kept.steps += ran
        kept.runs += 1 if ran else 0
        kept.seconds += history.seconds if history is not None else 0.0
        if kept.steps == 0:                         # stopped before a single step: still untrained
            del self.kept[self.shown]
        else:
            kept.note = self.run_note(outcome, ran, goal, meant)
        self.forward()
        self.draw()
        self.show_status()

    def run_note(self, outcome, ran, goal, meant):
        """What the last run did, for the status line."""
        if outcome:
            return f"The last run was {outcome} after {ran} steps."
        if goal is None:
            return ""
        accuracy = evaluate(self.model, self.task)["accuracy"]
        if accuracy >= goal:
            return f"Target {goal:.0%} reached in {ran} steps: {self.what_next()}."
        why = ("this variant is not one this task is made for" if not meant
               else "press again to train further")
        return f"Below the target {goal:.0%} after the task's budget of {ran} steps: {why}."

    # ------------------------------------------------------------------ pictures
    def draw(self):
        c = self.controls
        record = self.output.attention[c["layer"].value]
        head = None if c["head"].value == MEAN else c["head"].value
        sample, names = c["sample"].value, [spec.name for spec in self.task.modalities]
        self.attention_picture.draw(record, head, sample, self.task.labels_of(record.query_modality, sample),
                                    self.task.labels_of(record.key_modality, sample), names,
                                    scale=c["scale"].value)
        if kind_of(record).summed:      # one summed sequence: the 1×1 block matrix would say nothing
            self.alpha_picture.draw(self.alpha(), names)
            self.blocks_png = show_png(self.blocks_image, self.alpha_picture.png())
        else:
            self.blocks_picture.draw(record, sample, head, modality_names=names,
                                     title=f"attention between modalities\n{record.name}")
            self.blocks_png = show_png(self.blocks_image, self.blocks_picture.png())
        self.attention_png = show_png(self.attention_image, self.attention_picture.png())
        self.caption.value = what_to_look_for(record, names, self.trained,
                                              self.attention_picture.uniform_level)
        predicted = None if self.predicted is None else self.predicted[sample]
        self.sample_text.value = sample_html(self.task, sample, predicted, self.trained)
        if "image" in names:
            show_png(self.thumbnail, thumbnail_png(self.task.image(sample)))
            self.thumbnail.layout.display = None
        else:
            self.thumbnail.layout.display = "none"

    def pictures(self):
        return [self.attention_png, self.blocks_png] if self.output is not None else []

    def describe(self):
        variant, _, norm = self.setting()
        m = self.task.num_modalities if self.task is not None else self.controls["num_modalities"].value
        state = "trained" if self.trained else "untrained"
        return f"{variant}, {m} modalities, {norm}-norm, task {self.task_name!r}, {state}"


def fusion_explorer(task: str | Task = "tally", variant: str = "early_concatenation", num_modalities: int = 2,
                    **options: Any) -> FusionExplorer:
    """A live explorer of the six fusion variants on a generated task; display it as a cell's last line.

    options: dim=32, depth=2, heads=4, steps=120 (Train), batch_size=32, samples=8 (drawn, at most the
    task's test samples), n_train=1000, n_test=200, seed=0, projector=False (open in projector mode:
    larger pictures and type; the "projector" toggle switches it). "Train to target" trains until the
    task's target accuracy (``mmviz.data.intended``) within its budget of steps (``task_budget``).
    """
    return FusionExplorer(task, variant, num_modalities, **options)
