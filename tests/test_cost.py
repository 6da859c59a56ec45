"""The cost formulas agree with FlopCounterMode on the real modules, and with the survey's table."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from mmviz import FUSION_VARIANTS, attention_cost, build_fusion, count_parameters

DIM, HEADS = 16, 2


def measured(variant, counts, depth=2, batch=1, mlp_dim=None, norm="pre"):
    torch.manual_seed(0)
    model = build_fusion(variant, len(counts), DIM, depth=depth, heads=HEADS, mlp_dim=mlp_dim, norm=norm)
    zs = [torch.randn(batch, n, DIM) for n in counts]
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(zs)
    return counter.get_total_flops() / batch


@pytest.mark.parametrize("counts", [[5], [3, 6], [2, 4, 7]])
@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_formula_matches_flop_counter(variant, counts):
    if variant == "early_summation":
        counts = [counts[-1]] * len(counts)
    if variant.startswith("cross") and len(counts) < 2:
        pytest.skip("cross-attention needs two modalities")
    analytic = attention_cost(variant, counts, DIM, depth=2, heads=HEADS)["total"]
    assert measured(variant, counts, batch=3) == pytest.approx(analytic, rel=0.10)


def test_mlp_width_and_depth_are_followed():
    cost = attention_cost("early_concatenation", [3, 4], DIM, depth=3, heads=HEADS, mlp_dim=24)
    flops = measured("early_concatenation", [3, 4], depth=3, mlp_dim=24)
    assert flops == pytest.approx(cost["total"], rel=0.10)


@settings(max_examples=15, deadline=None)
@given(variant=st.sampled_from(FUSION_VARIANTS), counts=st.lists(st.integers(1, 9), min_size=2, max_size=4),
       depth=st.integers(1, 2), norm=st.sampled_from(["pre", "post"]))
def test_formula_matches_flop_counter_for_any_counts(variant, counts, depth, norm):
    if variant == "early_summation":
        counts = [counts[0]] * len(counts)
    analytic = attention_cost(variant, counts, DIM, depth=depth, heads=HEADS)["total"]
    assert measured(variant, counts, depth=depth, norm=norm) == pytest.approx(analytic, rel=0.10)


def test_parts_add_up():
    for variant in FUSION_VARIANTS:
        c = attention_cost(variant, [4, 4, 4], DIM)
        assert c["total"] == c["attention"] + c["projection_mlp"] == sum(c["stages"].values())


@pytest.mark.parametrize("N", [4, 16, 64])
def test_concatenation_versus_summation_at_equal_counts(N):
    summed = attention_cost("early_summation", [N, N], DIM)
    concat = attention_cost("early_concatenation", [N, N], DIM)
    assert concat["attention"] == 4 * summed["attention"]
    assert concat["total"] > 2 * summed["total"]
    ratio = measured("early_concatenation", [N, N]) / measured("early_summation", [N, N])
    assert ratio == pytest.approx(concat["total"] / summed["total"], rel=0.10)


def test_concatenation_is_self_plus_cross():
    counts, depth = [3, 5, 8], 2
    joint = attention_cost("early_concatenation", counts, DIM, depth)["attention"]
    separate = sum(attention_cost("early_concatenation", [n], DIM, depth)["attention"] for n in counts)
    cross = attention_cost("cross_attention", counts, DIM, depth)["attention"]
    assert joint == separate + cross
    S, Q2 = sum(counts), sum(n * n for n in counts)
    assert cross == depth * 4 * (S * S - Q2) * DIM


def test_equal_counts_cross_equals_two_separate_streams_and_summation_ignores_M():
    two_streams = 2 * attention_cost("early_concatenation", [6], DIM)["attention"]
    concat = attention_cost("early_concatenation", [6, 6], DIM)["attention"]
    assert attention_cost("cross_attention", [6, 6], DIM)["attention"] == two_streams == concat / 2
    one = attention_cost("early_summation", [6], DIM)
    assert attention_cost("early_summation", [6] * 4, DIM) == one


def test_heads_do_not_change_the_count():
    one_head = attention_cost("cross_attention", [3, 5], DIM, heads=1)
    assert one_head == attention_cost("cross_attention", [3, 5], DIM, heads=4)


@pytest.mark.parametrize("counts, match", [([], r"\[\]"), ([3, 0], r"\[3, 0\]"), ("34", "'34'"),
                                           ([2.5], r"\[2.5\]")])
def test_bad_counts(counts, match):
    with pytest.raises(ValueError, match=match):
        attention_cost("early_concatenation", counts, DIM)


def test_bad_variant_and_shapes():
    with pytest.raises(ValueError, match="'late'.*early_summation"):
        attention_cost("late", [3], DIM)
    with pytest.raises(ValueError, match=r"\[3, 4\].*early_concatenation"):
        attention_cost("early_summation", [3, 4], DIM)
    with pytest.raises(ValueError, match=r"\[3\]"):
        attention_cost("cross_attention", [3], DIM)
    with pytest.raises(ValueError, match="depth.*0"):
        attention_cost("early_concatenation", [3], DIM, depth=0)
    with pytest.raises(ValueError, match="dim=16 and heads=3"):
        attention_cost("early_concatenation", [3], DIM, heads=3)


def test_count_parameters():
    learned = build_fusion("early_summation", 3, DIM, heads=HEADS)
    fixed = build_fusion("early_summation", 3, DIM, heads=HEADS, alpha=[1, 1, 1])
    assert count_parameters(learned) == sum(p.numel() for p in learned.parameters())
    assert count_parameters(learned) == count_parameters(fixed) + 3
    learned.alpha.requires_grad_(False)
    assert count_parameters(learned, trainable_only=True) == count_parameters(fixed)
    # separate encoders per modality: multi→one has M + 1 stacks where concatenation has one
    concat = count_parameters(build_fusion("early_concatenation", 3, DIM, heads=HEADS))
    assert count_parameters(build_fusion("hierarchical_multi_to_one", 3, DIM, heads=HEADS)) == 4 * concat
