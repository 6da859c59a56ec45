"""The explorers, driven through ``explorer.controls`` as a student would drive them."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmviz import evaluate, make_task, norm_training_curve
from mmviz.explore import FusionExplorer, fusion_explorer, norm_explorer
from mmviz.explore.base import MEAN, RATIO, png_size
from mmviz.measure import select_weights

SMALL = dict(dim=16, depth=1, heads=2, steps=3, batch_size=8, samples=4, n_train=32, n_test=8)


def drawn(explorer):
    return explorer.attention_picture.image.get_array().copy()


@pytest.fixture(scope="module")
def tally():
    return fusion_explorer(task="tally", variant="early_concatenation", num_modalities=2, **SMALL)


def test_controls_are_the_ones_the_issue_names(tally):
    names = {"variant", "num_modalities", "alpha", "norm", "layer", "head", "sample", "scale", "train",
             "target", "projector"}                     # issue 21: train to the task's target; projector mode
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
    assert set(c) == {"depth", "norm", "init", "warmup", "lr", "train"}
    lines = explorer.grad_picture.lines
    assert len(lines["pre"].get_xdata()) == 2
    c["depth"].value = 4
    assert len(lines["pre"].get_xdata()) == 4 and len(lines["post"].get_xdata()) == 4
    png = explorer.curve_png
    c["train"].click()
    assert len(explorer.curves) == 1 and explorer.curve_png != png
    c["lr"].value = 1e-3                       # a second curve at another learning rate, both kept
    c["train"].click()
    assert sorted(k[-1] for k in explorer.curves) == [1e-3, 1e-2]
    slow = explorer.curves[4, "xavier", "post", True, 1e-3]
    assert slow == norm_training_curve("post", 4, warmup=True, steps=3, seed=0, lr=1e-3)
    assert "lr 0.001" in explorer.describe()
    bundle = explorer._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_norm_explorer_measures_every_depth_in_the_background():
    explorer = norm_explorer(depth=2, max_depth=3)
    explorer.prefetch.join(timeout=600)
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


# --- issue 16.4: explorers that never get stuck or leak ----------------------------------------




def css_size(png):
    """The CSS width and height at which a PNG drawn at RATIO pixels per CSS pixel shows unscaled."""
    width, height = png_size(png)
    return f"{width / RATIO:g}px", f"{height / RATIO:g}px"


def live_widgets():
    from ipywidgets.widgets.widget import _instances

    return len(_instances)


def test_a_small_task_caps_the_sample_slider_and_every_sample_draws():
    small = make_task("match", n_train=20, n_test=3)
    explorer = fusion_explorer(task=small, variant="early_concatenation", **{**SMALL, "samples": 8})
    slider = explorer.controls["sample"]
    assert slider.max == 2 == len(small.test) - 1
    for value in (2, 0, 1):
        slider.value = value
        assert np.allclose(drawn(explorer), select_weights(explorer.output.attention[0], None, value))
    explorer.controls["variant"].value = "cross_attention"              # still alive after the moves
    assert explorer.message.value == ""


@pytest.mark.parametrize("name", ["steps", "batch_size", "samples", "dim", "n_test"])
@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_sizes_that_cannot_work_are_refused_at_construction(name, value):
    with pytest.raises(ValueError, match=name):
        fusion_explorer(task="streams", **{**SMALL, name: value})


def test_alpha_sliders_are_closed_when_replaced_so_the_widget_count_stays_flat(tally):
    c = tally.controls
    for m in (1, 2, 3, 4):
        c["num_modalities"].value = m
    before = live_widgets()
    old = list(c["alpha"])
    for _ in range(6):
        for m in (1, 3, 2, 4):
            c["num_modalities"].value = m
    assert live_widgets() == before
    assert all(s.comm is None for s in old if s not in c["alpha"])        # closed, not just dropped


def test_train_counts_every_step_and_says_that_warm_up_restarts():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    for _ in range(3):
        explorer.controls["train"].click()
    assert "trained 9 steps in 3 runs" in explorer.status.value
    assert "warms up again" in explorer.status.value
    assert "more steps" in explorer.controls["train"].description


def test_the_disabled_modality_slider_set_in_code_cannot_desync_the_description():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    slider = explorer.controls["num_modalities"]
    assert slider.disabled
    slider.value = 4
    assert slider.value == 2 and explorer.task.num_modalities == 2
    assert "2 modalities" in explorer.describe()


# --- issue 17: explorers keep work, show inputs and answers, compare across settings -------------


def test_a_trained_model_is_kept_per_setting_and_switching_back_shows_it():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    explorer.controls["train"].click()
    trained = explorer.model
    explorer.controls["variant"].value = "cross_attention"
    assert not explorer.trained and "untrained" in explorer.status.value
    assert "is kept" in explorer.message.value
    explorer.controls["variant"].value = "early_concatenation"
    assert explorer.trained and explorer.model is trained and "trained 3 steps" in explorer.status.value


def test_alpha_re_evaluates_the_accuracy_live():
    explorer = fusion_explorer(task="streams", variant="early_summation", **SMALL)
    explorer.controls["train"].click()
    for value in (0.0, 1.0, 0.3):
        explorer.controls["alpha"][1].value = value
        assert f"α = (0.50, {value:.2f})" in explorer.status.value
        assert explorer.alpha_picture.alpha == [0.5, value]                # the right panel shows α
    assert explorer.accuracy == evaluate(explorer.model, explorer.task)["accuracy"]


def test_the_sample_panel_shows_the_inputs_the_answer_and_the_models_answer():
    explorer = fusion_explorer(task="match", variant="early_concatenation", **SMALL)
    task = explorer.task
    for sample in (0, 3):
        explorer.controls["sample"].value = sample
        text = explorer.sample_text.value
        assert f"test sample {sample}" in text
        assert " ".join(task.token_labels(sample)[1]) in text                  # the caption's words
        assert f"answer</b>: {task.class_names[int(task.test.labels[sample])]}" in text
        assert "model says" in text
        assert explorer.thumbnail.layout.display is None and explorer.thumbnail.value[:4] == b"\x89PNG"


def test_pictures_are_shown_at_their_natural_size():
    explorer = fusion_explorer(task="match", variant="early_concatenation", **SMALL)
    for image in (explorer.attention_image, explorer.blocks_image, explorer.thumbnail):
        assert (image.layout.width, image.layout.height) == css_size(image.value)
    assert explorer.pictures_box.layout.flex_flow == "row wrap"


def test_the_colour_scale_is_fixed_across_settings_unless_auto():
    explorer = fusion_explorer(task="tally", variant="early_concatenation", **SMALL)
    c, image = explorer.controls, explorer.attention_picture.image
    limits = set()
    for variant in ("early_concatenation", "hierarchical_multi_to_one", "cross_attention"):
        c["variant"].value = variant
        limits.add((image.norm.vmin, image.norm.vmax))
    assert limits == {(0.0, 1.0)}
    c["scale"].value = "auto"
    assert image.norm.vmax == pytest.approx(drawn(explorer).max())
    level = explorer.attention_picture.uniform_level
    assert level == pytest.approx(np.mean(1 / (drawn(explorer) > 0).sum(1)))
    assert "uniform" in explorer.caption.value


def test_the_caption_says_what_to_look_for_and_changes_with_the_setting():
    explorer = fusion_explorer(task="tally", variant="hierarchical_multi_to_one", **SMALL)
    c, captions = explorer.controls, set()
    for layer in range(len(c["layer"].options)):
        c["layer"].value = layer
        captions.add(explorer.caption.value)
    assert len(captions) == len(c["layer"].options)               # each stage its own sentence
    assert "Untrained" in explorer.caption.value
    explorer.controls["train"].click()
    assert "Trained" in explorer.caption.value


def test_the_variant_dropdown_is_wide_enough_for_every_name():
    explorer = fusion_explorer(task="streams", **SMALL)
    width = int(explorer.controls["variant"].layout.width.rstrip("px"))
    longest = max(len(v) for v in explorer.controls["variant"].options)
    label = int(explorer.controls["variant"].style.description_width.rstrip("px"))
    assert width - label >= 8 * longest                      # ~8 px a character at 13 px, after the label


ACTIONS = st.one_of(
    st.tuples(st.just("variant"), st.sampled_from(["early_summation", "early_concatenation",
                                                   "hierarchical_multi_to_one", "hierarchical_one_to_multi",
                                                   "cross_attention", "cross_attention_to_concatenation"])),
    st.tuples(st.just("num_modalities"), st.integers(1, 4)),
    st.tuples(st.just("norm"), st.sampled_from(["pre", "post"])),
    st.tuples(st.just("layer"), st.integers(0, 5)),
    st.tuples(st.just("head"), st.integers(-1, 1)),
    st.tuples(st.just("sample"), st.integers(0, 7)),
    st.tuples(st.just("scale"), st.sampled_from(["fixed", "auto"])),
    st.tuples(st.just("alpha"), st.tuples(st.integers(0, 3), st.floats(0, 1))),
    st.tuples(st.just("train"), st.just(None)),
)


def act(explorer, name, value):
    """What a student can do: pick an offered option, move a slider within its range, click."""
    c = explorer.controls
    if name == "train":
        if not c["train"].disabled:
            c["train"].click()
    elif name == "alpha":
        i, v = value
        if i < len(c["alpha"]):
            c["alpha"][i].value = round(v / 0.05) * 0.05
    elif name in ("layer", "head"):
        values = [v for _, v in c[name].options]
        c[name].value = values[value % len(values)]
    elif name in ("sample", "num_modalities"):
        c[name].value = min(max(value, c[name].min), c[name].max)
    else:
        c[name].value = value


def consistent(explorer):
    """The picture matches the controls, the α sliders the task, the description the task."""
    c = explorer.controls
    assert len(c["alpha"]) == len(explorer.alpha_box.children)
    if explorer.output is None:                        # an impossible combination, said in the widget
        assert "cannot run" in explorer.message.value and c["train"].disabled
        return
    assert len(c["alpha"]) == explorer.task.num_modalities
    assert f"{explorer.task.num_modalities} modalities" in explorer.describe()
    record = explorer.output.attention[c["layer"].value]
    head = None if c["head"].value == MEAN else c["head"].value
    assert np.allclose(drawn(explorer), select_weights(record, head, c["sample"].value))
    assert record.name in explorer.attention_picture.title.get_text()
    assert c["sample"].max == min(explorer.samples, len(explorer.task.test)) - 1



TINY = dict(dim=8, depth=1, heads=2, steps=2, batch_size=4, samples=4, n_train=16, n_test=3)


@pytest.fixture(scope="module")
def fuzzed():
    return {"tally": fusion_explorer(task="tally", **TINY),
            "streams": fusion_explorer(task="streams", variant="early_summation", **TINY),
            "small match": fusion_explorer(task=make_task("match", n_train=8, n_test=2), **TINY)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["tally", "streams", "small match"]), actions=st.lists(ACTIONS, max_size=8))
def test_random_interaction_sequences_never_escape_and_keep_the_picture_true(fuzzed, which, actions):
    explorer = fuzzed[which]
    for name, value in actions:
        act(explorer, name, value)
        consistent(explorer)
    before = live_widgets()
    for m in (1, 2, 3, 4, 2):                                # a cycle of every count: no new widgets
        act(explorer, "num_modalities", m)
    assert live_widgets() <= before + 4                       # at most the sliders of the largest count


# --- issue 16.8: the norm explorer's foreground never waits for the background pass --------------


def test_the_background_pass_pauses_while_a_control_is_answered(monkeypatch):
    import threading

    import mmviz.explore.norm as norm_module

    started, release = [], threading.Event()
    real = norm_module.grad_norms_at_init

    def counted(norm, depth, *args):
        started.append((threading.current_thread().name, depth, norm))
        if threading.current_thread() is not threading.main_thread():
            release.wait(5)                         # a slow background unit
        return real(norm, depth, *args)

    monkeypatch.setattr(norm_module, "grad_norms_at_init", counted)
    explorer = norm_explorer(depth=1, max_depth=6, dim=8, steps=2)
    explorer.foreground.set()                       # as while a control is answered
    release.set()
    import time

    time.sleep(0.5)
    background = [s for s in started if s[0] != threading.main_thread().name]
    assert len(background) <= 1                     # at most the unit already running when it paused
    explorer.foreground.clear()
    explorer.prefetch.join(timeout=600)
    assert set(explorer.norm_cache) == {(d, i) for d in range(1, 7) for i in ("xavier", "default")}


def test_a_depth_not_yet_measured_says_so_at_once_and_is_then_drawn():
    explorer = norm_explorer(depth=1, max_depth=8, dim=8, steps=2, prefetch=False)
    said = []
    explorer.message.observe(lambda change: said.append(change["new"]), names="value")
    explorer.controls["depth"].value = 8
    assert any("measuring gradient norms at depth 8" in s for s in said)
    assert explorer.message.value == ""
    assert len(explorer.grad_picture.lines["post"].get_xdata()) == 8
    said.clear()
    explorer.controls["depth"].value = 1                      # cached: no message at all
    assert said == []


def test_the_background_pass_follows_the_slider():
    explorer = norm_explorer(depth=1, max_depth=12, dim=8, steps=2, prefetch=False)
    explorer.controls["depth"].value = 12
    order = []
    real = explorer.measure_unit
    explorer.measure_unit = lambda d, i, n: (order.append((d, i)), real(d, i, n))[1]
    explorer.measure_all(12)
    assert order[0] == (12, "xavier") and order[2][0] == 11        # nearest the shown depth first
    assert [i for _, i in order].index("default") == 2 * 12         # every xavier depth first


# --- the stage viewer: the map's scale on a greyscale picture, the sample beside it ---------------


@pytest.fixture(scope="module")
def viewer():
    from mmviz import FusionClassifier
    from mmviz.explore import stage_viewer

    task = make_task("match", n_train=16, n_test=6)
    model = FusionClassifier("cross_attention_to_concatenation", task, dim=16, depth=1, heads=2)
    return stage_viewer(model, task, samples=4)


def test_the_stage_viewer_draws_on_the_picture_in_grey_with_the_maps_scale(viewer):
    c = viewer.controls
    on_image = [i for i, r in enumerate(viewer.records) if (r.key_modality == 0).any()]
    c["map"].value = next(i for i in on_image if viewer.records[i].stage.startswith("cross"))
    picture = viewer.image_picture
    assert picture.photo.get_array().ndim == 2                       # grey: the picture's own colours
    assert (picture.overlay.norm.vmin, picture.overlay.norm.vmax) == (0.0, 1.0)   # fixed, as the map
    c["scale"].value = "auto"
    assert picture.overlay.norm.vmax == pytest.approx(viewer.attention_picture.image.norm.vmax)
    record = viewer.records[c["map"].value]
    assert picture.uniform.get_ydata()[0] == pytest.approx(1 / (record.key_modality >= 0).sum().item())
    c["scale"].value = "fixed"


def test_the_stage_viewer_shows_the_sample_and_its_answer(viewer):
    task = viewer.task
    for sample in (0, 3):
        viewer.controls["sample"].value = sample
        assert " ".join(task.token_labels(sample)[1]) in viewer.sample_text.value
        assert "model says" in viewer.sample_text.value
        assert "What to look for" in viewer.caption.value
    for image in viewer.images:
        if image.value:
            assert (image.layout.width, image.layout.height) == css_size(image.value)


def test_the_norm_explorer_says_what_to_look_for_with_the_papers_prediction():
    explorer = norm_explorer(depth=2, max_depth=3, dim=8, steps=2, prefetch=False)
    c = explorer.controls
    post = explorer.caption.value
    assert "d·√(ln d)" in post and "whatever the depth" in post and "Xavier" in post
    c["norm"].value = "pre"
    assert "√(ln d / L)" in explorer.caption.value
    c["init"].value = "default"
    assert "need not hold" in explorer.caption.value


def test_the_background_pass_leaves_torchs_thread_count_alone():
    import torch

    before = torch.get_num_threads()
    explorer = norm_explorer(depth=1, max_depth=4, dim=8, steps=2)
    for depth in (4, 2, 3):
        explorer.controls["depth"].value = depth
    explorer.prefetch.join(timeout=600)
    assert torch.get_num_threads() == before


# --- issue 21: explorers that fit a screen, say what to do, and never show a stale state --------------


def test_a_fresh_summation_models_alpha_is_one_over_m_after_changing_m():
    explorer = fusion_explorer(task="sync", variant="early_summation", num_modalities=1, **SMALL)
    c = explorer.controls
    for m in (2, 4, 3, 1, 3):                   # 1→2→4 once gave 1.0, 0.5, 0.25, 0.25; 4→3 gave 0.25 each
        c["num_modalities"].value = m
        assert [s.value for s in c["alpha"]] == pytest.approx([1 / m] * m)
        assert explorer.model.fusion.alpha.tolist() == pytest.approx([1 / m] * m)
    c["num_modalities"].value = 2
    c["alpha"][0].value, c["alpha"][1].value = 1.0, 0.0
    c["train"].click()                          # a kept model keeps its own α when its M comes back
    c["num_modalities"].value = 3
    assert [s.value for s in c["alpha"]] == pytest.approx([1 / 3] * 3)
    c["num_modalities"].value = 2
    assert [s.value for s in c["alpha"]] == [1.0, 0.0] and explorer.trained


def test_a_refusal_clears_the_status_the_progress_bar_and_every_control_that_needs_a_model():
    explorer = fusion_explorer(task="tally", variant="early_summation", num_modalities=1, **SMALL)
    c = explorer.controls
    c["train"].click()
    assert explorer.progress.value == SMALL["steps"] and "trained 3 steps" in explorer.status.value
    c["num_modalities"].value = 2                                         # image 16 tokens, caption 3
    assert "cannot run" in explorer.message.value
    assert "cannot run" in explorer.status.value and "test accuracy" not in explorer.status.value
    assert explorer.progress.value == 0
    assert explorer.alpha_box.layout.display == "none" and all(s.disabled for s in c["alpha"])
    assert all(c[name].disabled for name in ("layer", "head", "sample", "scale", "train", "target"))
    c["num_modalities"].value = 1                                         # back: the trained model
    assert "trained 3 steps" in explorer.status.value and not any(s.disabled for s in c["alpha"])
    assert not any(c[name].disabled for name in ("layer", "head", "sample", "scale", "train", "target"))


def test_the_train_button_says_more_only_for_a_trained_model():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    c = explorer.controls
    assert c["train"].description == "Train 3 steps" and "untrained" in explorer.status.value
    c["train"].click()
    assert c["train"].description == "Train 3 more steps"
    c["variant"].value = "cross_attention"                                # untrained here
    assert c["train"].description == "Train 3 steps" and "untrained" in explorer.status.value
    c["variant"].value = "early_concatenation"
    assert c["train"].description == "Train 3 more steps"


def test_a_task_object_keeps_the_modalities_slider_live_where_the_task_allows_it():
    tally = make_task("tally", num_modalities=2, n_train=32, n_test=8, seed=0)
    explorer = fusion_explorer(task=tally, variant="early_concatenation", **SMALL)   # notebook 10's call
    slider = explorer.controls["num_modalities"]
    assert not slider.disabled and slider.layout.display is None
    assert explorer.modalities_note.layout.display == "none"
    slider.value = 3
    assert explorer.task.num_modalities == 3 and len(explorer.task.train) == 32
    assert explorer.blocks_picture.mass.shape == (3, 3)
    slider.value = 2
    assert explorer.task is tally                                         # the reader's own task
    fixed = fusion_explorer(task=make_task("streams", n_train=32, n_test=8), **SMALL)
    slider = fixed.controls["num_modalities"]
    assert slider.disabled and slider.layout.display == "none"            # hidden, and said why
    assert fixed.modalities_note.layout.display is None
    assert "fixed by task 'streams'" in fixed.modalities_note.value


@pytest.fixture()
def target_of(monkeypatch):
    """Set the task's target accuracy and budget of steps, as ``mmviz.data`` would give them."""
    import mmviz.explore.fusion as fusion

    def set_target(accuracy, steps):
        monkeypatch.setattr(fusion, "intended", lambda name: (("early_summation",), accuracy))
        monkeypatch.setattr(fusion, "task_budget", lambda name: {"steps": steps, "lr": 3e-3, "warmup": 5})
    return set_target


def test_train_to_target_stops_at_the_target_and_says_what_to_move_and_watch(target_of):
    from mmviz.explore.fusion import CHECK_EVERY

    target_of(0.0, 60)                                   # reached at the first check
    explorer = fusion_explorer(task="sync", variant="early_summation", **SMALL)
    assert "Train to target" not in explorer.status.value and "first" in explorer.status.value
    explorer.controls["target"].click()
    assert explorer.kept[explorer.shown].steps == CHECK_EVERY
    assert (explorer.progress.value, explorer.progress.max) == (CHECK_EVERY, 60)
    status = explorer.status.value
    assert f"trained {CHECK_EVERY} steps" in status and "Target 0% reached" in status
    assert "move an α slider" in status and "accuracy in this line" in status
    target_of(1.01, 30)                                  # out of reach: the whole budget, and why
    other = fusion_explorer(task="sync", variant="early_concatenation", **SMALL)
    other.controls["target"].click()
    assert other.kept[other.shown].steps == 30
    assert "Below the target 101%" in other.status.value
    assert "not one this task is made for" in other.status.value


def test_an_interrupted_run_counts_the_steps_it_really_trained(monkeypatch):
    import mmviz.explore.fusion as fusion

    real = fusion.fit

    def interrupted(*args, callback=None, **kwargs):
        def stop_at_4(step, history):
            callback(step, history)
            if step == 4:
                raise KeyboardInterrupt                   # the kernel's stop button, mid-run
        return real(*args, callback=stop_at_4, **kwargs)

    monkeypatch.setattr(fusion, "fit", interrupted)
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **{**SMALL, "steps": 10})
    explorer.controls["train"].click()
    assert explorer.kept[explorer.shown].steps == 5 and explorer.progress.value == 5
    assert "trained 5 steps" in explorer.status.value and "interrupted after 5 steps" in explorer.status.value
    assert not explorer.controls["train"].disabled


def tick_label_sizes(figure):
    figure.canvas.draw()
    return [t.get_fontsize() for ax in figure.axes for t in ax.get_xticklabels() + ax.get_yticklabels()
            if t.get_text() and t.get_visible()]


def test_projector_mode_draws_every_tick_label_at_12_pt_or_more():
    explorer = fusion_explorer(task="sync", variant="early_summation", **SMALL)
    c = explorer.controls
    compact = png_size(explorer.attention_png)
    assert min(tick_label_sizes(explorer.attention_picture.figure)) < 12
    c["projector"].value = True
    for figure in (explorer.attention_picture.figure, explorer.alpha_picture.figure):
        assert min(tick_label_sizes(figure)) >= 12
    assert png_size(explorer.attention_png)[0] > compact[0]              # the new picture is sent
    c["variant"].value = "early_concatenation"
    assert min(tick_label_sizes(explorer.blocks_picture.figure)) >= 12
    assert "font-size:16px" in explorer.status.value
    c["projector"].value = False
    assert png_size(explorer.attention_png)[0] == compact[0]                # back to the laptop size
    assert min(tick_label_sizes(explorer.attention_picture.figure)) < 12


def test_the_summed_maps_caption_says_how_to_see_alpha():
    explorer = fusion_explorer(task="sync", variant="early_summation", **SMALL)
    caption = explorer.caption.value
    assert "nor show α" in caption and "status line" in caption


def test_maps_say_their_numbering_and_number_heads_from_0_like_tokens():
    explorer = fusion_explorer(task="streams", variant="early_concatenation", **SMALL)
    c, picture = explorer.controls, explorer.attention_picture
    assert "numbered from 0" in picture.axes.get_xlabel()
    assert [label for label, _ in c["head"].options][1] == "head 0"
    c["head"].value = 1
    assert "head 1 (of 0–1)" in picture.title.get_text()
    assert "t=0" in [t.get_text() for t in picture.axes.get_xticklabels()]


def test_the_unread_note_never_covers_an_axis_label_or_tick_label():
    from mmviz.explore.base import CSS_DPI
    from mmviz.explore.fusion import SIZES
    from mmviz.plot import AttentionPicture

    explorer = fusion_explorer(task="match", variant="early_concatenation", **SMALL)
    record = explorer.output.attention[0]
    unread = np.zeros(record.weights.shape[2], bool)
    unread[-2:] = True
    names = [m.name for m in explorer.task.modalities]
    for size in (SIZES[False], SIZES[True], {"attention": (6.0, 5.4), "tick_pt": 9}):
        picture = AttentionPicture(size["attention"], CSS_DPI, tick_pt=size["tick_pt"])
        picture.draw(record, None, 0, explorer.task.labels_of(record.query_modality, 0),
                     explorer.task.labels_of(record.key_modality, 0), names, unread=unread)
        figure = picture.figure
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        note = picture.note.get_window_extent(renderer)
        others = [picture.axes.xaxis.label, picture.left.yaxis.label, picture.title, picture.legend,
                  *picture.axes.get_xticklabels(), *picture.left.get_yticklabels()]
        assert "never read by the loss" in picture.note.get_text()
        for artist in others:
            assert not note.overlaps(artist.get_window_extent(renderer)), artist
        inside = figure.bbox
        for artist in [picture.note, picture.axes.xaxis.label, picture.left.yaxis.label]:
            box = artist.get_window_extent(renderer)
            assert box.x0 >= inside.x0 - 1 and box.y0 >= inside.y0 - 1 and box.x1 <= inside.x1 + 1, artist


def test_norm_explorer_opens_below_its_maximum_even_when_asked_for_24():
    opened = norm_explorer(dim=8, steps=2, prefetch=False)
    assert opened.controls["depth"].value == 6 < opened.controls["depth"].max
    deep = norm_explorer(depth=24, dim=8, steps=2, prefetch=False)       # notebook 02's call
    assert deep.controls["depth"].value == 24 < deep.controls["depth"].max
    assert norm_explorer(depth=3, max_depth=4, dim=8, prefetch=False).controls["depth"].max == 4


def test_norm_explorer_every_training_control_changes_the_curve_picture():
    explorer = norm_explorer(depth=2, max_depth=3, dim=8, steps=2, prefetch=False)
    c = explorer.controls
    assert c["lr"].style.description_width == "initial"                  # "learning rate", not "learning r…"
    seen = {explorer.curve_png}
    for name, value in (("lr", 1e-3), ("warmup", False), ("norm", "pre"), ("lr", 3e-2)):
        c[name].value = value
        assert explorer.curve_png not in seen, name
        seen.add(explorer.curve_png)
    assert "lr 0.03" in explorer.curve_axes.get_title()


def test_norm_training_plot_marks_ln_8_and_the_positions_only_loss():
    import math

    from mmviz.lessons.norms import position_only_baseline

    explorer = norm_explorer(depth=2, max_depth=3, dim=8, steps=2, prefetch=False)
    levels = {round(line.get_ydata()[0], 6) for line in explorer.curve_axes.lines}
    assert round(math.log(8), 6) in levels and round(position_only_baseline()[0], 6) in levels
    texts = " ".join(t.get_text() for t in explorer.curve_axes.texts)
    assert "ln 8" in texts and "positions only" in texts
    explorer.controls["train"].click()                                    # still there with a curve
    levels = {round(line.get_ydata()[0], 6) for line in explorer.curve_axes.lines}
    assert round(math.log(8), 6) in levels
    assert "final loss" in explorer.status.value and explorer.progress.value == 2


def test_norm_train_can_be_interrupted_and_keeps_the_steps_it_ran(monkeypatch):
    import mmviz.explore.norm as norm_module

    real = norm_module.norm_training_curve

    def interrupted(*args, callback=None, **kwargs):
        def stop_at_2(step, losses):
            callback(step, losses)
            if step == 2:
                raise KeyboardInterrupt
        return real(*args, callback=stop_at_2, **kwargs)

    monkeypatch.setattr(norm_module, "norm_training_curve", interrupted)
    explorer = norm_explorer(depth=2, max_depth=3, dim=8, steps=10, prefetch=False)
    explorer.controls["train"].click()
    (losses,) = explorer.curves.values()
    assert len(losses) == 3 and explorer.progress.value == 3
    assert "interrupted after 3 steps" in explorer.status.value and not explorer.controls["train"].disabled


def test_grad_norms_with_default_init_span_a_decade_and_keep_their_axis_label():
    explorer = norm_explorer(depth=6, max_depth=6, dim=16, steps=2, prefetch=False)
    explorer.controls["init"].value = "default"                           # norms 0.25-0.31: nearly flat
    ax, figure = explorer.grad_picture.ax, explorer.grad_picture.figure
    low, high = ax.get_ylim()
    assert high / low >= 10
    assert "∂L" not in ax.get_ylabel() and "loss" in ax.get_ylabel()     # L is the depth here
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box = ax.yaxis.label.get_window_extent(renderer)
    assert box.x0 >= 0 and box.y0 >= 0 and box.y1 <= figure.bbox.y1      # the y-label is whole
    ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text() and t.get_visible()]
    assert ticks and not any(t.overlaps(box) for t in ticks)


def test_every_saved_picture_is_at_its_natural_size_and_fits_a_1280_screen():
    import io

    from PIL import Image

    fusion = fusion_explorer(task="match", variant="early_concatenation", **SMALL)
    norm = norm_explorer(depth=2, max_depth=3, dim=8, steps=2, prefetch=False)
    for explorer, pngs in ((fusion, [fusion.attention_png, fusion.blocks_png]),
                           (norm, [norm.grad_png, norm.curve_png])):
        saved = Image.open(io.BytesIO(explorer._repr_mimebundle_()["image/png"]))
        css = [png_size(p) for p in pngs]
        assert saved.size == (sum(w // RATIO for w, _ in css), max(h // RATIO for _, h in css))
        assert saved.width <= 850 and saved.height <= 500          # the notebook column beside the browser
