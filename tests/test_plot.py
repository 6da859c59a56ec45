"""The pictures, drawn from real attention records: labels, modality bands and blocks are there."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgb

import mmviz
from mmviz.measure import modality_blocks
from mmviz.plot import AttentionPicture, modality_colour

DIM = 16


def output(variant, counts, seed=0, alpha=None):
    torch.manual_seed(seed)
    model = mmviz.build_fusion(variant, len(counts), DIM, depth=1, heads=2, alpha=alpha)
    with torch.no_grad():
        return model([torch.randn(2, n, DIM) for n in counts])


@pytest.fixture(scope="module")
def concat():
    return output("early_concatenation", [6, 3])


def drawn_image(fig):
    return fig.axes[0].images[0].get_array()


def test_plot_attention_labels_bands_lines_and_colourbar(concat):
    record = concat.attention[0]
    fig = mmviz.plot_attention(record, modality_names=["image", "caption"])
    heat, left, top, cbar = fig.axes
    expected = [f"ima:{i}" for i in range(6)] + [f"cap:{i}" for i in range(3)]
    assert [t.get_text() for t in heat.get_xticklabels()] == expected
    assert len(left.get_yticklabels()) == 9
    assert np.allclose(drawn_image(fig), record.weights[0].mean(0).numpy())
    # the bands carry the modality colours, one pixel per token
    top_band = top.images[0].get_array()[0]
    assert np.allclose(top_band[0], to_rgb(modality_colour(0)))
    assert np.allclose(top_band[-1], to_rgb(modality_colour(1)))
    assert len(heat.lines) == 2                          # one boundary line on each axis
    assert cbar.get_ylabel() == "attention weight"
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {"image", "caption"}


def test_plot_attention_head_choice_and_thinned_ticks():
    out = output("early_concatenation", [40, 20])
    record = out.attention[0]
    fig = mmviz.plot_attention(record, head=1, sample=1, max_ticks=24)
    assert np.allclose(drawn_image(fig), record.weights[1, 1].numpy())
    assert len(fig.axes[0].get_xticklabels()) <= 24
    with pytest.raises(ValueError, match="head"):
        mmviz.plot_attention(record, head=2)
    with pytest.raises(ValueError, match="sample"):
        mmviz.plot_attention(record, sample=5)
    with pytest.raises(ValueError, match="query_labels"):
        mmviz.plot_attention(record, query_labels=["a"])
    with pytest.raises(ValueError, match="AttentionRecord"):
        mmviz.plot_attention(record.weights)


def test_cross_attention_record_is_rectangular_and_fused_tokens_are_grey():
    cross = output("cross_attention", [5, 3]).attention[0]
    fig = mmviz.plot_attention(cross)
    assert drawn_image(fig).shape == (5, 3)
    summed = output("early_summation", [4, 4]).attention[0]
    fig = mmviz.plot_attention(summed)
    assert np.allclose(fig.axes[2].images[0].get_array()[0], to_rgb(modality_colour(mmviz.FUSED)))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["summed"]


def test_live_picture_updates_in_place_and_png_matches_a_full_draw(concat):
    from io import BytesIO

    from PIL import Image

    pic = AttentionPicture()
    pic.draw(concat.attention[0], head=0)
    first = pic.png()
    image, axes = pic.image, list(pic.figure.axes)
    pic.draw(concat.attention[0], head=1)
    second = pic.png()
    assert first != second
    small = output("early_concatenation", [2, 2]).attention[0]
    pic.draw(small)                                   # a new token layout reuses the same axes
    assert pic.image is image and pic.figure.axes == axes
    assert pic.image.get_array().shape == (4, 4) and len(pic.axes.lines) == 2
    blitted = np.asarray(Image.open(BytesIO(pic.png())).convert("RGBA"))
    pic.figure.canvas.draw()                          # everything drawn from scratch
    assert np.array_equal(blitted, np.asarray(pic.figure.canvas.buffer_rgba()))


@pytest.mark.parametrize("counts", [[4, 3], [4, 3, 2], [2, 2, 2, 2]])
def test_modality_blocks_is_m_by_m_with_rows_summing_to_one(counts):
    out = output("early_concatenation", counts)
    mods, mass = modality_blocks(out)
    assert mods == list(range(len(counts))) and mass.shape == (len(counts),) * 2
    assert np.allclose(mass.sum(1), 1)
    fig = mmviz.plot_modality_blocks(out)
    assert fig.modality_mass.shape == (len(counts),) * 2
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert names == [f"modality {m + 1}" for m in range(len(counts))]


def test_modality_blocks_see_the_structure_of_each_variant():
    # multi→one: the separate encoders never cross modalities; the joint stage does
    out = output("hierarchical_multi_to_one", [4, 3])
    _, first = modality_blocks(out, stage="modality 1 encoder")
    assert first.shape == (1, 1) and np.isclose(first[0, 0], 1)
    _, joint = modality_blocks(out, stage="joint")
    assert joint[0, 1] > 0 and joint[1, 0] > 0
    # cross-attention: all mass goes to the other modality
    _, cross = modality_blocks(output("cross_attention", [4, 3]))
    assert np.allclose(np.diag(cross), 0) and np.allclose(cross.sum(1), 1)
    with pytest.raises(ValueError, match="stage"):
        modality_blocks(out, stage="nope")


def test_attention_on_image_takes_one_query_row_over_the_patches():
    out = output("early_concatenation", [16, 2])
    record = out.attention[0]
    image = np.random.default_rng(0).random((24, 24, 3))
    fig = mmviz.plot_attention_on_image(image, record, query=16)
    assert np.allclose(fig.patch_weights.ravel(), record.weights[0, :, 16, :16].mean(0).numpy())
    with pytest.raises(ValueError, match="grid"):
        mmviz.plot_attention_on_image(image, np.ones(15))
    with pytest.raises(ValueError, match="image"):
        mmviz.plot_attention_on_image(np.ones((24, 24)), np.ones(16))


def test_attention_graph_has_one_node_per_token_beside_a_convolution(concat):
    fig = mmviz.plot_attention_graph(concat.attention[0])
    graph, conv = fig.axes
    assert graph.collections[-1].get_offsets().shape == (9, 2)        # the token nodes
    assert len(conv.collections[-1].get_segments()) == 9              # 3x3 neighbourhood edges
    arrows = [p for p in graph.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) >= 9 and all(a.get_arrowstyle().__class__.__name__ == "CurveFilledB" for a in arrows)
    with pytest.raises(ValueError, match="self-attention"):
        mmviz.plot_attention_graph(output("cross_attention", [3, 2]).attention[0])


def test_curves():
    fig = mmviz.plot_grad_norms(pre=[3.0, 2.0, 1.0], post=[1.0, 2.0, 4.0])
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    assert list(lines["post"].get_ydata()) == [1.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="finite"):
        mmviz.plot_grad_norms(pre=[1.0, float("nan")])
    fig = mmviz.plot_history({"pre": {"loss": [2.0, 1.0], "accuracy": [0.3, 0.6]}, "post": [2.0, 1.5]})
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    fig = mmviz.plot_cost(token_counts=(2, 4, 8))
    lines = {line.get_label(): line.get_ydata() for line in fig.axes[0].lines}
    assert len(lines) == len(mmviz.FUSION_VARIANTS)
    concat, summed = lines["early concatenation"], lines["early summation"]
    assert np.allclose(np.asarray(concat) / np.asarray(summed), 4)    # (2N)² vs N²
    with pytest.raises(ValueError, match="part"):
        mmviz.plot_cost(part="flops")


def test_a_modality_without_queries_in_a_record_has_no_row_sum():
    record = output("cross_attention", [4, 3]).attention[0]          # queries of modality 1 only
    mods, mass = modality_blocks(record)
    assert mods == [0, 1] and np.isnan(mass[1]).all() and np.isclose(np.nansum(mass[0]), 1)
    fig = mmviz.plot_modality_blocks(record)
    assert "no\nqueries" in [t.get_text() for t in fig.axes[0].texts]


def test_figures_show_as_png_in_a_notebook_without_pyplot(concat):
    png = mmviz.plot_attention(concat.attention[0])._repr_png_()
    assert png.startswith(b"\x89PNG")
