# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Start here
# *Multimodal Learning with Transformers, Section 3 — run live on your laptop.*
#
# This collection turns Section 3 of the survey by Xu, Zhu and Clifton (TPAMI 2023) into experiments
# you can run and pictures you can move. Every model here is tiny, trains in seconds on a CPU, and
# learns from data that `mmviz` draws itself: nothing is downloaded.
#
# **Before you start:** Python and a little PyTorch (tensors, `nn.Linear`, matrix products); no
# Transformer knowledge is assumed. Every term is in the [glossary](#glossary) below.
#
# **What you will learn here**
# - how the notebooks are organised and which one to open next;
# - the words and symbols the collection uses, once, in one place;
# - multi-head self-attention in ten lines of code, checked against `mmviz` and PyTorch;
# - how to read an attention map (who looks at whom) and how to move a widget;
# - how the collection knows that a trained model "learns": seeds, "k of n", and rerunning any claim
#   on your own seeds.
#
# **For lecturers (90 min):** map and glossary 15 · attention in code 30 · reading a map 15 · widget 5 ·
# how we know 10 · exercises 10 · discussion 5.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The map of the collection
#
# | notebook | the question it answers |
# |---|---|
# | 01 attention as a graph | why can a Transformer mix tokens from any modality, when a CNN cannot? |
# | 02 pre-norm vs post-norm | where should LayerNorm go, and what happens to the gradients? |
# | 03 vision transformer | how does an image become a sequence of tokens? |
# | 04 multimodal tokens | how do patches, words and sounds end up in one space? |
# | 05–09 the fusion variants | six ways to let modalities attend to each other |
# | 10 fusion playground | which variant should I pick, and when? |
# | 11 missing modality | which variant still runs when a modality is missing, and what is lost? |
#
# Run a cell with **Shift+Enter**, or everything with *Run → Run All Cells*.

# %% [markdown] slideshow={"slide_type": "slide"}
# <a id="glossary"></a>
# ## Glossary
#
# The survey's notation, used in every notebook. Code follows it, with `batch` as an extra first axis.
#
# | term | symbol | meaning |
# |---|---|---|
# | **token** | row $i$ of $Z$ | one element of the input sequence: a word, an image patch, a sound frame. |
# | **embedding** | $Z_m \in \mathbb{R}^{N_m \times d}$ | the $N_m$ tokens of modality $m$, each turned into a vector of width $d$ (a learned table look-up or linear map). |
# | **Q, K, V** | $Q = ZW_Q,\ K = ZW_K,\ V = ZW_V$ | queries ("what do I look for"), keys ("what do I offer"), values ("what I pass on"): three linear maps of the tokens. |
# | **softmax** | $\mathrm{softmax}(s)_j = e^{s_j} / \sum_k e^{s_k}$ | turns a row of scores into positive weights that sum to 1. |
# | **attention map** | $A = \mathrm{softmax}(QK^\top / \sqrt{d_h})$ | $A_{ij}$: how much token $i$ (query, a row) takes from token $j$ (key, a column). |
# | **heads, $d_h$** | $H$ heads, $d_h = d / H$ | attention is computed $H$ times side by side, each head on its own $d_h$-wide slice of $Q, K, V$; the heads' outputs are concatenated and mixed by an **output projection** $W_O$. |
# | **mask** | $s_{ij} = -\infty$ | a score set to $-\infty$ gets weight exactly 0: token $i$ may not look at token $j$ (padding, the future). |
# | **MHSA** | $\mathrm{MHSA}(Q, K, V)$ | multi-head (self-)attention: all of the above. *Self*-attention when $Q, K, V$ come from the same tokens. |
# | **FFN / MLP** | $\mathrm{FFN}(x) = W_2\,\sigma(W_1 x)$ | the feed-forward network applied to every token separately. |
# | **residual** | $x + F(x)$ | a sub-layer $F$ adds to its input instead of replacing it. |
# | **LayerNorm** | $\mathrm{LN}(x)$ | rescales each token's $d$ features to mean 0, variance 1 (then a learned scale and shift). |
# | **pre-/post-norm** | $x + F(\mathrm{LN}(x))$ / $\mathrm{LN}(x + F(x))$ | where LayerNorm sits relative to the residual (notebook 02). |
# | **Tf** | $\mathrm{Tf}(Z)$ | a Transformer layer or stack: MHSA and FFN, each with a residual and a LayerNorm. |
# | **C(·,·)** | $\mathcal{C}(Z_A, Z_B)$, also $C(Z_A, Z_B)$ | concatenation along the token axis: $N_A + N_B$ tokens. |
# | **⊕** | $Z_A \oplus Z_B$ | element-wise sum of two token sequences of the same length (early summation, notebook 05). |
# | **FLOPs** | $4 N_q N_k d$ | floating-point operations; a multiply-add counts as 2. Attention's core ($QK^\top$ and the weighted sum of $V$) costs $2N_qN_kd + 2N_qN_kd = 4 N_q N_k d$ for $N_q$ queries and $N_k$ keys, whatever the number of heads. |
# | **depth** | `Encoder(dim, depth, heads)` | the number of Transformer layers stacked in one Tf; in code `mmviz.Encoder(dim=32, depth=1, heads=4)` is one pre-norm layer of width 32 with 4 heads. |
# | **seed** | `seed=0, 1, 2, …` | the number that fixes the random initial weights and the order of the training batches. A claim about a trained model is stated over at least 8 seeds, as "k of n seeds" or a mean with its range, and anyone can rerun it on their own seeds ([How we know](#how-we-know)). |
# | **k of n seeds** | | a claim held on k of the n seeds tried. 8 of 8 is strong evidence, not proof: the next seed may still fail ([How we know](#how-we-know)). |
# | **learning curve over seeds** | mean line, min–max band | test accuracy against training steps, one run per seed: the line is the mean, the shaded band spans the lowest to the highest seed. Long enough curves tell "slower" (still rising) from "cannot" (flat at chance while a control succeeds). |
#
# **Multimodal terms** (fusion, streams, stages, alignment: notebooks 03–10) are in the
# [second part of the glossary](#glossary-multimodal) at the end of this notebook; read them when
# you reach notebook 04. How the collection knows that a trained model "learns": [How we know](#how-we-know).
#
# **Indices:** in code, tokens, heads and patches are numbered from 0 (Python); modalities are numbered
# from 1 in names and text and from 0 in code; where a picture numbers heads or layers from 1, it says so.

# %% slideshow={"slide_type": "skip"}
import matplotlib
import matplotlib.pyplot as plt
import torch

import mmviz

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Multi-head self-attention in ten lines
#
# For tokens $X \in \mathbb{R}^{N \times d}$ (one sequence), each head $h$ computes
#
# $$A^{(h)} = \mathrm{softmax}\!\left(\frac{Q^{(h)} K^{(h)\top}}{\sqrt{d_h}} + M\right), \qquad
# \mathrm{head}_h = A^{(h)} V^{(h)}, \qquad \mathrm{MHSA}(X) = [\mathrm{head}_1, \dots, \mathrm{head}_H]\, W_O,$$
#
# with $M_{ij} = -\infty$ where token $i$ may not see token $j$ (the mask) and 0 elsewhere. The whole
# Transformer layer adds the FFN, each sub-layer with a residual: $x \leftarrow x + \mathrm{MHSA}(\mathrm{LN}(x))$,
# $x \leftarrow x + \mathrm{FFN}(\mathrm{LN}(x))$ (pre-norm). Here it is, written out:

# %% slideshow={"slide_type": "subslide"}
def mhsa(x, W_Q, W_K, W_V, W_O, heads, mask=None):
    """x (N, d); W_* (d, d); mask (N, N) bool, True = may not look. Returns (N, d) and A (heads, N, N)."""
    N, d = x.shape
    d_h = d // heads
    q, k, v = ((x @ W).reshape(N, heads, d_h).transpose(0, 1) for W in (W_Q, W_K, W_V))  # (heads, N, d_h)
    scores = q @ k.transpose(1, 2) / d_h ** 0.5                                           # (heads, N, N)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    A = scores.softmax(-1)                                     # each row sums to 1
    out = (A @ v).transpose(0, 1).reshape(N, d)                # heads side by side again
    return out @ W_O, A


words = ["a", "red", "circle", "left", "of", "a", "blue", "square"]
vocabulary = sorted(set(words))
embed = torch.nn.Embedding(len(vocabulary), 32)
x = embed(torch.tensor([vocabulary.index(w) for w in words])).detach()    # (tokens=8, d=32)

attn = mmviz.Attention(dim=32, heads=4)
with torch.no_grad():
    for linear in (attn.q, attn.k, attn.v, attn.out):
        linear.bias.zero_()                       # the ten lines above have no biases
    W = {name: getattr(attn, name).weight.T for name in ("q", "k", "v", "out")}
    out, A = mhsa(x, W["q"], W["k"], W["v"], W["out"], heads=4)
print("x", tuple(x.shape), "-> MHSA(x)", tuple(out.shape), "| attention A", tuple(A.shape), "(heads, query, key)")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: the ten lines equal mmviz.Attention and torch.nn.MultiheadAttention, with and without a mask.
causal = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)
torch_mha = torch.nn.MultiheadAttention(32, 4, bias=False, batch_first=True)
with torch.no_grad():
    torch_mha.in_proj_weight.copy_(torch.cat([W["q"].T, W["k"].T, W["v"].T]))
    torch_mha.out_proj.weight.copy_(W["out"].T)
    assert torch.allclose(out, attn(x[None])[0], atol=1e-5)
    assert torch.allclose(A, attn.weights[0], atol=1e-6)
    for mask in (None, causal):
        ours, ours_A = mhsa(x, W["q"], W["k"], W["v"], W["out"], heads=4, mask=mask)
        theirs, theirs_A = torch_mha(x[None], x[None], x[None], attn_mask=mask, average_attn_weights=False)
        assert torch.allclose(ours, theirs[0], atol=1e-5) and torch.allclose(ours_A, theirs_A[0], atol=1e-6)
    assert (mhsa(x, W["q"], W["k"], W["v"], W["out"], 4, causal)[1][:, causal] == 0).all()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A first attention map
#
# Each row of $A$ is one query token's weights over all key tokens. Here is one full block of
# `mmviz` (MHSA + FFN, residuals, pre-norm), untrained, reading the caption above. The words get
# random embeddings, so the pattern is not meaningful yet: it is the *format* of every attention
# picture in this collection (rows: the token that looks; columns: the token looked at).
#
# The colour scale has its middle at $1/8$, the share an **unselective** query would give each of the
# 8 keys (uniform attention, the baseline): green is "as much as uniform", yellow more, purple less.

# %% slideshow={"slide_type": "subslide"} alt="Heatmap of the 8 by 8 attention map of one untrained block, heads averaged: each row is a token of the sentence and how much it looks at every token, coloured against the uniform share of 1/8."
block = mmviz.TransformerBlock(dim=32, heads=4, norm="pre")
y = block(x[None])                           # a batch of one sequence: (1, 8, 32)
attention = block.attention[0].mean(0)       # average the 4 heads: (8, 8)
print("input", tuple(x[None].shape), "-> output", tuple(y.shape), "| attention", tuple(block.attention.shape))

labels = [f"{i}:{w}" for i, w in enumerate(words)]    # token index (from 0) and word
# One colour scale for every map of this notebook: 0 to 1 (a weight never leaves it), middle colour at
# the uniform share 1/8, so a near-uniform untrained map is not all dark and nothing clips.
SCALE = dict(cmap="viridis", norm=matplotlib.colors.TwoSlopeNorm(vmin=0, vcenter=1 / 8, vmax=1))


def draw_map(ax, weights):
    image = ax.imshow(weights, **SCALE)
    ax.set_xticks(range(8), labels, rotation=45, ha="right")
    ax.set_yticks(range(8), labels)
    ax.set(xlabel="key j (is looked at)", ylabel="query i (looks)")
    bar = ax.figure.colorbar(image, ax=ax, label="attention weight", ticks=[0, 1 / 8, 0.5, 1])
    bar.ax.set_yticklabels(["0", "1/8 uniform", "0.5", "1"])
    return image


fig, ax = plt.subplots(figsize=(4.8, 4.0), layout="constrained")
draw_map(ax, attention.detach())
ax.set_title("one block, 4 heads averaged")
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: every row of an attention map is a probability distribution.
assert torch.allclose(block.attention.sum(-1), torch.ones(1, 4, 8))
assert 0 <= attention.min() and attention.max() <= 1 and SCALE["norm"].vcenter == 1 / 8

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving a widget
#
# Widgets let you change a number and see the picture follow. Below, the slider multiplies the
# attention scores by a **sharpness** $\beta$ before the softmax, $\mathrm{softmax}(\beta\, s)$ ($\beta$ is
# an *inverse* temperature: bigger means sharper). At $\beta = 0$ every row is uniform, $1/8$ each; at
# large $\beta$ each word attends almost only to its favourite. The map uses the same colour scale as
# the one above. Drag the slider, or click it and use the arrow keys.

# %% slideshow={"slide_type": "subslide"} alt="The sharpness explorer's saved picture: the 8 by 8 attention map softmax(beta times scores) of the sentence's tokens at one sharpness beta, coloured against the uniform share 1/8."
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png, with_picture  # noqa: E402

with torch.no_grad():
    h = block.ln1(x[None])
    q, k = block.attn.split(block.attn.q(h)), block.attn.split(block.attn.k(h))
    scores = (q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5).mean(1)[0]    # (8, 8), heads averaged


def sharpen(beta=1.0):
    return (beta * scores).softmax(-1)


# One figure, drawn once; the slider only swaps the numbers inside it (fast enough to feel live).
fig, ax = plt.subplots(figsize=(4.8, 4.0), layout="constrained")
shown = draw_map(ax, sharpen())
plt.close(fig)


def redraw(change=None):
    shown.set_data(sharpen(slider.value))
    ax.set_title(f"softmax(β · scores), β = {slider.value:.1f}")
    picture.value = figure_png(fig)           # drawn at 2x, shown at its natural size


slider = widgets.FloatSlider(value=4.0, min=0.0, max=8.0, step=0.5, description="sharpness β")
picture = widgets.Image(format="png")
slider.observe(redraw, names="value")
redraw()
with_picture(widgets.VBox([slider, picture]), picture)

# %% [markdown] slideshow={"slide_type": "fragment"}
# At $\beta = 0$ every weight is exactly $1/8$: the block averages all tokens. Uniform attention is the
# baseline that later notebooks compare trained models against.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert torch.allclose(sharpen(0.0), torch.full((8, 8), 1 / 8))
assert sharpen(8.0).max(-1).values.mean() > sharpen(1.0).max(-1).values.mean()
# The picture at its natural size: 2 PNG pixels per CSS pixel, a 4.8-inch figure 384 CSS pixels wide.
from mmviz.explore.base import png_size  # noqa: E402

width, height = png_size(bytes(picture.value))
assert picture.layout.width == f"{width / 2:g}px" and width / 2 >= 360, (picture.layout.width, width)

# %% [markdown] slideshow={"slide_type": "slide"}
# <a id="how-we-know"></a>
# ## How we know: seeds, spread, k of n
#
# Later notebooks say things like "summing aligned streams learns the task" or "one cross-attention
# layer cannot find the repeat". How do we know that is a fact about the *set-up*, and not the luck of
# one run? A trained model depends on its **seed**: the initial weights and the order of the batches.
# One run is one draw from a distribution. So every such sentence in this collection is a **claim in
# code** (`mmviz/evidence/nbNN.py`): the sentence, the experiment it rests on, and a test it must pass,
# run on at least 8 seeds (32 initialisations for measurements of untrained models) and reported as
# "k of n seeds" or a mean with its range.
#
# Why 8 and not 3? If a set-up succeeds on a fraction $p$ of seeds, all $n$ of $n$ seeds succeed with
# probability $p^n$. With $p = \tfrac12$, a coin flip, three seeds all succeed one time in eight. And
# $n$ of $n$ successes are compatible with any $p$ down to about $0.05^{1/n}$ (the lowest rate that still
# gives $n$ of $n$ at least 5 % of the time): 0.37 for 3 seeds, 0.69 for 8.

# %% slideshow={"slide_type": "subslide"} alt="Line chart of the chance that n of n seeds succeed against the share p of seeds on which a set-up succeeds, for 3 and for 8 seeds, with dotted lines where each crosses 5 percent."
p = torch.linspace(0, 1, 101)
fig, ax = plt.subplots(figsize=(6.4, 3.0), layout="constrained")
for n, colour in ((3, "#d95f02"), (8, "#1b9e77")):
    ax.plot(p, p**n, color=colour, label=f"{n} of {n} seeds succeed")
    ax.axvline(0.05 ** (1 / n), color=colour, ls=":", lw=1)
ax.axhline(0.05, color="#888888", lw=0.8, ls="--", label="5 %")
ax.set(xlabel="p: the share of all seeds on which the set-up succeeds",
       ylabel="probability of\nn of n successes", title="what n of n seeds can and cannot tell")
ax.legend(frameon=False, loc="upper left")
plt.show()
for n in (3, 8, 16):
    print(f"{n:>2} of {n:>2} seeds: consistent with a success rate as low as {0.05 ** (1 / n):.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# This collection learned it the hard way: three seeds misled it once. Notebook 09 trains a model to
# find the object a two-word caption names, and measures whether each word's attention prefers the
# patches of its object (an alignment AUC: 0.5 = no preference, 1 = only its own patches). On seeds 0,
# 1 and 2 the colour word always preferred its patches clearly, and the notebook said so "on every
# seed". Here is the committed evidence for that measurement, every seed a dot:

# %% slideshow={"slide_type": "subslide"} alt="Dot plot of the committed AUC of the colour word for every seed on one line, the first three seeds highlighted against all of them."
from mmviz import evidence  # noqa: E402

locate = evidence.load("09", "locate-words")     # the committed runs: one AUC per seed and word
colour = locate.values["colour word"]
first_three, n = colour[:3], len(colour)
clear = sum(auc >= 0.7 for auc in colour)
fig, ax = plt.subplots(figsize=(6.4, 1.9), layout="constrained")
ax.scatter(colour, [0] * n, s=60, color="#999999", label=f"all {n} seeds")
ax.scatter(first_three, [0] * 3, s=60, color="#d95f02", label="seeds 0, 1, 2")
ax.axvline(0.5, color="#333333", lw=0.8, ls="--")
ax.text(0.505, -0.8, "no preference", fontsize=9)
ax.axvline(0.7, color="#d95f02", lw=0.8, ls=":")
ax.text(0.705, -0.8, "what seeds 0–2 said: above 0.7", fontsize=9, color="#d95f02")
ax.set(xlim=(0.2, 1.0), ylim=(-1, 1), yticks=[], xlabel="colour word's alignment AUC after training")
ax.legend(frameon=False, loc="upper left", ncols=2)
plt.show()
print(f"seeds 0–2: AUC {min(first_three):.2f}–{max(first_three):.2f}, all three >= 0.7")
print(f"all {n} seeds: AUC {min(colour):.2f}–{max(colour):.2f}, >= 0.7 on {clear} of {n}, "
      f"below 0.5 on {sum(auc < 0.5 for auc in colour)} of {n}")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert min(first_three) >= 0.7 and clear < n and n >= 8     # three seeds said "always"; more do not

# %% [markdown] slideshow={"slide_type": "fragment"}
# Every claim is stated so that it survives new seeds: where 8 of 8 seeds succeed, the claim says "at
# least 4 of every 5 seeds", not "always". You can rerun any notebook's claims on seeds nobody chose,
# from a terminal in the repository (each run shows a progress bar with the time left):
#
# ```bash
# python -m mmviz.evidence --list                       # every claim, one line each
# python -m mmviz.evidence 05 --seeds 100-104 --check   # notebook 05's claims on 5 new seeds
# ```
#
# It prints, for each claim, its sentence, what the committed seeds measured, what your seeds
# measured, and whether it holds. In a notebook, `evidence.notebook("05").show()` prints the first two.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1 (read the picture).** Set the slider to $\beta = 8$. Which word does "red" (row 1) attend to
# most? Read it off the picture and type the word.

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = words[int(sharpen(8.0)[1].argmax())]"}
answer = None   # a word from the caption, e.g. "circle"
if answer is not None:                 # checked once you have written an answer
    mmviz.check.most_attended(answer, sharpen(8.0), words, query=1)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2 (code, predict then run).** Build the causal mask for 8 tokens (token $i$ may look only at
# $j \le i$) and pass it to `mhsa`. Predict first: what is row 0 of each head's attention? Then
# check: `mhsa(x, W["q"], W["k"], W["v"], W["out"], 4, mask)[1][:, 0]`.

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2, "predict": true, "solution": "mask = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)"}
mask = None   # your (8, 8) bool tensor: True where token i may NOT look at token j
if mask is not None:                   # checked once you have built it
    mmviz.check.causal_mask(mask, tokens=8)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# `mask = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)`. Row 0 may look only at
# token 0, so its weights are `[1, 0, 0, 0, 0, 0, 0, 0]` in every head: a softmax over one allowed
# score gives 1.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3 (how we know).** A training set-up succeeds on 90 % of all seeds. You rerun it on 5 new seeds.
# What is the probability that all 5 succeed? (A number from 0 to 1; a fraction like `9/10` is fine.)

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = 0.9 ** 5"}
answer = None   # a probability
if answer is not None:                 # checked once you have written an answer
    mmviz.check.all_seeds_succeed(answer, rate=0.9, seeds=5)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# $0.9^5 \approx 0.59$: even a set-up that works 9 times in 10 fails somewhere on 5 seeds 4 times in 10.
# That is why a claim says "at least 4 of every 5 seeds" rather than "every seed" unless the margin is
# very large.
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions
# - The scores are divided by $\sqrt{d_h}$. What happens to the softmax rows if they are not, as
#   $d_h$ grows? (Connect it to the sharpness slider.)
# - Why might several heads of width $d_h = d/H$ be better than one head of width $d$?
#
# ## Summary
# - MHSA: queries, keys and values are linear maps of the tokens; $A = \mathrm{softmax}(QK^\top/\sqrt{d_h})$
#   per head; heads concatenated and projected by $W_O$; a mask sets weights to exactly 0.
# - An attention map is a table: row = the token that looks, column = the token looked at; each
#   row sums to 1.
# - `mmviz` keeps every map its models draw (`block.attention`: batch × heads × queries × keys).
# - Widgets redraw pictures live; where no kernel runs, the last picture still shows.
# - A trained result is a distribution over seeds: claims here are stated as "k of n seeds" over 8 or
#   more, and `python -m mmviz.evidence NN --seeds A-B --check` reruns them on yours.
#
# **Next:** [01 · Attention as a graph](01_attention_as_a_graph.ipynb).
#
# **References.** P. Xu, X. Zhu, D. A. Clifton, *Multimodal Learning with Transformers: A Survey*,
# IEEE TPAMI 2023 (arXiv:2206.06488). A. Vaswani et al., *Attention Is All You Need*, NeurIPS 2017.

# %% [markdown] slideshow={"slide_type": "slide"}
# <a id="glossary-multimodal"></a>
# ## Glossary, part 2: multimodal terms
#
# For notebooks 03–11. (Part 1, the general terms, is [above](#glossary).)
#
# | term | symbol | meaning |
# |---|---|---|
# | term | symbol | meaning |
# |---|---|---|
# | **modality** | $m = 1, \dots, M$; $Z_m$ | one kind of input: image, caption, sound, sensor. Numbered from 1 in names and text ("modality 2", "cross 1←2"), from 0 in code (`zs[1]`, `out.stream(1)`). |
# | **patch** | row $r$, column $c$ | a square piece of the picture that becomes one image token (notebook 03); patches are numbered in raster order (row by row), and "patch (r, c)" counts rows and columns from 0 at the top left. |
# | **positional embedding** | $P_m$ | a learned vector per token position, added to the token (an early summation, notebook 05); it tells attention *where* a token sits. |
# | **type embedding** | $t_m$ | one learned vector per modality, added to every token of modality $m$: a tag for the slot's modality (BERT's segment embedding, notebook 04). |
# | **[CLS], [SEP], [MASK]** | | special tokens from no input: [CLS] a learned summary token read out at the end; [SEP] a separator between segments; [MASK] stands in for a hidden token in masked pre-training (notebook 04). |
# | **readout** | | how one answer is read from the final tokens: the **[CLS]** token's vector, the **mean-pooled** vector (mean over all final tokens, mmviz's `pooled`), or a **pointer**: one score per token of one modality, the best token is the answer ("which patch?"). |
# | **α (summation weights)** | $\alpha_m$ | the weight of modality $m$ in early summation, $Z = \mathrm{Tf}(\alpha_1 Z_1 \oplus \dots \oplus \alpha_M Z_M)$ (notebook 05). |
# | **arrow A←B** | $Z_{A\leftarrow B}$ | A's queries read B's keys and values: information flows from B into A. The asking modality comes first: "image←caption" = image patches attend to caption words; the stage "cross 1←2" = modality 1's queries read modality 2. |
# | **stream** | $Z_m$ after fusion | one modality's own sequence of tokens, kept separate through some layers (with its own weights), as in notebooks 07–09; `out.stream(m)` in code. |
# | **stage** | "modality 1 encoder", "joint", "cross 1←2" | a group of layers with one attention pattern; a variant is one stage or several in a row. A stage runs `depth` layers. |
# | **separate stage / encoder** | $\mathrm{Tf}_m(Z_m)$ | layers over one modality's tokens alone, with that modality's own weights: nothing crosses modalities there (notebooks 07, 08). |
# | **joint stage / joint layer** | $\mathrm{Tf}(\mathcal{C}(Z_1, \dots, Z_M))$ | layers over the concatenation of all modalities' tokens, every token attending to every token (early concatenation, and the shared part of the hierarchical variants). |
# | **alignment, aligned pairs** | | the ground truth of which token of one modality goes with which of another: a word and the patches of the object it names, sound step $t$ and sensor step $t$. |
# | **alignment AUC** | $\mathrm{AUC} \in [0, 1]$ | for one key token, the probability that a query aligned with it gives it more attention than a query that is not (ties count half), averaged over keys: **0.5 = no preference**, 1.0 = only the aligned partners (`mmviz.alignment_auc`). |
# | **chance level** | | the accuracy of guessing without looking at the input: the commoner answer's share of the test set, or $1/K$ for $K$ equally likely answers (e.g. 1/16 for "which patch?"). A model is said to learn only when it is clearly above it. |
# | **padding mask** | $P_m \in \{0, 1\}^{N_m}$ | one flag per token of modality $m$, 1 (True in code) where the token is padded or absent: no query reads it (its score is $-\infty$), and the pooled vector averages the other tokens (`model(zs, key_padding_mask=[...])`, notebook 11). |
# | **absent modality** | $P_m = 1$ for every token | a modality missing from a sample (no caption, no sound): every one of its tokens is masked; a caption's words become the PAD id, which is no word (notebook 11). |
# | **modality dropout** | $p$ | in training, each modality is made absent from a sample with probability $p$ (never all of them), so the model learns to answer without it (`fit(..., modality_dropout=p)`, notebook 11). |
# | **forward hook** | `module.register_forward_hook(f)` | a PyTorch function called with a module's output every time it runs: how a notebook reads or swaps a stage's tokens inside the real forward pass. |
