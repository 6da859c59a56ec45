"""Every widget of the collection, and the only package that imports ipywidgets.

``base`` (Explorer with its static-picture fallback, ``with_picture``, pictures at their natural
size, the sample panel), ``look`` (the one sentence under each map: what to look for), ``fusion``
(the fusion explorer), ``norm`` (the pre/post-norm explorer), ``stages`` (the stage viewer of
notebooks 07-09), ``absent`` (modalities switched off, notebook 11).
"""
from .absent import AbsentExplorer, absent_explorer
from .base import Explorer, figure_png, with_picture
from .fusion import FusionExplorer, fusion_explorer
from .norm import NormExplorer, norm_explorer
from .stages import StageViewer, stage_viewer

__all__ = ["Explorer", "figure_png", "with_picture", "FusionExplorer", "fusion_explorer", "NormExplorer",
           "norm_explorer", "StageViewer", "stage_viewer", "AbsentExplorer", "absent_explorer"]
