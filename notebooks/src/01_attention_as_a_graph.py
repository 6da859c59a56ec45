# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Attention as a graph
# *Survey Section 3, opening: why Transformers suit multimodal data.*
#
# The survey opens Section 3 with one observation: self-attention treats its input as a
# **fully-connected graph** whose nodes are tokens and whose edge weights are computed from the
# data, fresh at every layer. A convolution is tied to a **fixed grid**: each output sees the same
# small neighbourhood, with weights that do not depend on the content. A graph needs no grid, so
# image patches, words and sound frames can all be nodes of the same graph.
#
# **What you will learn**
# - to read an attention matrix as the weighted adjacency matrix of a graph over tokens;
# - how that graph differs from the fixed neighbourhood of a convolution;
# - that self-attention without positions is permutation-equivariant, and how position embeddings
#   break the symmetry;
# - that a mask deletes edges: complete graph, DAG, padded tokens no one reads, and the fusion variants
#   as masks;
# - why this lets one Transformer mix tokens of different modalities.
#
# **Before you start:** notebook 00 (MHSA in code, and the [glossary](00_start_here.ipynb#glossary):
# token, Q/K/V, heads, mask). Indices: tokens are numbered from 0, as in code.
#
# **For lecturers (90 min):** adjacency matrices 15 · masks as topology 20 · two modalities, one graph
# 10 · permutation equivariance 20 · explorer 10 · exercises and discussion 15.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz.lessons import graphs
from mmviz.data import make_pictures

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The idea: an attention matrix is an adjacency matrix
#
# For $N$ tokens $X \in \mathbb{R}^{N \times d}$, one attention head computes
#
# $$A = \mathrm{softmax}\!\left(\frac{(XW_Q)(XW_K)^\top}{\sqrt{d_h}}\right) \in \mathbb{R}^{N\times N},
# \qquad \text{output}_i = \sum_j A_{ij}\, (XW_V)_j .$$
#
# Read $A_{ij}$ as the weight of the edge $j \to i$: information flows from key $j$ into query $i$
# (token $i$ reads from token $j$). $A$ is the weighted adjacency matrix of a directed graph, row $i$
# holding the edges that arrive at $i$; every picture here draws an arrow from $j$ to $i$, the way
# information flows. With **no mask**, every pair $(i, j)$ is an
# edge, self-loops included: the graph is complete, and a mask is what deletes edges (next section).
# The weights depend on $X$: another input, another graph. A 1-D convolution with kernel size 3 also mixes tokens, along
# the edges of a fixed band: token $i$ sees $i-1, i, i+1$, always, with the same weights.

# %% slideshow={"slide_type": "subslide"}
block = mmviz.TransformerBlock(dim=16, heads=1).eval()
with torch.no_grad():
    block.attn.q.weight.mul_(4)   # sharpen: an untrained head's attention is close to uniform
x1, x2 = torch.randn(1, 8, 16), torch.randn(1, 8, 16)   # two inputs of 8 tokens

with torch.no_grad():
    block(x1)
    A1 = block.attention[0, 0]          # (8, 8): the graph of input 1
    block(x2)
    A2 = block.attention[0, 0]          # (8, 8): the graph of input 2
C = graphs.conv_adjacency(8, kernel_size=3)   # the convolution's graph, whatever the input

# %% slideshow={"slide_type": "subslide"} alt="Three 8 by 8 heatmaps on one colour scale: the attention matrices of two different inputs, which differ, and a 3-wide convolution's fixed 0/1 band, the same for any input."
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
top = max(A1.max(), A2.max(), C.max()).item()          # one colour scale for the three panels
for ax, matrix, title in zip(axes, (A1, A2, C), ("attention, input 1", "attention, input 2",
                                                 "convolution (kernel 3), any input: 0/1")):
    image = ax.imshow(matrix, vmin=0, vmax=top, cmap="viridis")
    ax.set(title=title, xlabel="token j (looked at)", ylabel="token i (looks)",
           xticks=range(8), yticks=range(8))
fig.colorbar(image, ax=axes, fraction=0.02, label="edge weight")
fig.suptitle("adjacency matrices over 8 tokens, one modality (a single head, untrained)")
plt.show()
print("attention edges (no mask):", 8 * 8, "| convolution edges:", int(C.sum()))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Attention without a mask has **all 64 edges**, with weights that change when the input changes; the convolution
# draws 22 edges on a fixed band, the same for every input (its weights are learned, but they do not
# depend on the content of the tokens).

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert (A1 > 0).all() and (A2 > 0).all()
assert torch.allclose(A1.sum(-1), torch.ones(8))
assert not torch.allclose(A1, A2, atol=1e-3)
assert int(C.sum()) == 22

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Masks shape the graph
#
# A mask sets some scores to $-\infty$ before the softmax, so those weights are exactly 0: the mask
# deletes edges. Three masks of one sequence, and three of a concatenated pair of modalities:
#
# - **no mask**: the complete graph; **causal** ($j \le i$, as in a language model): a directed
#   acyclic graph (plus self-loops), no edge from the future; **padding**: a padded token loses every
#   edge that leaves it (no token reads it: its column is 0), so it is removed as a *source*. As a query
#   it still reads the real tokens (its row is not empty), but nothing downstream reads its output;
#   it is not removed from the graph as a node.
# - Over $C(Z_A, Z_B)$, the survey's variants (notebooks 05–09) are masks of one graph: **block-diagonal**
#   = each modality in its own stream; **off-diagonal blocks** = cross-attention; **everything** = early
#   concatenation. This is the survey's "controlling the input pattern of self-attention".

# %% slideshow={"slide_type": "subslide"} alt="Six small black-and-white masks (complete, causal, padding, and three fusion variants over tokens 0-3 of modality A and 4-7 of B), each titled with its number of edges; then the causal mask drawn as a graph of 4 tokens whose arrows flow forward only."
masks = graphs.attention_masks(n_a=4, n_b=4, padded=1)
fig, axes = plt.subplots(1, 6, figsize=(13, 2.8), layout="constrained")
for ax, (name, allowed) in zip(axes, masks.items()):
    ax.imshow(allowed, cmap="Greys", vmin=0, vmax=1.4)
    ax.set_title(f"{name}\n{int(allowed.sum())} edges", fontsize=9)
    ax.set_xticks(range(len(allowed))), ax.set_yticks(range(len(allowed)))
    ax.tick_params(labelsize=7)
    ax.set_xlabel("key j", fontsize=8)
for ax in axes[3:]:                              # where modality A ends and B begins
    ax.axhline(3.5, color="#D55E00", lw=1), ax.axvline(3.5, color="#D55E00", lw=1)
axes[0].set_ylabel("query i", fontsize=8)
fig.suptitle("dark = query i may read key j; left three: one sequence of 4 tokens; right three: "
             "C(Z_A, Z_B), tokens 0–3 from A, 4–7 from B", fontsize=9)
plt.show()

fig, ax = plt.subplots(figsize=(3.4, 1.6), layout="constrained")   # the causal graph, drawn with arrows
for i in range(4):
    ax.scatter(i, 0, s=300, color="#0072B2", zorder=3)
    ax.text(i, 0, str(i), color="white", ha="center", va="center", fontsize=9, zorder=4)
    for j in range(i):                            # i reads from every earlier j: an arrow j -> i
        ax.annotate("", xy=(i - 0.12, 0.05), xytext=(j + 0.12, 0.05),
                    arrowprops=dict(arrowstyle="->", color="grey", connectionstyle=f"arc3,rad=-{0.25 + 0.1 * (i - j)}"))
ax.set_xlim(-0.5, 3.5), ax.set_ylim(-0.4, 1.2)
ax.axis("off")
ax.set_title("causal mask: information flows forward only (self-loops not drawn)", fontsize=8)
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
with torch.no_grad():                             # a masked edge gets weight exactly 0 in a real block
    block(x1, key_padding_mask=torch.tensor([[False] * 6 + [True] * 2]))   # True: a padded key
    assert (block.attention[..., 6:] == 0).all() and torch.allclose(block.attention.sum(-1), torch.ones(1, 1, 8))
    assert (block.attention[0, :, 6:, :6] > 0).all()   # a padded token still reads the real ones as a query
assert masks["padding"][:, -1].sum() == 0 and masks["padding"][-1, :-1].all()   # its column empty, its row not
assert int(masks["causal"].sum()) == 10 and int(masks["separate streams"].sum()) == 32

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Tokens of two modalities, one graph
#
# A picture becomes 16 patch tokens (a 4×4 grid of 6×6-pixel patches, notebook 03), a caption
# becomes word tokens; both are width-$d$ vectors, so we can concatenate them and run one block.
# Nothing in the attention needs a grid: a word can attend to a patch as easily as to another word.
# Left: the graph (each token's 3 strongest edges drawn; all others exist, faint). Right: a 3×3
# convolution on a pixel grid, which has no place for a word at all.

# %% slideshow={"slide_type": "subslide"} alt="Left, self-attention as a graph over 16 image-patch tokens and 3 caption-word tokens in their modality colours, its edge weights computed from the data; right, a 3 by 3 convolution's fixed grid neighbourhood, the same weights whatever the content."
images, _, _ = make_pictures(1, seed=3)
words = ["red", "circle", "left"]
patches = mmviz.PatchEmbedding(image_size=24, patch_size=6, channels=3, dim=32)(images)   # (1, 16, 32)
caption = mmviz.SymbolEmbedding(vocab_size=3, length=3, dim=32)(torch.tensor([[0, 1, 2]]))  # (1, 3, 32)
tokens = torch.cat([patches, caption], dim=1)                                             # (1, 19, 32)

joint = mmviz.TransformerBlock(dim=32, heads=4).eval()
with torch.no_grad():
    joint(tokens)
modality = torch.tensor([0] * 16 + [1] * 3)
record = mmviz.AttentionRecord("one block over patches and words", 0, joint.attention, modality, modality)
mmviz.plot_attention_graph(record, labels=[f"p{i}" for i in range(16)] + words,
                           modality_names=["image", "caption"])

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
cross = joint.attention[0][:, :16, 16:]     # patches looking at words
assert (cross > 0).all() and (joint.attention[0][:, 16:, :16] > 0).all()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Permutation equivariance
#
# Attention treats its tokens as a **set**: nothing in $A$ or in the weighted sum knows the order of
# the rows of $X$. Shuffle the tokens with a permutation $\pi$ and the outputs come out shuffled the
# same way:
#
# $$f(X_{\pi}) = f(X)_{\pi}.$$
#
# That is the property of a graph (relabel the nodes, nothing changes), and a problem for language
# or images, where order carries meaning. The fix is a **position embedding**: add to token $i$ a
# vector $p_i$ that depends on its place. After shuffling, token $\pi(i)$ sits at place $i$ and gets
# $p_i$ instead of $p_{\pi(i)}$, so the symmetry is broken.

# %% slideshow={"slide_type": "subslide"}
x = torch.randn(1, 8, 16)
perm = torch.randperm(8)
positions = graphs.sinusoidal_positions(8, 16)          # p_i, fixed sin/cos (Vaswani et al.)

with torch.no_grad():
    without = (block(x[:, perm]) - block(x)[:, perm]).abs().max().item()
    with_pos = (block(x[:, perm] + positions) - block(x + positions)[:, perm]).abs().max().item()
print("permutation:", perm.tolist())
print(f"no positions:   max |f(x[perm]) - f(x)[perm]| < 1e-5 ? {without < 1e-5}")
print(f"with positions: max |f(x[perm] + p) - f(x + p)[perm]| = {with_pos:.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Without positions the two agree to rounding error; with positions they differ by an amount as large
# as the outputs themselves. For mixing modalities the first fact is a feature: a set of patches and
# a set of words need no common order. Each modality then brings its own notion of position
# (a 2-D grid for patches, a 1-D order for words, time for sound) through its own position embedding.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert without < 1e-5
assert with_pos > 0.1
assert graphs.equivariance_gap(joint, tokens, torch.randperm(19)) < 1e-5

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: shuffle the tokens, add positions
#
# The picture shows the attention matrix of the 8 tokens, **after shuffling**, drawn back in the
# original order ($P^\top A_{\text{shuffled}} P$). Without positions it is the same matrix whatever
# the shuffle; with positions, the graph changes. Move the `shuffle` slider (0 = no shuffle) and tick
# `positions`. Without a running kernel (on GitHub, say) you see the starting state: shuffle 3, no
# positions.

# %% slideshow={"slide_type": "subslide"} alt="The shuffle explorer's saved picture: the attention map of 8 tokens shuffled without position embeddings and put back in order, beside its difference from the unshuffled map."
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png as png  # noqa: E402
from mmviz.explore import with_picture  # noqa: E402


def unshuffled_attention(shuffle=0, positions_on=False):
    """The attention of x shuffled by permutation number ``shuffle``, rows and columns put back in order."""
    order = torch.randperm(8, generator=torch.Generator().manual_seed(shuffle)) if shuffle else torch.arange(8)
    shuffled = x[:, order] + positions if positions_on else x[:, order]   # place i gets p_i after the shuffle
    with torch.no_grad():
        block(shuffled)
    back = torch.argsort(order)
    return block.attention[0, 0][back][:, back]


fig, (ax_now, ax_diff) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
reference = unshuffled_attention(0, False)
shown = ax_now.imshow(unshuffled_attention(3), vmin=0, vmax=0.5, cmap="viridis")
diff = ax_diff.imshow(unshuffled_attention(3) - reference, vmin=-0.2, vmax=0.2, cmap="coolwarm")
for ax in (ax_now, ax_diff):
    ax.set(xticks=range(8), yticks=range(8), xlabel="token j", ylabel="token i")
fig.colorbar(shown, ax=ax_now, fraction=0.046)
fig.colorbar(diff, ax=ax_diff, fraction=0.046)
ax_diff.set_title("minus the unshuffled matrix, no positions")


def redraw(shuffle=3, positions_on=False):
    matrix = unshuffled_attention(shuffle, positions_on)
    base = unshuffled_attention(0, positions_on)
    shown.set_data(matrix)
    diff.set_data(matrix - base)
    ax_now.set_title(f"shuffle {shuffle}, {'with' if positions_on else 'no'} positions, put back in order")
    ax_diff.set_title("minus the unshuffled matrix")
    return fig


plt.close(fig)             # drawn only through the widget below, updated in place
natural = widgets.Layout(width=f"{9 * 80}px", height=f"{3.8 * 80:.0f}px")   # figure size × png dpi: no scaling
picture = widgets.Image(value=png(redraw()), format="png", layout=natural)
shuffle_slider = widgets.IntSlider(value=3, min=0, max=20, description="shuffle")
positions_box = widgets.Checkbox(value=False, description="positions")


def on_change(change=None):
    picture.value = png(redraw(shuffle_slider.value, positions_box.value))


shuffle_slider.observe(on_change, names="value")
positions_box.observe(on_change, names="value")
view = widgets.VBox([widgets.HBox([shuffle_slider, positions_box]), picture])
with_picture(view, picture)     # live with a kernel; its latest picture without one (GitHub, nbviewer)

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert torch.allclose(unshuffled_attention(5, False), unshuffled_attention(0, False), atol=1e-5)
assert not torch.allclose(unshuffled_attention(5, True), unshuffled_attention(0, True), atol=1e-3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** One attention head over 6 tokens, no mask: how many directed edges (self-loops included) has
# its graph?

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = 6 * 6"}
answer = None   # a number
if answer is not None:                 # checked once you have written an answer
    mmviz.check.attention_edges(answer, tokens=6)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# Without a mask every (i, j) pair is an edge: 6 × 6 = 36. A mask would delete some.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2 (predict, then run).** A 1-D convolution with kernel size 3 (zero padding) over the same 6
# tokens: how many edges? And a causal mask over 6 tokens? Count by hand first, then run
# `int(graphs.conv_adjacency(6, 3).sum()), int(graphs.attention_masks(6, 1, 0)["causal"].sum())`.

# %% slideshow={"slide_type": "subslide"} exercise={"predict": true, "solution": "answer = 4 * 3 + 2 * 2"}
answer = None   # the convolution's number of edges
if answer is not None:                 # checked once you have written an answer
    mmviz.check.conv_edges(answer, tokens=6, kernel_size=3)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# Convolution: the 4 inner tokens see 3 inputs each, the 2 end tokens see 2: 4·3 + 2·2 = 16.
# Causal: token i sees i + 1 tokens: 1 + 2 + … + 6 = 21.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3 (code).** Shuffle the tokens of `x` with a permutation of your choice, add `positions`, and
# measure `graphs.equivariance_gap(lambda t: block(t + positions), x, perm)`. Then answer: True or
# False, after adding a position embedding, self-attention is still permutation-equivariant?

# %% slideshow={"slide_type": "subslide"} exercise={"hidden": true, "solution": "answer = False"}
answer = None   # True or False
if answer is not None:                 # checked once you have written an answer
    mmviz.check.position_breaks_symmetry(answer)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# False: the position table is added by place, not by token, so shuffled tokens get other positions
# and the outputs change, not just their order (the gap is far above rounding error).
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions
# - A causal mask makes attention a DAG. Which survey variant does a block-diagonal mask over
#   C(Z_A, Z_B) reproduce, and what does it cost compared with running two separate encoders?
# - Softmax weights are never exactly 0 without a mask, yet trained maps look sparse. Is a weight of
#   0.001 an edge? What would you measure to decide?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - An attention matrix is the weighted adjacency matrix of a directed graph over the tokens,
#   recomputed from the data at every layer and for every input; complete without a mask, and a mask
#   deletes edges (causal: a DAG; padding: no edges leave the padded tokens; the fusion variants:
#   blocks of one graph).
# - A convolution's graph is a fixed local neighbourhood on a grid, the same for every input.
# - Without positions, self-attention is permutation-equivariant: $f(X_\pi) = f(X)_\pi$. Position
#   embeddings break the symmetry, and each modality can bring its own.
# - Because the graph needs no grid, tokens from any modality can be nodes of one graph: this is
#   the starting point of every multimodal fusion variant in notebooks 05–09.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.
# - A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017.
# - R. Xiong et al. *On Layer Normalization in the Transformer Architecture.* ICML 2020.
# - L. Liu et al. *Understanding the Difficulty of Training Transformers.* EMNLP 2020.
# - A. Dosovitskiy et al. *An Image is Worth 16x16 Words.* ICLR 2021.
