# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Pre-norm versus post-norm: where does LayerNorm go?
# *Survey Section 3.1, the vanilla Transformer.*
#
# A Transformer block has two sub-layers (attention, then an MLP), each wrapped in a residual
# connection and a LayerNorm. The original Transformer normalises **after** the residual addition
# (post-norm); almost every recent model normalises **before** the sub-layer (pre-norm). The survey
# remarks that pre-norm is the more natural order, as in Gram–Schmidt one normalises a vector before
# projecting onto it. Here we measure why the order matters.
#
# **What you will learn**
# - the two orders, in four lines of code each, and that they are the same modules wired differently;
# - what LayerNorm does to the length of a vector, and why the pre-norm residual stream grows;
# - the finding of Xiong et al. (2020): at initialisation, post-norm's last layers get the largest
#   gradients, pre-norm's stay small, and this depends on the initialisation;
# - why post-norm needs learning-rate warm-up and pre-norm does not;
# - the Gram–Schmidt intuition, on three vectors.

# %% slideshow={"slide_type": "skip"}
import math

import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz.lessons import norms as experiments

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The two orders
#
# With $x$ the residual stream, $\mathrm{LN}$ LayerNorm and $F$ a sub-layer (attention or MLP):
#
# | | one sub-layer | at the output of a stack |
# |---|---|---|
# | **post-norm** (Vaswani et al. 2017) | $x \leftarrow \mathrm{LN}(x + F(x))$ | already normalised |
# | **pre-norm** (GPT-2, ViT, ...) | $x \leftarrow x + F(\mathrm{LN}(x))$ | needs one final $\mathrm{LN}$ |
#
# In post-norm every path from input to output passes through every LayerNorm. In pre-norm the
# residual path $x \to x + \dots$ is a clean identity from the first layer to the last.

# %% slideshow={"slide_type": "subslide"}
def post_norm(block, x):          # LayerNorm AFTER each residual addition
    x = block.ln1(x + block.attn(x))
    return block.ln2(x + block.mlp(x))


def pre_norm(block, x):           # LayerNorm BEFORE each sub-layer; the residual path stays clean
    x = x + block.attn(block.ln1(x))
    return x + block.mlp(block.ln2(x))


block = mmviz.TransformerBlock(dim=32, heads=4).eval()   # the same modules, used in both orders
x = torch.randn(2, 5, 32)
print("post-norm output:", tuple(post_norm(block, x).shape), " pre-norm output:", tuple(pre_norm(block, x).shape))

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: the four-line versions are exactly mmviz's block, and mmviz's block is exactly PyTorch's.
with torch.no_grad():
    for norm, order in (("pre", pre_norm), ("post", post_norm)):
        block.norm = norm
        assert torch.allclose(block(x), order(block, x), atol=1e-6)
        layer = torch.nn.TransformerEncoderLayer(32, 4, 128, dropout=0.0, batch_first=True,
                                                 norm_first=norm == "pre").eval()
        assert torch.allclose(mmviz.TransformerBlock.from_torch(layer).eval()(x), layer(x), atol=1e-5)
    block.norm = "pre"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What LayerNorm does to a vector's length
#
# At initialisation ($\gamma = 1$, $\beta = 0$), LayerNorm subtracts the mean of the $d$ coordinates
# and divides by their standard deviation. The result has mean 0 and variance 1, so
# $\|\mathrm{LN}(v)\|^2 = d$: every vector lands on the sphere of radius $\sqrt d$.
#
# Post-norm ends every block with a LayerNorm, so its residual stream stays on that sphere.
# Pre-norm only ever *adds* to the stream, so the stream grows layer after layer (Xiong et al.
# bound its squared norm between $(1 + l/2)\,d$ and $(1 + 3l/2)\,d$ after $l$ layers).

# %% slideshow={"slide_type": "subslide"}
depth = 12
stream = {norm: experiments.residual_norms(norm, depth, dim=64) for norm in ("pre", "post")}
for norm, values in stream.items():
    print(f"{norm:>4}-norm  ‖x_l‖²/d after layers 1..{depth}:", " ".join(f"{v:.1f}" for v in values))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Post-norm's stream stays at exactly 1 (on the sphere); pre-norm's grows with depth. A sub-layer of
# a pre-norm block reads $\mathrm{LN}(x)$, whatever the size of $x$, and adds its output to an ever
# larger $x$: the deeper the layer, the smaller its relative contribution, and the smaller its
# gradient. Keep this in mind for the next experiment.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert all(abs(v - 1) < 1e-3 for v in stream["post"])
assert all(b > a for a, b in zip(stream["pre"], stream["pre"][1:]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradients at initialisation (Xiong et al. 2020)
#
# The set-up of the paper: a stack of blocks, every weight Xavier-initialised, every bias 0, a linear
# classifier on each output token, cross-entropy on random labels. We measure the gradient norm of
# each block's second MLP weight $W_2^{(l)}$, averaged over four initialisations.
#
# Their theory: for post-norm, the last layer's gradient is of order $d\sqrt{\ln d}$ whatever the
# depth $L$, and earlier layers get less (a factor about $(2/3)^{(L-l)/2}$); for pre-norm, it is of
# order $d\sqrt{\ln d / L}$: it **shrinks** as the stack gets deeper.

# %% slideshow={"slide_type": "subslide"}
depths = (6, 12, 24)
norms = {(norm, L): mmviz.grad_norms_at_init(norm, L, dim=64) for norm in ("pre", "post") for L in depths}
print("depth   post-norm last layer   pre-norm last layer   post / pre   post: last / first layer")
for L in depths:
    post, pre = norms["post", L], norms["pre", L]
    print(f"{L:>5}   {post[-1]:>20.2f}   {pre[-1]:>19.2f}   {post[-1] / pre[-1]:>10.1f}   "
          f"{post[-1] / post[0]:>24.2f}")

# %% slideshow={"slide_type": "subslide"}
mmviz.plot_grad_norms(pre=norms["pre", 24], post=norms["post", 24],
                      title="‖∂L/∂W₂‖ per layer at init, depth 24, Xavier init")

# %% [markdown] slideshow={"slide_type": "fragment"}
# What we see, as in the paper: **post-norm's last-layer gradient is several times pre-norm's**, and in
# the deeper stacks it **grows toward the output**; **pre-norm's last-layer gradient shrinks as the
# stack gets deeper** (and pre-norm's gradients decrease from the first layer to the last, as the
# residual stream grows). With Adam, every weight moves by about the learning rate whatever its
# gradient, but the big gradients of post-norm's top layers make its early updates erratic.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
for L in depths:
    assert norms["post", L][-1] > 2 * norms["pre", L][-1]
for L in (12, 24):
    assert norms["post", L][-1] > norms["post", L][0]
assert norms["pre", 24][-1] < norms["pre", 12][-1] < norms["pre", 6][-1]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The initialisation matters
#
# The paper's statements are for Xavier initialisation. PyTorch's own default initialises linear
# layers with a smaller uniform range. At width $d = 32$ the picture then nearly flattens:

# %% slideshow={"slide_type": "subslide"}
ratio = {}
for init in ("xavier", "default"):
    post, pre = (mmviz.grad_norms_at_init(n, 12, dim=32, init=init) for n in ("post", "pre"))
    ratio[init] = post[-1] / pre[-1]
    print(f"{init:>8} init, depth 12, d = 32: post-norm last layer {post[-1]:.3f}, pre-norm {pre[-1]:.3f}, "
          f"ratio {ratio[init]:.1f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# With PyTorch's default initialisation the post/pre ratio is much closer to 1: the gap Xiong et al.
# analyse is a property of the architecture *and* of how it starts. Results about "which norm
# placement is better" always come with an initialisation attached.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert ratio["default"] < ratio["xavier"] / 2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training with and without warm-up
#
# Warm-up starts the learning rate near 0 and raises it linearly over the first steps:
# $\eta_t = \eta \cdot \min(1, t / T_{\text{warm}})$. Xiong et al. found that post-norm needs it
# (without: BLEU 8.5 instead of 34 on IWSLT14) and pre-norm does not.
#
# Our small version: a 6-layer stack (width 32) learns to **sort** 8 symbols, with Adam at a fairly
# high learning rate $10^{-2}$, 150 steps, warm-up over 50 steps or none. A model that has learned
# nothing has loss $\ln 8 \approx 2.08$.

# %% slideshow={"slide_type": "subslide"}
curves = {f"{norm}-norm, {'warm-up' if warmup else 'no warm-up'}":
          mmviz.norm_training_curve(norm, depth=6, warmup=warmup, steps=150)
          for norm in ("post", "pre") for warmup in (False, True)}
for label, losses in curves.items():
    print(f"{label:<24} mean loss over the last 20 steps: {sum(losses[-20:]) / 20:.2f}")

fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
for label, losses in curves.items():           # colour: placement; line style: warm-up or not
    ax.plot(losses, color="#D55E00" if label.startswith("post") else "#0072B2",
            ls="--" if "no warm-up" in label else "-", lw=1.4, label=label)
ax.axhline(math.log(8), color="grey", lw=0.8, ls=":", label="ln 8: learned nothing")
ax.set(xlabel="step", ylabel="training loss", title="6-layer stack sorting 8 symbols, Adam, lr 1e-2")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Post-norm without warm-up stays at $\ln 8$: it learns nothing.** With warm-up it learns. Pre-norm
# learns with or without warm-up, and faster than post-norm. This is the paper's finding in
# miniature; at a smaller learning rate post-norm also learns without warm-up, only more slowly (try
# it: `mmviz.norm_training_curve("post", 6, warmup=False, lr=3e-3)`).

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
final = {label: sum(losses[-20:]) / 20 for label, losses in curves.items()}
assert final["post-norm, no warm-up"] > math.log(8) - 0.1
assert final["post-norm, warm-up"] < final["post-norm, no warm-up"] - 0.5
assert final["pre-norm, no warm-up"] < 1.0 and final["pre-norm, warm-up"] < 1.0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: depth, norm placement, initialisation, warm-up
#
# Move the depth slider and switch the initialisation: the gradient picture (left) redraws at once.
# Press **Train** to add a training curve for the chosen placement and warm-up (right).

# %% slideshow={"slide_type": "subslide"}
mmviz.norm_explorer()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The Gram–Schmidt intuition: normalise, then project
#
# Gram–Schmidt turns vectors $v_1, v_2, \dots$ into an orthonormal basis. Step $i$ removes from $v_i$
# its component along each earlier direction $e_j$, then normalises:
#
# $$u_i = v_i - \sum_{j<i} (v_i \cdot e_j)\, e_j, \qquad e_i = u_i / \|u_i\|.$$
#
# The projection $(v_i \cdot e_j)\, e_j$ is only right because $\|e_j\| = 1$. Project onto a
# direction **before** normalising it and the step's size depends on how long that vector happened
# to be: the result is no longer orthogonal. A pre-norm sub-layer is in the same position as the
# projection: it always reads a normalised input, so what it adds does not depend on how large the
# residual stream has become. (The survey offers this as an intuition, not a proof.)

# %% slideshow={"slide_type": "subslide"}
v = torch.tensor([[3.0, 0.0, 0.0], [2.0, 1.0, 0.0], [1.0, 1.0, 5.0]])   # vectors of different lengths
for first in (True, False):
    basis = experiments.gram_schmidt(v, normalise_first=first)
    print(f"normalise first = {first!s:<5}  largest |e_i · e_j| (0 = orthogonal): "
          f"{experiments.orthogonality_error(basis):.3f}")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert experiments.orthogonality_error(experiments.gram_schmidt(v)) < 1e-9
assert experiments.orthogonality_error(experiments.gram_schmidt(v, normalise_first=False)) > 0.1

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A LayerNorm at initialisation maps a vector of width $d = 64$ to a vector of what length?
# Compute it (or measure it with `torch.nn.LayerNorm(64)`), then check.

# %% slideshow={"slide_type": "subslide"}
answer = None   # your number here
if answer is not None:
    mmviz.check.layernorm_norm(answer, dim=64)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution
answer = torch.nn.LayerNorm(64)(torch.randn(64) * 5 + 3).norm().item()
mmviz.check.layernorm_norm(answer, dim=64);

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** Which placement, `"pre"` or `"post"`, failed to learn without warm-up in our experiment?

# %% slideshow={"slide_type": "subslide"}
answer = None   # "pre" or "post"
if answer is not None:
    mmviz.check.which_norm_needs_warmup(answer)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution
mmviz.check.which_norm_needs_warmup("post");

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** Write one Gram–Schmidt step: remove from `v2` its component along the unit vector `e1`.

# %% slideshow={"slide_type": "subslide"}
v2 = torch.tensor([2.0, 1.0, 0.0])
e1 = torch.tensor([1.0, 0.0, 0.0])
answer = None   # a vector of 3 numbers
if answer is not None:
    mmviz.check.gram_schmidt_step(answer, v2, e1)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution
mmviz.check.gram_schmidt_step(v2 - (v2 @ e1) * e1, v2, e1);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - Post-norm: $x \leftarrow \mathrm{LN}(x + F(x))$. Pre-norm: $x \leftarrow x + F(\mathrm{LN}(x))$,
#   plus one final LayerNorm. Same modules, different wiring.
# - LayerNorm puts vectors on the sphere of radius $\sqrt d$; the pre-norm residual stream grows
#   with depth, the post-norm one does not.
# - At Xavier initialisation post-norm's last layers get gradients several times larger than
#   pre-norm's, growing toward the output; pre-norm's shrink as depth grows. With PyTorch's default
#   initialisation the gap nearly vanishes.
# - Post-norm needs learning-rate warm-up; pre-norm trains without it. Post-norm, when it trains,
#   often ends slightly better (Liu et al. 2020): the choice is robustness against final quality.
# - Gram–Schmidt: normalise before you project. Pre-norm feeds each sub-layer a normalised input.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.1.
# - A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017.
# - R. Xiong et al. *On Layer Normalization in the Transformer Architecture.* ICML 2020.
# - L. Liu et al. *Understanding the Difficulty of Training Transformers.* EMNLP 2020.
# - A. Dosovitskiy et al. *An Image is Worth 16x16 Words.* ICLR 2021.
