"""What a fusion model returns: its fused tokens, a pooled summary, and every attention map it drew."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

FUSED = -1  # modality index of a token that belongs to no single modality (early summation)


@dataclass
class AttentionRecord:
    """One attention map of one layer of one stage.

    stage: a readable name, e.g. "modality 1 encoder", "joint", "cross 1←2" (modality 1's queries
    read modality 2; modalities numbered from 1 in names); layer: 0-based index inside the stage;
    weights: (batch, heads, Nq, Nk), rows sum to 1; query_modality (Nq,) and key_modality (Nk,):
    LongTensors of 0-based modality indices, FUSED (-1) for a token mixed from several modalities;
    kind: the name of its stage's kind in ``mmviz.fusion.STAGE_KINDS`` ("joint", "separate", "cross",
    "summed", ...), which consumers look up instead of parsing ``stage``; "joint" (every token reads
    every token) for a map made by hand.
    """

    stage: str
    layer: int
    weights: torch.Tensor
    query_modality: torch.Tensor
    key_modality: torch.Tensor
    kind: str = "joint"

    @property
    def name(self) -> str:
        return f"{self.stage}, layer {self.layer + 1}"


@dataclass
class FusionOutput:
    """tokens: (batch, N, dim), the final token sequence (separate streams concatenated in modality
    order); token_modality: (N,) 0-based modality index of each of those tokens (FUSED where mixed);
    pooled: (batch, dim), one summary vector for a classifier head (the mean of the present tokens);
    attention: the records in the order they were computed; padding: None, or (batch, N) bool, True
    where a final token was padded or absent (its values mean nothing)."""

    tokens: torch.Tensor
    token_modality: torch.Tensor
    pooled: torch.Tensor
    attention: list[AttentionRecord] = field(default_factory=list)
    padding: torch.Tensor | None = None

    def stream(self, m: int) -> torch.Tensor:
        """The final tokens of modality ``m`` (0-based): (batch, N_m, dim)."""
        return self.tokens[:, self.token_modality == m]

    def stream_padding(self, m: int | None = None) -> torch.Tensor:
        """(batch, N_m) bool, True where a final token of modality ``m`` (all tokens for None) is padded."""
        keep = slice(None) if m is None else self.token_modality == m
        if self.padding is None:
            return torch.zeros(self.tokens[:, keep].shape[:2], dtype=torch.bool)
        return self.padding[:, keep]
