"""A variant with a NEW kind of stage, declared in this file alone, works everywhere.

One-way cross-attention: the first modality's queries read the keys of all the others, while every
other modality attends only to itself (a "reader" modality, e.g. a caption reading an image whose
tokens never look back). Neither its stage kind ("one_way") nor the variant exists in mmviz: both are
registered here, for each test only (``mmviz.fusion.registered``), and cost, training, the masks,
every plot, the playground, the check sentence, the stage viewer and the fusion explorer take them
from the registries like the survey's six.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import mmviz
from mmviz.blocks import TransformerBlock
from mmviz.fusion import (
    STAGE_KINDS,
    VARIANTS,
    Fusion,
    StageKind,
    Variant,
    modality_labels,
    registered,
    stage_masks,
)
from mmviz.lessons import playground
from mmviz.measure import drawn_edges
from mmviz.outputs import AttentionRecord
from mmviz.train import FusionClassifier, evaluate, fit

NAME, KIND = "one_way_cross", "one_way"
LOOK = "One-way cross-attention: {q} queries read only {k} keys here, and those keys never read back."


def reads_one_way(M):
    """Modality 1's queries read modalities 2..M; each of those reads only itself."""
    return (((0,), tuple(range(1, M))),) + tuple(((m,), (m,)) for m in range(1, M))


ONE_WAY = StageKind(KIND, reads_one_way, "one-way: {a}←{b}, {b} on itself", LOOK,
                    "the first modality's queries on the others' keys, the others on themselves")


class OneWayCross(Fusion):
    """Z_1 ← Tf(Q_1; K, V from C(Z_2..Z_M)) and Z_m ← Tf(Z_m) for m ≥ 2, ``depth`` layers."""

    def __init__(self, num_modalities, dim, **kwargs):
        super().__init__(num_modalities, dim, **kwargs)
        block = lambda m: TransformerBlock(self.dim, self.heads, self.mlp_dim, self.norm,  # noqa: E731
                                           self.dropout, cross=m == 0)
        self.layers = nn.ModuleList(nn.ModuleList(block(m) for m in range(num_modalities))
                                    for _ in range(self.depth))

    def forward(self, zs):
        zs = self.check_inputs(zs)
        counts = [z.shape[1] for z in zs]
        records = []
        for layer, blocks in enumerate(self.layers):
            others = list(range(1, len(zs)))
            new = [blocks[0](zs[0], context=torch.cat(zs[1:], dim=1))] + [blocks[m](zs[m]) for m in others]
            records.append(AttentionRecord("one-way 1←rest", layer, blocks[0].attention,
                                           modality_labels([counts[0]], [0]),
                                           modality_labels(counts[1:], others), KIND))
            for m in others:
                own = modality_labels([counts[m]], [m])
                records.append(AttentionRecord(f"one-way {m + 1}", layer, blocks[m].attention, own, own,
                                               KIND))
            zs = new
        return self.output(zs, modality_labels(counts), records)


@pytest.fixture
def one_way():
    assert KIND not in STAGE_KINDS and NAME not in VARIANTS
    with registered(ONE_WAY, Variant(NAME, OneWayCross, (KIND,), min_modalities=2,
                                     style=dict(marker="*", ls="-"))):
        yield NAME
    assert KIND not in STAGE_KINDS and NAME not in VARIANTS          # gone again: other tests never see it


@pytest.fixture(scope="module")
def task():
    return mmviz.make_task("tally", num_modalities=2, n_train=64, n_test=16, seed=0)


def test_cost_is_what_the_flop_counter_counts(one_way):
    counts, dim = [5, 3, 2], 16
    model = mmviz.build_fusion(one_way, 3, dim, depth=2, heads=2)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model([torch.randn(1, n, dim) for n in counts])
    cost = mmviz.attention_cost(one_way, counts, dim, depth=2, heads=2)
    assert counter.get_total_flops() == cost["total"] and set(cost["stages"]) == {KIND}
    # 5 queries on 3 + 2 keys, then 3 on 3 and 2 on 2: 4·d per pair, two layers
    assert cost["attention"] == 2 * 4 * (5 * 5 + 3 * 3 + 2 * 2) * dim
    assert VARIANTS[one_way].how() == ONE_WAY.how


def test_masks_are_the_attention_the_model_draws(one_way):
    counts = (3, 2, 2)
    (kind, mask), = stage_masks(one_way, counts)
    assert kind == KIND and int(mask.sum()) == 3 * 4 + 2 * 2 + 2 * 2
    assert mask[:3, 3:].all() and not mask[:3, :3].any() and not mask[3:, :3].any()   # never read back
    model = mmviz.build_fusion(one_way, 3, 16, depth=2, heads=2)
    drawn = drawn_edges(model([torch.randn(2, n, 16) for n in counts]))
    assert [(k, layer) for k, layer, _ in drawn] == [(KIND, 0), (KIND, 1)]
    assert all(torch.equal(seen, mask) for _, _, seen in drawn)
    padding = ONE_WAY.key_masks(counts, [None, torch.tensor([[False, True]]), None])
    assert [m.tolist() for m in padding] == [[[False, True, False, False]], [[False, True]], [[False, False]]]
    with pytest.raises(ValueError, match="one_way_cross needs at least 2 modalities"):
        stage_masks(one_way, (4,))


def test_it_trains_and_the_playground_measures_it(one_way, task):
    model = FusionClassifier(one_way, task, dim=16, depth=1, heads=2, seed=0)
    assert model.fusion.variant == one_way
    history = fit(model, task, steps=3, batch_size=16, progress=False, eval_every=3)
    assert len(history.loss) == 3 and 0.0 <= evaluate(model, task)["accuracy"] <= 1.0
    row = playground.measure(model, task, history)
    assert 0 < row.cross_share < 1                     # modality 1 crosses, modality 2 does not
    table = playground.comparison_table({one_way: row})
    assert one_way in table


def test_every_plot_draws_it(one_way, task):
    model = FusionClassifier(one_way, task, dim=16, depth=1, heads=2, seed=0)
    history = fit(model, task, steps=2, batch_size=8, progress=False, eval_every=2)
    row = playground.measure(model, task, history)
    results = {one_way: row, "early_summation": ValueError("needs equal token counts; x")}
    masks = mmviz.plot.compare.plot_variant_masks(variants=("early_concatenation", one_way))
    titles = [ax.get_title() for ax in masks.axes]
    assert titles[1].startswith("one-way: A←B, B on itself")
    maps = mmviz.plot.plot_variant_maps(results, task)
    assert any("one-way 1←rest" in t.get_text() for ax in maps.axes for t in [ax.title])
    curves = mmviz.plot.plot_learning_curves(results)
    assert curves.axes[0].get_legend_handles_labels()[1] == [one_way.replace("_", " ")]
    evidence = {one_way: {"curve": [[0.5, 0.9]], "curve_steps": [50, 100]}}
    drawn = mmviz.plot.compare.plot_evidence_curves([("tally", evidence, 0.25)])
    assert [t.get_text() for t in drawn.legends[0].get_texts()] == [one_way.replace("_", " ")]
    cost = mmviz.plot_cost(token_counts=(2, 4), num_modalities=2)
    assert one_way.replace("_", " ") in cost.axes[0].get_legend_handles_labels()[1]
    reads, itself = row.output.attention[:2]          # modality 1 on the others; modality 2 on itself
    assert mmviz.plot_attention(reads).axes and mmviz.plot_modality_blocks(row.output).axes
    assert mmviz.plot_attention_graph(itself).axes     # a graph needs queries = keys: modality 2's map


def test_the_explorer_and_the_viewer_read_its_kind(one_way, task):
    pytest.importorskip("ipywidgets")
    explorer = mmviz.fusion_explorer(task, variant=one_way, steps=2, batch_size=8, n_test=8)
    assert one_way in explorer.controls["variant"].options
    assert explorer.output.attention[0].kind == KIND
    first, second = (m.name for m in task.modalities)
    assert LOOK.format(q=first, k=second) in explorer.caption.value            # the kind's own sentence
    explorer.controls["layer"].value = 1                # modality 2 on itself: the same kind, its names
    assert LOOK.format(q=second, k=second) in explorer.caption.value
    viewer = mmviz.stage_viewer(FusionClassifier(one_way, task, dim=16, depth=1, heads=2), task)
    assert viewer.pictures()
