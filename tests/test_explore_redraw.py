"""Explorer redraws at 2×: each frame is the picture a full draw makes, and a change redraws only what
it changes (a view change runs no model; an unchanged picture is not drawn or encoded again)."""
import io

import numpy as np
import pytest
from PIL import Image

from mmviz.explore import fusion_explorer, norm_explorer
from mmviz.explore.base import CSS_DPI, RATIO, png_size
from mmviz.plot import AttentionPicture, Figure, LivePng
from mmviz.plot.base import png_bytes, themed
from mmviz.train import FusionClassifier

SMALL = dict(dim=16, depth=2, heads=2, steps=3, batch_size=8, samples=4, n_train=32, n_test=8)


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def full_draw(live):
    """The picture drawn from scratch, every artist in its z-order (what blitting must reproduce)."""
    with themed():
        live.canvas.draw()
    return np.asarray(live.canvas.buffer_rgba())[..., :3]


def assert_same_as_full_draw(picture, png):
    assert np.array_equal(pixels(png), full_draw(picture.live))


@pytest.fixture()
def explorer():
    return fusion_explorer(task="tally", variant="early_concatenation", num_modalities=3, **SMALL)


def forward_counter(model):
    calls = []
    model.register_forward_hook(lambda *args: calls.append(1))
    return calls


@pytest.mark.parametrize("control, value", [("head", 1), ("sample", 2), ("layer", 1), ("scale", "auto"),
                                            ("variant", "cross_attention"), ("num_modalities", 4),
                                            ("norm", "post")])
def test_every_frame_is_what_a_full_draw_shows(explorer, control, value):
    explorer.controls["head"].value = 0                  # one move before: the frame under test is blitted
    explorer.controls[control].value = value
    assert_same_as_full_draw(explorer.attention_picture, explorer.attention_png)
    assert_same_as_full_draw(explorer.blocks_picture, explorer.blocks_png)


def test_alpha_frames_of_early_summation_are_what_a_full_draw_shows():
    explorer = fusion_explorer(task="streams", variant="early_summation", **SMALL)
    for value in (0.2, 0.9):
        explorer.controls["alpha"][0].value = value
        assert explorer.alpha_picture.alpha[0] == value
        assert_same_as_full_draw(explorer.attention_picture, explorer.attention_png)
        assert_same_as_full_draw(explorer.alpha_picture, explorer.blocks_png)


def test_hatched_unread_rows_come_and_go_as_in_a_full_draw(explorer):
    record = explorer.output.attention[0]
    picture = AttentionPicture(dpi=CSS_DPI * RATIO)
    rows = np.zeros(record.weights.shape[2], bool)
    rows[1:3] = True
    for unread in (None, rows, None):
        picture.draw(record, unread=unread)
        png = picture.png()
        assert picture.shade.get_visible() == (unread is not None)
        assert_same_as_full_draw(picture, png)


def test_a_view_change_runs_no_model_and_alpha_does(explorer):
    calls = forward_counter(explorer.model)
    for control, value in (("head", 1), ("layer", 1), ("sample", 3), ("scale", "auto"), ("head", -1)):
        before = explorer.attention_png
        explorer.controls[control].value = value
        assert explorer.attention_png != before           # redrawn ...
    assert calls == []                                    # ... from the outputs already computed
    summation = fusion_explorer(task="streams", variant="early_summation", **SMALL)
    calls = forward_counter(summation.model)
    summation.controls["alpha"][1].value = 0.0
    assert len(calls) >= 2                                # α acts at inference: maps and accuracy again


def test_a_change_redraws_only_the_layers_it_changes(explorer):
    live = explorer.attention_picture.live
    explorer.controls["head"].value = 1
    counts = lambda: (live.full_draws, live.layer_draws)  # noqa: E731
    drawn = counts()
    explorer.controls["head"].value = 0                   # the pixels and the title only
    assert counts() == drawn
    explorer.controls["sample"].value = 3                 # other words on the axes: the labels layer
    assert counts() == (drawn[0], drawn[1] + 1)
    explorer.controls["sample"].value = 0                 # words seen before: that layer is kept
    assert counts() == (drawn[0], drawn[1] + 1)
    explorer.controls["variant"].value = "hierarchical_multi_to_one"      # new token layout: a layer
    assert counts() == (drawn[0], drawn[1] + 2)
    explorer.controls["scale"].value = "auto"             # another colour bar: everything
    assert counts() == (drawn[0] + 1, drawn[1] + 3)


def test_an_unchanged_picture_is_not_drawn_again():
    explorer = fusion_explorer(task="streams", variant="early_summation", **SMALL)
    alpha_live, png = explorer.alpha_picture.live, explorer.blocks_png
    frames = alpha_live.frames
    explorer.controls["head"].value = 1                   # the map changes, α does not
    assert explorer.blocks_png is png and alpha_live.frames == frames
    explorer.controls["alpha"][0].value = 0.1
    assert explorer.blocks_png != png and alpha_live.frames == frames + 1


def test_pngs_stay_at_twice_the_css_size(explorer):
    explorer.controls["sample"].value = 1
    e = explorer
    for picture, png, image in ((e.attention_picture, e.attention_png, e.attention_image),
                                (e.blocks_picture, e.blocks_png, e.blocks_image)):
        width, height = picture.figure.get_size_inches() * CSS_DPI
        assert png_size(png) == (round(width * RATIO), round(height * RATIO))
        assert (image.layout.width, image.layout.height) == (f"{width:g}px", f"{height:g}px")


def test_png_bytes_hold_the_canvas_pixels_dropping_alpha_only_where_the_figure_is_opaque():
    with themed():
        opaque, clear = Figure(figsize=(1, 1.5), dpi=20), Figure(figsize=(1, 1.5), dpi=20)
        clear.patch.set_alpha(0.0)
        for figure in (opaque, clear):
            figure.add_axes((0.2, 0.2, 0.6, 0.6)).plot([0, 1], [1, 0], alpha=0.5)
    modes = []
    for figure in (opaque, clear):
        live = LivePng(figure)
        live.render([])
        image = Image.open(io.BytesIO(png_bytes(live.canvas)))
        modes.append(image.mode)
        held = np.asarray(live.canvas.buffer_rgba())
        assert np.array_equal(np.asarray(image), held[..., :len(image.mode)])
    assert modes == ["RGB", "RGBA"]


def test_switching_back_reuses_the_answers_and_training_runs_the_model_again(explorer, monkeypatch):
    maps = explorer.output
    explorer.controls["variant"].value = "cross_attention"
    calls, real = [], FusionClassifier.forward
    monkeypatch.setattr(FusionClassifier, "forward", lambda *a, **k: calls.append(1) or real(*a, **k))
    explorer.controls["variant"].value = "early_concatenation"
    assert explorer.output is maps and calls == []        # rebuilt with the same seed: its maps kept
    explorer.controls["train"].click()                    # trains, then runs the trained model
    ran = len(calls)
    explorer.controls["norm"].value = "post"              # the untrained post-norm model: run once
    explorer.controls["norm"].value = "pre"               # the trained model's answers: kept
    assert len(calls) > ran and "trained 3 steps" in explorer.status.value
    both = len(calls)
    explorer.controls["norm"].value = "post"
    assert len(calls) == both


def test_norm_explorer_redraws_lines_alone_for_pre_post_and_all_for_a_new_depth():
    explorer = norm_explorer(depth=2, max_depth=3, dim=16, steps=3, prefetch=False)
    c, live = explorer.controls, explorer.grad_live
    draws = live.full_draws
    c["norm"].value = "pre"                               # which line is bold: the lines only
    assert live.full_draws == draws
    assert np.array_equal(pixels(explorer.grad_png), full_draw(live))
    c["depth"].value = 3                                  # other norms: other scales, everything
    assert live.full_draws == draws + 1
    assert np.array_equal(pixels(explorer.grad_png), full_draw(live))
    c["train"].click()
    c["warmup"].value = False                             # the curve figure: the chosen line, the legend
    curve = explorer.curve_live
    assert curve.full_draws == 2                          # the note, then the first curve: no more
    assert np.array_equal(pixels(explorer.curve_png), full_draw(curve))


def test_the_pictures_are_sent_before_the_test_accuracy_is_measured(explorer, monkeypatch):
    import mmviz.explore.fusion as fusion

    order = []
    explorer.attention_image.observe(lambda change: order.append("picture"), names="value")
    real = fusion.evaluate
    monkeypatch.setattr(fusion, "evaluate", lambda *a, **k: order.append("accuracy") or real(*a, **k))
    explorer.controls["variant"].value = "cross_attention"
    assert order == ["picture", "accuracy"]
    assert "test accuracy" in explorer.status.value
