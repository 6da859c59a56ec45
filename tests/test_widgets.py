"""The explorers, driven through ``explorer.controls`` as a student would drive them."""
import numpy as np
import pytest

from mmviz.explore import FusionExplorer, fusion_explorer, norm_explorer

SMALL = dict(dim=16, depth=1, heads=2, steps=3, batch_size=8, samples=4, n_train=32, n_test=8)


def drawn(explorer):
    return explorer.attention_picture.image.get_array().copy()


@pytest.fixture(scope="module")
def tally():
    return fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2, **SMALL)


def test_controls_are_the_ones_the_issue_names(tally):
    names = {"variant", "num_modalities", "alpha", "norm", "layer", "head", "sample", "train"}
    assert set(tally.controls) == names
    assert isinstance(tally.controls["alpha"], list)


def test_changing_alpha_changes_the_drawn_attention():
    explorer = fusion_explorer(task="streams", variant="early_summation", **SMALL)
    assert explorer.alpha_box.layout.display is None                      # shown: summation uses α
    before, png = drawn(explorer), explorer.attention_png
    explorer.controls["alpha"][1].value = 0.0
    assert not np.allclose(before, drawn(explorer))
    assert png != explorer.attention_png


def test_number_of_modalities_sets_alpha_sliders_and_modality_blocks(tally):
    c = tally.controls
    for m in (3, 4, 2):
        c["num_modalities"].value = m
        assert len(c["alpha"]) == m and len(tally.alpha_box.children) == m
        assert tally.blocks_picture.mass.shape == (m, m)
    assert tally.alpha_box.layout.display == "none"                       # concatenation ignores α


def test_a_task_with_fixed_modalities_keeps_them_and_its_options():
    from mmviz import make_task

    shuffled = make_task("streams", n_train=32, n_test=8, aligned=False)
    explorer = fusion_explorer(task=shuffled, variant="early_summation", **SMALL)
    slider = explorer.controls["num_modalities"]
    assert slider.disabled and slider.value == 2       # only 'tally' varies the number of modalities
    explorer.controls["variant"].value = "early_concatenation"
    explorer.controls["variant"].value = "early_summation"
    assert explorer.task.options["aligned"] is False   # the reader's task, not a default one
    named = fusion_explorer(task="locate", **SMALL)
    assert named.controls["num_modalities"].disabled and named.controls["num_modalities"].value == 2


def test_impossible_combination_shows_a_message_and_the_explorer_stays_usable():
    explorer = fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2, **SMALL)
    c = explorer.controls
    c["variant"].value = "early_summation"                                # image 16 tokens, caption 3
    assert "cannot run" in explorer.message.value and "token counts" in explorer.message.value
    assert explorer.pictures_box.layout.display == "none" and c["train"].disabled
    c["variant"].value = "cross_attention"
    c["num_modalities"].value = 1
    assert "at least 2 modalities" in explorer.message.value
    c["num_modalities"].value = 2
    assert explorer.message.value == "" and explorer.pictures_box.layout.display is None
    assert not c["train"].disabled


def test_layer_head_and_sample_selectors_redraw(tally):
    c = tally.controls
    c["variant"].value = "hierarchical_multi_to_one"
    assert len(c["layer"].options) == 3                                   # two encoders + joint
    seen = []
    for name, value in (("layer", 2), ("head", 1), ("sample", 3)):
        c[name].value = value
        seen.append(drawn(tally))
    assert not np.allclose(seen[0], seen[1]) and not np.allclose(seen[1], seen[2])


def test_train_button_trains_and_redraws():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    before = drawn(explorer)
    explorer.controls["train"].click()
    assert explorer.trained and explorer.progress.value == SMALL["steps"]
    assert "trained 3 steps" in explorer.status.value
    assert not np.allclose(before, drawn(explorer))


def test_static_bundle_has_widget_view_picture_and_text(tally):
    bundle = tally._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"].startswith(b"\x89PNG") and "FusionExplorer" in bundle["text/plain"]


def test_bad_arguments_raise_readable_errors():
    with pytest.raises(ValueError, match="task"):
        FusionExplorer(task="nope")
    with pytest.raises(ValueError, match="num_modalities"):
        FusionExplorer(num_modalities=5)


def test_norm_explorer_redraws_grad_norms_and_trains_a_curve():
    explorer = norm_explorer(depth=2, max_depth=4, dim=16, steps=3)
    c = explorer.controls
    assert set(c) == {"depth", "norm", "init", "warmup", "train"}
    lines = explorer.grad_picture.lines
    assert len(lines["pre"].get_xdata()) == 2
    c["depth"].value = 4
    assert len(lines["pre"].get_xdata()) == 4 and len(lines["post"].get_xdata()) == 4
    png = explorer.curve_png
    c["train"].click()
    assert len(explorer.curves) == 1 and explorer.curve_png != png
    bundle = explorer._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_norm_explorer_measures_every_depth_in_the_background():
    explorer = norm_explorer(depth=2, max_depth=3)
    explorer.prefetch.join(timeout=60)
    assert set(explorer.norm_cache) == {(d, i) for d in (1, 2, 3) for i in ("xavier", "default")}
    on_demand = norm_explorer(depth=3, max_depth=3, prefetch=False)
    assert set(on_demand.norm_cache) == {(3, "xavier")}                  # only what was drawn
    assert on_demand.norm_cache[3, "xavier"] == explorer.norm_cache[3, "xavier"]


def test_with_picture_carries_the_current_png_for_kernel_less_viewers():
    import base64

    import ipywidgets as W

    from mmviz.explore import with_picture

    image = W.Image(value=b"\x89PNG\r\n\x1a\nfirst", format="png")
    shown = with_picture(W.VBox([image]), image)
    image.value = b"\x89PNG\r\n\x1a\nsecond"
    bundle = shown._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).endswith(b"second")     # the latest picture
