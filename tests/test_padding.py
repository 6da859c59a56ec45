"""Padded and absent tokens: no query reads them, so their values never change the other tokens."""
from __future__ import annotations

import pytest
import torch

import mmviz
from mmviz.blocks import Encoder
from mmviz.data import PAD_ID, VOCAB
from mmviz.fusion import FUSION_VARIANTS, build_fusion, stage_padding
from mmviz.measure import modality_blocks
from mmviz.tokens import SymbolEmbedding

B, DIM, COUNTS = 4, 16, (5, 3)


def masks_for(variant):
    """Sample 0 pads nothing, 1 pads the last tokens, 2 drops modality 2, 3 drops modality 1 (where the
    variant can run without it; early summation needs the same positions padded in every modality)."""
    if variant == "early_summation":
        mask = torch.zeros(B, COUNTS[0], dtype=torch.bool)
        mask[1, 3:] = mask[2, 1:] = mask[3, ::2] = True
        return [mask, mask.clone()]
    first, second = torch.zeros(B, COUNTS[0], dtype=torch.bool), torch.zeros(B, COUNTS[1], dtype=torch.bool)
    first[1, 3:], second[1, 2:] = True, True
    second[2] = True                       # modality 2 absent from sample 2
    first[3] = True                        # modality 1 absent from sample 3
    return [first, second]


def inputs_for(variant, seed=0):
    g = torch.Generator().manual_seed(seed)
    counts = (COUNTS[0], COUNTS[0]) if variant == "early_summation" else COUNTS
    return [torch.randn(B, n, DIM, generator=g) for n in counts]


def refill(zs, masks, how):
    """zs with every padded position overwritten: random values or huge ones."""
    g = torch.Generator().manual_seed(1)
    fill = (lambda z: torch.randn(z.shape, generator=g) * 50) if how == "random" else \
        (lambda z: torch.full(z.shape, 1e4))
    return [torch.where(m[..., None], fill(z), z) for z, m in zip(zs, masks)]


@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_padded_values_never_change_present_tokens_nor_the_pooled_vector(variant, norm):
    torch.manual_seed(0)
    model = build_fusion(variant, 2, DIM, depth=2, heads=2, norm=norm).eval()
    zs, masks = inputs_for(variant), masks_for(variant)
    before = model(zs, key_padding_mask=masks)
    padding = before.padding
    assert padding is not None and padding.any()
    for how in ("random", "huge"):
        leaves = [z.clone().requires_grad_() for z in refill(zs, masks, how)]
        after = model(leaves, key_padding_mask=masks)
        assert torch.isfinite(after.tokens).all() and torch.isfinite(after.pooled).all()
        assert torch.allclose(after.tokens[~padding], before.tokens[~padding], atol=1e-5)
        assert torch.allclose(after.pooled, before.pooled, atol=1e-5)
        (after.tokens[~padding].sum() + after.pooled.sum()).backward()
        for leaf, mask in zip(leaves, masks):
            assert (leaf.grad[mask] == 0).all()                   # no gradient reaches a padded input
            assert leaf.grad[~mask].abs().sum() > 0               # ... while present inputs get one


@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_padded_tokens_read_nothing_and_are_read_by_nobody_in_the_records(variant):
    model = build_fusion(variant, 2, DIM, depth=1, heads=2).eval()
    out = model(inputs_for(variant), key_padding_mask=masks_for(variant))
    assert out.attention
    for record in out.attention:
        w = record.weights
        assert torch.isfinite(w).all()
        rows = w.sum(-1)                                          # (batch, heads, Nq): 1, or 0 if unread
        assert torch.all((rows - 1).abs().lt(1e-5) | rows.eq(0))
    joint = [r for r in out.attention if r.stage in ("joint", "summed")]
    for record in joint:                                          # a padded key gets weight 0
        assert (record.weights.transpose(1, 3)[out.padding] == 0).all()


def test_no_mask_and_an_all_false_mask_give_the_same_output():
    for variant in FUSION_VARIANTS:
        model = build_fusion(variant, 2, DIM, depth=1, heads=2)
        zs = inputs_for(variant)
        none = [torch.zeros(z.shape[:2], dtype=torch.bool) for z in zs]
        assert torch.allclose(model(zs).pooled, model(zs, key_padding_mask=none).pooled, atol=1e-6)
        assert torch.equal(model(zs).pooled, model(zs, key_padding_mask=None).pooled)


def test_cross_attention_query_with_no_key_gets_no_attention_update():
    """M = 2, modality 2 absent: modality 1's queries read nothing, so attention adds 0 to them."""
    model = build_fusion("cross_attention", 2, DIM, depth=1, heads=2).eval()
    zs = inputs_for("cross_attention")
    masks = [None, torch.ones(B, COUNTS[1], dtype=torch.bool)]
    out = model(zs, key_padding_mask=masks)
    block = model.cross[0][0]
    assert torch.isfinite(out.tokens).all()
    assert (out.attention[0].weights == 0).all()                  # "cross 1←2": no key to read
    expected = zs[0] + block.mlp(block.ln2(zs[0]))                # the residual, then the MLP
    assert torch.allclose(out.stream(0), model.cross_norms[0](expected), atol=1e-5)


def test_early_summation_refuses_an_absent_modality_and_says_why():
    model = build_fusion("early_summation", 2, DIM, depth=1, heads=2)
    zs = inputs_for("early_summation")
    absent = [None, torch.zeros(B, COUNTS[0], dtype=torch.bool)]
    absent[1][2] = True
    with pytest.raises(ValueError, match=r"early_summation cannot run with modality 2 absent \(sample 2\).*"
                                         r"α-weighted sum of aligned tokens has no 'absent'"):
        model(zs, key_padding_mask=absent)
    uneven = [torch.zeros(B, COUNTS[0], dtype=torch.bool), torch.zeros(B, COUNTS[0], dtype=torch.bool)]
    uneven[0][0, 1] = True
    with pytest.raises(ValueError, match="padded in every modality"):
        model(zs, key_padding_mask=uneven)


@pytest.mark.parametrize("variant", FUSION_VARIANTS)
def test_a_sample_with_no_token_at_all_is_refused(variant):
    model = build_fusion(variant, 2, DIM, depth=1, heads=2)
    zs = inputs_for(variant)
    nothing = [torch.zeros(z.shape[:2], dtype=torch.bool) for z in zs]
    nothing[0][1] = nothing[1][1] = True
    with pytest.raises(ValueError, match=r"every token of every modality in sample\(s\) \[1\]"):
        model(zs, key_padding_mask=nothing)


@pytest.mark.parametrize("bad, message", [
    (torch.zeros(B, 5, dtype=torch.bool), "list of 2 entries"),
    ([None], "a list of 1"),
    ([None, torch.zeros(B, 4, dtype=torch.bool)], r"modality 2: key_padding_mask must be a bool tensor of "
                                                  r"shape \(4, 3\)"),
    ([torch.zeros(B, 5), None], r"modality 1: .*dtype torch.float32"),
])
def test_a_malformed_mask_is_refused_with_what_was_expected(bad, message):
    model = build_fusion("early_concatenation", 2, DIM, depth=1, heads=2)
    with pytest.raises(ValueError, match=message):
        model(inputs_for("early_concatenation"), key_padding_mask=bad)


def test_stage_padding_slices_the_masks_by_stage_kind():
    a, b, c = (torch.rand(2, n) > 0.5 for n in (3, 4, 5))
    masks = [a, b, c]
    assert torch.equal(stage_padding("joint", masks), torch.cat(masks, 1))
    assert torch.equal(stage_padding("separate", masks, 1), b)
    assert torch.equal(stage_padding("cross", masks, 1), torch.cat([a, c], 1))
    assert torch.equal(stage_padding("summed", [a, a]), a)
    assert stage_padding("joint", None) is None


def test_an_encoder_over_a_fully_padded_sample_stays_finite():
    encoder = Encoder(8, 2, 2)
    x = torch.randn(2, 3, 8, requires_grad=True)
    mask = torch.tensor([[True] * 3, [False, True, False]])
    y = encoder(x, key_padding_mask=mask)
    assert torch.isfinite(y).all()
    assert all((w[0] == 0).all() for w in encoder.attention)      # sample 0 read nothing
    y.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_the_pad_id_is_a_zero_token_after_the_real_words_without_a_table_row():
    torch.manual_seed(0)
    embed = SymbolEmbedding(len(VOCAB), 3, 8)
    assert PAD_ID == len(VOCAB) == embed.pad_id and embed.table.num_embeddings == len(VOCAB)
    words = torch.tensor([[0, 1, PAD_ID]])
    z = embed(words)
    assert (z[0, 2] == 0).all() and (z[0, :2] != 0).any()
    assert torch.equal(z[:, :2], embed(words[:, :2]))             # PAD changes no other token
    with pytest.raises(ValueError, match=rf"\[0, {len(VOCAB)}\) or be the PAD id {PAD_ID}"):
        embed(torch.tensor([[PAD_ID + 1]]))


@pytest.fixture(scope="module")
def tally():
    return mmviz.make_task("tally", num_modalities=2, n_train=64, n_test=40)


def test_a_classifier_runs_without_a_modality_and_its_pooled_vector_skips_it(tally):
    model = mmviz.FusionClassifier("hierarchical_multi_to_one", tally, dim=16, depth=1)
    inputs, masks = tally.without("caption", n=6)
    assert (inputs[1] == PAD_ID).all() and masks[0] is None and masks[1].all()
    logits = model(inputs, masks)
    other = tally.test.first(6)                                     # the real caption, still masked
    assert torch.allclose(logits, model(other, masks), atol=1e-5)
    out = model.run(tally, 6, absent=["caption"])
    assert out.padding[:, out.token_modality == 1].all()
    accuracy = mmviz.evaluate(model, tally, absent=[1])["accuracy"]
    assert 0 <= accuracy <= 1
    with pytest.raises(ValueError, match="unknown modality 'sound'"):
        tally.without("sound")


def test_a_pointer_readout_refuses_a_sample_without_its_pointed_modality():
    locate = mmviz.make_task("locate", n_train=16, n_test=8)
    model = mmviz.FusionClassifier("early_concatenation", locate, dim=16, depth=1)
    assert mmviz.evaluate(model, locate, absent=["caption"])["n"] == 8
    with pytest.raises(ValueError, match=r"'pointer' readout scores the tokens of modality 0 \(image\)"):
        mmviz.evaluate(model, locate, absent=["image"])


def test_modality_dropout_trains_and_zero_dropout_trains_as_before(tally):
    def run(**kw):
        model = mmviz.FusionClassifier("early_concatenation", tally, dim=16, depth=1, seed=3)
        return mmviz.fit(model, tally, steps=4, batch_size=16, progress=False, seed=5, **kw).loss
    plain = run()
    assert run(modality_dropout=0.0) == plain
    dropped = run(modality_dropout=0.5)
    assert dropped != plain and all(map(torch.isfinite, torch.tensor(dropped)))
    summation = mmviz.FusionClassifier("early_summation", mmviz.make_task("sync", 2, n_train=16, n_test=8),
                                       dim=16, depth=1)
    with pytest.raises(ValueError, match="early_summation adds token i of every modality"):
        mmviz.fit(summation, mmviz.make_task("sync", 2, n_train=16, n_test=8), steps=1, modality_dropout=0.3)
    with pytest.raises(ValueError, match="modality_dropout"):
        run(modality_dropout=1.0)


def test_dropout_never_drops_every_modality_nor_the_pointed_one(tally):
    from mmviz.train import dropped
    gen = torch.Generator().manual_seed(0)
    masks = dropped(tally, 500, 0.9, gen)
    absent = torch.stack([m.all(1) for m in masks], 1)
    assert not absent.all(1).any() and absent.any()
    locate = mmviz.make_task("locate", n_train=8, n_test=8)
    masks = dropped(locate, 200, 0.9, gen)
    assert masks[0] is None and masks[1].all(1).float().mean() > 0.8


def test_modality_blocks_average_over_queries_that_read_something():
    model = build_fusion("early_concatenation", 2, DIM, depth=1, heads=2).eval()
    zs = inputs_for("early_concatenation")
    masks = [None, torch.ones(B, COUNTS[1], dtype=torch.bool)]     # modality 2 absent everywhere
    mods, mass = modality_blocks(model(zs, key_padding_mask=masks))
    assert mods == [0, 1]
    assert mass[0, 0] == pytest.approx(1.0, abs=1e-5) and mass[0, 1] == 0     # nothing read from 2
    assert torch.isnan(torch.tensor(mass[1])).all()                            # 2 asked nothing


def test_a_control_trained_without_a_modality_is_checked_without_it_too(tally):
    model = mmviz.FusionClassifier("cross_attention", tally, dim=16, depth=1, seed=2)
    history = mmviz.fit(model, tally, steps=3, batch_size=16, progress=False, eval_every=3,
                        absent=["caption"])
    assert history.test_accuracy[-1] == mmviz.evaluate(model, tally, absent=["caption"])["accuracy"]
    with pytest.raises(ValueError, match="unknown modality 'words'"):
        mmviz.fit(model, tally, steps=1, absent=["words"])
