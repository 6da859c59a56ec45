"""mmviz: tiny multimodal Transformers that train in seconds on a CPU, and pictures of what they attend to.

``import mmviz`` pulls in only torch, numpy and matplotlib; ipywidgets and seaborn are imported
by the modules that draw and interact.
"""
from . import check
from .analysis import grad_norms_at_init, norm_training_curve
from .blocks import Attention, Encoder, TransformerBlock
from .cost import attention_cost, count_parameters
from .data import TASKS, Modality, Task, make_task
from .fusion import FUSION_VARIANTS, build_fusion
from .plot import plot_attention, plot_modality_blocks
from .plot_curves import plot_cost, plot_grad_norms, plot_history
from .plot_graph import plot_attention_graph, plot_attention_on_image
from .records import FUSED, AttentionRecord, FusionOutput
from .tokens import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding, patchify

__all__ = ["Attention", "Encoder", "TransformerBlock",
           "check", "grad_norms_at_init", "norm_training_curve",
           "FUSION_VARIANTS", "build_fusion", "attention_cost", "count_parameters",
           "AttentionRecord", "FusionOutput", "FUSED",
           "PatchEmbedding", "SymbolEmbedding", "SignalEmbedding", "ModalityTypeEmbedding", "patchify",
           "TASKS", "make_task", "Task", "Modality",
           "plot_attention", "plot_modality_blocks", "plot_attention_on_image", "plot_attention_graph",
           "plot_grad_norms", "plot_history", "plot_cost"]
__version__ = "0.1.0"
