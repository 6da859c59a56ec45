"""The fusion playground's helpers (mmviz.lessons.playground) and the self-checks of notebook 10."""
from __future__ import annotations

import math

import pytest

import mmviz
from mmviz import check
from mmviz.lessons import playground
from mmviz.train import FusionClassifier, History, fit


@pytest.fixture(scope="module")
def streams():
    return mmviz.make_task("streams", n_train=64, n_test=40, seed=0)


@pytest.fixture(scope="module")
def tally():
    return mmviz.make_task("tally", num_modalities=2, n_train=64, n_test=40, seed=0)


def run(task, variants=mmviz.FUSION_VARIANTS, steps=4):
    """The notebook's loop, tiny: {variant: Measured or the refusal}."""
    results = {}
    for variant in variants:
        try:
            model = FusionClassifier(variant, task, dim=16, depth=1, heads=2, seed=0)
        except ValueError as refusal:
            results[variant] = refusal
            continue
        history = fit(model, task, steps=steps, batch_size=16, warmup=1, progress=False, eval_every=2)
        results[variant] = playground.measure(model, task, history)
    return results


@pytest.fixture(scope="module")
def on_tally(tally):
    return run(tally)


def test_steps_to_reach_is_the_first_evaluated_step_at_the_level():
    h = History(eval_step=[9, 19, 29], test_accuracy=[0.5, 0.91, 0.95])
    assert playground.steps_to_reach(h, 0.9) == 20
    assert playground.steps_to_reach(h, 0.5) == 10
    assert playground.steps_to_reach(h, 0.96) is None


def test_refusal_is_kept_and_table_says_why(on_tally):
    assert isinstance(on_tally["early_summation"], ValueError)
    text = playground.comparison_table(on_tally)
    assert "cannot run" in text and "token counts" in text
    for variant in mmviz.FUSION_VARIANTS:
        assert variant in text
    ran = [r for r in on_tally.values() if isinstance(r, playground.Measured)]
    assert len(ran) == 5


def test_measured_numbers_agree_with_their_sources(tally, on_tally):
    counts = [m.num_tokens for m in tally.modalities]
    for variant, r in on_tally.items():
        if not isinstance(r, playground.Measured):
            continue
        assert 0 <= r.accuracy <= 1
        assert r.flops == mmviz.attention_cost(variant, counts, 16, depth=1, heads=2)["total"]
        assert r.parameters > 0 and r.seconds > 0
        assert r.output.tokens.shape[0] == playground.PANEL_SAMPLES
        assert 0 <= r.alignment <= 1            # an AUC: 0.5 = no preference


def test_cross_modal_share_is_one_for_cross_attention_and_less_for_concatenation(on_tally):
    assert on_tally["cross_attention"].cross_share == pytest.approx(1.0)
    assert 0 < on_tally["early_concatenation"].cross_share < 1
    # multi→one's separate stage never crosses: its share is below concatenation's one joint stage at most
    assert on_tally["hierarchical_multi_to_one"].cross_share < 1


def test_summed_tokens_have_no_cross_share_or_alignment(streams):
    r = run(streams, ["early_summation"])["early_summation"]
    assert math.isnan(r.cross_share) and math.isnan(r.alignment)
    assert "—" in playground.comparison_table({"early_summation": r})


def test_same_seed_same_numbers(tally):
    a = run(tally, ["early_concatenation"])["early_concatenation"]
    b = run(tally, ["early_concatenation"])["early_concatenation"]
    assert (a.accuracy, a.alignment, a.cross_share) == (b.accuracy, b.alignment, b.cross_share)
    assert a.history.loss == b.history.loss


def test_defining_record_is_the_last_joint_layer_else_the_first_map(on_tally):
    assert mmviz.plot.compare.defining_record(on_tally["hierarchical_one_to_multi"].output).stage == "joint"
    assert mmviz.plot.compare.defining_record(on_tally["cross_attention"].output).stage.startswith("cross")


def test_variant_maps_label_every_token_and_mark_modalities(tally, on_tally):
    fig = mmviz.plot.plot_variant_maps(on_tally, tally, sample=1)
    texts = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert "patch (0,0)" in texts
    assert any(w in texts for w in tally.token_labels(1)[1])      # this sample's caption words
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["image", "caption"]
    assert any("cannot run" in t.get_text() for ax in fig.axes for t in ax.texts)


def test_learning_curves_draw_one_line_per_variant_that_ran(on_tally):
    fig = mmviz.plot.plot_learning_curves(on_tally)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert len(labels) == 5 and "early summation" not in labels


def test_bad_input_names_what_was_received(tally, on_tally):
    with pytest.raises(ValueError, match="sample"):
        mmviz.plot.plot_variant_maps(on_tally, tally, sample=99)
    with pytest.raises(ValueError, match="Task"):
        mmviz.plot.plot_variant_maps(on_tally, "tally")
    model = FusionClassifier("early_concatenation", tally, dim=16, depth=1, heads=2)
    with pytest.raises(ValueError, match="level"):
        playground.measure(model, tally, on_tally["early_concatenation"].history, level=90)


def test_checks_of_notebook_10(on_tally, capsys):
    counts = (16, 3, 8, 8)
    S, same = sum(counts), sum(n * n for n in counts)
    assert check.playground_cross_flops(4 * (S * S - same) * 32, counts, 32)
    assert not check.playground_cross_flops(4 * S * S * 32, counts, 32)
    assert "concatenation" in capsys.readouterr().out
    good = {v: r.parameters for v, r in on_tally.items()
            if isinstance(r, playground.Measured) and r.accuracy >= 0.0}
    cheapest = min(good, key=good.get)
    assert check.playground_cheapest_good(cheapest, on_tally, level=0.0)
    assert not check.playground_cheapest_good("early_summation", on_tally, level=0.0)
    assert "did not run" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no variant"):
        check.playground_cheapest_good(cheapest, on_tally, level=1.01)
    assert check.playground_pick_aligned("early summation")
    assert not check.playground_pick_aligned("cross_attention")
    with pytest.raises(ValueError, match="one of"):
        check.playground_pick_aligned("transformer")

