"""A live viewer of a trained model's attention, stage by stage: the map, its modality blocks, the picture.

For notebooks that train a model and then want the reader to walk through its maps (07-09): pick a
map (stage and layer), a head, a sample, and, when the map's keys are image patches, a query token
whose attention is drawn over the picture. Every figure is built once and redrawn in place;
displayed where no kernel runs, the viewer shows its latest pictures (``Explorer`` does that).
"""
from __future__ import annotations

import ipywidgets as W
import torch

from .._validate import integer
from ..data import Task
from ..measure import select_weights, unread_queries
from ..plot import AttentionPicture, BlocksPicture, ImagePicture
from ..plot.attention import colour_norm
from ..train import FusionClassifier, check_task
from .base import CSS_DPI, MEAN, RATIO, Explorer, picture_row, sample_html, show_png, thumbnail_png
from .fusion import SIZES
from .look import what_to_look_for


class StageViewer(Explorer):
    """Controls "map" (stage, layer), "head", "sample", "query", "scale": the selected map, its modality
    blocks, and (when its keys include image patches) the selected query's attention on the picture in
    grey, on the map's colour scale; beside them the sample's inputs, its answer and the model's."""

    def __init__(self, model: FusionClassifier, task: Task, samples: int = 8) -> None:
        check_task(task)
        if not isinstance(model, FusionClassifier) or model.task_name != task.name:
            raise ValueError(f"model must be a FusionClassifier trained on task {task.name!r}, "
                             f"got {getattr(model, 'task_name', type(model).__name__)!r}")
        samples = integer(samples, "samples", 1, len(task.test))
        self.model, self.task, self.samples = model, task, samples
        self.names = [m.name for m in task.modalities]
        self.image_modality = self.names.index("image") if "image" in self.names else None
        with torch.no_grad():
            model.eval()
            self.predicted = model(task.test.first(samples)).argmax(-1)
        self.records = model.last.attention if model.last is not None else []
        self.unread = unread_queries(model, task)      # rows the loss never reads: greyed in the map
        self.heads = self.records[0].weights.shape[1]
        dpi = CSS_DPI * RATIO
        # the fusion explorer's compact sizes: controls and map fit a 1280×720 screen with the file browser
        self.attention_picture = AttentionPicture(SIZES[False]["attention"], dpi)
        self.blocks_picture = BlocksPicture(SIZES[False]["blocks"], dpi)
        self.image_picture = ImagePicture(dpi=dpi) if self.image_modality is not None else None
        self.controls = {
            "map": W.Dropdown(options=[(r.name, i) for i, r in enumerate(self.records)], value=0,
                              description="map", layout=W.Layout(width="360px")),
            "head": W.Dropdown(options=[("mean of heads", MEAN)] + [(f"head {h}", h)
                                                                     for h in range(self.heads)],
                               value=MEAN, description="head", style={"description_width": "48px"},
                               layout=W.Layout(width="190px")),
            "sample": W.IntSlider(value=0, min=0, max=samples - 1, description="sample"),
            "query": W.Dropdown(options=[("-", 0)], value=0, description="query"),
            "scale": W.ToggleButtons(options=[("fixed 0–1", "fixed"), ("auto", "auto")], value="fixed",
                                     description="colours", style={"button_width": "80px"}),
        }
        self.images = [W.Image(format="png") for _ in range(3)]
        self.thumbnail, self.sample_text, self.caption = W.Image(format="png"), W.HTML(), W.HTML()
        self.sample_text.add_class("mmviz-status")      # the viewer's status: the sample and the answer
        self.message = W.HTML()
        self.pngs = [b"", b"", b""]
        self.busy = False
        for control in self.controls.values():
            control.observe(self.on_change, names="value")
        c = self.controls
        wrap = W.Layout(flex_flow="row wrap")
        side = W.VBox([self.thumbnail, self.sample_text], layout=W.Layout(width="176px"))
        # The sample and its answer beside the map (on screen with the controls at 1280×720); the query's
        # picture, when the map has image keys, wraps below; what to look for comes last.
        self.view = W.VBox([W.Box([c["map"], c["head"], c["scale"]], layout=wrap),
                            W.Box([c["sample"], c["query"]], layout=wrap),
                            picture_row([self.images[0], self.images[1], side, self.images[2]]),
                            self.message, self.caption])
        self.refresh_queries()
        self.draw()

    def record(self):
        return self.records[self.controls["map"].value]

    def refresh_queries(self):
        """The query choices of the selected map and sample (words change from sample to sample)."""
        record, sample = self.record(), self.controls["sample"].value
        labels = self.task.labels_of(record.query_modality, sample)
        self.busy = True
        try:
            old = self.controls["query"].value
            self.controls["query"].options = [(label, i) for i, label in enumerate(labels)]
            self.controls["query"].value = old if old < len(labels) else 0
        finally:
            self.busy = False

    def on_change(self, change=None):
        if self.busy:
            return
        if change is not None and change["owner"] in (self.controls["map"], self.controls["sample"]):
            self.refresh_queries()
        self.draw()

    def draw(self):
        c, record = self.controls, self.record()
        head = None if c["head"].value == MEAN else c["head"].value
        sample, query = c["sample"].value, c["query"].value
        queries = self.task.labels_of(record.query_modality, sample)
        keys = self.task.labels_of(record.key_modality, sample)
        self.attention_picture.draw(record, head, sample, queries, keys, self.names, scale=c["scale"].value,
                                    unread=self.unread[c["map"].value].numpy())
        self.blocks_picture.draw(record, sample, head, modality_names=self.names,
                                 title=f"attention between modalities\n{record.name}")
        self.pngs[0] = show_png(self.images[0], self.attention_picture.png())
        self.pngs[1] = show_png(self.images[1], self.blocks_picture.png())
        self.caption.value = what_to_look_for(record, self.names, True, self.attention_picture.uniform_level)
        self.sample_text.value = sample_html(self.task, sample, self.predicted[sample], True)
        if self.image_modality is not None:
            show_png(self.thumbnail, thumbnail_png(self.task.image(sample)))
        self.thumbnail.layout.display = None if self.image_modality is not None else "none"
        on_image = (record.key_modality == self.image_modality) if self.image_picture else None
        if on_image is not None and on_image.any():
            weights = select_weights(record, head, sample)
            w = weights[query, on_image.numpy()]
            norm = colour_norm(c["scale"].value, weights.max())        # the map's scale: the two compare
            uniform = 1.0 / max(int((weights[query] > 0).sum()), 1)
            self.image_picture.draw(self.task.image(sample), w, f'where "{queries[query]}" looks', norm,
                                    uniform)
            self.pngs[2] = show_png(self.images[2], self.image_picture.png())
            self.images[2].layout.display = None
            self.message.value = ""
        else:
            self.pngs[2] = b""
            self.images[2].layout.display = "none"
            self.message.value = "<i>this map has no image keys: nothing to draw on the picture</i>"

    def pictures(self):
        return [p for p in self.pngs if p]

    def describe(self):
        return f"{self.model.variant} on {self.task.name!r}, map {self.record().name!r}"


def stage_viewer(model: FusionClassifier, task: Task, samples: int = 8) -> StageViewer:
    """A live viewer of a trained FusionClassifier's attention maps; display it as a cell's last line."""
    return StageViewer(model, task, samples)
