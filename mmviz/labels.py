"""Readable token labels for the pictures: which word, which patch, which time step each token is."""
from __future__ import annotations

from .records import FUSED


def record_labels(task, modality_of_tokens, sample=0, split="test"):
    """One label per token of a record's queries or keys, from sample ``sample`` of ``task``.

    modality_of_tokens: (N,) 0-based modality indices (``record.query_modality`` or ``.key_modality``),
    tokens of each modality in order → ["patch (0,0)", …, "red", "circle"]; a summed token is "Σ t=3".
    """
    words = task.token_labels(sample, split)
    seen, out = {}, []
    for m in (int(x) for x in modality_of_tokens):
        k = seen.get(m, 0)
        seen[m] = k + 1
        if m == FUSED:
            out.append(f"Σ {words[0][k]}")
        elif 0 <= m < len(words) and k < len(words[m]):
            out.append(str(words[m][k]))
        else:
            raise ValueError(f"token {k} of modality {m} has no label in task {task.name!r} "
                             f"({len(words)} modalities)")
    return out
