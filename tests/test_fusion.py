"""The fusion variants: shapes and records for every registered variant (from the registry, no list
of names), and the survey's properties of each of its six (reference, "Properties")."""
import itertools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mmviz import FUSED, VARIANTS, Encoder, build_fusion
from mmviz.fusion import STAGE_KINDS, EarlySummation

DIM, HEADS = 16, 2
REGISTERED = list(VARIANTS)         # every registered variant, read when the tests are collected


def make(variant, M=2, depth=1, norm="pre", seed=0, **kw):
    torch.manual_seed(seed)
    return build_fusion(variant, M, DIM, depth=depth, heads=HEADS, norm=norm, **kw).eval()


def inputs(counts, batch=2, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, n, DIM, generator=g) for n in counts]


def counts_for(variant, M):
    return [4] * M if VARIANTS[variant].equal_counts else [3 + 2 * m for m in range(M)]


def final_tokens(variant, counts):
    """How many tokens the variant returns: one summed sequence, or every modality's tokens."""
    return counts[0] if VARIANTS[variant].mixes_tokens else sum(counts)


def crosses(record):
    """Total attention mass from a query to a key of another modality."""
    mask = record.query_modality[:, None] != record.key_modality[None, :]
    return float((record.weights * mask).sum())


# ---------------------------------------------------------------- every variant, every M

@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("M", [1, 2, 3, 4])
@pytest.mark.parametrize("variant", REGISTERED)
def test_shapes_records_and_rows(variant, M, norm):
    if M < VARIANTS[variant].min_modalities:
        with pytest.raises(ValueError, match=f"num_modalities={M}"):
            make(variant, M)
        return
    counts = counts_for(variant, M)
    out = make(variant, M, depth=2, norm=norm)(inputs(counts))
    N = final_tokens(variant, counts)
    assert out.tokens.shape == (2, N, DIM)
    assert out.pooled.shape == (2, DIM)
    torch.testing.assert_close(out.pooled, out.tokens.mean(dim=1))
    assert torch.isfinite(out.tokens).all()
    if VARIANTS[variant].mixes_tokens:
        assert out.token_modality.tolist() == [FUSED if M > 1 else 0] * N
    else:
        assert out.token_modality.tolist() == [m for m, n in enumerate(counts) for _ in range(n)]
        for m, n in enumerate(counts):
            assert out.stream(m).shape == (2, n, DIM)
    assert out.attention, "every variant records its attention"
    in_order = lambda kinds: [k for k, _ in itertools.groupby(kinds)]  # noqa: E731  (runs of one kind)
    assert in_order(r.kind for r in out.attention) == in_order(VARIANTS[variant].kinds)   # stage by stage
    assert set(VARIANTS[variant].kinds) <= set(STAGE_KINDS)
    for record in out.attention:
        B, H, Nq, Nk = record.weights.shape
        assert (B, H) == (2, HEADS)
        assert record.query_modality.shape == (Nq,) and record.key_modality.shape == (Nk,)
        assert record.query_modality.dtype == torch.long == record.key_modality.dtype
        assert 0 <= record.layer < 2
        torch.testing.assert_close(record.weights.sum(-1), torch.ones(B, H, Nq))
        assert (record.weights >= 0).all()


@pytest.mark.parametrize("variant", REGISTERED)
def test_deterministic(variant):
    counts = counts_for(variant, 3)
    a = make(variant, 3, seed=5)(inputs(counts))
    b = make(variant, 3, seed=5)(inputs(counts))
    assert torch.equal(a.tokens, b.tokens)


@pytest.mark.parametrize("variant", REGISTERED)
def test_gradients_reach_every_modality(variant):
    zs = [z.requires_grad_() for z in inputs(counts_for(variant, 2))]
    make(variant, 2).train()(zs).pooled.square().sum().backward()
    assert all(z.grad.abs().sum() > 0 for z in zs)


@settings(max_examples=20, deadline=None)
@given(variant=st.sampled_from(REGISTERED), M=st.integers(2, 4), batch=st.integers(1, 3),
       counts=st.lists(st.integers(1, 6), min_size=4, max_size=4))
def test_any_shapes(variant, M, batch, counts):
    counts = [counts[0]] * M if VARIANTS[variant].equal_counts else counts[:M]
    out = make(variant, M)(inputs(counts, batch=batch))
    N = final_tokens(variant, counts)
    assert out.tokens.shape == (batch, N, DIM) and out.token_modality.shape == (N,)
    for record in out.attention:
        torch.testing.assert_close(record.weights.sum(-1), torch.ones(record.weights.shape[:-1]))


# ---------------------------------------------------------------- early summation

def test_summation_alpha_one_zero_ignores_second_modality_and_equals_one_transformer():
    model = make("early_summation", alpha=(1.0, 0.0))
    za, zb = inputs([5, 5])
    out = model([za, zb]).tokens
    assert torch.equal(out, model([za, 100 * torch.randn_like(zb)]).tokens)
    alone = Encoder(DIM, 1, HEADS, "pre").eval()
    alone.load_state_dict(model.tf.state_dict())
    torch.testing.assert_close(out, alone(za))


def test_summation_half_half_depends_on_both():
    model = make("early_summation", alpha=(0.5, 0.5))
    za, zb = inputs([5, 5])
    # a random change: adding a constant to every coordinate would vanish in the LayerNorms
    assert not torch.allclose(model([za, zb]).tokens, model([za, zb + torch.randn_like(zb)]).tokens)
    assert not torch.allclose(model([za, zb]).tokens, model([za + torch.randn_like(za), zb]).tokens)


def test_summation_token_plus_position_is_alpha_one_one():
    model = make("early_summation", alpha=(1, 1))
    tokens, positions = inputs([6, 6])
    alone = Encoder(DIM, 1, HEADS, "pre").eval()
    alone.load_state_dict(model.tf.state_dict())
    torch.testing.assert_close(model([tokens, positions]).tokens, alone(tokens + positions))


def test_alpha_learnable_by_default_and_settable_live():
    model = make("early_summation", M=3)
    assert isinstance(model.alpha, torch.nn.Parameter)
    torch.testing.assert_close(model.alpha.detach(), torch.full((3,), 1 / 3))
    zs = inputs([4, 4, 4])
    model(zs).pooled.sum().backward()
    assert model.alpha.grad is not None and model.alpha.grad.abs().sum() > 0
    before = model(zs).tokens
    model.set_alpha([1.0, 0.0, 0.0])
    assert isinstance(model.alpha, torch.nn.Parameter), "set_alpha keeps a learnable α learnable"
    assert model.alpha.tolist() == [1.0, 0.0, 0.0]
    assert not torch.allclose(before, model(zs).tokens)
    assert torch.equal(model(zs).tokens, model([zs[0], zs[1] * 3, -zs[2]]).tokens)


def test_fixed_alpha_is_a_buffer():
    model = make("early_summation", alpha=[0.2, 0.8])
    assert "alpha" in dict(model.named_buffers()) and "alpha" not in dict(model.named_parameters())
    model.set_alpha([0.7, 0.3])
    assert model.alpha.tolist() == pytest.approx([0.7, 0.3])


@pytest.mark.parametrize("alpha", [[1.0], [1.0, 2.0, 3.0], [1.0, float("nan")], [float("inf"), 0.0],
                                   "ab", "12", 3])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        make("early_summation", alpha=alpha)
    model = make("early_summation")
    with pytest.raises(ValueError, match="alpha"):
        model.set_alpha(alpha)


def test_summation_refuses_unequal_counts_and_suggests_concatenation():
    with pytest.raises(ValueError, match=r"\[3, 5\].*early_concatenation"):
        make("early_summation")(inputs([3, 5]))


# ---------------------------------------------------------------- concatenation and hierarchies

def test_concatenation_second_modality_reaches_first_positions():
    model = make("early_concatenation")
    za, zb = inputs([3, 4])
    a1 = model([za, zb]).stream(0)
    a2 = model([za, zb + torch.randn_like(zb)]).stream(0)
    assert not torch.allclose(a1, a2)


def test_multi_to_one_first_stage_is_separate_then_joint_crosses():
    model = make("hierarchical_multi_to_one", M=3, depth=2)
    zs = inputs([3, 4, 5])
    first = []
    model.separate[0].register_forward_hook(lambda mod, args, out: first.append(out))
    out = model(zs)
    model([zs[0], zs[1] + torch.randn_like(zs[1]), zs[2] * 2])
    assert torch.equal(first[0], first[1]), "modality 1's first-stage output must not see other modalities"
    separate = [r for r in out.attention if r.stage.endswith("encoder")]
    joint = [r for r in out.attention if r.stage == "joint"]
    assert len(separate) == 3 * 2 and len(joint) == 2
    assert out.attention[-2:] == joint, "the joint stage comes last"
    for r in separate:
        m = int(r.stage.split()[1]) - 1
        assert (r.query_modality == m).all() and (r.key_modality == m).all()
    for r in joint:
        assert set(r.key_modality.tolist()) == {0, 1, 2} and crosses(r) > 0


def test_one_to_multi_joint_crosses_then_last_stage_never():
    model = make("hierarchical_one_to_multi", M=2, depth=2)
    za, zb = inputs([3, 4])
    out = model([za, zb])
    expected = ["joint"] * 2 + ["modality 1 encoder"] * 2 + ["modality 2 encoder"] * 2
    assert [r.stage for r in out.attention] == expected
    assert all(crosses(r) > 0 for r in out.attention[:2])
    assert all(crosses(r) == 0 and (r.query_modality == r.key_modality).all() for r in out.attention[2:])
    # B reaches A's final stream, and only through the joint stage: freeze it and B has no effect
    assert not torch.allclose(out.stream(0), model([za, zb + torch.randn_like(zb)]).stream(0))
    joint_a = model.joint(torch.cat([za, zb], 1))[:, :3]
    torch.testing.assert_close(model.separate[0](joint_a), out.stream(0))


# ---------------------------------------------------------------- cross-attention

@pytest.mark.parametrize("M", [2, 3, 4])
def test_cross_records_queries_from_one_keys_from_others(M):
    counts = [2 + m for m in range(M)]
    out = make("cross_attention", M=M, depth=2)(inputs(counts))
    assert len(out.attention) == 2 * M
    for r in out.attention:
        q = set(r.query_modality.tolist())
        k = set(r.key_modality.tolist())
        assert len(q) == 1 and q.isdisjoint(k) and q | k == set(range(M))
        m = q.pop()
        assert r.stage.startswith(f"cross {m + 1}←")
        assert r.weights.shape[-2:] == (counts[m], sum(counts) - counts[m])
        assert crosses(r) == pytest.approx(float(r.weights.sum()))


def test_cross_stage_names_for_two_modalities():
    out = make("cross_attention", depth=1)(inputs([3, 4]))
    assert [r.stage for r in out.attention] == ["cross 1←2", "cross 2←1"]


@pytest.mark.parametrize("norm", ["pre", "post"])
def test_cross_layer_has_no_self_context(norm):
    model = make("cross_attention", depth=1, norm=norm)
    za, zb = inputs([4, 3])
    out = model([za, zb]).stream(0)
    changed = za.clone()
    changed[:, 2] += torch.randn(DIM)
    out2 = model([changed, zb]).stream(0)
    keep = [0, 1, 3]
    torch.testing.assert_close(out[:, keep], out2[:, keep], rtol=0, atol=0)
    assert not torch.allclose(out[:, 2], out2[:, 2])


def test_cross_single_key_token_gets_all_the_weight():
    out = make("cross_attention")(inputs([5, 1]))
    first = out.attention[0]
    assert first.stage == "cross 1←2"
    assert torch.equal(first.weights, torch.ones_like(first.weights))


def test_cross_to_concatenation_ends_with_joint_stage_over_all():
    out = make("cross_attention_to_concatenation", M=3, depth=2)(inputs([2, 3, 4]))
    stages = [r.stage for r in out.attention]
    assert all(s.startswith("cross") for s in stages[:6]) and stages[6:] == ["joint", "joint"]
    for r in out.attention[6:]:
        assert r.weights.shape[-2:] == (9, 9) and set(r.query_modality.tolist()) == {0, 1, 2}
        assert crosses(r) > 0


# ---------------------------------------------------------------- bad input

def test_unknown_variant_lists_the_registered_ones():
    with pytest.raises(ValueError, match="'late_fusion'") as info:
        build_fusion("late_fusion", 2, DIM)
    assert all(v in str(info.value) for v in VARIANTS)


@pytest.mark.parametrize("M", [0, -1, 1.5, True, "2"])
def test_bad_num_modalities(M):
    with pytest.raises(ValueError, match=f"num_modalities.*{M!r}".replace("(", r"\(")):
        build_fusion("early_concatenation", M, DIM)


def test_alpha_only_for_summation():
    with pytest.raises(ValueError, match="alpha"):
        build_fusion("early_concatenation", 2, DIM, alpha=(1, 1))


@pytest.mark.parametrize("variant", REGISTERED)
def test_bad_inputs_name_the_value(variant):
    model = make(variant, M=2)
    za, zb = inputs([4, 4])
    with pytest.raises(ValueError, match="expected 2 .*got 3"):
        model([za, zb, zb])
    with pytest.raises(ValueError, match="expected 2 .*got 1"):
        model([za])
    with pytest.raises(ValueError, match="width dim=16, got 8"):
        model([za, torch.randn(2, 4, 8)])
    with pytest.raises(ValueError, match="rank 3.*got rank 2"):
        model([za, torch.randn(4, DIM)])
    with pytest.raises(ValueError, match="list of 2 tensors.*Tensor"):
        model(za)
    with pytest.raises(ValueError, match=r"batch size, got \[2, 3\]"):
        model([za, torch.randn(3, 4, DIM)])
    with pytest.raises(ValueError, match="torch.int64"):
        model([za, torch.ones(2, 4, DIM, dtype=torch.long)])
    with pytest.raises(ValueError, match="modality 2: expected finite tokens, got NaN"):
        model([za, torch.full((2, 4, DIM), float("nan"))])


def test_summation_default_alpha_documented_value():
    assert math.isclose(float(EarlySummation(4, DIM, heads=HEADS).alpha[0].detach()), 0.25)
