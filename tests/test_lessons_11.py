"""Notebook 11's helpers: which variant runs without a modality, the masks left, the image's ceiling on
tally, one evidence run, the absent-modality explorer and the exercises' checks."""
from __future__ import annotations

import math

import pytest
import torch

import mmviz
from mmviz.fusion import FUSION_VARIANTS, stage_masks
from mmviz.lessons import missing


@pytest.fixture(scope="module")
def tally():
    return mmviz.make_task("tally", num_modalities=2, n_train=200, n_test=120)


def test_every_variant_but_summation_runs_without_a_modality():
    ran = missing.who_runs([8, 8], absent=1)
    assert set(ran) == set(FUSION_VARIANTS)
    assert {v for v, what in ran.items() if what != "runs"} == {"early_summation"}
    assert "modality 2 absent" in ran["early_summation"] and "no 'absent'" in ran["early_summation"]
    assert "early_summation" not in missing.who_runs([4, 3], absent=0)     # unequal counts: left out


@pytest.mark.parametrize("variant", [v for v in FUSION_VARIANTS if v != "early_summation"])
def test_the_masks_left_are_the_registrys_without_the_absent_tokens(variant):
    counts = (4, 3)
    left = missing.absent_masks(variant, counts, 1)
    for (kind, full), (same, mask) in zip(stage_masks(variant, counts), left):
        assert kind == same
        assert not mask[4:].any() and not mask[:, 4:].any()             # the caption's rows and columns
        assert torch.equal(mask[:4, :4], full[:4, :4])                  # the image's edges stay
    if variant == "cross_attention":
        assert not left[0][1].any()                                     # nothing left to read across


def test_the_images_ceiling_on_tally_is_two_thirds_and_counts_what_each_modality_says(tally):
    assert torch.equal(missing.says(tally, 0) + missing.says(tally, 1), tally.test.labels)
    best = missing.best_without(tally, ["caption"])
    assert abs(best - 2 / 3) < 0.1 and missing.best_without(tally, []) == 1.0
    assert missing.best_without(tally, ["image", "caption"]) == pytest.approx(
        torch.bincount(tally.test.labels).max().item() / len(tally.test.labels))
    with pytest.raises(ValueError, match="only for 'tally'"):
        missing.best_without(mmviz.make_task("match", n_train=8, n_test=8), ["caption"])


def test_an_evidence_run_trains_and_tests_without_the_caption(tally):
    run = missing.absent_run(tally, "early_concatenation", seed=0, steps=4, absent=["caption"])
    assert set(run) == {"full", "absent"} and all(0 <= v <= 1 for v in run.values())
    control = missing.absent_run(tally, "early_concatenation", 0, 4, ["caption"], train_absent=["caption"])
    assert math.isnan(control["full"]) and 0 <= control["absent"] <= 1


def test_the_explorer_switches_modalities_off_and_says_why_a_variant_refuses(tally):
    pytest.importorskip("ipywidgets")
    from mmviz.explore import absent_explorer
    explorer = absent_explorer(tally, "early_concatenation", steps=3)
    first = explorer.png
    assert first and "runs" in explorer.status.value and "press Train" not in explorer.status.value
    explorer.train()
    assert "Test accuracy" in explorer.status.value
    explorer.controls["caption"].value = True
    assert explorer.png != first and "without caption: runs" in explorer.status.value
    assert "best any model can do" in explorer.status.value
    explorer.controls["image"].value = True
    assert "refuses" in explorer.status.value and "every modality is absent" in explorer.status.value
    explorer.controls["variant"].value = "early_summation"
    assert "needs equal token counts" in explorer.status.value
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and "early_summation" in bundle["text/plain"]


def test_the_exercises_checks_say_right_and_not_yet(capsys):
    assert mmviz.check.missing_best_accuracy("2/3") and mmviz.check.missing_best_accuracy(67)
    assert not mmviz.check.missing_best_accuracy(0.5)
    assert mmviz.check.missing_which_refuses("early summation")
    assert not mmviz.check.missing_which_refuses("cross-attention")
    assert "Not yet" in capsys.readouterr().out
