"""mmviz: tiny multimodal Transformers that train in seconds on a CPU, and pictures of what they attend to.

The package is layered; each layer imports only the ones below it (a test keeps it so):

    explore/     explorers and viewers (the only place that imports ipywidgets)
    plot/        drawing only: records, histories and numbers it is given
    train.py · seeds.py · measure.py · lessons/ · check.py
    fusion.py    the survey's variants and their registry
    blocks.py · tokens.py · vit.py · outputs.py · stages.py · data/

``import mmviz`` pulls in only torch, numpy and matplotlib; ipywidgets (the explorers) and seaborn
(the theme) are imported on first use.

Importing mmviz changes nothing in the process. Where mmviz trains or measures (``fit``,
``evaluate``, the seed runs and their worker processes, the lessons' experiments, the explorers) it
runs PyTorch on one CPU thread and then gives back the caller's thread count (``mmviz._threads``):
its models are tiny, and with two or more threads each small matrix product pays thread hand-off
costs (measured on 2 cores: a training step 9.8 ms on one thread, 370 ms on two while the other core
was busy). One thread also keeps results bit-identical from run to run.
"""
import importlib as _importlib

from . import check, data, lessons, measure, plot
from .blocks import Attention, Encoder, TransformerBlock
from .data import TASKS, Modality, Task, make_pictures, make_repeat_task, make_task, record_labels
from .fusion import FUSION_VARIANTS, VARIANTS, Variant, build_fusion, register_variant
from .lessons.norms import grad_norms_at_init, norm_training_curve
from .measure import (
    alignment_auc,
    alignment_aucs,
    alignment_score,
    alignment_scores,
    attention_cost,
    count_parameters,
    cross_modal_share,
    modality_blocks,
    parameters_without_gradient,
    self_context_change,
    stage_change,
    stream_influence,
)
from .outputs import FUSED, AttentionRecord, FusionOutput
from .plot import (
    plot_attention,
    plot_attention_graph,
    plot_attention_on_image,
    plot_cost,
    plot_grad_norms,
    plot_history,
    plot_modality_blocks,
)
from .seeds import Seeds, fit_seeds, over_seeds
from .stages import STAGE_KINDS, StageKind, register_stage_kind
from .tokens import ModalityTypeEmbedding, PatchEmbedding, SignalEmbedding, SymbolEmbedding, patchify
from .train import FusionClassifier, History, evaluate, fit, train_vit, vit_accuracy
from .vit import VisionTransformer

__all__ = ["Attention", "Encoder", "TransformerBlock",
           "check", "data", "lessons", "measure", "plot", "explore",
           "grad_norms_at_init", "norm_training_curve", "VisionTransformer", "train_vit", "vit_accuracy",
           "FUSION_VARIANTS", "VARIANTS", "Variant", "register_variant", "build_fusion",
           "STAGE_KINDS", "StageKind", "register_stage_kind",
           "attention_cost", "count_parameters", "parameters_without_gradient",
           "AttentionRecord", "FusionOutput", "FUSED",
           "PatchEmbedding", "SymbolEmbedding", "SignalEmbedding", "ModalityTypeEmbedding", "patchify",
           "TASKS", "make_task", "make_repeat_task", "make_pictures", "Task", "Modality", "record_labels",
           "FusionClassifier", "fit", "evaluate", "alignment_score", "alignment_scores", "History",
           "modality_blocks", "cross_modal_share", "alignment_auc", "alignment_aucs",
           "Seeds", "over_seeds", "fit_seeds",
           "plot_attention", "plot_modality_blocks", "plot_attention_on_image", "plot_attention_graph",
           "plot_grad_norms", "plot_history", "plot_cost",
           "fusion_explorer", "norm_explorer", "stage_viewer", "with_picture",
           "stream_influence", "stage_change", "self_context_change"]
__version__ = "0.1.0"

_EXPLORE = ("explore", "fusion_explorer", "norm_explorer", "stage_viewer", "with_picture")


def __getattr__(name):
    # The explorers need ipywidgets (slow to import): load them on first use, so ``import mmviz`` stays light.
    if name in _EXPLORE:
        explore = _importlib.import_module(".explore", __name__)
        return explore if name == "explore" else getattr(explore, name)
    raise AttributeError(f"module 'mmviz' has no attribute {name!r}")
