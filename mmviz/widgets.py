"""Interactive explorers: change a fusion variant, α, norm placement, depth, and see the maps redraw live.

Each explorer builds its figures once and updates them in place (``set_data``, blitting), then sends
PNG bytes to an ``ipywidgets.Image``. Displayed where no kernel runs (GitHub, nbviewer, HTML export),
an explorer shows the latest picture, because its display bundle carries an ``image/png`` too.
"""
from __future__ import annotations

import base64
import html
import io
from contextlib import contextmanager

import ipywidgets as W
import torch

from .plot import AttentionPicture, BlocksPicture

MEAN = -1                      # the head selector's value for "mean of the heads"
ERROR_STYLE = "color:#B00020;background:#FDECEA;padding:6px 10px;border-radius:4px"


@contextmanager
def one_thread():
    """Run tiny models on one thread: on 2 shared cores, two threads contend and a 10 ms step takes 100s."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def side_by_side(*pngs):
    """One PNG holding the given PNGs left to right (the static picture of an explorer)."""
    from PIL import Image

    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs if p]
    canvas = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
    x = 0
    for image in images:
        canvas.paste(image, (x, 0))
        x += image.width
    buffer = io.BytesIO()
    canvas.save(buffer, format="png")
    return buffer.getvalue()


class Explorer:
    """What both explorers share: a view, a message line, and a display bundle with a static picture."""

    view = None

    def say(self, text, error=False):
        style = ERROR_STYLE if error else "color:#333"
        self.message.value = f'<div style="{style}">{html.escape(text)}</div>' if text else ""

    def pictures(self):
        return []

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        pngs = self.pictures()
        if pngs:
            bundle["image/png"] = side_by_side(*pngs)
        bundle["text/plain"] = (f"{type(self).__name__}: {self.describe()} "
                                  "(run the notebook to use the controls)")
        return bundle

    def describe(self):
        return ""


def figure_png(figure, dpi=80):
    """PNG bytes of a matplotlib figure, for an ``ipywidgets.Image`` that a slider updates."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class WithPicture:
    """A widget view that also carries the PNG of one ``ipywidgets.Image`` in its display bundle:
    live where a kernel runs, that picture where none does (GitHub, nbviewer, HTML export)."""

    def __init__(self, view, image):
        self.view, self.image = view, image

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.view._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode()
        bundle["text/plain"] = "a live picture (run the notebook to use the controls)"
        return bundle


def with_picture(view, image):
    """Display ``view`` (a widget box holding ``image``) so that its picture survives without a kernel."""
    return WithPicture(view, image)


class FusionExplorer(Explorer):
    """Variant, number of modalities, α per modality, norm, layer/head/sample, Train: two live maps.

    ``controls`` = {"variant", "num_modalities", "alpha" (a list, one slider per modality), "norm",
    "layer", "head", "sample", "train"}; set ``.value`` (or ``.click()`` the button) to drive it.
    """

    def __init__(self, task="tally", variant="early_concatenation", num_modalities=2, dim=32, depth=2,
                 heads=4, steps=120, batch_size=32, samples=8, n_train=1000, n_test=200, seed=0):
        from .data import TASKS, Task, make_task
        from .fusion import FUSION_VARIANTS, check_variant

        check_variant(variant)
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
        # Only "tally" is defined for 1 to 4 modalities; the other tasks have a fixed set.
        self.free_modalities = self.task_name == "tally"
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
            "variant": W.Dropdown(options=FUSION_VARIANTS, value=variant, description="variant"),
            "num_modalities": W.IntSlider(value=num_modalities, min=1, max=4, description="modalities",
                                           continuous_update=False, disabled=not self.free_modalities,
                                           tooltip="1 to 4 on the 'tally' task; fixed on the others"),
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
        from .train import FusionClassifier

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
        self.alpha_box.layout.display = None if variant == "early_summation" else "none"
        try:
            alpha = self.alpha() if variant == "early_summation" else None
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

    @torch.no_grad()
    @one_thread()
    def forward(self):
        self.model.eval()
        self.model([x[:self.samples] for x in self.task.test.inputs])    # only the samples drawn
        self.output = self.model.last

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
        if self.busy or self.model is None or self.controls["variant"].value != "early_summation":
            return
        self.model.fusion.set_alpha(self.alpha())
        self.forward()
        self.draw()

    def on_view_change(self, change=None):
        if not self.busy and self.output is not None:
            self.draw()

    def on_train(self, button=None):
        from .train import evaluate, fit

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
    def labels(self, record, modality_of_tokens):
        """Per-sample token labels of the record's tokens ("Σ t=3" for a summed token)."""
        words = self.task.token_labels(self.controls["sample"].value)
        seen, out = {}, []
        for m in modality_of_tokens.tolist():
            k = seen.get(m, 0)
            seen[m] = k + 1
            out.append(f"Σ {words[0][k]}" if m < 0 else words[m][k])
        return out

    def draw(self):
        c = self.controls
        record = self.output.attention[c["layer"].value]
        head = None if c["head"].value == MEAN else c["head"].value
        sample, names = c["sample"].value, [spec.name for spec in self.task.modalities]
        self.attention_picture.draw(record, head, sample, self.labels(record, record.query_modality),
                                    self.labels(record, record.key_modality), names)
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


def norm_explorer(**options):
    """A live explorer of pre- vs post-norm: gradient norms per layer at init and a short training curve."""
    from .widgets_norm import NormExplorer

    return NormExplorer(**options)
