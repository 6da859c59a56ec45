"""The fusion explorer: change the variant, the number of modalities, α, the norm placement, and see the
maps redraw live; Train fits the model in a few seconds and shows what it learned.
"""
from __future__ import annotations

import ipywidgets as W

from ..data import TASKS, Task, make_task, modality_range
from ..fusion import VARIANTS, variant_of
from ..plot import AttentionPicture, BlocksPicture
from ..train import FusionClassifier, evaluate, fit
from .base import MEAN, Explorer, one_thread


class FusionExplorer(Explorer):
    """Variant, number of modalities, α per modality, norm, layer/head/sample, Train: two live maps.

    ``controls`` = {"variant", "num_modalities", "alpha" (a list, one slider per modality), "norm",
    "layer", "head", "sample", "train"}; set ``.value`` (or ``.click()`` the button) to drive it.
    """

    def __init__(self, task="tally", variant="early_concatenation", num_modalities=2, dim=32, depth=2,
                 heads=4, steps=120, batch_size=32, samples=8, n_train=1000, n_test=200, seed=0):
        variant_of(variant)
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
        m = num_modalities
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 4:
            raise ValueError(f"num_modalities must be an int from 1 to 4, got {num_modalities!r}")
        # Some tasks are defined for 1 to 4 modalities ("tally"); the others have a fixed set.
        low, high = modality_range(self.task_name) if not self.tasks else (m, m)
        self.free_modalities = low < high
        if not self.free_modalities and not self.tasks:
            m = num_modalities = make_task(self.task_name, n_train=1, n_test=1).num_modalities
        self.make_task = make_task
        self.dim, self.depth, self.heads, self.seed = dim, depth, heads, seed
        self.steps, self.batch_size, self.samples = steps, batch_size, samples
        self.n_train, self.n_test = n_train, max(n_test, samples)
        self.model = self.output = self.task = None
        self.trained = False
        self.busy = False                  # True while the explorer itself sets widget values

        self.attention_picture, self.blocks_picture = AttentionPicture(), BlocksPicture()
        self.attention_png = self.blocks_png = b""
        self.controls = {
            "variant": W.Dropdown(options=list(VARIANTS), value=variant, description="variant"),
            "num_modalities": W.IntSlider(value=num_modalities, min=1, max=4, description="modalities",
                                           continuous_update=False, disabled=not self.free_modalities,
                                           tooltip="1 to 4 where the task allows it; fixed otherwise"),
            "alpha": [],
            "norm": W.ToggleButtons(options=["pre", "post"], value="pre", description="LayerNorm"),
            "layer": W.Dropdown(options=[("-", 0)], value=0, description="layer"),
            "head": W.Dropdown(options=[("mean of heads", MEAN)], value=MEAN, description="head"),
            "sample": W.IntSlider(value=0, min=0, max=samples - 1, description="sample"),
            "train": W.Button(description=f"Train {steps} steps", icon="play", button_style="primary"),
        }
        self.alpha_box = W.HBox([])
        self.message, self.status = W.HTML(), W.HTML()
        self.progress = W.IntProgress(value=0, min=0, max=steps, layout=W.Layout(width="200px"))
        self.attention_image = W.Image(format="png")
        self.blocks_image = W.Image(format="png")
        c = self.controls
        for name in ("variant", "num_modalities", "norm"):
            c[name].observe(self.on_model_change, names="value")
        for name in ("layer", "head", "sample"):
            c[name].observe(self.on_view_change, names="value")
        c["train"].on_click(self.on_train)
        self.pictures_box = W.HBox([self.attention_image, self.blocks_image])
        self.view = W.VBox([W.HBox([c["variant"], c["num_modalities"], c["norm"]]), self.alpha_box,
                            W.HBox([c["layer"], c["head"], c["sample"]]),
                            W.HBox([c["train"], self.progress, self.status]), self.message,
                            self.pictures_box])
        if self.free_modalities:          # draw every task now (~0.2 s each), so the slider stays live
            for k in range(1, 5):
                self.get_task(k)
        self.on_model_change()

    # ------------------------------------------------------------------ state → model → output
    def get_task(self, m):
        if m not in self.tasks:
            free = m if self.free_modalities else None
            self.tasks[m] = self.make_task(self.task_name, num_modalities=free, n_train=self.n_train,
                                           n_test=self.n_test, seed=self.seed, **self.task_options)
        return self.tasks[m]

    def rebuild_alpha(self, m):
        """One α slider per modality; shown only for early summation, the one variant that uses α."""
        old = [s.value for s in self.controls["alpha"]]
        names = [spec.name for spec in self.task.modalities] if self.task else [f"{i + 1}" for i in range(m)]
        sliders = [W.FloatSlider(value=old[i] if i < len(old) else round(1 / m, 2), min=0.0, max=1.0,
                                 step=0.05, description=f"α {names[i] if i < len(names) else i + 1}",
                                 layout=W.Layout(width="230px")) for i in range(m)]
        for s in sliders:
            s.observe(self.on_alpha_change, names="value")
        self.controls["alpha"] = sliders
        self.alpha_box.children = sliders

    def alpha(self):
        return [s.value for s in self.controls["alpha"]]

    def on_model_change(self, change=None):
        if self.busy:
            return
        c = self.controls
        variant, m = c["variant"].value, c["num_modalities"].value
        self.trained, self.model, self.output = False, None, None
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
            self.model = FusionClassifier(variant, self.task, self.dim, self.depth, self.heads,
                                          c["norm"].value, alpha=alpha, seed=self.seed)
            self.forward()
        except ValueError as error:
            return self.fail(error, m)
        self.status.value = "untrained: the maps of a random initialisation"
        self.refresh_selectors()
        self.say("")
        self.draw()

    def fail(self, error, m):
        """An impossible combination: say why in the widget, keep the controls usable."""
        if len(self.controls["alpha"]) != m:
            self.rebuild_alpha(m)
        self.model = self.output = None
        self.say(f"This combination cannot run: {error}", error=True)
        self.pictures_box.layout.display = "none"
        self.controls["train"].disabled = True

    @one_thread()
    def forward(self):
        self.output = self.model.run(self.task, self.samples)    # only the samples drawn

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
        self.forward()
        self.draw()

    def on_view_change(self, change=None):
        if not self.busy and self.output is not None:
            self.draw()

    def on_train(self, button=None):
        if self.model is None:
            return
        c = self.controls
        c["train"].disabled = True
        self.progress.value = 0

        def tick(step, history):
            self.progress.value = step + 1

        try:
            with one_thread():
                history = fit(self.model, self.task, steps=self.steps, batch_size=self.batch_size,
                              seed=self.seed, progress=False, callback=tick)
                accuracy = evaluate(self.model, self.task)["accuracy"]
        finally:
            c["train"].disabled = False
        self.trained = True
        self.status.value = (f"trained {len(history.step)} steps in {history.seconds:.1f} s, "
                             f"test accuracy {accuracy:.0%}")
        self.forward()
        self.draw()

    # ------------------------------------------------------------------ pictures
    def draw(self):
        c = self.controls
        record = self.output.attention[c["layer"].value]
        head = None if c["head"].value == MEAN else c["head"].value
        sample, names = c["sample"].value, [spec.name for spec in self.task.modalities]
        self.attention_picture.draw(record, head, sample, self.task.labels_of(record.query_modality, sample),
                                    self.task.labels_of(record.key_modality, sample), names)
        self.blocks_picture.draw(record, sample, head, modality_names=names,
                                 title=f"attention between modalities\n{record.name}")
        self.attention_png = self.attention_image.value = self.attention_picture.png()
        self.blocks_png = self.blocks_image.value = self.blocks_picture.png()

    def pictures(self):
        return [self.attention_png, self.blocks_png] if self.output is not None else []

    def describe(self):
        c = self.controls
        state = "trained" if self.trained else "untrained"
        return (f"{c['variant'].value}, {c['num_modalities'].value} modalities, {c['norm'].value}-norm, "
                f"task {self.task_name!r}, {state}")


def fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2, **options):
    """A live explorer of the six fusion variants on a generated task; display it as a cell's last line.

    options: dim=32, depth=2, heads=4, steps=120 (Train), batch_size=32, samples=8 (drawn), n_train=1000,
    n_test=200, seed=0.
    """
    return FusionExplorer(task, variant, num_modalities, **options)
