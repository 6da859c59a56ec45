"""The attention graph stays readable at notebook 04's size: 35 tokens of four modalities.

Labels sit outside the circle and overlap neither a node nor each other; the modality legend covers
no node (issue 14: labels collided, names were cut to "ima/sou/sen", the legend hid nodes).
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

import mmviz


def graph_of_35_tokens():
    torch.manual_seed(0)
    fusion = mmviz.build_fusion("early_concatenation", num_modalities=4, dim=16, depth=1)
    record = fusion([torch.randn(1, n, 16) for n in (16, 3, 8, 8)]).attention[0]
    labels = [str(i) for i in range(16)] + ["triangle", "red", "circle"] + [str(i) for i in range(8)] * 2
    return mmviz.plot_attention_graph(record, labels=labels, modality_names=["image", "caption", "sound",
                                                                            "sensor"], top=2)


def test_labels_and_legend_cover_no_node_and_labels_do_not_collide():
    fig = graph_of_35_tokens()
    graph = fig.axes[0]
    FigureCanvasAgg(fig)                    # mmviz's figures have no pyplot canvas: give one to measure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    nodes = graph.collections[-1]
    centres = graph.transData.transform(nodes.get_offsets())              # display pixels
    radius = np.sqrt(nodes.get_sizes().max()) / 2 * fig.dpi / 72          # the largest marker's radius
    boxes = [t.get_window_extent(renderer) for t in graph.texts]
    assert len(boxes) == 35
    legend = graph.get_legend().get_window_extent(renderer)

    def hits(box, centre, pad):
        return (box.x0 - pad < centre[0] < box.x1 + pad) and (box.y0 - pad < centre[1] < box.y1 + pad)

    assert not any(hits(legend, c, radius) for c in centres), "the legend covers a node"
    for box in boxes:                       # a label may touch its own node's rim, never a node's centre
        assert not any(hits(box, c, 0) for c in centres), "a label covers a node"
    overlaps = [(i, j) for i in range(35) for j in range(i + 1, 35) if boxes[i].overlaps(boxes[j])]
    assert not overlaps, f"labels overlap: {overlaps}"
