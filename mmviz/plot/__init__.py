"""Drawing only: records, histories and numbers it is given become figures; it never trains.

``base`` (Figure, theme, colours by modality name, live PNGs), ``attention`` (token heatmaps and
modality blocks), ``curves`` (gradient norms, training histories, cost), ``graphs`` (attention as a
graph, attention on the picture), ``compare`` (the variants side by side).
"""
from .attention import AttentionPicture, BlocksPicture, plot_attention, plot_modality_blocks
from .base import (
    ATTENTION_CMAP,
    FUSED_COLOUR,
    MODALITY_COLOURS,
    PALETTE,
    Figure,
    LivePng,
    default_token_labels,
    modality_colour,
    modality_name,
    set_theme,
    themed,
    variant_style,
)
from .compare import plot_learning_curves, plot_variant_maps
from .curves import GradNormPicture, HistoryPicture, plot_cost, plot_grad_norms, plot_history
from .graphs import ImagePicture, plot_attention_graph, plot_attention_on_image

__all__ = ["AttentionPicture", "BlocksPicture", "plot_attention", "plot_modality_blocks", "ATTENTION_CMAP",
           "FUSED_COLOUR", "MODALITY_COLOURS", "PALETTE", "Figure", "LivePng", "default_token_labels",
           "modality_colour", "modality_name", "set_theme", "themed", "variant_style", "plot_learning_curves",
           "plot_variant_maps", "GradNormPicture", "HistoryPicture", "plot_cost", "plot_grad_norms",
           "plot_history", "ImagePicture", "plot_attention_graph", "plot_attention_on_image"]
