"""The fusion explorer: change the variant, the number of modalities, α, the norm placement, and see the
maps redraw live; Train fits the model in a few seconds and shows what it learned.

Work is kept: every trained model stays, one per (variant, modalities, norm), so switching back shows it
again; α is an inference-time weight, so moving it re-evaluates the test accuracy at once. What a model
answered (maps, accuracy) is kept per setting, α and training steps: switching back redraws at once;
the pictures are sent before the test accuracy is measured.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import torch

from .._validate import MAX_STEPS, integer, positive_int
from .._validate import seed as check_seed
from ..data import TASKS, Task, make_task, modality_range
from ..fusion import VARIANTS, variant_of
from ..plot import AttentionPicture, BlocksPicture
from ..plot.attention import AlphaPicture
from ..train import FusionClassifier, TrainingDiverged, evaluate, fit
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


@dataclass
class Trained:
    """A model the reader trained: kept for its setting, with what its training cost."""

    model: FusionClassifier
    steps: int = 0
    runs: int = 0
    seconds: float = 0.0


class FusionExplorer(Explorer):
    """Variant, number of modalities, α per modality, norm, layer/head/sample, colour scale, Train.

    ``controls`` = {"variant", "num_modalities", "alpha" (a list, one slider per modality), "norm",
    "layer", "head", "sample", "scale", "train"}; set ``.value`` (or ``.click()`` the button) to drive it.
    """

    def __init__(self, task="tally", variant="early_concatenation", num_modalities=2, dim=32, depth=2,
                 heads=4, steps=120, batch_size=32, samples=8, n_train=1000, n_test=200, seed=0):
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
        # Some tasks are defined for 1 to 4 modalities ("tally"); the others have a fixed set.
        low, high = modality_range(self.task_name) if not self.tasks else (m, m)
        self.free_modalities = low < high
        if not self.free_modalities:
            m = num_modalities = high
        self.dim, self.depth, self.heads, self.seed = dim, depth, heads, seed
        self.steps, self.batch_size = steps, batch_size
        self.n_train, self.n_test = n_train, n_test
        self.samples = min(samples, n_test)                     # a small task has fewer samples to show
        self.model = self.output = self.task = self.predicted = self.shown = None
        self.kept = {}                                          # (variant, m, norm) → Trained
        self.answers = {}                                       # see forward()
        self.accuracy = None
        self.busy = False                  # True while the explorer itself sets widget values

        self.attention_picture = AttentionPicture(dpi=CSS_DPI * RATIO)
        self.blocks_picture = BlocksPicture(dpi=CSS_DPI * RATIO)
        self.alpha_picture = AlphaPicture(dpi=CSS_DPI * RATIO)
        self.attention_png = self.blocks_png = b""
        wide = {"description_width": "80px"}
        self.controls = {
            "variant": W.Dropdown(options=list(VARIANTS), value=variant, description="variant", style=wide,
                                  layout=W.Layout(width="380px")),
            "num_modalities": W.IntSlider(value=num_modalities, min=1, max=4, description="modalities",
                                           continuous_update=False, disabled=not self.free_modalities,
                                           tooltip="1 to 4 where the task allows it; fixed otherwise"),
            "alpha": [],
            "norm": W.ToggleButtons(options=["pre", "post"], value="pre", description="LayerNorm",
                                    style={"button_width": "60px"}),
            "layer": W.Dropdown(options=[("-", 0)], value=0, description="map", style=wide,
                                layout=W.Layout(width="380px")),
            "head": W.Dropdown(options=[("mean of heads", MEAN)], value=MEAN, description="head",
                               layout=W.Layout(width="220px")),
            "sample": W.IntSlider(value=0, min=0, max=self.samples - 1, description="test sample"),
            "scale": W.ToggleButtons(options=[("fixed 0–1", "fixed"), ("auto", "auto")], value="fixed",
                                     description="colours", style={"button_width": "80px"},
                                     tooltips=["the same colour scale for every setting: maps compare",
                                               "0 to this map's largest weight: details show"]),
            "train": W.Button(description=f"Train {steps} steps", icon="play", button_style="primary",
                              layout=W.Layout(width="210px")),
        }
        self.alpha_box = W.HBox([])
        self.message, self.status, self.caption = W.HTML(), W.HTML(), W.HTML()
        self.progress = W.IntProgress(value=0, min=0, max=steps, layout=W.Layout(width="200px"))
        self.attention_image = W.Image(format="png")
        self.blocks_image = W.Image(format="png")
        self.thumbnail = W.Image(format="png")
        self.sample_text = W.HTML()
        c = self.controls
        for name in ("variant", "num_modalities", "norm"):
            c[name].observe(self.on_model_change, names="value")
        for name in ("layer", "head", "sample", "scale"):
            c[name].observe(self.on_view_change, names="value")
        c["train"].on_click(self.on_train)
        self.pictures_box = picture_row([self.attention_image, self.blocks_image,
                                         W.VBox([self.thumbnail, self.sample_text],
                                                layout=W.Layout(width="220px"))])
        wrap = W.Layout(flex_flow="row wrap")
        self.view = W.VBox([W.Box([c["variant"], c["num_modalities"], c["norm"]], layout=wrap),
                            self.alpha_box,
                            W.Box([c["layer"], c["head"], c["sample"], c["scale"]], layout=wrap),
                            W.Box([c["train"], self.progress, self.status], layout=wrap), self.message,
                            self.caption, self.pictures_box])
        if self.free_modalities:          # draw every task now (~0.2 s each), so the slider stays live
            for k in range(1, 5):
                self.get_task(k)
        self.on_model_change()

    # ------------------------------------------------------------------ state → model → output
    def get_task(self, m):
        if m not in self.tasks:
            free = m if self.free_modalities else None
            self.tasks[m] = make_task(self.task_name, num_modalities=free, n_train=self.n_train,
                                      n_test=self.n_test, seed=self.seed, **self.task_options)
        return self.tasks[m]

    def rebuild_alpha(self, m):
        """One α slider per modality; shown only for early summation, the one variant that uses α.
        The old sliders are closed (a kernel would otherwise keep every one ever made)."""
        old = self.controls["alpha"]
        values = [s.value for s in old]
        names = [spec.name for spec in self.task.modalities] if self.task else [f"{i + 1}" for i in range(m)]
        sliders = [W.FloatSlider(value=values[i] if i < len(values) else round(1 / m, 2), min=0.0, max=1.0,
                                 step=0.05, description=f"α {names[i] if i < len(names) else i + 1}",
                                 continuous_update=False, layout=W.Layout(width="260px")) for i in range(m)]
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
        if len(c["alpha"]) != m:
            self.rebuild_alpha(m)
        takes_alpha = VARIANTS[variant].takes_alpha
        self.alpha_box.layout.display = None if takes_alpha else "none"
        try:
            alpha = self.alpha() if takes_alpha else None
            kept = self.kept.get((variant, m, norm))
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
        """An impossible combination: say why in the widget, keep the controls usable."""
        if len(self.controls["alpha"]) != m:
            self.rebuild_alpha(m)
        self.model = self.output = None
        self.say(f"This combination cannot run: {error}", error=True)
        self.pictures_box.layout.display = "none"
        self.caption.value = ""
        self.controls["train"].disabled = True

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

    def show_status(self):
        """The test accuracy at the current α (measured here, after the pictures) and the training."""
        self.accuracy = self.answer("accuracy", lambda: evaluate(self.model, self.task)["accuracy"])
        chance = 1 / self.task.num_classes
        kept = self.kept.get(self.shown)
        alpha = ""
        if VARIANTS[self.setting()[0]].takes_alpha:
            alpha = " at α = (" + ", ".join(f"{a:.2f}" for a in self.alpha()) + ")"
        if kept is None:
            self.status.value = (f"untrained (a random initialisation): test accuracy {self.accuracy:.0%}"
                                 f"{alpha}, chance {chance:.0%}")
        else:
            runs = f" in {kept.runs} runs of {self.steps} (each run warms up again)" if kept.runs > 1 else ""
            self.status.value = (f"trained {kept.steps} steps{runs}, {kept.seconds:.1f} s: "
                                 f"test accuracy {self.accuracy:.0%}{alpha} (chance {chance:.0%})")

    def refresh_selectors(self):
        c, records = self.controls, self.output.attention
        self.busy = True
        try:
            layer = c["layer"].value if c["layer"].value < len(records) else 0
            c["layer"].options = [(r.name, i) for i, r in enumerate(records)]
            c["layer"].value = layer
            head = c["head"].value if c["head"].value < self.heads else MEAN
            c["head"].options = [("mean of heads", MEAN)] + [(f"head {h + 1}", h) for h in range(self.heads)]
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

    def on_train(self, button=None):
        if self.model is None:
            return
        c = self.controls
        kept = self.kept.setdefault(self.shown, Trained(self.model))
        self.answers = {k: v for k, v in self.answers.items() if k[0] != self.shown}   # the model changes
        c["train"].disabled = True
        self.progress.value = 0

        def tick(step, history):
            self.progress.value = step + 1

        try:
            with one_thread():
                history = fit(self.model, self.task, steps=self.steps, batch_size=self.batch_size,
                              seed=self.seed + kept.runs, progress=False, callback=tick)
        except (KeyboardInterrupt, TrainingDiverged) as error:
            self.count(kept, error.history)      # stopped: show the model as those steps left it
            raise
        finally:
            c["train"].disabled = False
        self.count(kept, history)

    def count(self, kept, history):
        """Add a run's steps (all, or those before an interrupt; each one was applied) to the kept model
        and redraw maps, accuracy and status from the model as it now is."""
        if history.step:
            kept.steps += len(history.step)
            kept.runs += 1
            kept.seconds += history.seconds
            self.controls["train"].description = f"Train {self.steps} more steps"
        elif kept.runs == 0:                     # stopped before its first step: still untrained
            self.kept.pop(self.shown, None)
        self.progress.value = len(history.step)
        self.forward()
        self.draw()
        self.show_status()

    # ------------------------------------------------------------------ pictures
    def draw(self):
        c = self.controls
        record = self.output.attention[c["layer"].value]
        head = None if c["head"].value == MEAN else c["head"].value
        sample, names = c["sample"].value, [spec.name for spec in self.task.modalities]
        self.attention_picture.draw(record, head, sample, self.task.labels_of(record.query_modality, sample),
                                    self.task.labels_of(record.key_modality, sample), names,
                                    scale=c["scale"].value)
        if record.stage == "summed":      # one summed sequence: the 1×1 block matrix would say nothing
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


def fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2, **options):
    """A live explorer of the six fusion variants on a generated task; display it as a cell's last line.

    options: dim=32, depth=2, heads=4, steps=120 (Train), batch_size=32, samples=8 (drawn, at most the
    task's test samples), n_train=1000, n_test=200, seed=0.
    """
    return FusionExplorer(task, variant, num_modalities, **options)
