"""Self-checks for the notebook exercises: ``mmviz.check.<exercise>(answer)`` says right, or what is wrong.

Every check prints one line, "Right: ..." or "Not yet: ...", and returns True or False, so a hidden
test cell can assert on it. A check never raises on the reader's answer: a number, a numpy or torch
scalar, a string as the notebook writes it ("1/4", "15", "the sensor", "post-norm", "variant 6",
"cross-attention → concatenation") gets a verdict, and an unreadable one gets "Not yet: <what to
write>". To add the checks of a notebook, append a section at the end: one function per exercise,
decorated with ``@exercise``, reading the answer with the helpers below (``as_number``, ``as_bool``,
``as_choice``, ``as_indices``, ``as_tensor``) and ending in ``return verdict(ok, why_right, why_wrong)``.
"""
from __future__ import annotations

import ast
import functools
import math
import numbers
import operator
import re

import numpy as np
import torch

from .fusion import FUSION_VARIANTS, VARIANTS


class Unreadable(ValueError):
    """An answer that the helpers cannot read; ``@exercise`` turns it into "Not yet: <message>"."""

    def __init__(self, message, name="answer"):
        super().__init__(message)
        self.name = name


# An answer is read in bounded time: longer strings or larger arrays are refused before any parsing.
MAX_ANSWER_CHARS = 4000        # a written answer; notebook 07's 18×18 mask as a string is ~1000
MAX_ANSWER_VALUES = 10_000     # numbers in a list, array or tensor answer
MAX_MESSAGE = 300              # characters of a verdict: an answer is echoed, cut to fit


def _answer_size(answer, limit=MAX_ANSWER_VALUES):
    """How many values ``answer`` holds (strings count their characters), counting no further than
    ``limit`` + 1: a list of a billion entries is not walked."""
    if isinstance(answer, (str, bytes)):
        return len(answer)
    if isinstance(answer, torch.Tensor):
        return answer.numel()
    if isinstance(answer, np.ndarray):
        return answer.size
    if isinstance(answer, (list, tuple)):
        total = 0
        for item in answer:
            total += _answer_size(item, limit - total) if isinstance(item, (list, tuple, np.ndarray,
                                                                          torch.Tensor)) else 1
            if total > limit:
                break
        return total
    return 1


def _too_big(answer):
    """What is wrong with an answer too large to read quickly, or None."""
    if isinstance(answer, (str, bytes)):
        if len(answer) > MAX_ANSWER_CHARS:
            return (f"an answer of {len(answer):,} characters is too long to read; write at most "
                    f"{MAX_ANSWER_CHARS:,} (for example 36, 0.25 or a name).")
        return None
    if _answer_size(answer) > MAX_ANSWER_VALUES:
        return (f"an answer of more than {MAX_ANSWER_VALUES:,} values is too large to read; give the "
                "number, name or small array the exercise asks for.")
    return None


def exercise(check):
    """Make ``check`` answer "Not yet: ..." (and return False) for an unreadable answer, never raise.

    Bad values of the other arguments (which the notebook passes, not the reader) still raise. The
    answer's size is bounded first (``MAX_ANSWER_CHARS``, ``MAX_ANSWER_VALUES``), so every verdict
    comes in well under a second, and a verdict echoes at most ``MAX_MESSAGE`` characters of it.
    """
    @functools.wraps(check)
    def checked(answer, *args, **kwargs):
        problem = _too_big(answer)
        if problem:
            return verdict(False, "", problem)
        try:
            return check(answer, *args, **kwargs)
        except Unreadable as error:
            if error.name != "answer":
                raise ValueError(str(error)) from None
            return verdict(False, "", str(error))

    checked.is_exercise = True
    return checked


def verdict(ok, right, wrong):
    """Print "Right: <right>" or "Not yet: <wrong>" and return ``ok`` as a bool."""
    text = str(right if ok else wrong)
    if len(text) > MAX_MESSAGE:                # an echoed answer is cut, not printed in full
        text = text[:MAX_MESSAGE - 1] + "…"
    print(f"Right: {text}" if ok else f"Not yet: {text}")
    return bool(ok)


# --- reading answers: shared by every section ---------------------------------------------------

WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                    "thirteen fourteen fifteen sixteen".split())}
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow, ast.USub: operator.neg,
              ast.UAdd: operator.pos}


MAX_BITS = 4096       # an int of an answer's arithmetic: far beyond a float (1024 bits), cheap to compute


def _bounded(value):
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise ValueError("number too large")
    return value


def _arithmetic(node):
    """The value of a small arithmetic expression (numbers, + − × ÷, powers, brackets), nothing else.

    Every int stays under MAX_BITS bits, checked before a power is computed: (((10**64)**64)**64)**64
    is refused at once instead of computed for minutes."""
    if isinstance(node, ast.Expression):
        return _arithmetic(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return _bounded(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if isinstance(node.op, ast.Pow):
            if abs(right) > 64:
                raise ValueError("power too large")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * right > MAX_BITS:
                raise ValueError("number too large")
        return _bounded(_OPERATORS[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_arithmetic(node.operand))
    raise ValueError("not arithmetic")


def parse_number(text):
    """A number written as a reader writes it: "36", " 0.25 ", "1/4", "25%", "1,024", "4·8²·32", "four"."""
    if len(text) > 200:                  # before any regular expression runs on it
        raise ValueError("too long")
    t = text.strip().lower().rstrip(".")
    if t in WORDS:
        return float(WORDS[t])
    percent = t.endswith("%")
    t = t.rstrip("%").strip()
    t = re.sub(r"(?<=\d)[,_ ](?=\d{3}\b)", "", t)                        # 1,024 and 1 024 and 1_024
    t = t.replace("·", "*").replace("×", "*").replace("^", "**").replace("÷", "/").replace("−", "-")
    t = t.replace("²", "**2").replace("³", "**3").replace("√", "math.sqrt")
    if "math.sqrt" in t:                                                  # √64 → 8.0, √(64) → 8.0
        t = re.sub(r"math\.sqrt\s*\(?\s*([\d.]+)\s*\)?", lambda m: repr(math.sqrt(float(m[1]))), t)
    if len(t) > 60:
        raise ValueError("too long")
    value = float(_arithmetic(ast.parse(t, mode="eval")))
    return value / 100 if percent else value


def _tensor_values(t, name="answer"):
    """A tensor answer as a numpy array, whatever its dtype (bfloat16 too), layout (sparse) or device;
    a meta tensor, which holds no values, is ``Unreadable``."""
    if t.device.type == "meta":
        raise Unreadable(f"{name} is a meta tensor, which holds no values: compute the values first.", name)
    t = t.detach()
    if t.layout != torch.strided:
        t = t.to_dense()
    t = t.cpu().resolve_conj().resolve_neg()
    if t.is_quantized:
        t = t.dequantize()
    try:
        return t.numpy()
    except (TypeError, RuntimeError):          # a dtype numpy lacks (bfloat16, float8, ...)
        try:
            return (t.to(torch.complex128) if t.is_complex() else t.to(torch.float64)).numpy()
        except (TypeError, RuntimeError):
            raise Unreadable(f"{name} is a {t.dtype} tensor, which cannot be read as numbers.",
                             name) from None


def _single(answer, what):
    """The one element of a 1-element list, tuple, array or tensor (a 0-d one is its own element)."""
    if isinstance(answer, torch.Tensor):
        answer = _tensor_values(answer)
    if isinstance(answer, (list, tuple)):
        answer = np.asarray(answer, dtype=object)
    if isinstance(answer, np.ndarray):
        if answer.size != 1:
            raise Unreadable(f"give one {what}, not {answer.size} values ({answer.tolist()!r:.100}).")
        answer = answer.reshape(-1)[0]
    return answer


def as_number(answer, name="answer"):
    """The answer as a finite float: an int, float, numpy/torch scalar, 1-element array or list, or a
    string such as "36", "1/4", "25%", "4·8²·32"; otherwise ``Unreadable`` saying what to write."""
    value = _single(answer, "number")
    if isinstance(value, (bool, np.bool_)):
        raise Unreadable(f"{name} should be a number, not {value!r}: write for example 36 or 0.25.", name)
    if isinstance(value, str):
        try:
            value = parse_number(value)
        except (ValueError, SyntaxError, TypeError, ZeroDivisionError, OverflowError):
            raise Unreadable(f"{name} should be a number; {value!r} does not read as one "
                             "(write for example 36, 0.25 or 1/4).", name) from None
    elif isinstance(value, numbers.Number):
        try:
            value = float(value.real) if not isinstance(value, complex) else float("nan")
        except (OverflowError, TypeError, ValueError):          # e.g. 10**400: beyond any float
            raise Unreadable(f"{name} should be a number a float can hold (below 1e308), got one "
                             "beyond it.", name) from None
    else:
        raise Unreadable(f"{name} should be a number, got {type(value).__name__} {value!r}.", name)
    if not math.isfinite(value):
        raise Unreadable(f"{name} should be a finite number, got {value}.", name)
    return value


def as_bool(answer, name="answer"):
    """The answer as True or False: a bool, numpy/torch bool, or "true"/"false"/"yes"/"no"."""
    value = _single(answer, "True or False")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower().rstrip(".!")
        if text in ("true", "yes", "y", "t"):
            return True
        if text in ("false", "no", "n", "f"):
            return False
    raise Unreadable(f"{name} should be True or False, got {value!r}.", name)


FILLER = {"the", "a", "an", "variant", "variants", "fusion", "modality", "norm", "layernorm", "ln",
          "placement", "option", "answer", "is"}


def normalise(text):
    """Lower case, arrows and "to" as ``_to_``, other punctuation and spaces as ``_``: a name key."""
    t = str(text).strip().lower()
    t = re.sub(r"→|->|=>|⟶", " to ", t)          # the spaces around become "_" below: linear time
    t = re.sub(r"[^\w]+", "_", t)
    return t.strip("_")


def _without_filler(key):
    return "_".join(w for w in key.split("_") if w not in FILLER)


def as_choice(answer, choices, aliases=None, numbered=False, name="answer"):
    """The answer as one of ``choices``, read generously: case, spaces, hyphens and arrows ignored,
    "the", "variant", "norm" dropped ("the sensor", "post-norm", "cross-attention → concatenation"), a
    unique ending accepted ("summation"); ``aliases`` maps other words to a choice; ``numbered``: "6"
    or "variant 6" is the 6th choice (1-based, the survey's numbering). Otherwise ``Unreadable``:
    "choose one of …"."""
    choices = tuple(choices)
    value = _single(answer, "choice") if not isinstance(answer, str) else answer
    if isinstance(value, (bool, np.bool_)):
        raise Unreadable(f"choose one of {', '.join(choices)}; got {value!r}.", name)
    key = normalise(value)
    plain = {_without_filler(normalise(c)): c for c in choices}
    aliases = {_without_filler(normalise(a)): c for a, c in (aliases or {}).items()}
    for candidate in (key, _without_filler(key)):
        if candidate in choices:
            return candidate
        if candidate in plain:
            return plain[candidate]
        if candidate in aliases:
            return aliases[candidate]
    number = re.fullmatch(r"(?:no_|number_)?(\d{1,9})", _without_filler(key))
    if numbered and number:
        i = int(number[1])
        if 1 <= i <= len(choices):
            return choices[i - 1]
        raise Unreadable(f"there are {len(choices)} choices, numbered 1 to {len(choices)}; got {i}.", name)
    short = _without_filler(key)
    ending = [c for c in choices if short and (c.endswith("_" + short) or c.startswith(short + "_"))]
    if len(ending) == 1:
        return ending[0]
    if len(ending) > 1:
        raise Unreadable(f"{value!r} could be {' or '.join(ending)}: which one?", name)
    raise Unreadable(f"choose one of {', '.join(choices)}; got {value!r}.", name)


def as_indices(answer, name="answer"):
    """The answer as a sorted list of whole numbers: 5, [5], (5, 7), an array or tensor, "5", "[5, 7]"."""
    value = answer
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,;\[\]()]+", value) if p]
        if not parts:
            raise Unreadable(f"{name} should list token indices, e.g. [0, 3]; got {value!r}.", name)
        value = parts
    if isinstance(value, torch.Tensor):
        value = _tensor_values(value, name)
    values = np.asarray(value, dtype=object).reshape(-1).tolist() if not isinstance(value, (int, float)) \
        else [value]
    out = []
    for v in values:
        number = as_number(v, name)
        if number != int(number):
            raise Unreadable(f"token indices are whole numbers; got {v!r}.", name)
        out.append(int(number))
    return sorted(out)


def as_tensor(answer, name="answer"):
    """The answer as a float64 tensor (a list, array, tensor, or a string such as "[0, 1, 0]")."""
    value = answer
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise Unreadable(f"{name} should be a vector such as [0.0, 1.0, 0.0]; got {answer!r}.", name) \
                from None
    if isinstance(value, torch.Tensor):
        value = _tensor_values(value, name)
    try:
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError, RuntimeError, OverflowError):
        raise Unreadable(f"{name} should be a number, array or tensor, got {type(answer).__name__}.",
                         name) from None


# --- 00 start here ------------------------------------------------------------------------------


@exercise
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


@exercise
def causal_mask(answer, tokens=8):
    """The causal mask for ``tokens`` tokens: (N, N) bool, True where query i may NOT read key j (j > i)."""
    got = as_tensor(answer)
    want = torch.triu(torch.ones(tokens, tokens, dtype=torch.bool), diagonal=1)
    if tuple(got.shape) != (tokens, tokens):
        return verdict(False, "", f"expected a ({tokens}, {tokens}) mask, got shape {tuple(got.shape)}.")
    got = got != 0
    if torch.equal(got, want | torch.eye(tokens, dtype=torch.bool)):
        hint = "the diagonal is hidden too: a token may read itself (diagonal=1 in torch.triu)."
    elif torch.equal(got, ~want) or torch.equal(got, ~want.T):
        hint = "True must mark what is hidden (the future), not what is allowed: flip it with ~mask."
    elif torch.equal(got, want.T):
        hint = "this hides the past: row i must hide the keys j > i, above the diagonal (torch.triu)."
    else:
        hint = "row i must hide exactly the keys j > i (the cells above the diagonal)."
    return verdict(torch.equal(got, want), "row i hides the keys j > i; row 0 reads only token 0, with "
                                          "weight 1 in every head.", hint)


@exercise
def all_seeds_succeed(answer, rate=0.9, seeds=5):
    """The probability that ``seeds`` independent seeds all succeed, each with probability ``rate``."""
    value = as_number(answer)
    want = rate ** seeds
    if abs(value - rate) < 1e-3:
        hint = f"{value:g} is one seed's chance; all {seeds} must succeed, each independently."
    elif abs(value - rate * seeds) < 1e-3 or value > 1:
        hint = "a probability is at most 1: multiply the seeds' chances, do not add them."
    elif abs(value - (1 - rate) ** seeds) < 1e-3:
        hint = f"{value:g} is the chance that all {seeds} FAIL."
    else:
        hint = f"{value:g} is not it: each seed succeeds with {rate:g}, independently of the rest."
    right = (f"{rate:g}^{seeds} = {want:.2f}: a set-up that succeeds {rate:.0%} of the time fails somewhere "
             f"on {seeds} seeds {1 - want:.0%} of the time.")
    return verdict(abs(value - want) < 0.005, right, hint)


# --- 01 attention as a graph -------------------------------------------------------------------


@exercise
def attention_edges(answer, tokens=6):
    """How many directed edges (self-loops included) has one head's attention graph on ``tokens`` tokens?"""
    value = as_number(answer)
    n = tokens * tokens
    if value == tokens:
        hint = f"{value:g} counts the nodes (tokens); count the edges: who attends to whom?"
    elif value == tokens * (tokens - 1):
        hint = f"{value:g} leaves out the self-loops: a token attends to itself too."
    elif value == tokens * (tokens - 1) / 2:
        hint = f"{value:g} counts undirected pairs; i → j and j → i are two edges with different weights."
    else:
        hint = f"{value:g} is not it. Count the entries of the N×N attention matrix: none is exactly 0."
    return verdict(value == n, f"{n}: every token attends to every token, itself included (N² = {tokens}²).",
                   hint)


@exercise
def conv_edges(answer, tokens=6, kernel_size=3):
    """How many directed edges does a 1-D convolution (kernel 3, zero padding) draw on ``tokens`` tokens?"""
    value = as_number(answer)
    r = kernel_size // 2
    n = sum(min(tokens - 1, i + r) - max(0, i - r) + 1 for i in range(tokens))
    if value == tokens * kernel_size:
        hint = (f"{value:g} gives every position {kernel_size} inputs; at the two ends the kernel hangs over "
                "the edge onto zero padding, which is no token.")
    elif value == tokens * tokens:
        hint = f"{value:g} is self-attention's count; a kernel covers only its neighbours."
    else:
        hint = (f"{value:g} is not it. Count, for each output position, the inputs its kernel covers "
                "(the ends have fewer).")
    return verdict(value == n, f"{n}: each token sees at most {kernel_size} inputs, fewer at the two ends.",
                   hint)


@exercise
def position_breaks_symmetry(answer):
    """Does adding a position embedding keep self-attention permutation-equivariant? Answer True/False."""
    keeps = as_bool(answer)
    return verdict(keeps is False,
                   "a position table is added by position, not by token: shuffled tokens get different "
                   "positions, so the outputs change, not just their order.",
                   "True would mean the outputs of shuffled tokens are the old outputs shuffled. Try it: "
                   "shuffle x, add the same position table to both, and compare.")


# --- 02 pre-norm versus post-norm --------------------------------------------------------------


@exercise
def layernorm_norm(answer, dim=64):
    """‖LN(v)‖ at initialisation (γ = 1, β = 0) for a vector of width ``dim``."""
    value = as_number(answer)
    want = math.sqrt(dim)
    if abs(value - dim) < 1e-3 * dim:
        hint = (f"{value:g} is ‖LN(v)‖², the sum of the squares of the coordinates; the norm is the square "
                "root of that sum.")
    elif abs(value - 1) < 1e-3:
        hint = (f"{value:g} is the standard deviation of one coordinate; the norm adds up the squares of "
                f"all {dim} coordinates before taking the root.")
    else:
        hint = (f"{value:g} is not it. LN(v) has mean 0 and variance 1 over its {dim} coordinates: work out "
                "the sum of their squares first, then take its square root.")
    return verdict(abs(value - want) < 1e-3 * want,
                   f"√d = √{dim} = {want:.3f}: LayerNorm puts every vector on the sphere of radius √d.", hint)


@exercise
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


@exercise
def which_norm_needs_warmup(answer):
    """Which placement, "pre" or "post", is the one that stalls without learning-rate warm-up?"""
    choice = as_choice(answer, ("pre", "post", "neither", "both"),
                       aliases={"prenorm": "pre", "postnorm": "post", "pre_ln": "pre", "post_ln": "post"})
    hint = {"pre": "pre-norm is the one that trains without warm-up, on every seed. Which curve stays "
                   "flat without warm-up?",
            "neither": "one of the two curves without warm-up stays flat: look again.",
            "both": "only one of the two curves without warm-up stays flat: which?"}.get(choice, "")
    return verdict(choice == "post",
                   "post-norm: a small change of its weights moves its output a lot, more the deeper the "
                   "stack (Liu et al.), so the first full-size Adam steps throw it off; warm-up keeps those "
                   "steps small.", hint)


@exercise
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


@exercise
def patch_tokens(answer, image_size=24, patch_size=4):
    """How many tokens does a square picture of side image_size give, cut into patch_size² patches?"""
    value = as_number(answer)
    if image_size % patch_size:
        raise ValueError(f"image_size {image_size} must be divisible by patch_size {patch_size}")
    side = image_size // patch_size
    n = side ** 2
    hint = (f"{value:g} is the patches along one side; the picture has rows of them too."
            if value == side else
            f"{value:g} is not it. Count the patches along one side ({image_size}/{patch_size}), "
            "then along the other.")
    return verdict(value == n, f"{n}: ({image_size}/{patch_size})² = {side}² patches, one token each.", hint)


@exercise
def joint_graph_edges(answer, token_counts=(16, 3, 8, 8)):
    """Directed edges (self-loops included) of one head's attention graph over all modalities' tokens."""
    value = as_number(answer)
    total = sum(token_counts)
    n = total * total
    if value == total:
        hint = f"{value:g} counts the nodes (all tokens); now count the edges between them."
    elif value == sum(k * k for k in token_counts):
        hint = f"{value:g} keeps only the edges inside each modality; in one joint graph they cross too."
    else:
        hint = (f"{value:g} is not it. First add up the tokens of all modalities "
                f"({' + '.join(map(str, token_counts))}), then count an N×N attention matrix's entries.")
    return verdict(value == n, f"{n}: the {total} tokens of all modalities are the nodes of one graph, "
                               f"and every node attends to every node ({total}²).", hint)


@exercise
def swap_within_modality(answer):
    """Type embeddings, no position embeddings: swap two tokens of ONE modality; do the outputs just swap?"""
    swap = as_bool(answer)
    return verdict(swap is True,
                   "both tokens get the same type vector, so the model still sees a set: swapping them "
                   "swaps their outputs and changes nothing else.",
                   "False would need something that tells the two tokens apart. A type embedding adds one "
                   "vector per modality, the same for every token of it: does it?")


# --- 05 early summation ------------------------------------------------------------------------


@exercise
def summation_attention_flops(answer, tokens=8, dim=32):
    """Attention-core FLOPs of ONE early-summation layer on two modalities of ``tokens`` tokens each."""
    value = as_number(answer)
    n = 4 * tokens * tokens * dim
    if value == 4 * (2 * tokens) ** 2 * dim:
        hint = (f"{value:g} counts {2 * tokens} tokens, as if the modalities were concatenated; after the "
                f"sum there are N = {tokens}.")
    elif value == 2 * tokens * tokens * dim:
        hint = f"{value:g} counts one of the two products; QKᵀ and weights·V each cost 2·N·N·d."
    elif value == tokens * tokens * dim:
        hint = (f"{value:g} counts N·N·d once; a multiply-add counts 2, and there are two products "
                "(QKᵀ, weights·V).")
    else:
        hint = (f"{value:g} is not it. How many tokens does the summed sequence have? QKᵀ and weights·V "
                "each cost 2·N·N·d (a multiply-add counts 2).")
    return verdict(value == n, f"{n} = 4·N²·d with N = {tokens}: the summed sequence has only {tokens} "
                               "tokens, exactly as many as one modality.", hint)


@exercise
def ignored_modality(answer):
    """With α = (1, 0) on (sound, sensor), which modality does early summation ignore?"""
    choice = as_choice(answer, ("sound", "sensor", "neither", "both"))
    hint = {"sound": "α_sound = 1 keeps the sound in full: which α is 0?",
            "neither": "one of the two terms is multiplied by 0: which?",
            "both": "α = (1, 0) keeps one modality in full: which term vanishes?"}.get(choice, "")
    return verdict(choice == "sensor",
                   "Z = 1·Z_sound + 0·Z_sensor: the sensor never reaches the Transformer, so the model "
                   "cannot tell whether the two agree.", hint)


@exercise
def why_summation_fails(answer):
    """Why does early summation fail on shuffled streams? "a" compute, "b" alignment, "c" scale."""
    choice = as_choice(answer, ("a", "b", "c"), aliases={"compute": "a", "alignment": "b", "aligned": "b",
                                                         "scale": "c"})
    hint = {"a": "the compute is the same in both experiments: same tokens, same model.",
            "c": "the inputs have the same scale in both experiments: only their order changed."}
    return verdict(choice == "b",
                   "token i of the sound and token i of the sensor no longer describe the same moment: "
                   "the sum mixes unrelated content, which the model must first learn to take apart.",
                   hint.get(choice, "") + " What changed between the two tables' rows?")


# --- 06 early concatenation --------------------------------------------------------------------


@exercise
def concatenation_attention_flops(answer, token_counts=(16, 2), dim=32):
    """Attention-core FLOPs of ONE early-concatenation layer over modalities of the given token counts."""
    value = as_number(answer)
    total = sum(token_counts)
    n = 4 * total * total * dim
    hint = (f"{value:g} counts each modality by itself (separate encoders); concatenation attends across."
            if value == 4 * sum(k * k for k in token_counts) * dim else
            f"{value:g} is not it. Concatenate first: S = {' + '.join(map(str, token_counts))} tokens; "
            "QKᵀ and weights·V each cost 2·S·S·d.")
    return verdict(value == n, f"{n} = 4·S²·d with S = {total}: one sequence of all tokens.", hint)


@exercise
def concatenation_over_summation(answer):
    """With N_A = N_B = N, how many times the attention-core FLOPs of summation does concatenation cost?"""
    value = as_number(answer.lower().replace("x", "").replace("times", "") if isinstance(answer, str)
                      else answer)
    hint = (f"{value:g} is how many times more tokens there are; the core grows with the square of the count."
            if value == 2 else
            f"{value:g} is not it. Summation attends over N tokens, concatenation over 2N; "
            "the core grows with the square of the count.")
    return verdict(value == 4, "4: (2N)² = 4N², whatever N and d.", hint)


@exercise
def cross_modal_entries(answer, token_counts=(16, 2)):
    """Which fraction of a concatenated attention map's entries pair tokens of two different modalities?"""
    value = as_number(answer)
    total = sum(token_counts)
    inside = sum(n * n for n in token_counts) / total ** 2
    share = 1 - inside
    hint = (f"{value:g} is the share inside the modalities (the diagonal blocks); the question asks for "
            "the rest."
            if abs(value - inside) < 1e-3 else
            f"{value:g} is not it. Of the S² = {total}² entries, the diagonal blocks hold "
            f"{' + '.join(f'{n}²' for n in token_counts)}; the rest are cross-modal.")
    return verdict(abs(value - share) < 1e-3,
                   f"{share:.4f} = 1 − ΣN_m² / S²: the off-diagonal modality blocks.", hint)


# --- 03 the Vision Transformer -----------------------------------------------------------------


@exercise
def patch_count(answer, image_size=24, patch_size=6):
    """How many patch tokens does an image_size × image_size picture give with P × P patches?"""
    value = as_number(answer)
    side = image_size // patch_size
    n = side ** 2
    hint = (f"{value:g} patches fit along one side; the picture has {side} rows of them."
            if value == side else
            f"{value:g} is not it. How many patches fit along one side, and how many sides are there?")
    return verdict(value == n, f"({image_size}/{patch_size})² = {n} patches, read row by row.", hint)


@exercise
def patch_width(answer, channels=3, patch_size=6):
    """How many numbers does one flattened patch hold (the input width of the linear embedding)?"""
    value = as_number(answer)
    n = channels * patch_size * patch_size
    hint = (f"{value:g} counts the pixels of a patch; each pixel holds {channels} numbers (its channels)."
            if value == patch_size * patch_size else
            f"{value:g} is not it. A patch has P × P pixels, and each pixel has {channels} channels.")
    return verdict(value == n, f"C·P·P = {channels}·{patch_size}·{patch_size} = {n}.", hint)


@exercise
def chance_accuracy(answer, classes=4):
    """The test accuracy of a ViT without position embeddings on 'where is the red object' (4 quadrants)."""
    value = as_number(answer)
    want = 1 / classes
    if 1 < value <= 100 and abs(value / 100 - want) < 0.02:
        return verdict(True, f"{value:g} % = 1/{classes}: without positions the class token cannot tell "
                             "where the red object was, so it can only guess.", "")
    hint = ("give the accuracy as a fraction from 0 to 1 (or a percentage such as 50%)." if value > 1 else
            f"{value:g} is not it. What can a model do that sees the same input whatever the quadrant? "
            "Give the accuracy of guessing.")
    return verdict(abs(value - want) < 0.02,
                   f"1/{classes} = {want:.2f}: without positions the class token sees a set of patches and "
                   f"cannot tell where the red one was, so it can only guess.", hint)


# --- 07 hierarchical multi→one ------------------------------------------------------------------


@exercise
def multi_to_one_first_stage_share(answer):
    """The share of attention an image token gives to caption tokens in multi→one's first stage."""
    value = as_number(answer)
    return verdict(value == 0.0,
                   "0: in the first stage an image query has only image keys, so the caption gets exactly "
                   "no attention, whatever the weights.",
                   f"{value:g} is not it. Which tokens are the keys of the image encoder Tf_1?")


@exercise
def separate_stage_flops(answer, counts=(16, 2), dim=32):
    """Attention-core FLOPs of one separate layer per modality: 4·d·ΣN_m²."""
    value = as_number(answer)
    want = 4 * dim * sum(n * n for n in counts)
    hint = (f"{value:g} is a joint layer over all {sum(counts)} tokens; a separate layer attends inside its "
            "own modality only." if value == 4 * dim * sum(counts) ** 2 else
            f"{value:g} is not it. Each separate layer costs 4·N²·d for its own N tokens: add them.")
    return verdict(value == want,
                   f"{want:,}: 4·d·(N_A² + N_B²) = 4·{dim}·({counts[0]}² + {counts[1]}²); a joint layer "
                   f"would add the cross term 8·d·N_A·N_B = {8 * dim * counts[0] * counts[1]:,}.", hint)


@exercise
def first_stage_mask(answer, counts=(16, 2)):
    """Multi→one's first stage as a mask over the concatenated tokens: (S, S), True where a query may
    attend to a key, modalities in order (16 image tokens first)."""
    mask = as_tensor(answer)
    size = sum(counts)
    if mask.shape != (size, size):
        return verdict(False, "", f"the mask should be ({size}, {size}), one row per query over all {size} "
                                  f"tokens; got {tuple(mask.shape)}.")
    modality = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    want = modality[:, None] == modality[None, :]
    got = mask != 0
    if torch.equal(got, ~want):
        hint = "True and False are swapped: True should mark the pairs that may attend (same modality)."
    elif got.all():
        hint = "every entry is True: that is early concatenation's joint layer, not the separate stage."
    else:
        wrong = int((got != want).sum())
        hint = f"{wrong} entries differ. A query may attend to a key only if both are of the same modality."
    return verdict(torch.equal(got, want),
                   f"two diagonal blocks, {' + '.join(f'{n}²' for n in counts)} = {int(want.sum())} True "
                   f"entries; the cross-modal blocks are all False.", hint)


@exercise
def multi_to_one_special_case(answer):
    """Multi→one is a special case of which variant (a name from mmviz.FUSION_VARIANTS)?"""
    choice = as_choice(answer, FUSION_VARIANTS, numbered=True)
    return verdict(choice == "early_concatenation",
                   "early concatenation: its joint stage is Tf(C(·,·)); the separate encoders only "
                   "prepare the tokens it concatenates.",
                   f"{choice} is not it. Look at the last stage, Tf_3(C(·,·)): which variant is exactly "
                   "that?")


# --- 08 hierarchical one→multi ------------------------------------------------------------------


@exercise
def one_to_multi_route(answer):
    """Through which stage ("joint" or "separate") does the caption reach one→multi's final image stream?"""
    choice = as_choice(answer, ("joint", "separate", "both"))
    return verdict(choice == "joint",
                   "only the joint stage: afterwards each stream has its own encoder that sees only its own "
                   "tokens, so swapping the caption after the joint stage changes nothing in the image.",
                   f"{choice} is not it. Look at the keys of the separate image encoder: which modality's "
                   "tokens are they?")


@exercise
def one_to_multi_maps(answer, num_modalities=3, depth=2):
    """How many attention maps does one→multi draw for M modalities, ``depth`` layers per stage?"""
    value = as_number(answer)
    want = depth + num_modalities * depth
    hint = (f"{value:g} counts the separate stage once; it has one encoder per modality."
            if value == 2 * depth else
            f"{value:g} is not it. Count the joint stage once and the separate one per modality.")
    return verdict(value == want,
                   f"{want}: {depth} joint layers, then {depth} layers in each of the {num_modalities} "
                   f"separate encoders.", hint)


# --- 09 cross-attention ------------------------------------------------------------------------


@exercise
def cross_attention_changed_tokens(answer, token=5):
    """In one cross-attention layer, image token ``token`` changes: which image outputs change?"""
    got = as_indices(answer)
    if token in got:
        hint = (f"{got} includes token {token} but also others: does image token j ≠ {token} ever look at "
                "an image token?")
    else:
        hint = f"{got} leaves out token {token} itself: its output includes its own query and residual."
    return verdict(got == [token],
                   f"only [{token}]: an image query's keys are caption tokens, so output i depends on image "
                   f"token i (its query and residual) and the caption, never on image token j ≠ i.",
                   hint + " What are the keys and values of an image query in a cross layer?")


@exercise
def single_key_weight(answer):
    """With a single caption token, what is every weight of image←caption cross-attention (image queries,
    caption keys)?"""
    value = as_number(answer)
    return verdict(value == 1.0,
                   "1: a softmax over one key is exp(s)/exp(s) = 1, whatever the score.",
                   f"{value:g} is not it. Each row of the map sums to 1: how many entries does a row have?")


@exercise
def cross_attention_remedy(answer):
    """Which survey variant adds back the context inside each modality that cross-attention misses?"""
    choice = as_choice(answer, FUSION_VARIANTS, numbered=True)
    return verdict(choice == "cross_attention_to_concatenation",
                   "cross-attention to concatenation: after the cross stage a joint stage over C(Z_A, Z_B) "
                   "lets each token see its own modality too (HKT, MulT).",
                   f"{choice} is not it. Which variant puts a Tf(C(·,·)) after the cross stage?")


# --- 10 fusion playground ----------------------------------------------------------------------

@exercise
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


def _worst_accuracy(row):
    """(accuracy on the worst seed, parameters) of a row: an evidence row (a dict, one accuracy per
    seed) or a Measured row (one seed); None for a variant that did not run."""
    if isinstance(row, dict):
        return (min(row["accuracy"]), row["params"]) if "accuracy" in row else None
    return (row.accuracy, row.parameters) if hasattr(row, "accuracy") else None


@exercise
def playground_cheapest_good(answer, results, level=0.9):
    """Among the variants in ``results`` ({variant: evidence row, measured row or refusal}) whose test
    accuracy is >= ``level`` on every seed, the one with the fewest parameters."""
    if not isinstance(results, dict):
        raise ValueError(f"results must be the notebook's {{variant: row}}, got {type(results).__name__}")
    ran = {v: _worst_accuracy(r) for v, r in results.items() if _worst_accuracy(r) is not None}
    good = {v: params for v, (accuracy, params) in ran.items() if accuracy >= level}
    if not good:
        raise ValueError(f"no variant in results reached {level:.0%}; nothing to choose from")
    choice = as_choice(answer, FUSION_VARIANTS, numbered=True)
    best = min(good, key=good.get)
    if choice not in ran:
        wrong = f"{choice} did not run on this task: read the note under the table."
    elif choice not in good:
        wrong = f"{choice} stayed below {level:.0%} on some seed (its worst: {ran[choice][0]:.1%})."
    else:
        wrong = f"{choice} reached it, but with {good[choice]:,} parameters; look for fewer."
    how = VARIANTS[best].how() if best in VARIANTS else ""       # from its stage kinds' phrases
    return verdict(choice == best, f"{best}: {good[best]:,} parameters" + (f", {how}." if how else "."),
                   wrong)


@exercise
def playground_missed_seed(answer, seeds, accuracies, level=0.95):
    """On which of ``seeds`` did a variant stay below ``level``? ``accuracies``: one per seed, committed."""
    seeds, accuracies = list(seeds), [float(a) for a in accuracies]
    if not seeds or len(seeds) != len(accuracies):
        raise ValueError(f"seeds and accuracies must be two lists of one length, got {len(seeds)} seeds "
                         f"and {len(accuracies)} accuracies")
    value = as_number(answer)
    reached = dict(zip(seeds, accuracies))
    missed = [s for s, a in reached.items() if a < level]
    if value not in reached:
        wrong = f"seed {value:g} is not among the committed seeds ({', '.join(map(str, seeds))})."
    else:
        wrong = (f"on seed {value:g} it reached {reached[value]:.1%}, at least {level:.0%}; look for the "
                 f"seed whose value is below {level:.0%}.")
    right = f"seed {value:g}: {reached.get(value, 0):.1%}, below {level:.0%}."
    return verdict(value in missed, right, wrong)


@exercise
def playground_pick_aligned(answer):
    """Two modalities tokenised in sync (token i of each the same moment), little compute: which variant?"""
    choice = as_choice(answer, FUSION_VARIANTS, numbered=True)
    return verdict(choice == "early_summation",
                   "early summation: position i means the same moment in both, so adding them pairs the "
                   "tokens for free, at the attention cost of one modality (task 'streams').",
                   f"{choice} would work given enough steps, but it costs more and must first learn which "
                   "token goes with which. Which variant pairs token i with token i for free?")


# ---------------------------------------------------------------- notebook 11: when a modality is missing

@exercise
def missing_best_accuracy(answer):
    """tally with image and caption, the caption absent: the best test accuracy any model can reach."""
    value = as_number(answer)
    if value > 1:                          # "67" read as a percentage
        value /= 100
    ok = abs(value - 2 / 3) < 0.02
    if abs(value - 1 / 3) < 0.02:
        hint = "1/3 is a constant answer. The image still says whether one of the two says red: use it."
    elif abs(value - 0.5) < 0.02:
        hint = ("1/2 is how often the image says red. Given that it does, how likely is a count of 2 "
                "rather than 1?")
    else:
        hint = "given the image says red, the label is 1 or 2; how likely is each? The same when it does not."
    return verdict(ok, "2/3: given the image, the commoner of the two possible counts is right 2 times in 3.",
                   f"{value:g} is not it; {hint}")


@exercise
def missing_which_refuses(answer):
    """Two aligned streams, the second absent from a sample: which of the six variants refuses?"""
    choice = as_choice(answer, FUSION_VARIANTS, numbered=True)
    return verdict(choice == "early_summation",
                   "early summation: token i of both streams is added into one token, so there is no "
                   "token of the absent stream to leave out (an α-weighted sum has no 'absent').",
                   f"{choice} masks the absent stream's tokens and runs. Which variant has no token of one "
                   "stream left to mask?")
