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
# - how to read an attention map (who looks at whom) and how to move a widget.
#
# **For lecturers (90 min):** map and glossary 20 · attention in code 30 · reading a map 15 · widget and
# exercises 15 · discussion 10.

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
#
# **Multimodal terms** (notebooks 03–10):
#
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
# | **seed** | `seed=0, 1, 2` | the number that fixes the random initial weights and the order of the training batches. A claim about a trained model holds over at least 3 seeds and is shown with its spread (min–max). |
# | **learning curve over seeds** | mean line, min–max band | test accuracy against training steps, one run per seed: the line is the mean, the shaded band spans the lowest to the highest seed. Long enough curves tell "slower" (still rising) from "cannot" (flat at chance while a control succeeds). |
# | **forward hook** | `module.register_forward_hook(f)` | a PyTorch function called with a module's output every time it runs: how a notebook reads or swaps a stage's tokens inside the real forward pass. |
#
# **Indices:** in code, tokens, heads and patches are numbered from 0 (Python); modalities are numbered
# from 1 in names and text and from 0 in code; where a picture numbers heads or layers from 1, it says so.

# %% slideshow={"slide_type": "skip"}
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

# %% slideshow={"slide_type": "subslide"}
block = mmviz.TransformerBlock(dim=32, heads=4, norm="pre")
y = block(x[None])                           # a batch of one sequence: (1, 8, 32)
attention = block.attention[0].mean(0)       # average the 4 heads: (8, 8)
print("input", tuple(x[None].shape), "-> output", tuple(y.shape), "| attention", tuple(block.attention.shape))

labels = [f"{i}:{w}" for i, w in enumerate(words)]    # token index (from 0) and word
SCALE = dict(cmap="viridis", vmin=0, vmax=0.6)         # one colour scale for every map of this notebook
fig, ax = plt.subplots(figsize=(4.6, 4.0), layout="constrained")
image = ax.imshow(attention.detach(), **SCALE)
ax.set_xticks(range(8), labels, rotation=45, ha="right")
ax.set_yticks(range(8), labels)
ax.set(xlabel="key j (is looked at)", ylabel="query i (looks)", title="one block, 4 heads averaged")
fig.colorbar(image, ax=ax, label="attention weight")
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: every row of an attention map is a probability distribution.
assert torch.allclose(block.attention.sum(-1), torch.ones(1, 4, 8))
assert attention.max() < SCALE["vmax"]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving a widget
#
# Widgets let you change a number and see the picture follow. Below, the slider multiplies the
# attention scores by a **sharpness** $\beta$ before the softmax, $\mathrm{softmax}(\beta\, s)$ ($\beta$ is
# an *inverse* temperature: bigger means sharper). At $\beta = 0$ every row is uniform, $1/8$ each; at
# large $\beta$ each word attends almost only to its favourite. The map uses the same colour scale as
# the one above. Drag the slider, or click it and use the arrow keys.

# %% slideshow={"slide_type": "subslide"}
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png, with_picture  # noqa: E402

with torch.no_grad():
    h = block.ln1(x[None])
    q, k = block.attn.split(block.attn.q(h)), block.attn.split(block.attn.k(h))
    scores = (q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5).mean(1)[0]    # (8, 8), heads averaged


def sharpen(beta=1.0):
    return (beta * scores).softmax(-1)


# One figure, drawn once; the slider only swaps the numbers inside it (fast enough to feel live).
DPI = 80
fig, ax = plt.subplots(figsize=(4.6, 4.0), layout="constrained")
shown = ax.imshow(sharpen(), **SCALE)
ax.set_xticks(range(8), labels, rotation=45, ha="right")
ax.set_yticks(range(8), labels)
ax.set(xlabel="key j (is looked at)", ylabel="query i (looks)")
fig.colorbar(shown, ax=ax, label="attention weight")
plt.close(fig)


def redraw(change=None):
    shown.set_data(sharpen(slider.value))
    ax.set_title(f"softmax(β · scores), β = {slider.value:.1f}")
    picture.value = figure_png(fig, dpi=DPI)


slider = widgets.FloatSlider(value=4.0, min=0.0, max=8.0, step=0.5, description="sharpness β")
size = widgets.Layout(width=f"{int(4.6 * DPI)}px", height=f"{int(4.0 * DPI)}px")   # natural size, no scaling
picture = widgets.Image(format="png", layout=size)
slider.observe(redraw, names="value")
redraw()
with_picture(widgets.VBox([slider, picture]), picture)

# %% [markdown] slideshow={"slide_type": "fragment"}
# At $\beta = 0$ every weight is exactly $1/8$: the block averages all tokens. Uniform attention is the
# baseline that later notebooks compare trained models against.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert torch.allclose(sharpen(0.0), torch.full((8, 8), 1 / 8))
assert sharpen(8.0).max(-1).values.mean() > sharpen(1.0).max(-1).values.mean()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1 (read the picture).** Set the slider to $\beta = 8$. Which word does "red" (row 1) attend to
# most? Read it off the picture and type the word.

# %% slideshow={"slide_type": "subslide"}
answer = None   # a word from the caption, e.g. "circle"
# mmviz.check.most_attended(answer, sharpen(8.0), words, query=1)   # remove the '#' to check

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2 (code, predict then run).** Build the causal mask for 8 tokens (token $i$ may look only at
# $j \le i$) and pass it to `mhsa`. Predict first: what is row 0 of each head's attention? Then
# check: `mhsa(x, W["q"], W["k"], W["v"], W["out"], 4, mask)[1][:, 0]`.

# %% slideshow={"slide_type": "subslide"}
mask = None   # your (8, 8) bool tensor: True where token i may NOT look at token j

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# `mask = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)`. Row 0 may look only at
# token 0, so its weights are `[1, 0, 0, 0, 0, 0, 0, 0]` in every head: a softmax over one allowed
# score gives 1.
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
#
# **Next:** [01 · Attention as a graph](01_attention_as_a_graph.ipynb).
#
# **References.** P. Xu, X. Zhu, D. A. Clifton, *Multimodal Learning with Transformers: A Survey*,
# IEEE TPAMI 2023 (arXiv:2206.06488). A. Vaswani et al., *Attention Is All You Need*, NeurIPS 2017.
