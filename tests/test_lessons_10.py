"""The fusion playground's helpers (mmviz.lessons.playground) and the self-checks of notebook 10."""
from __future__ import annotations

import math

import pytest

import mmviz
from mmviz import check, evidence
from mmviz.lessons import playground
from mmviz.train import FusionClassifier, History, fit


@pytest.fixture(scope="module")
def streams():
    return mmviz.make_task("streams", n_train=64, n_test=40, seed=0)


@pytest.fixture(scope="module")
def tally():
    return mmviz.make_task("tally", num_modalities=2, n_train=64, n_test=40, seed=0)


def can_run(variant, task):
    """Whether the registry says ``variant`` runs on ``task``'s modalities."""
    try:
        mmviz.VARIANTS[variant].check([m.num_tokens for m in task.modalities])
    except ValueError:
        return False
    return True


def run(task, variants=tuple(mmviz.VARIANTS), steps=4):
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


def test_refusal_is_kept_and_table_says_why(tally, on_tally):
    assert isinstance(on_tally["early_summation"], ValueError)
    text = playground.comparison_table(on_tally)
    assert "cannot run" in text and "token counts" in text
    for variant in mmviz.VARIANTS:
        assert variant in text
    ran = {v for v, r in on_tally.items() if isinstance(r, playground.Measured)}
    assert ran == {v for v in mmviz.VARIANTS if can_run(v, tally)} and "early_summation" not in ran


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


def test_learning_curves_draw_one_line_per_variant_that_ran(tally, on_tally):
    fig = mmviz.plot.plot_learning_curves(on_tally)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == [v.replace("_", " ") for v in on_tally if can_run(v, tally)]
    assert "early summation" not in labels


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
    assert not check.playground_pick_aligned("transformer")    # never raises: "choose one of"
    assert "choose one of" in capsys.readouterr().out



# ---------------------------------------------------------------- the variants as masks over one graph

@pytest.mark.parametrize("counts", [(4, 3), (2, 3, 2)])
def test_stage_masks_are_the_attention_the_models_draw(counts):
    """Zero weight wherever a stage's mask forbids a pair, nonzero wherever it allows one, in every layer."""
    from mmviz.fusion import build_fusion, stage_masks
    from mmviz.measure import drawn_edges
    torch = pytest.importorskip("torch")
    for variant in mmviz.VARIANTS:
        drawn_counts = (counts[0],) * len(counts) if mmviz.VARIANTS[variant].equal_counts else counts
        model = build_fusion(variant, len(counts), 16, depth=2, heads=2)
        g = torch.Generator().manual_seed(0)
        drawn = drawn_edges(model([torch.randn(3, n, 16, generator=g) for n in drawn_counts]))
        expected = [(kind, mask) for kind, mask in stage_masks(variant, drawn_counts) for _ in range(2)]
        assert [kind for kind, _, _ in drawn] == [kind for kind, _ in expected], variant
        for (kind, layer, seen), (_, allowed) in zip(drawn, expected):
            assert torch.equal(seen, allowed), (variant, kind, layer)


def test_stage_masks_count_the_registry_edges_and_refuse_what_cannot_run():
    from mmviz.fusion import stage_masks
    masks = dict(stage_masks("hierarchical_multi_to_one", (4, 3)))
    assert int(masks["separate"].sum()) == 16 + 9 and int(masks["joint"].sum()) == 49
    assert int(dict(stage_masks("cross_attention", (4, 3)))["cross"].sum()) == 2 * 4 * 3
    with pytest.raises(ValueError, match="equal token counts"):
        stage_masks("early_summation", (4, 3))
    with pytest.raises(ValueError, match="unknown fusion variant"):
        stage_masks("late_fusion", (4, 3))


def test_variant_masks_draw_one_panel_per_stage_with_readable_labels():
    fig = mmviz.plot.compare.plot_variant_masks(counts=(4, 3))
    stages = sum(len(mmviz.VARIANTS[v].stages([4, 3])) for v in mmviz.FUSION_VARIANTS)
    assert len(fig.axes) == stages == 9
    labels = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert {t.get_text() for t in labels} >= {"A0", "A3", "B0", "B2", "A0+B0"}     # from 0, as the maps
    assert not {t.get_text() for t in labels} & {"A4", "B3"}
    assert min(t.get_fontsize() for t in labels) >= 9
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("cross: A←B and B←A" in t for t in titles) == 2 and sum("separate" in t for t in titles) == 2
    with pytest.raises(ValueError, match="two modalities"):
        mmviz.plot.compare.plot_variant_masks(counts=(4, 3, 2))


# ---------------------------------------------------------------- the committed evidence, over seeds

def fake_seeds():
    """Three seeds of one run "x": final accuracy and its curve (NaN after a run stopped at its level)."""
    nan = math.nan
    return evidence.Seeds([0, 1, 2], {"x": [0.95, 1.0, 0.6]},
                          {"x_curve": [[0.5, 0.8, 0.95], [1.0, nan, nan], [0.5, 0.55, 0.6]]},
                          {"x_curve": [50, 100, 150]})


def test_evidence_run_stops_at_its_level_and_keeps_the_curve_to_there(streams):
    r = playground.evidence_run(streams, "early_concatenation", seed=0, steps=100, stop=0.01)
    assert r["curve_steps"] == [50, 100]
    assert r["curve"][0] >= 0.01 and math.isnan(r["curve"][1])          # stopped after the first check
    assert r["accuracy"] == r["curve"][0]
    full = playground.evidence_run(streams, "early_concatenation", seed=0, steps=100, stop=1.0)
    assert not any(math.isnan(a) for a in full["curve"]) and full["accuracy"] == full["curve"][-1]
    assert full["curve"][0] == r["curve"][0]                              # the same run up to the stop
    with pytest.raises(ValueError, match="stop"):
        playground.evidence_run(streams, "early_concatenation", seed=0, steps=100, stop=90)


def test_evidence_table_shows_mean_range_k_of_n_and_the_baseline():
    text = playground.evidence_table(fake_seeds(), {"the run": "x"}, level=0.9, baseline=0.25)
    assert "85.0 (60.0–100.0)" in text and "2 of 3" in text and "50–150" in text
    assert "baseline" in text and "25.0%" in text
    assert playground.first_check_at([0.5, 0.91], [50, 100], 0.9) == 100
    assert playground.first_check_at([0.5, 0.6], [50, 100], 0.9) is None


def test_evidence_curves_carry_a_stopped_seed_and_mark_the_baseline():
    assert mmviz.plot.compare.carried([0.5, 1.0, math.nan, math.nan]) == [0.5, 1.0, 1.0, 1.0]
    rows = playground.curve_rows(fake_seeds(), {"cross_attention": "x"})
    fig = mmviz.plot.compare.plot_evidence_curves([("streams, shuffled", rows, 0.5)])
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_ydata()) == pytest.approx([2.0 / 3, 2.35 / 3, 2.55 / 3])
    assert any("baseline 50%" in t.get_text() for t in fig.axes[0].texts)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["cross attention"]
    two = {"early_summation": rows["cross_attention"], "cross_attention": rows["cross_attention"]}
    one = {"early_concatenation": rows["cross_attention"]}
    fig = mmviz.plot.compare.plot_evidence_curves([("a", two, 0.5), ("b", one, 0.5)])
    colours = [line.get_color() for ax in fig.axes for line in ax.get_lines() if line.get_label()[0] != "_"]
    assert len(colours) == len(set(colours)) == 3                  # one distinct hue per variant drawn


def test_notebook_10_registers_its_experiments_on_8_seeds_and_every_claim_reads_one():
    claims = evidence.claims_of(["10"])
    experiments = {k[1]: e for k, e in evidence.EXPERIMENTS.items() if k[0] == "10"}
    assert set(experiments) == {"match", "streams", "repeat"}
    assert all(len(e.seeds) >= 8 and e.setup["depth"] == 1 for e in experiments.values())
    assert {c.experiment for c in claims} == set(experiments)
    assert all(c.sentence.endswith(".") for c in claims)


def test_notebook_10_claims_fail_on_evidence_that_contradicts_them():
    """Each judge can fail: made-up seeds where one cross layer solves repeat and multi→one never does,
    summation solves the shuffled streams, and multi→one binds as well as cross-attention, which
    succeeds on every seed, break the claims about them."""
    by_name = {c.name: c for c in evidence.claims_of(["10"])}
    seeds = list(range(5))
    ones, lows = [1.0] * 5, [0.2] * 5
    repeat = evidence.Seeds(seeds, {"early_concatenation": ones, "hierarchical_multi_to_one": lows,
                                    "cross_attention": ones})
    assert by_name["repeat-concatenation-learns"].judge(repeat).holds
    assert not by_name["repeat-cross-attention-cannot"].judge(repeat).holds
    assert not by_name["repeat-multi-to-one-learns"].judge(repeat).holds
    streams = evidence.Seeds(seeds, {"early_summation_aligned": ones, "early_summation_shuffled": ones,
                                     "cross_attention_shuffled": ones})
    assert by_name["streams-summation-aligned"].judge(streams).holds
    assert not by_name["streams-summation-shuffled-slower"].judge(streams).holds
    match = evidence.Seeds(seeds, {"cross_attention": ones, "hierarchical_multi_to_one": ones})
    assert not by_name["match-multi-to-one-behind"].judge(match).holds
    assert not by_name["match-cross-attention-some-seeds"].judge(match).holds   # "and not on others"


def test_cheapest_good_reads_evidence_rows_by_their_worst_seed(capsys):
    good = dict(accuracy=[0.95, 0.92, 0.99], params=500)
    cheap_but_unreliable = dict(accuracy=[0.99, 0.80, 0.99], params=100)
    rows = {"cross_attention": good, "early_concatenation": cheap_but_unreliable,
            "early_summation": dict(refusal="no")}
    assert check.playground_cheapest_good("cross attention", rows)
    assert not check.playground_cheapest_good("early_concatenation", rows)
    assert "on some seed (its worst: 80.0%)" in capsys.readouterr().out
    assert not check.playground_cheapest_good("early_summation", rows)
    assert "did not run" in capsys.readouterr().out


@pytest.mark.parametrize("counts", [[4, "a"], [], "ab", None, [0, 3], [4000, 4000]])
def test_stage_masks_name_bad_counts(counts):
    from mmviz.fusion import stage_masks
    with pytest.raises(ValueError, match="counts"):
        stage_masks("cross_attention", counts)


def test_evidence_helpers_name_bad_input(streams):
    with pytest.raises(ValueError, match="Task"):
        playground.majority_share("streams")
    with pytest.raises(ValueError, match="Task"):
        playground.evidence_run("streams", "early_concatenation", seed=0, steps=50, stop=0.9)
    with pytest.raises(ValueError, match="FusionOutput"):
        mmviz.measure.drawn_edges("not an output")
