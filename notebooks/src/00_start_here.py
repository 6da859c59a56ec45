# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Start here
# *Multimodal Learning with Transformers, Section 3 — run live on your laptop.*
#
# This collection turns Section 3 of the survey by Xu, Zhu and Clifton (TPAMI 2023) into experiments
# you can run and pictures you can move. Every model here is tiny, trains in seconds on a CPU, and
# learns from data that `mmviz` draws itself: nothing is downloaded.
#
# **What you will learn here**
# - how the notebooks are organised and which one to open next;
# - how to run a cell and move a widget;
# - how to read an attention map: who looks at whom.

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

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import seaborn as sns
import torch

import mmviz

torch.manual_seed(0)
sns.set_theme(style="white", context="notebook")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A first attention map
#
# A Transformer block lets every token look at every other token. For each token $i$ (a row) it
# computes how much it attends to each token $j$ (a column):
#
# $$A = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_h}}\right), \qquad Q = XW_Q,\; K = XW_K,$$
#
# so each row of $A$ is a set of weights that sums to 1. Here is one block, untrained, reading a
# short caption. The words get random embeddings, so the pattern is not meaningful yet: it is the
# *format* of every picture in this collection.

# %% slideshow={"slide_type": "subslide"}
words = ["a", "red", "circle", "left", "of", "a", "blue", "square"]
vocabulary = sorted(set(words))
embed = torch.nn.Embedding(len(vocabulary), 32)
x = embed(torch.tensor([[vocabulary.index(w) for w in words]]))   # (batch=1, tokens=8, dim=32)

block = mmviz.TransformerBlock(dim=32, heads=4, norm="pre")
y = block(x)
attention = block.attention[0].mean(0)       # average the 4 heads: (tokens, tokens)
print("input", tuple(x.shape), "-> output", tuple(y.shape), "| attention", tuple(block.attention.shape))

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(5.5, 4.5))
sns.heatmap(attention.detach(), xticklabels=words, yticklabels=words, cmap="viridis",
            square=True, cbar_kws={"label": "attention weight"}, ax=ax)
ax.set(xlabel="key (is looked at)", ylabel="query (looks)", title="one block, 4 heads averaged")
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: every row of an attention map is a probability distribution.
assert torch.allclose(block.attention.sum(-1), torch.ones(1, 4, 8))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving a widget
#
# Widgets let you change a number and see the picture follow. Below, the slider scales the
# attention scores before the softmax (a *temperature*): small values flatten every row toward
# uniform attention ($1/8$ each), large values make each word attend almost only to its favourite.
# Drag the slider, or click it and use the arrow keys.

# %% slideshow={"slide_type": "subslide"}
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png, with_picture  # noqa: E402

q, k = block.attn.split(block.attn.q(block.ln1(x))), block.attn.split(block.attn.k(block.ln1(x)))
scores = (q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5).mean(1)[0].detach()


def sharpen(scale=1.0):
    return (scale * scores).softmax(-1)


# One figure, drawn once; the slider only swaps the numbers inside it (fast enough to feel live).
fig, ax = plt.subplots(figsize=(4.5, 3.8), layout="constrained")
image = ax.imshow(sharpen(), vmin=0, vmax=1, cmap="viridis")
ax.set_xticks(range(8), words, rotation=90)
ax.set_yticks(range(8), words)
fig.colorbar(image, ax=ax)
plt.close(fig)


def redraw(change=None):
    image.set_data(sharpen(slider.value))
    ax.set_title(f"scores × {slider.value:.1f}")
    picture.value = figure_png(fig)


slider = widgets.FloatSlider(value=1.0, min=0.0, max=8.0, step=0.5, description="scale")
picture = widgets.Image(format="png")
slider.observe(redraw, names="value")
redraw()
with_picture(widgets.VBox([slider, picture]), picture)

# %% [markdown] slideshow={"slide_type": "fragment"}
# At scale 0 every weight is exactly $1/8$: the block averages all tokens. That is the uniform
# attention we will compare trained models against (an *alignment score* of 1.0 means "no better
# than uniform").

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert torch.allclose(sharpen(0.0), torch.full((8, 8), 1 / 8))
assert sharpen(8.0).max(-1).values.mean() > sharpen(1.0).max(-1).values.mean()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise
# Set the slider to its largest value. Which word does "red" attend to most? Read it off the
# picture, then check: `words[sharpen(8.0)[1].argmax()]`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - An attention map is a table: row = the token that looks, column = the token looked at; each
#   row sums to 1.
# - `mmviz` keeps every map its models draw (`block.attention`: batch × heads × queries × keys).
# - Widgets redraw pictures live; where no kernel runs, the last picture still shows.
#
# **Next:** [01 · Attention as a graph](01_attention_as_a_graph.ipynb).
#
# **References.** P. Xu, X. Zhu, D. A. Clifton, *Multimodal Learning with Transformers: A Survey*,
# IEEE TPAMI 2023 (arXiv:2206.06488). A. Vaswani et al., *Attention Is All You Need*, NeurIPS 2017.
