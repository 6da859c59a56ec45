"""Generated multimodal data with known alignment, seeded, nothing downloaded.

``world``: the scene and how each modality (image, caption, sound, sensor) is drawn from it;
``tasks``: the fusion tasks (``make_task``); ``pictures``: the ViT's pictures. Knows nothing of models.
"""
from .pictures import QUADRANTS, make_pictures, quadrant
from .tasks import TASKS, intended, make_repeat_task, make_task, modality_range, task_budget
from .world import (
           CELL,
           GRID,
           MODALITY_ORDER,
           PAD,
           PAD_ID,
           STEPS,
           VOCAB,
           Modality,
           Split,
           Task,
           modality,
           record_labels,
)

__all__ = ["TASKS", "make_task", "task_budget", "intended", "modality_range", "make_repeat_task", "Task",
           "Split", "Modality", "modality",
           "record_labels", "make_pictures", "quadrant", "QUADRANTS", "GRID", "CELL", "STEPS", "VOCAB", "PAD",
           "PAD_ID",
           "MODALITY_ORDER"]
