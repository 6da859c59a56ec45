"""Self-checks for the notebook exercises: ``mmviz.check.<exercise>(answer)`` says right, or what is wrong.

Every check prints one line, "Right: ..." or "Not yet: ...", and returns True or False, so a hidden
test cell can assert on it. To add the checks of a notebook, append a section below: one function
per exercise, each ending in ``return verdict(ok, why_right, why_wrong)``.
"""
from __future__ import annotations

import math

import torch

from .fusion import FUSION_VARIANTS


def verdict(ok, right, wrong):
    """Print "Right: <right>" or "Not yet: <wrong>" and return ``ok`` as a bool."""
    print(f"Right: {right}" if ok else f"Not yet: {wrong}")
    return bool(ok)


def as_tensor(answer, name="answer"):
    """The answer as a float64 tensor, or a ValueError naming what was received."""
    try:
        return torch.as_tensor(answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{name} must be a number, array or tensor, got {type(answer).__name__}") from None


def as_number(answer, name="answer"):
    """The answer as a finite float, or a ValueError naming what was received."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {answer!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def as_choice(answer, choices, name="answer"):
    """The answer as one of ``choices`` (case and spaces ignored), or a ValueError listing them."""
    text = str(answer).strip().lower().replace("-", "_").replace(" ", "_")
    if text not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {answer!r}")
    return text


# --- 00 start here ------------------------------------------------------------------------------


def most_attended(answer, weights, words, query=1):
    """Which word does token ``query`` attend to most in ``weights`` (N, N)? Answer the word."""
    words = [str(w).lower() for w in words]
    text = str(answer).strip().strip('"').lower()
    row = torch.as_tensor(weights)[query]
    want = words[int(row.argmax())]
    if text not in words:
        return verdict(False, "", f"{answer!r} is not a word of the caption; "
                                  f"choose one of {sorted(set(words))}.")
    ok = text == want
    got = max(float(row[i]) for i, w in enumerate(words) if w == text)
    return verdict(ok, f"{want!r}: the brightest cell of row {query} ({words[query]!r}), "
                       f"weight {row.max():.2f}.",
                   f"{text!r} gets weight {got:.2f} from row {query} ({words[query]!r}); another column of "
                   "that row is brighter.")


# --- 01 attention as a graph -------------------------------------------------------------------


def attention_edges(answer, tokens=6):
    """How many directed edges (self-loops included) has one head's attention graph on ``tokens`` tokens?"""
    value = as_number(answer)
    n = tokens * tokens
    return verdict(value == n, f"{n}: every token attends to every token, itself included (N² = {tokens}²).",
                   f"{value:g} is not it. Count the entries of the N×N attention matrix: none is exactly 0.")


def conv_edges(answer, tokens=6, kernel_size=3):
    """How many directed edges does a 1-D convolution (kernel 3, zero padding) draw on ``tokens`` tokens?"""
    value = as_number(answer)
    r = kernel_size // 2
    n = sum(min(tokens - 1, i + r) - max(0, i - r) + 1 for i in range(tokens))
    return verdict(value == n, f"{n}: each token sees at most {kernel_size} inputs, fewer at the two ends.",
                   f"{value:g} is not it. Count, for each output position, the inputs its kernel covers "
                   f"(the ends have fewer).")


def unshuffle(answer, output, shuffled_output, perm):
    """Given outputs f(x) and f(x[perm]), the answer must be the permutation that maps one onto the other."""
    got = as_tensor(answer)
    expect = torch.as_tensor(shuffled_output, dtype=torch.float64)
    want = torch.as_tensor(output, dtype=torch.float64)[:, torch.as_tensor(perm)]
    if got.shape != expect.shape:
        return verdict(False, "", f"expected shape {tuple(expect.shape)}, got {tuple(got.shape)}.")
    return verdict(torch.allclose(got, expect, atol=1e-5) and torch.allclose(want, expect, atol=1e-5),
                   "shuffling the tokens shuffled the outputs the same way: f(x[perm]) = f(x)[perm].",
                   "these are not the shuffled outputs. Index the tokens axis (dim 1) of f(x) with perm.")


def position_breaks_symmetry(answer):
    """Does adding a position embedding keep self-attention permutation-equivariant? Answer True/False."""
    if not isinstance(answer, bool):
        raise ValueError(f"answer must be True or False, got {answer!r}")
    return verdict(answer is False,
                   "a position table is added by position, not by token: shuffled tokens get different "
                   "positions, so the outputs change, not just their order.",
                   "try it: shuffle x, add the same position table to both, and compare the outputs.")


# --- 02 pre-norm versus post-norm --------------------------------------------------------------


def layernorm_norm(answer, dim=64):
    """‖LN(v)‖ at initialisation (γ = 1, β = 0) for a vector of width ``dim``."""
    value = as_number(answer)
    want = math.sqrt(dim)
    if abs(value - dim) < 1e-3 * dim:
        hint = f"{value:g} is the squared length Σ LN(v)ᵢ² = d; the length is its square root."
    else:
        hint = (f"{value:g} is not it. LN(v) has mean 0 and variance 1 over its {dim} coordinates, so "
                f"the squares of its coordinates sum to {dim}: how long is that vector?")
    return verdict(abs(value - want) < 1e-3 * want,
                   f"√d = √{dim} = {want:.3f}: LayerNorm puts every vector on the sphere of radius √d.", hint)


def pre_norm_depth_factor(answer):
    """Predicted g₂₄ / g₁₂ for pre-norm's last-layer gradient (Xiong et al.: g ∝ 1/√L for large L)."""
    value = as_number(answer)
    want = 1 / math.sqrt(2)
    if value >= 1:
        hint = (f"{value:g} says it does not shrink. The final LayerNorm divides by ‖x_L‖, and ‖x_L‖² "
                "grows like L·d: what does that do to the gradient when L doubles?")
    elif abs(value - 0.5) < 0.02:
        hint = "0.5 would be g ∝ 1/L. The LayerNorm divides by ‖x_L‖, the square root of ‖x_L‖² ∝ L."
    else:
        hint = f"{value:g} is not it. Write g ∝ 1/‖x_L‖ with ‖x_L‖ ∝ √L and compare L = 24 with L = 12."
    return verdict(abs(value - want) < 0.03,
                   f"1/√2 ≈ {want:.2f} in the large-L limit; now run the measurement and compare.", hint)


def which_norm_needs_warmup(answer):
    """Which placement, "pre" or "post", is the one that stalls without learning-rate warm-up?"""
    choice = as_choice(answer, ("pre", "post"))
    return verdict(choice == "post",
                   "post-norm: its last layers get the largest gradients at init, so the first full-size "
                   "Adam steps throw it off; warm-up keeps those steps small.",
                   "look at the loss curves without warm-up again: which one stays flat?")


def gram_schmidt_step(answer, v, e):
    """Remove from ``v`` its component along the unit vector ``e``: v − (v·e) e."""
    got = as_tensor(answer)
    v, e = as_tensor(v, "v"), as_tensor(e, "e")
    want = v - (v @ e) * e
    if got.shape != want.shape:
        return verdict(False, "", f"expected a vector of shape {tuple(want.shape)}, got {tuple(got.shape)}.")
    ok = torch.allclose(got, want, atol=1e-6)
    hint = ("it is not orthogonal to e." if abs((got @ e).item()) > 1e-6
            else "it is orthogonal to e but not v minus its projection: subtract (v·e)·e from v.")
    return verdict(ok, "v − (v·e)e is orthogonal to e, and needs e to have length 1.", hint)


# --- 04 multimodal tokens ----------------------------------------------------------------------


def patch_tokens(answer, image_size=24, patch_size=4):
    """How many tokens does a square picture of side image_size give, cut into patch_size² patches?"""
    value = as_number(answer)
    if image_size % patch_size:
        raise ValueError(f"image_size {image_size} must be divisible by patch_size {patch_size}")
    n = (image_size // patch_size) ** 2
    return verdict(value == n, f"{n}: ({image_size}/{patch_size})² = {image_size // patch_size}² patches, "
                               "one token each.",
                   f"{value:g} is not it. Count the patches along one side ({image_size}/{patch_size}), "
                   "then along the other.")


def joint_graph_edges(answer, token_counts=(16, 3, 8, 8)):
    """Directed edges (self-loops included) of one head's attention graph over all modalities' tokens."""
    value = as_number(answer)
    total = sum(token_counts)
    n = total * total
    return verdict(value == n, f"{n}: the {total} tokens of all modalities are the nodes of one graph, "
                               f"and every node attends to every node ({total}²).",
                   f"{value:g} is not it. First add up the tokens of all modalities "
                   f"({' + '.join(map(str, token_counts))}), then count an N×N attention matrix's entries.")


def swap_within_modality(answer):
    """Type embeddings, no position embeddings: swap two tokens of ONE modality; do the outputs just swap?"""
    if not isinstance(answer, bool):
        raise ValueError(f"answer must be True or False, got {answer!r}")
    return verdict(answer is True,
                   "both tokens get the same type vector, so the model still sees a set: swapping them "
                   "swaps their outputs and changes nothing else.",
                   "look at what a type embedding adds: one vector per modality, the same for every token "
                   "of it. Does it tell two tokens of the same modality apart?")


# --- 05 early summation ------------------------------------------------------------------------


def summation_attention_flops(answer, tokens=8, dim=32):
    """Attention-core FLOPs of ONE early-summation layer on two modalities of ``tokens`` tokens each."""
    value = as_number(answer)
    n = 4 * tokens * tokens * dim
    return verdict(value == n, f"{n} = 4·N²·d with N = {tokens}: the summed sequence has only {tokens} "
                               "tokens, exactly as many as one modality.",
                   f"{value:g} is not it. After the sum there are N = {tokens} tokens, not {2 * tokens}; "
                   "QKᵀ and weights·V each cost 2·N·N·d (a multiply-add counts 2).")


def ignored_modality(answer):
    """With α = (1, 0) on (sound, sensor), which modality does early summation ignore?"""
    choice = as_choice(answer, ("sound", "sensor", "neither"))
    return verdict(choice == "sensor",
                   "Z = 1·Z_sound + 0·Z_sensor: the sensor never reaches the Transformer, so the model "
                   "cannot tell whether the two agree.",
                   "write out Z = α_sound·Z_sound + α_sensor·Z_sensor with α = (1, 0): which term vanishes?")


def why_summation_fails(answer):
    """Why does early summation fail on shuffled streams? "a" compute, "b" alignment, "c" scale."""
    choice = as_choice(answer, ("a", "b", "c"))
    return verdict(choice == "b",
                   "token i of the sound and token i of the sensor no longer describe the same moment: "
                   "the sum mixes unrelated content, which the model must first learn to take apart.",
                   "the compute and the scale of the inputs are the same in both experiments. "
                   "What changed between the two tables' rows?")


# --- 06 early concatenation --------------------------------------------------------------------


def concatenation_attention_flops(answer, token_counts=(16, 2), dim=32):
    """Attention-core FLOPs of ONE early-concatenation layer over modalities of the given token counts."""
    value = as_number(answer)
    total = sum(token_counts)
    n = 4 * total * total * dim
    return verdict(value == n, f"{n} = 4·S²·d with S = {total}: one sequence of all tokens.",
                   f"{value:g} is not it. Concatenate first: S = {' + '.join(map(str, token_counts))} "
                   "tokens; QKᵀ and weights·V each cost 2·S·S·d.")


def concatenation_over_summation(answer):
    """With N_A = N_B = N, how many times the attention-core FLOPs of summation does concatenation cost?"""
    value = as_number(answer)
    return verdict(value == 4, "4: (2N)² = 4N², whatever N and d.",
                   f"{value:g} is not it. Summation attends over N tokens, concatenation over 2N; "
                   "the core grows with the square of the count.")


def cross_modal_entries(answer, token_counts=(16, 2)):
    """Which fraction of a concatenated attention map's entries pair tokens of two different modalities?"""
    value = as_number(answer)
    total = sum(token_counts)
    share = 1 - sum(n * n for n in token_counts) / total ** 2
    return verdict(abs(value - share) < 1e-3,
                   f"{share:.4f} = 1 − ΣN_m² / S²: the off-diagonal modality blocks.",
                   f"{value:g} is not it. Of the S² = {total}² entries, the diagonal blocks hold "
                   f"{' + '.join(f'{n}²' for n in token_counts)}; the rest are cross-modal.")


# --- 03 the Vision Transformer -----------------------------------------------------------------


def patch_count(answer, image_size=24, patch_size=6):
    """How many patch tokens does an image_size × image_size picture give with P × P patches?"""
    value = as_number(answer)
    n = (image_size // patch_size) ** 2
    return verdict(value == n, f"({image_size}/{patch_size})² = {n} patches, read row by row.",
                   f"{value:g} is not it. How many patches fit along one side, and how many sides are there?")


def patch_width(answer, channels=3, patch_size=6):
    """How many numbers does one flattened patch hold (the input width of the linear embedding)?"""
    value = as_number(answer)
    n = channels * patch_size * patch_size
    return verdict(value == n, f"C·P·P = {channels}·{patch_size}·{patch_size} = {n}.",
                   f"{value:g} is not it. A patch has P × P pixels, and each pixel has {channels} channels.")


def chance_accuracy(answer, classes=4):
    """The test accuracy of a ViT without position embeddings on 'where is the red object' (4 quadrants)."""
    value = as_number(answer)
    want = 1 / classes
    return verdict(abs(value - want) < 0.02,
                   f"1/{classes} = {want:.2f}: without positions the class token sees a set of patches and "
                   f"cannot tell where the red one was, so it can only guess.",
                   f"{value:g} is not it. What can a model do that sees the same input whatever the "
                   f"quadrant? Give the accuracy of guessing.")


# --- 07 hierarchical multi→one ------------------------------------------------------------------


def multi_to_one_first_stage_share(answer):
    """The share of attention an image token gives to caption tokens in multi→one's first stage."""
    value = as_number(answer)
    return verdict(value == 0.0,
                   "0: in the first stage an image query has only image keys, so the caption gets exactly "
                   "no attention, whatever the weights.",
                   f"{value:g} is not it. Which tokens are the keys of the image encoder Tf_1?")


def separate_stage_flops(answer, counts=(16, 2), dim=32):
    """Attention-core FLOPs of one separate layer per modality: 4·d·ΣN_m²."""
    value = as_number(answer)
    want = 4 * dim * sum(n * n for n in counts)
    return verdict(value == want,
                   f"{want:,}: 4·d·(N_A² + N_B²) = 4·{dim}·({counts[0]}² + {counts[1]}²); a joint layer "
                   f"would add the cross term 8·d·N_A·N_B = {8 * dim * counts[0] * counts[1]:,}.",
                   f"{value:g} is not it. Each separate layer costs 4·N²·d for its own N tokens: add them.")


def multi_to_one_special_case(answer):
    """Multi→one is a special case of which variant (a name from mmviz.FUSION_VARIANTS)?"""
    choice = as_choice(answer, FUSION_VARIANTS)
    return verdict(choice == "early_concatenation",
                   "early concatenation: its joint stage is Tf(C(·,·)); the separate encoders only "
                   "prepare the tokens it concatenates.",
                   "look at the last stage, Tf_3(C(·,·)): which variant is exactly that?")


# --- 08 hierarchical one→multi ------------------------------------------------------------------


def one_to_multi_route(answer):
    """Through which stage ("joint" or "separate") does the caption reach one→multi's final image stream?"""
    choice = as_choice(answer, ("joint", "separate", "both"))
    return verdict(choice == "joint",
                   "only the joint stage: afterwards each stream has its own encoder that sees only its own "
                   "tokens, so swapping the caption after the joint stage changes nothing in the image.",
                   "look at the keys of the separate image encoder: which modality's tokens are they?")


def one_to_multi_maps(answer, num_modalities=3, depth=2):
    """How many attention maps does one→multi draw for M modalities, ``depth`` layers per stage?"""
    value = as_number(answer)
    want = depth + num_modalities * depth
    return verdict(value == want,
                   f"{want}: {depth} joint layers, then {depth} layers in each of the {num_modalities} "
                   f"separate encoders.",
                   f"{value:g} is not it. Count the joint stage once and the separate one per modality.")


# --- 09 cross-attention ------------------------------------------------------------------------


def cross_attention_changed_tokens(answer, token=5):
    """In one cross-attention layer, image token ``token`` changes: which image outputs change?"""
    try:
        got = sorted(int(i) for i in answer)
    except (TypeError, ValueError):
        raise ValueError(f"answer must be a list of token indices, got {answer!r}") from None
    return verdict(got == [token],
                   f"only [{token}]: an image query's keys are caption tokens, so output i depends on image "
                   f"token i (its query and residual) and the caption, never on image token j ≠ i.",
                   f"{got} is not it. What are the keys and values of an image query in a cross layer?")


def single_key_weight(answer):
    """With a single caption token, what is every weight of image→caption cross-attention?"""
    value = as_number(answer)
    return verdict(value == 1.0,
                   "1: a softmax over one key is exp(s)/exp(s) = 1, whatever the score.",
                   f"{value:g} is not it. Each row of the map sums to 1: how many entries does a row have?")


def cross_attention_remedy(answer):
    """Which survey variant adds back the context inside each modality that cross-attention misses?"""
    choice = as_choice(answer, FUSION_VARIANTS)
    return verdict(choice == "cross_attention_to_concatenation",
                   "cross-attention to concatenation: after the cross stage a joint stage over C(Z_A, Z_B) "
                   "lets each token see its own modality too (HKT, MulT).",
                   "which variant puts a Tf(C(·,·)) after the cross stage?")


# --- 10 fusion playground ----------------------------------------------------------------------


def playground_cross_flops(answer, counts=(16, 3, 8, 8), dim=32):
    """Attention-core FLOPs of ONE cross-attention layer (each modality's queries on all the others' keys)."""
    value = as_number(answer)
    total, squares = sum(counts), sum(n * n for n in counts)
    n = 4 * (total * total - squares) * dim
    if value == 4 * total * total * dim:
        hint = "that is early concatenation: a cross layer skips each modality's own block."
    elif value == 4 * squares * dim:
        hint = "that is the modality-with-itself part (separate encoders): cross is the rest."
    else:
        hint = (f"of the S² = {total}² query-key pairs, keep those between different modalities; "
                "each costs 4·d (QKᵀ and weights·V, a multiply-add counted as 2).")
    return verdict(value == n, f"{n} = 4·(S² − ΣN_m²)·d: every pair of tokens from two different modalities.",
                   f"{value:g} is not it; {hint}")


def playground_cheapest_good(answer, results, level=0.9):
    """Among the variants in ``results`` ({variant: measured row or refusal}) with test accuracy >=
    ``level``, the one with the fewest parameters."""
    choice = as_choice(answer, FUSION_VARIANTS)
    if not isinstance(results, dict):
        raise ValueError(f"results must be the notebook's {{variant: row}}, got {type(results).__name__}")
    good = {v: r.parameters for v, r in results.items() if hasattr(r, "accuracy") and r.accuracy >= level}
    if not good:
        raise ValueError(f"no variant in results reached {level:.0%}; nothing to choose from")
    best = min(good, key=good.get)
    if choice not in results or not hasattr(results[choice], "accuracy"):
        wrong = f"{choice} did not run on this task: read the note under the table."
    elif choice not in good:
        wrong = f"{choice} stayed below {level:.0%} ({results[choice].accuracy:.1%})."
    else:
        wrong = f"{choice} reached it, but with {good[choice]:,} parameters; look for fewer."
    return verdict(choice == best, f"{best}: {good[best]:,} parameters, one encoder over all tokens.", wrong)


def playground_pick_aligned(answer):
    """Two modalities tokenised in sync (token i of each the same moment), little compute: which variant?"""
    choice = as_choice(answer, FUSION_VARIANTS)
    return verdict(choice == "early_summation",
                   "early summation: position i means the same moment in both, so adding them pairs the "
                   "tokens for free, at the attention cost of one modality (task 'streams').",
                   f"{choice} would work given enough steps, but it costs more and must first learn which "
                   "token goes with which. Which variant pairs token i with token i for free?")
