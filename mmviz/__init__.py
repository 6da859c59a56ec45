"""mmviz: tiny multimodal Transformers that train in seconds on a CPU, and pictures of what they attend to.

``import mmviz`` pulls in only torch, numpy and matplotlib; ipywidgets and seaborn are imported
by the modules that draw and interact.

Importing mmviz sets PyTorch to one CPU thread: its models are tiny, and with two or more threads
each small matrix product pays thread hand-off costs (measured on 2 cores: a training step 9.8 ms
on one thread, 370 ms on two while the other core was busy). It also keeps results bit-identical
from run to run. Call ``torch.set_num_threads(n)`` after the import to undo it.
"""
import torch as _torch

from . import check
from .analysis import grad_norms_at_init, norm_training_curve
from .blocks import Attention, Encoder, TransformerBlock
from .context_task import make_repeat_task
from .cost import attention_cost, count_parameters
from .data import TASKS, Modality, Task, make_task
from .fusion import FUSION_VARIANTS, build_fusion
from .influence import self_context_change, stage_change, stream_influence
from .labels import record_labels
from .plot import plot_attention, plot_modality_blocks
from .plot_curves import plot_cost, plot_grad_norms, plot_history
from .plot_graph import plot_attention_graph, plot_attention_on_image
from .records import FUSED, AttentionRecord, FusionOutput
from .tokens import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding, patchify
from .train import FusionClassifier, History, alignment_score, alignment_scores, evaluate, fit
from .vit import VisionTransformer

_torch.set_num_threads(1)  # tiny models: one thread is faster and bit-reproducible (see above)

__all__ = ["Attention", "Encoder", "TransformerBlock",
           "check", "grad_norms_at_init", "norm_training_curve", "VisionTransformer",
           "FUSION_VARIANTS", "build_fusion", "attention_cost", "count_parameters",
           "AttentionRecord", "FusionOutput", "FUSED",
           "PatchEmbedding", "SymbolEmbedding", "SignalEmbedding", "ModalityTypeEmbedding", "patchify",
           "TASKS", "make_task", "Task", "Modality",
           "FusionClassifier", "fit", "evaluate", "alignment_score", "alignment_scores", "History",
           "plot_attention", "plot_modality_blocks", "plot_attention_on_image", "plot_attention_graph",
           "plot_grad_norms", "plot_history", "plot_cost", "fusion_explorer", "norm_explorer",
           "stream_influence", "stage_change", "self_context_change", "record_labels", "make_repeat_task"]
__version__ = "0.1.0"


def __getattr__(name):
    # The explorers need ipywidgets: import them on first use so ``import mmviz`` stays light.
    if name in ("fusion_explorer", "norm_explorer"):
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'mmviz' has no attribute {name!r}")
