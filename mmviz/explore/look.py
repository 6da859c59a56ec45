"""One sentence per map: what to look for in it, changing with the stage shown and with training."""
from __future__ import annotations

import html
from collections.abc import Sequence

from ..outputs import AttentionRecord
from ..plot.base import modality_name
from ..stages import kind_of


def stage_sentence(record: AttentionRecord, names: Sequence[str]) -> str:
    """What the structure of this stage lets the reader see: its kind's sentence (``StageKind.look``),
    with the names of its query and key modalities."""
    name = lambda ms: " and ".join(modality_name(m, names) for m in sorted(set(ms.tolist())))  # noqa: E731
    return kind_of(record).look.format(q=name(record.query_modality), k=name(record.key_modality))


def what_to_look_for(record: AttentionRecord, names: Sequence[str], trained: bool, uniform: float) -> str:
    """The explorer's caption: the stage's sentence, then what training changes (as HTML)."""
    if trained:
        after = (f"Trained: cells much brighter than the uniform level ({uniform:.2g}, the white line on "
                 "the colour bar) are what the model learned to look at.")
    else:
        after = (f"Untrained: the weights come from random parameters and stay near uniform ({uniform:.2g}, "
                 "the white line on the colour bar); press Train and compare.")
    text = f"{stage_sentence(record, names)} {after}"
    return f'<div style="font-size:13px;max-width:900px"><b>What to look for.</b> {html.escape(text)}</div>'


def what_to_look_for_in_norms(norm: str, init: str, depth: int) -> str:
    """The norm explorer's caption: what the bold placement's line should do, with Xiong et al.'s (2020)
    prediction and the assumptions it rests on (as HTML)."""
    if norm == "post":
        text = ("Post-norm (bold): Xiong et al. (2020) predict that the last layer's gradient (right end) "
                "stays of order d·√(ln d) whatever the depth L, and that earlier layers get less, by about "
                "(2/3)^((L−l)/2): largest at the output in deep stacks (here from about L = 12). Move the "
                f"depth (now {depth}) and compare the right end of the two lines.")
    else:
        text = ("Pre-norm (bold): Xiong et al. (2020) predict that the last layer's gradient (right end) "
                f"shrinks like d·√(ln d / L) as the depth L grows (now {depth}): no layer starts with "
                "outsized steps, which is why pre-norm trains without warm-up. Move the depth and compare "
                "the right end of the two lines.")
    if init == "xavier":
        text += " Their theory assumes Xavier initialisation (as here) and uniform attention at the start."
    else:
        text += (" This is PyTorch's default initialisation, not the Xavier one their theory assumes: the "
                 "prediction need not hold here; compare with xavier.")
    return f'<div style="font-size:13px;max-width:900px"><b>What to look for.</b> {html.escape(text)}</div>'
