# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Pre-norm versus post-norm: where does LayerNorm go?
# *Survey Section 3.1, the vanilla Transformer.*
#
# A Transformer block has two sub-layers (attention, then an MLP), each wrapped in a residual
# connection and a LayerNorm. The original Transformer normalises **after** the residual addition
# (post-norm); almost every recent model normalises **before** the sub-layer (pre-norm). The survey
# remarks that pre-norm is the more natural order, "as in Gram–Schmidt", and asks for more theory.
# Here we measure what the order changes, and compare each measurement with what the papers predict.
#
# **Before you start:** notebook 00 (its [glossary](00_start_here.ipynb#glossary): residual,
# LayerNorm, pre/post-norm, MHSA) and the chain rule. Indices: layers are counted $l = 1, \dots, L$
# from the input, as in Xiong et al.
#
# **What you will learn**
# - the two orders, in four lines of code each, and LayerNorm in three lines;
# - what LayerNorm does to the length of a vector, and why the pre-norm residual stream grows;
# - what Xiong et al. (2020) prove about gradients at initialisation (upper bounds, under stated
#   assumptions), and how far a measurement agrees: per layer, and the last layer against depth;
# - why post-norm needs learning-rate warm-up: Liu et al.'s (2020) output amplification, measured;
# - training with and without warm-up, over seeds, against a baseline that uses positions only;
# - where the Gram–Schmidt analogy helps, and where it stops.
#
# **For lecturers (90 min):** orders and LayerNorm 15 · gradients at init 25 · amplification and
# warm-up 25 · explorer 10 · Gram–Schmidt 5 · exercises and discussion 10.

# %% slideshow={"slide_type": "skip"}
import json
import math

import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz.lessons import norms as experiments

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)
POST, PRE = "#D55E00", "#0072B2"  # the collection's colours for post- and pre-norm

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The two orders
#
# With $x$ the residual stream, $\mathrm{LN}$ LayerNorm and $F$ a sub-layer (MHSA or the MLP):
#
# | | one sub-layer | at the output of a stack |
# |---|---|---|
# | **post-norm** (Vaswani et al. 2017) | $x \leftarrow \mathrm{LN}(x + F(x))$ | already normalised |
# | **pre-norm** (GPT-2, ViT, ...) | $x \leftarrow x + F(\mathrm{LN}(x))$ | needs one final $\mathrm{LN}$ |
#
# In post-norm every path from input to output passes through every LayerNorm. In pre-norm the
# residual path $x \to x + \dots$ is a clean identity from the first layer to the last.

# %% slideshow={"slide_type": "subslide"}
def layer_norm(x, gamma, beta, eps=1e-5):   # over the last axis (the d features of each token)
    mean, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


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
# Hidden check: LayerNorm by hand is PyTorch's; the four-line versions are exactly mmviz's block, and
# mmviz's block is exactly PyTorch's.
with torch.no_grad():
    assert torch.allclose(layer_norm(x, block.ln1.weight, block.ln1.bias), block.ln1(x), atol=1e-5)
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
# bound its squared norm between $(1 + l/2)\,d$ and $(1 + 3l/2)\,d$ after $l$ layers, in expectation).

# %% slideshow={"slide_type": "subslide"}
depth = 24
stream = {norm: experiments.residual_norms(norm, depth, dim=64) for norm in ("pre", "post")}
for norm, values in stream.items():
    print(f"{norm:>4}-norm  ‖x_l‖²/d after layers l = 1, 2, 4, 8, 16, 24:",
          " ".join(f"{values[l - 1]:.1f}" for l in (1, 2, 4, 8, 16, 24)))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Post-norm's stream stays at exactly 1 (on the sphere); pre-norm's grows about linearly with depth,
# inside Xiong et al.'s band. Every sub-layer reads a normalised input in **both** orders (in
# post-norm, the previous block's LayerNorm already normalised it); what differs is whether the
# **identity path** is normalised. That difference decides the gradients below.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert all(abs(v - 1) < 1e-3 for v in stream["post"])
assert stream["pre"][-1] > 10 * stream["pre"][0]
assert all(1 + l / 2 < v < 1 + 3 * l / 2 for l, v in enumerate(stream["pre"], 1) if l >= 4)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradients at initialisation (Xiong et al. 2020)
#
# **Their assumptions:** every weight Xavier-initialised (Gaussian, variance $2/(d_{in} + d_{out})$), every bias 0, $W_Q = W_K = 0$ (so attention
# starts uniform), inputs and hidden vectors with independent Gaussian-like coordinates, and a
# pre-norm stack ending with one LayerNorm before the classifier. **Their results are upper bounds
# of an order**, not equalities: for the second MLP weight $W_2^{(L)}$ of the last layer,
#
# $$\Big\|\tfrac{\partial \mathcal L}{\partial W_2^{(L)}}\Big\|_F \le O\big(d\sqrt{\ln d}\big)
# \ \text{(post-norm, whatever } L\text{)}, \qquad
# \le O\Big(d\sqrt{\tfrac{\ln d}{L}}\Big)\ \text{(pre-norm)}.$$
#
# For earlier layers post-norm's bound carries a factor about $(2/3)^{(L-l)/2}$ (largest at the
# output), pre-norm's is the same for every layer.
#
# **Why $1/\sqrt L$ for pre-norm, in three lines.** The last layer's output reaches the loss only
# through the final LayerNorm. LayerNorm divides by the standard deviation of its input, so its
# Jacobian scales like $\sqrt d / \|x_L\|$. The stream only adds: $\|x_L\|^2$ grows like $L\cdot d$
# (the band above). So $\|\partial \mathcal L / \partial W_2^{(L)}\| \propto 1/\|x_L\| \propto
# 1/\sqrt L$: slope $-\tfrac12$ on log–log axes. Post-norm's last LayerNorm always reads a stream
# of size $\sqrt d$, so its bound does not depend on $L$.
#
# Our set-up follows theirs (Xavier, zero biases, ReLU MLP, a linear classifier on each token,
# cross-entropy on random labels, width $d = 64$) except that $W_Q, W_K$ are Xavier too. We average
# $\|\partial \mathcal L / \partial W_2^{(l)}\|$ over four initialisations.

# %% slideshow={"slide_type": "subslide"}
depths = (3, 6, 12, 24)
norms = {(norm, L): mmviz.grad_norms_at_init(norm, L, dim=64) for norm in ("pre", "post") for L in depths}
last = {norm: [norms[norm, L][-1] for L in depths] for norm in ("pre", "post")}
slope = {norm: experiments.loglog_slope(depths, last[norm]) for norm in ("pre", "post")}
print("depth L              " + "".join(f"{L:>8}" for L in depths))
for norm in ("post", "pre"):
    print(f"{norm:>4}-norm, layer L   " + "".join(f"{v:>8.2f}" for v in last[norm]),
          f"  log-log slope {slope[norm]:+.2f}")
print(f"pre-norm ∝ 1/‖x_L‖ predicts slope {experiments.loglog_slope(depths, [stream['pre'][L - 1] ** -0.5 for L in depths]):+.2f}"
      " over these depths (−0.50 for large L)")

# %% slideshow={"slide_type": "subslide"}
fig, (ax_l, ax_L) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
L = 24
for norm, colour in (("post", POST), ("pre", PRE)):
    measured = norms[norm, L]
    ax_l.plot(range(1, L + 1), measured, "o-", ms=3, color=colour, label=f"{norm}-norm, measured")
    ax_l.plot(range(1, L + 1), experiments.xiong_prediction(norm, L, measured[-1]), ":", color=colour,
              label=f"{norm}-norm, shape of the bound")
ax_l.set(xlabel="layer l (1 = input side)", ylabel="‖∂L/∂W₂⁽ˡ⁾‖", yscale="log",
         title=f"per layer, depth {L}, Xavier init")
ax_l.legend(frameon=False, fontsize=7)
pre_prediction = [last["pre"][0] * (stream["pre"][L - 1] / stream["pre"][depths[0] - 1]) ** -0.5 for L in depths]
ax_L.loglog(depths, last["post"], "o-", color=POST, label=f"post-norm (slope {slope['post']:+.2f})")
ax_L.loglog(depths, last["pre"], "o-", color=PRE, label=f"pre-norm (slope {slope['pre']:+.2f})")
ax_L.loglog(depths, pre_prediction, ":", color=PRE, label="pre-norm, ∝ 1/‖x_L‖ (measured stream)")
ax_L.loglog(depths, [last["pre"][0] * (L / depths[0]) ** -0.5 for L in depths], "--", color="grey",
            lw=0.8, label="slope −½ (large-L limit)")
ax_L.set(xlabel="depth L", ylabel="‖∂L/∂W₂⁽ᴸ⁾‖, last layer", title="last layer against depth")
ax_L.set_xticks(depths, [str(L) for L in depths])
ax_L.xaxis.set_minor_locator(plt.NullLocator())          # only the depths measured
ax_L.legend(frameon=False, fontsize=7)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# What agrees with the paper and what does not:
# - **Pre-norm's last-layer gradient shrinks with depth**, close to slope $-\tfrac12$, and it follows
#   $1/\|x_L\|$ of the measured stream (dotted) about as well as a single initialisation allows
#   (the stream's $\|x_L\|^2 \approx (1 + cL)\,d$ becomes proportional to $L$ only for large $L$).
# - **Post-norm's last-layer gradient is larger than pre-norm's at every depth**, several times larger
#   from depth 6 on, and it does not shrink with depth. The paper's result is a bound, so its "does
#   not depend on $L$" is not contradicted by our mild variation.
# - **Per layer, the bounds' shapes are only roughly followed.** Post-norm rises toward the output in
#   the deep stack, but much less steeply than $(2/3)^{(L-l)/2}$ (which would put layer 1 about
#   $100\times$ below layer 24); at depth 6 it even falls slightly toward the output (see the
#   explorer). Pre-norm is not level: its gradients *decrease* from the first layer to the last. The
#   reason is not the size of the stream at the weight itself (each sub-layer reads a normalised
#   input, so hidden activations are about equally large in every layer) but the backward paths: the
#   gradient reaching layer $l$ arrives along the identity path *and* through every later block's
#   LayerNorm and branch, so early layers collect more paths than late ones.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
for i, L in enumerate(depths):
    assert last["post"][i] > (2 if L >= 6 else 1.4) * last["pre"][i]
assert last["pre"][-1] < last["pre"][0] and slope["pre"] < -0.15
assert slope["post"] > -0.05                      # post-norm does not shrink with depth
assert norms["post", 24][-1] > norms["post", 24][0]
assert norms["pre", 24][0] > norms["pre", 24][-1]
ratio_24 = norms["post", 24][-1] / norms["post", 24][0]
assert ratio_24 < 0.1 * (1.5 ** (23 / 2)), ratio_24   # far shallower than the bound's (2/3)^((L-l)/2)

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
# ## Why post-norm needs warm-up: a small change of the weights, a large change of the output
#
# Adam moves every weight by about the learning rate per step, whatever the size of its gradient.
# So what matters early on is not how big the gradients are, but how much **one step of that size
# changes the output**. Liu et al. (2020) show that in post-norm each layer leans on its own residual
# branch (the LayerNorm after the sum rescales the identity path away), so the output change under a
# parameter perturbation grows like $O(N)$ in the number of sub-layers $N$; in pre-norm, branch $l$ is
# added to a stream of size $\sim\sqrt{l}$, its share falls like $1/l$, and the change grows like
# $O(\log N)$. Large early output changes are what warm-up keeps small.
#
# The experiment: perturb every parameter of a freshly initialised stack by Gaussian noise of standard
# deviation $10^{-3}$ and measure $\|f(x;W+\delta) - f(x;W)\|^2 / \|f(x;W)\|^2$ of the normalised
# output, averaged over six initialisations (width 64).

# %% slideshow={"slide_type": "subslide"}
blocks = (1, 4, 16)
change = {norm: [experiments.output_change(norm, L, dim=64, repeats=6) for L in blocks] for norm in ("post", "pre")}
N = [2 * L for L in blocks]                      # two sub-layers per block
for norm in ("post", "pre"):
    print(f"{norm:>4}-norm, relative output change ×10⁴ for N = {N}:",
          " ".join(f"{1e4 * v:.1f}" for v in change[norm]))

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
for norm, colour in (("post", POST), ("pre", PRE)):
    ax.loglog(N, change[norm], "o-", color=colour, label=f"{norm}-norm, measured")
ax.loglog(N, [change["post"][0] * n / N[0] for n in N], ":", color=POST, label="∝ N (Liu et al., post)")
ax.loglog(N, [change["pre"][0] * math.log(1 + n) / math.log(1 + N[0]) for n in N], ":", color=PRE,
          label="∝ log N (Liu et al., pre)")
ax.set(xlabel="number of sub-layers N", ylabel="relative output change", title="one random perturbation, std 1e-3")
ax.set_xticks(N, [str(n) for n in N])
ax.xaxis.set_minor_locator(plt.NullLocator())
ax.legend(frameon=False, fontsize=7)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# From 2 to 32 sub-layers post-norm's output change grows many times more than pre-norm's, roughly
# along Liu et al.'s two curves (dotted; only the shapes are predicted). Deeper post-norm stacks
# amplify every early Adam step more: that is what warm-up tames.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
grow = {norm: change[norm][-1] / change[norm][0] for norm in ("post", "pre")}
assert grow["post"] > 2 * grow["pre"], grow
assert change["post"][-1] > 2 * change["pre"][-1]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training with and without warm-up, over seeds
#
# Warm-up starts the learning rate near 0 and raises it linearly over the first steps:
# $\eta_t = \eta \cdot \min(1, t / T_{\text{warm}})$. Xiong et al. found that post-norm needs it
# (IWSLT14: BLEU 8.5 without, 34 with) and pre-norm does not.
#
# Our small version: a 6-layer stack (width 32) learns to **sort** 8 symbols, with Adam at a fairly
# high learning rate $10^{-2}$, 150 steps, warm-up over 50 steps or none, seeds 0, 1, 2.
#
# **Baselines.** A model that has learned nothing has loss $\ln 8 \approx 2.08$ and accuracy $1/8$. But
# a model that uses **positions only** does much better: the first place of a sorted sequence is
# usually a small symbol. Predicting the distribution of the $k$-th smallest of 8 symbols at place $k$
# gives the loss and accuracy below; learning to sort means beating *that*.
#
# Twelve training runs take longer than this notebook may, so they were run once by
# `tools/evidence.py` into `evidence/02_warmup.json`; the next cell reruns seed 0 of both runs without
# warm-up live and checks them against the file.

# %% slideshow={"slide_type": "subslide"}
evidence = json.load(open("evidence/02_warmup.json"))
base_loss, base_acc = experiments.position_only_baseline(8, 8)
print(f"{'baseline: positions only':<24} loss {base_loss:.2f}   accuracy {base_acc:.2f}   (nothing learned: "
      f"{math.log(8):.2f}, {1 / 8:.2f})")
runs = evidence["runs"]
for label, run in runs.items():
    lo, hi = min(run["final_loss"]), max(run["final_loss"])
    print(f"{label:<24} loss {sum(run['final_loss']) / 3:.2f} ({lo:.2f}–{hi:.2f})   accuracy "
          f"{sum(run['accuracy']) / 3:.2f} ({min(run['accuracy']):.2f}–{max(run['accuracy']):.2f}), seeds 0–2")

fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
steps = [evidence["every"] * i for i in range(len(runs["pre-norm, warm-up"]["curve"][0]))]
for label, run in runs.items():           # colour: placement; line style: warm-up or not; band: min–max
    curves = list(zip(*run["curve"]))
    colour = POST if label.startswith("post") else PRE
    ax.fill_between(steps, [min(c) for c in curves], [max(c) for c in curves], color=colour, alpha=0.15, lw=0)
    ax.plot(steps, [sum(c) / len(c) for c in curves], color=colour, ls="--" if "no warm-up" in label else "-",
            lw=1.4, label=label)
ax.axhline(math.log(8), color="grey", lw=0.8, ls=":", label="ln 8: learned nothing")
ax.axhline(base_loss, color="black", lw=0.8, ls="-.", label="positions only")
ax.set(xlabel="step", ylabel="training loss", title="6-layer stack sorting 8 symbols, Adam, lr 1e-2 (3 seeds)")
ax.legend(frameon=False, fontsize=7)
plt.show()

# %% slideshow={"slide_type": "subslide"}
live = {}
for label in ("post-norm, no warm-up", "pre-norm, no warm-up"):   # seed 0, live (post-norm with
    # warm-up is left out: its seed-0 loss moves between 0.86 and 1.16 with the CPU kernels)
    norm, warmup = experiments.WARMUP_RUNS[label]
    model, losses = experiments.train_sorter(norm, 6, warmup=warmup, steps=150, seed=0)
    live[label] = (sum(losses[-20:]) / 20, experiments.sorting_accuracy(model))
    print(f"{label:<24} seed 0, live: loss {live[label][0]:.2f}, accuracy {live[label][1]:.2f}  "
          f"(file: {runs[label]['final_loss'][0]:.2f}, {runs[label]['accuracy'][0]:.2f})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# On every seed: **post-norm without warm-up does not even reach the positions-only baseline in 150
# steps** (its accuracy is near $1/8$); with warm-up it beats the baseline on every seed, on some
# only narrowly, and its final loss varies a lot between seeds and even between CPU kernels. **Pre-norm learns with or without warm-up**, and ends better than
# post-norm with warm-up on every seed. This is the paper's finding in miniature.
#
# Two cautions. "Does not learn in 150 steps at this learning rate" is not "cannot learn": is it the
# size of the first steps? Exercise 3 lets you test a smaller learning rate without warm-up. And the
# spread of post-norm with warm-up fits Liu et al.'s analysis: its training is sensitive.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Margins chosen to hold on every seed and on the default, avx2 and avx512 CPU kernels.
acc = {label: run["accuracy"] for label, run in runs.items()}
loss = {label: run["final_loss"] for label, run in runs.items()}
assert max(loss["post-norm, no warm-up"]) > base_loss + 0.4 and max(acc["post-norm, no warm-up"]) < base_acc - 0.15
assert min(acc["post-norm, warm-up"]) > base_acc + 0.05
assert min(acc["pre-norm, no warm-up"]) > 0.85 and min(acc["pre-norm, warm-up"]) > 0.8
assert min(acc["pre-norm, no warm-up"]) > max(acc["post-norm, warm-up"]) + 0.05
assert abs(live["post-norm, no warm-up"][0] - runs["post-norm, no warm-up"]["final_loss"][0]) < 0.1
assert abs(live["pre-norm, no warm-up"][1] - runs["pre-norm, no warm-up"]["accuracy"][0]) < 0.1
assert live["post-norm, no warm-up"][1] < base_acc - 0.15 and live["pre-norm, no warm-up"][1] > base_acc + 0.4

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: depth, norm placement, initialisation, warm-up, learning rate
#
# The explorer opens at depth 24, where post-norm's gradients rise toward the output; move the depth
# slider down to 6 and watch that rise disappear. Switch the initialisation: the gradient picture
# (left) redraws at once. Press **Train** to add a training curve for the chosen placement, warm-up
# and learning rate (right; one seed: compare with the spread above before concluding). The
# learning-rate slider is the control for warm-up: is it the *ramp* that helps post-norm, or would a
# smaller rate from the start do the same? (Exercise 3 measures it over seeds.)

# %% slideshow={"slide_type": "subslide"}
mmviz.norm_explorer(depth=24)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The Gram–Schmidt analogy: where it helps, where it stops
#
# Gram–Schmidt turns vectors $v_1, v_2, \dots$ into an orthonormal basis. Two textbook forms give the
# same basis:
#
# $$e_j = \frac{u_j}{\|u_j\|},\quad u_i = v_i - \sum_{j<i} (v_i \cdot e_j)\, e_j
# \qquad\text{or}\qquad u_i = v_i - \sum_{j<i} \frac{v_i \cdot u_j}{u_j \cdot u_j}\, u_j .$$
#
# Normalising first is the tidier bookkeeping: once $\|e_j\| = 1$ every projection is a plain dot
# product. Leaving $u_j$ un-normalised is fine as long as one divides by $u_j \cdot u_j$; forgetting
# that division is a bug, not another order of steps.

# %% slideshow={"slide_type": "subslide"}
v = torch.tensor([[3.0, 0.0, 0.0], [2.0, 1.0, 0.0], [1.0, 1.0, 5.0]])   # vectors of different lengths
bases = {first: experiments.gram_schmidt(v, normalise_first=first) for first in (True, False)}
for first, basis in bases.items():
    print(f"normalise first = {first!s:<5}  largest |e_i · e_j| (0 = orthogonal): "
          f"{experiments.orthogonality_error(basis):.1e}")
print("largest difference between the two bases:", f"{(bases[True] - bases[False]).abs().max().item():.1e}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Where the analogy helps:** "normalise, then operate" is what pre-norm does to each sub-layer's
# input. **Where it stops:** post-norm's sub-layers read normalised inputs too (the previous block's
# LayerNorm), and both orders are correct computations, as both Gram–Schmidt forms are. What really
# differs is whether the **identity path** is normalised (post-norm) or left alone (pre-norm); the
# consequences are the gradients of Xiong et al. and the amplification of Liu et al. measured above,
# not a projection error. The survey itself offers the analogy as an intuition that calls for theory.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert experiments.orthogonality_error(bases[True]) < 1e-12 and experiments.orthogonality_error(bases[False]) < 1e-12
assert torch.allclose(bases[True], bases[False], atol=1e-12)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1 (code).** Write LayerNorm without `torch.nn`: for `x` of shape (tokens, d), subtract each
# token's mean over its $d$ features and divide by its standard deviation (use `unbiased=False`).
# Then measure the length of one output row for $d = 64$ and give it to the check.

# %% slideshow={"slide_type": "subslide"}
def my_layer_norm(x):
    ...   # your code: (tokens, d) -> (tokens, d)


answer = None   # the length ‖LN(v)‖ of one row, for d = 64
# mmviz.check.layernorm_norm(answer, dim=64)      # remove the '#' to check your answer

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution (open after trying)</summary>
#
# ```python
# def my_layer_norm(x):
#     return (x - x.mean(-1, keepdim=True)) / x.std(-1, unbiased=False, keepdim=True)
#
# answer = my_layer_norm(torch.randn(5, 64) * 3 + 1)[0].norm().item()   # √64 = 8
# ```
# Mean 0 and variance 1 over 64 coordinates: the squares sum to 64, the length is √64 = 8.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2 (predict, then run).** Pre-norm's last-layer gradient at depth 12 is $g_{12}$. By what factor
# $g_{24}/g_{12}$ does the large-$L$ argument above predict it to change at depth 24? Write your
# prediction, check it, then measure:
# `(lambda a, b: b[-1] / a[-1])(mmviz.grad_norms_at_init("pre", 12), mmviz.grad_norms_at_init("pre", 24))`.

# %% slideshow={"slide_type": "subslide"}
answer = None   # a number
# mmviz.check.pre_norm_depth_factor(answer)       # remove the '#' to check your prediction

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# $\|x_L\|^2 \propto L$, so $g \propto 1/\sqrt L$ and $g_{24}/g_{12} = 1/\sqrt 2 \approx 0.71$. The
# measurement is somewhat closer to 1, because $\|x_L\|^2 \approx (1 + cL)\,d$ is not yet
# proportional to $L$ at these depths.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3 (run).** Is post-norm's failure without warm-up a matter of the learning rate? Train it with
# `lr=3e-3` and no warm-up for seeds 0–2, and compare the sorting accuracy with the positions-only
# baseline. Which placement, `"pre"` or `"post"`, failed without warm-up at `lr=1e-2`?

# %% slideshow={"slide_type": "subslide"}
# model, losses = experiments.train_sorter("post", 6, warmup=False, lr=3e-3, seed=0)
# print(experiments.sorting_accuracy(model))
answer = None   # "pre" or "post"
# mmviz.check.which_norm_needs_warmup(answer)     # remove the '#' to check

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# Post-norm. At `lr=3e-3` without warm-up, post-norm beats the positions-only baseline on seeds 0–2
# (we measured sorting accuracy 0.48–0.76 after 150 steps, against 0.41): each Adam step is smaller, so
# the amplified output change stays small. Warm-up and a small learning rate are two ways of keeping
# the first steps small; warm-up keeps the large learning rate for later.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **4.** Write one Gram–Schmidt step: remove from `v2` its component along the unit vector `e1`.

# %% slideshow={"slide_type": "subslide"}
v2 = torch.tensor([2.0, 1.0, 0.0])
e1 = torch.tensor([1.0, 0.0, 0.0])
answer = None   # a vector of 3 numbers
# mmviz.check.gram_schmidt_step(answer, v2, e1)   # remove the '#' to check

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# `v2 - (v2 @ e1) * e1`, which is `[0, 1, 0]`: orthogonal to `e1`, and correct only because `e1` has
# length 1 (otherwise divide by `e1 @ e1`).
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions
# - Xiong et al.'s results are upper bounds under assumptions we did not all meet ($W_Q = W_K = 0$).
#   Which of our measurements would you expect to change if we met them, and why?
# - Post-norm, when it trains, often ends slightly better (Liu et al.). Would you pick pre-norm with
#   no warm-up, or post-norm with warm-up, for a 6-layer model? For a 48-layer one?
# - DeepNet (Wang et al. 2022) scales the identity path, $x \leftarrow \mathrm{LN}(\alpha x + G(x))$.
#   How does that relate to the amplification experiment?
#
# ## Summary
# - Post-norm: $x \leftarrow \mathrm{LN}(x + F(x))$. Pre-norm: $x \leftarrow x + F(\mathrm{LN}(x))$,
#   plus one final LayerNorm. Same modules, different wiring; the difference is whether the identity
#   path is normalised.
# - LayerNorm puts vectors on the sphere of radius $\sqrt d$; the pre-norm residual stream grows
#   about linearly in squared norm with depth, the post-norm one does not.
# - Xiong et al. give upper bounds: post-norm's last-layer gradient $O(d\sqrt{\ln d})$ for any depth,
#   pre-norm's $O(d\sqrt{\ln d/L})$, because the final LayerNorm divides by $\|x_L\| \sim \sqrt{Ld}$.
#   Measured: post-norm's is several times pre-norm's, pre-norm's falls with depth; the per-layer
#   shapes follow the bounds only roughly. With PyTorch's default initialisation the gap nearly
#   vanishes.
# - Post-norm amplifies a small parameter change more, the deeper it is (Liu et al.: $O(N)$ against
#   $O(\log N)$); so it needs warm-up at a high learning rate, and pre-norm does not.
# - Gram–Schmidt: normalising first is tidy bookkeeping, not a different answer; it is an intuition
#   for pre-norm, not its mechanism.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.1.
# - A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017.
# - R. Xiong et al. *On Layer Normalization in the Transformer Architecture.* ICML 2020.
# - L. Liu et al. *Understanding the Difficulty of Training Transformers.* EMNLP 2020.
# - H. Wang et al. *DeepNet: Scaling Transformers to 1,000 Layers.* 2022.
