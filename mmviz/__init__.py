"""mmviz: tiny multimodal Transformers that train in seconds on a CPU, and pictures of what they attend to.

``import mmviz`` pulls in only torch, numpy and matplotlib; ipywidgets and seaborn are imported
by the modules that draw and interact.
"""
from .blocks import Attention, Encoder, TransformerBlock

__all__ = ["Attention", "Encoder", "TransformerBlock"]
__version__ = "0.1.0"
