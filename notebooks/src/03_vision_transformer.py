# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · The Vision Transformer: an image as a sequence of tokens
# *Survey Section 3.2.*
#
# A Transformer reads a set of tokens. To read an image, the Vision Transformer (ViT, Dosovitskiy et
# al. 2021) cuts it into patches and turns each patch into a token. That one step is what lets images
# join words and sounds in the multimodal models of the later notebooks.
#
# **Before you start:** notebooks 00–01 (the [glossary](00_start_here.ipynb#glossary): token,
# embedding, heads, MHSA, ⊕) and what a convolution's stride is. Indices: patches are numbered
# 0–15 row by row (0 = top left), heads 1–4.
#
# **What you will learn**
# - how an image becomes a sequence: patchify, linear embedding, class token, position embedding,
#   and that the patch embedding *is* a strided convolution;
# - that adding the position embedding is itself an *early summation* of two token sequences;
# - that positions must be *distinguishable*: without them the ViT stays at chance; a fixed 2-D
#   sinusoidal table (never trained) lets it learn within 200 steps; a learned table started as ViT starts it (std
#   0.02) is slower — at chance for 200 steps, learning later on some seeds only;
# - what each head of a trained tiny ViT looks at, measured by ablation over seeds (and by you, in an
#   exercise), and that its answer is read off the position embedding.
#
# Every measured statement is a registered claim (`mmviz.evidence`): the notebook prints what the
# committed seeds measured, and you can rerun each claim on seeds of your own.
#
# **For lecturers (90 min):** task and patchify 15 · training and positions 25 · heads and the
# position test 25 · explorer 10 · exercises and discussion 15.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz import evidence
from mmviz.data import QUADRANTS, make_pictures
from mmviz.evidence import nb03
from mmviz.lessons import vision
from mmviz.train import vit_accuracy

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The task: where is the red object?
#
# Each 24×24 picture, drawn by `mmviz`, holds one red object and two objects of other colours, each in
# one cell of a 4×4 grid. The label is the **quadrant** of the red object (4 classes, chance 0.25).
# Finding *red* needs the content of a patch; answering *where* needs its position.

# %% slideshow={"slide_type": "subslide"} alt="Six small test pictures of coloured shapes on a 24 by 24 grid, each titled with the quadrant that holds the red object."
train_images, train_labels, _ = make_pictures(1000, seed=0)
test_images, test_labels, test_cells = make_pictures(300, seed=1)
print("train", tuple(train_images.shape), "test", tuple(test_images.shape),
      "| labels per quadrant:", train_labels.bincount().tolist())

fig, axes = plt.subplots(1, 6, figsize=(12, 2.4))
for i, ax in enumerate(axes):
    ax.imshow(test_images[i].permute(1, 2, 0))
    ax.set_title(f"test {i}: {QUADRANTS[test_labels[i]]}", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From image to tokens
#
# With patches of $P \times P$ pixels, an image $x \in \mathbb{R}^{C \times H \times W}$ becomes
# $N = HW/P^2$ flattened patches $x_p^i \in \mathbb{R}^{C P^2}$. ViT embeds them linearly, puts a
# learned class token in front, and adds a learned position embedding:
#
# $$z_0 = [\,x_{\text{cls}};\; x_p^1 E;\; \dots;\; x_p^N E\,] + E_{\text{pos}}, \qquad
# E \in \mathbb{R}^{CP^2 \times d}.$$
#
# The whole of "patchify" is a reshape: cut rows and columns into blocks of $P$, then flatten each
# block. The linear map $E$ applied to every patch is then a **convolution with kernel size and stride
# $P$**: the same weights slide over the image in steps of one patch. (In `mmviz` the class token gets
# no position: it is a learned vector already.)

# %% slideshow={"slide_type": "subslide"} alt="Test picture 0 cut into its 16 patch tokens, each 6 by 6 patch drawn on its own and numbered 0 to 15 row by row."
def patchify(images, P):                              # (B, C, H, W) -> (B, N, C·P·P)
    B, C, H, W = images.shape
    blocks = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return blocks.reshape(B, (H // P) * (W // P), C * P * P)


def embed_patches(images, E, P):                      # x_p E: (B, N, C·P·P) @ (C·P·P, d) -> (B, N, d)
    return patchify(images, P) @ E


embedding = mmviz.PatchEmbedding(image_size=24, patch_size=6, channels=3, dim=32, position=False)
E = embedding.proj.weight.T                           # (108, 32), bias 0 below for the comparison
with torch.no_grad():
    embedding.proj.bias.zero_()
    tokens = embed_patches(test_images[:2], E, 6)
    conv = torch.nn.functional.conv2d(test_images[:2], E.T.reshape(32, 3, 6, 6), stride=6)  # (2, 32, 4, 4)
print("images", tuple(test_images[:2].shape), "-> patches", tuple(patchify(test_images[:2], 6).shape),
      "-> tokens", tuple(tokens.shape), "| strided convolution", tuple(conv.shape), "-> same tokens")

fig, axes = plt.subplots(4, 4, figsize=(3.2, 3.2))
patches = patchify(test_images[:1], 6)
for i, ax in enumerate(axes.flat):                   # each patch, drawn back as a 6x6 picture
    ax.imshow(patches[0, i].reshape(3, 6, 6).permute(1, 2, 0))
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(str(i), fontsize=7, pad=1)
fig.suptitle("test picture 0 as 16 patch tokens, numbered 0–15 row by row", fontsize=9)
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: our patchify is mmviz's; x_p E is mmviz's PatchEmbedding and PyTorch's strided conv2d.
assert torch.equal(patchify(test_images, 6), mmviz.patchify(test_images, 6))
with torch.no_grad():
    assert torch.allclose(tokens, embedding(test_images[:2]), atol=1e-5)
    assert torch.allclose(tokens, conv.flatten(2).transpose(1, 2), atol=1e-5)
    assert torch.allclose(vision.as_convolution(embedding, test_images[:2]), tokens, atol=1e-5)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The position embedding is an early summation
#
# Adding $E_{\text{pos}}$ to the patch embeddings is the same operation as the survey's **early
# summation** of two modalities, $Z = Z_A \oplus Z_B$, with the "modality" $B$ being *where* each
# patch is: token $i$ of one sequence is summed with token $i$ of the other. Notebook 05 returns to
# this, with two real modalities.
#
# The model, in `mmviz.vit.VisionTransformer`, is the formula above followed by a pre-norm encoder
# and a linear head on the class token's output:
#
# ```python
# z = self.patches(images)                                    # x_p E + E_pos: (B, 16, d)
# z = torch.cat([self.cls.expand(len(z), -1, -1), z], dim=1)  # class token first: (B, 17, d)
# return self.head(self.encoder(z)[:, 0])                     # read the class token
# ```

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Positions must be distinguishable; learned ones must first be learned
#
# ViT starts its position table with tiny random vectors (standard deviation 0.02): at first every
# patch carries almost the same "position", and the model must *learn* to tell the patches' places
# apart. Dosovitskiy et al. find that ViT, lacking a CNN's built-in sense of locality, needs large
# datasets; our experiment varies something else: how the position table starts, and how many
# training steps the model gets on the **same 1,000 pictures**. So it speaks about training time, not
# about the amount of data.
#
# Our tiny model has 1 layer, width 32, 4 heads, and trains with AdamW on 1,000 pictures. Five ways
# of giving it positions, each over 10 seeds (a seed sets the initialisation and the mini-batches):
# - a learned table started at std **0.5** (large random vectors: the places are told apart from the
#   first step and only need to be read), 200 steps;
# - a learned table started at ViT's **0.02**, recorded every 100 steps up to 1,000;
# - **none** at all, 200 steps;
# - a **fixed 2-D sinusoidal** table (sin and cos of the row and of the column at several frequencies,
#   never trained), 200 steps: distinguishable positions that need no learning.
#
# Sixty runs take longer than this notebook may: `python -m mmviz.evidence 03 --write` ran them; the
# next cell draws them and trains seed 0 of the std-0.5 start live (the model used below).

# %% slideshow={"slide_type": "subslide"} alt="Test accuracy over training steps of the tiny ViT with learned positions started at std 0.02, one thin line per seed over 10 seeds and their mean thick, with dots at 200 steps for learned positions started at std 0.5, fixed 2-D sinusoids and no positions, and chance at 0.25."
claims = evidence.notebook("03")
runs, slow = evidence.load("03", "positions"), evidence.load("03", "slow-start")
names = {"acc_05": "learned, std 0.5, 200 steps", "acc_sincos": "fixed 2-D sinusoids, 200 steps",
         "acc_none": "no positions, 200 steps"}
for key, name in names.items():
    print(f"{name:<36} test accuracy {runs.summary(key)}")
for key, name in (("acc_200", "learned, std 0.02 (ViT), 200 steps"), ("acc_1000", "learned, std 0.02, 1,000 steps")):
    print(f"{name:<36} test accuracy {slow.summary(key)}")

model, losses = vision.train_tiny_vit(0, 0.5, train=(train_images, train_labels))    # seed 0, live
live_acc = vit_accuracy(model, test_images, test_labels)
print(f"learned, std 0.5, seed 0, live: {live_acc:.2f} (committed: {runs.values['acc_05'][runs.seeds.index(0)]:.2f})")

fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
steps = slow.steps["accuracy"]
for curve in slow.curves["accuracy"]:
    ax.plot(steps, curve, color="#009E73", lw=0.6, alpha=0.5)
ax.plot(steps, slow.band("accuracy")[0], color="#009E73", lw=2, label="learned, std 0.02 (thin: each seed)")
for key, colour, marker in (("acc_05", "#0072B2", "o"), ("acc_sincos", "#CC79A7", "s"), ("acc_none", "#D55E00", "x")):
    ax.plot([200] * len(runs.seeds), runs.values[key], marker, color=colour, alpha=0.6, label=names[key])
ax.axhline(0.25, color="grey", lw=0.8, ls=":", label="chance (4 quadrants)")
ax.set(xlabel="training step", ylabel="test accuracy", ylim=(0, 1.05),
       title=f"tiny ViT, 'where is the red object?', {len(slow.seeds)} seeds")
ax.legend(frameon=False, fontsize=7, loc="center right")
plt.show()
claims.show(["no-positions-chance", "sincos-learns", "std-05-learns", "std-002-stuck", "std-002-slower"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **Without positions** the ViT stays at chance on every seed. The encoder sees a *set* of patches
#   (notebook 01): it can find the red patch, but not tell where it was. Shuffle the patches of an
#   image and the position-free model's answer does not change at all (checked below).
# - **Fixed 2-D sinusoids**, never trained, let it learn within 200 steps: the positions must be
#   *distinguishable*; they need not be learned.
# - **Learned, started at std 0.5**, it learns within 200 steps on many seeds, not on all (the table
#   gives the count); on the others it is above chance and still on its way.
# - **Learned, started like ViT (std 0.02)**, the same model stays at chance for 200 steps: the
#   positions have not been told apart yet. Trained five times longer it climbs above chance on most
#   seeds (not all), but it solves the task within 1,000 steps on few (thin lines). So it is **slower**; whether
#   it is *unable* on the other seeds, or only slower still, these 1,000 steps do not tell — an open
#   question you can test with `vision.accuracy_curve` and more steps.
#
# Everything below uses the std-0.5 start, and says so. Rerun every claim of this notebook on your own
# seeds: `python -m mmviz.evidence 03 --seeds 100-104 --check` (about 1 minute on 2 quiet cores).

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert claims.all_hold(), claims.failing()
assert len(runs.seeds) >= 8 and len(slow.seeds) >= 8 and steps[-1] == 1000
assert abs(live_acc - runs.values["acc_05"][runs.seeds.index(0)]) < 0.05
free = vision.tiny_vit(0, "none")                      # a position-free model: patch order is invisible
shuffled = mmviz.patchify(test_images[:8], 6)[:, torch.randperm(16)]
with torch.no_grad():
    z = torch.cat([free.cls.expand(8, -1, -1), free.patches.proj(shuffled)], dim=1)
    assert torch.allclose(free.head(free.encoder(z)[:, 0]), free(test_images[:8]), atol=1e-5)
fixed = vision.tiny_vit(0, "sincos")                   # the sinusoidal table is fixed: no gradient reaches it
assert not fixed.patches.position.requires_grad
assert torch.equal(fixed.patches.position[0], vision.sincos_positions(4, 4, 32))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the class token looks at, head by head
#
# The class token starts as the same vector for every image; all it knows about the picture it gets
# by attention. For each head we measure over the 300 test pictures: how often its strongest patch is
# the red object (chance 1/16 ≈ 0.06), and which single patch is most often its strongest, how often,
# and with what mean weight. (Model: std 0.5, **seed 0**: one seed's heads, to look at; what holds over
# seeds follows the picture.)

# %% slideshow={"slide_type": "subslide"} alt="Three correctly predicted test pictures, each beside four 4 by 4 maps of how much the class token attends to each patch, one per head, the red object's patch outlined in cyan."
with torch.no_grad():
    predicted = model(test_images).argmax(-1)
cls = model.cls_attention(0)                         # (300, heads, 4, 4): class token -> patches
roles = vision.head_roles(cls, test_cells)
for h, role in enumerate(roles, 1):
    print(f"head {h}: strongest patch is the red object in {role['red']:.2f} of pictures; "
          f"patch {role['fixed_patch']:>2} is strongest in {role['fixed_share']:.2f}, mean weight "
          f"{role['fixed_weight']:.2f}")

shown = [i for i in range(len(test_images)) if predicted[i] == test_labels[i]][:3]
fig, grid = plt.subplots(3, 5, figsize=(10, 6.2), layout="constrained")
for row, i in zip(grid, shown):
    row[0].imshow(test_images[i].permute(1, 2, 0))
    row[0].set_title(f"test {i}: {QUADRANTS[test_labels[i]]}\n(predicted right)", fontsize=8)
    r, c = divmod(int(test_cells[i]), 4)
    for h, ax in enumerate(row[1:]):
        heat = ax.imshow(cls[i, h], cmap="magma", vmin=0, vmax=1)     # one colour scale for every map
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="cyan", lw=2))
        ax.set_title(f"head {h + 1}", fontsize=9)
    for ax in row:
        ax.set_xticks([]), ax.set_yticks([])
fig.colorbar(heat, ax=grid[:, 1:], fraction=0.03, label="attention weight (0–1, all maps)")
fig.suptitle("class-token attention over the 4×4 patches (cyan: the red object's patch)", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# Looking is not measuring. An attention map says where a head looks, not whether the answer needs
# it. To ask whether a head is *needed*, **ablate** it: replace the class token's output of that head
# (its slice of the attention output, before the output projection) by its mean over the test
# pictures, so the head still delivers its average but nothing about this picture, and measure the
# accuracy again. You do it yourself in exercise 4. Over seeds, the evidence says:

# %% slideshow={"slide_type": "subslide"}
print(f"seeds with a head that finds the red object (>= {nb03.RED:.0%} of pictures): "
      f"{int(sum(runs.values['has_red_head']))} of {len(runs.seeds)}; heads attending to one fixed patch per "
      f"seed: {sorted(int(v) for v in runs.values['fixed_heads'])}")
print(f"accuracy, intact:                                   {runs.summary('acc_05')}")
print(f"accuracy, the most red-finding head mean-ablated:    {runs.summary('acc_no_red_head')}")
print(f"accuracy, the three other heads mean-ablated:        {runs.summary('acc_no_other_heads')}")
claims.show(["red-head-not-the-rule", "red-head-needed"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# What holds over seeds: a head that finds the red object in most pictures is **not the rule** —
# many seeds have none (the work is spread over several heads). But the head that most often finds
# it is the one the answer leans on most: ablating it costs, on average over seeds, far more accuracy
# than ablating any other single head (not seed by seed on every seed: where the model has not
# learned, there is little to lose). Which roles the other heads take (how many attend to a fixed patch, for
# instance) changes from seed to seed; seed 0's split in the picture is one draw, not the rule.
# Whether seed 0's other heads are needed, and how much, you measure in exercise 4.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert claims.all_hold(), claims.failing()
assert all((predicted[i] == test_labels[i]).item() for i in shown)
assert len(roles) == 4 and all(0 <= r["red"] <= 1 for r in roles)
assert vision.head_ablation_accuracy(model, test_images, test_labels, []) == live_acc   # nothing ablated

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Is the answer read off the position embedding?
#
# If the model answers "where" by reading the position vector that rode along with the red patch,
# then scrambling the position table (the same 16 vectors, given to the wrong patches) should ruin
# it, although every patch's content is untouched.

# %% slideshow={"slide_type": "subslide"} alt="A 4 by 4 grid of small 4 by 4 heatmaps: for each patch, the cosine similarity of its trained position vector to those of all 16 patches, as in ViT's Figure 7."
intact = vit_accuracy(model, test_images, test_labels)
scrambled = [vision.shuffled_position_accuracy(model, test_images, test_labels, seed=s) for s in range(5)]
print(f"seed 0: accuracy with the trained position table {intact:.2f}; with its rows shuffled (5 shuffles): "
      + " ".join(f"{a:.2f}" for a in scrambled) + "  (chance 0.25)")
claims.show(["shuffled-positions-chance"])

similarity = vision.position_similarity(model.patches.position)      # (16, 16)
start = vision.tiny_vit(0, "0.5").patches.position   # the same start as the trained model, seed 0
drift = torch.nn.functional.cosine_similarity(start[0], model.patches.position[0], dim=-1).detach()
print(f"seed 0: cosine between each trained position vector and its random start: {drift.min():.2f} to "
      f"{drift.max():.2f}")
claims.show(["positions-stay-near-start"])
fig, axes = plt.subplots(4, 4, figsize=(5, 5), layout="constrained")
for i, ax in enumerate(axes.flat):
    heat = ax.imshow(similarity[i].reshape(4, 4), cmap="viridis", vmin=-1, vmax=1)
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(f"patch {i}", fontsize=7, pad=1)
fig.colorbar(heat, ax=axes, fraction=0.04, label="cosine similarity")
fig.suptitle("position vector of patch i against all 16 (as ViT's Fig. 7)", fontsize=9)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# Shuffling the position table drops accuracy to about chance (sometimes below it: the answers are
# then systematically wrong), on most seeds (the claim gives the count). The answer is read off the
# position embedding. The similarity maps show what was learned: in ViT's large models neighbouring
# patches get similar position vectors (rows and columns appear); in our tiny model, started from
# large random vectors and trained 200 steps, each position vector still points almost where it
# started, and the model gets by with positions that are merely *different* — as the fixed sinusoids
# above already suggested. Learned positions carry only the structure the task forces.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert intact > 0.9 and max(scrambled) < 0.4, (intact, scrambled)     # seed 0; over seeds: the claims
assert torch.allclose(similarity.diagonal(), torch.ones(16), atol=1e-5)
assert drift.min() > 0.8

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: picture by picture, head by head
#
# Choose a test picture (0–299) and a head (1–4); the class token's attention map is drawn beside the
# picture, on the same 0–1 colour scale as above. Without a running kernel you see the starting state.

# %% slideshow={"slide_type": "subslide"} alt="The head explorer's saved picture: a test picture with the red object's patch outlined, beside the class token's attention over its 4 by 4 patches for one head, on a 0 to 1 colour scale."
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png as png  # noqa: E402
from mmviz.explore import with_picture  # noqa: E402

red_head = max(range(4), key=lambda h: roles[h]["red"]) + 1
fig, (ax_img, ax_map) = plt.subplots(1, 2, figsize=(6.4, 3.2), layout="constrained")
shown_img = ax_img.imshow(test_images[0].permute(1, 2, 0))
overlay = ax_map.imshow(cls[0, 0], cmap="magma", vmin=0, vmax=1)
for ax in (ax_img, ax_map):
    ax.set_xticks([]), ax.set_yticks([])
fig.colorbar(overlay, ax=ax_map, fraction=0.046, label="attention weight")


def redraw(i=0, head=red_head):
    shown_img.set_data(test_images[i].permute(1, 2, 0))
    overlay.set_data(cls[i, head - 1])
    verdict = "right" if predicted[i] == test_labels[i] else f"wrong: said {QUADRANTS[predicted[i]]}"
    ax_img.set_title(f"test {i}: red object {QUADRANTS[test_labels[i]]} ({verdict})", fontsize=8)
    ax_map.set_title(f"class token -> patches, head {head}", fontsize=9)
    return fig


plt.close(fig)             # drawn only through the widget below, updated in place
natural = widgets.Layout(width=f"{6.4 * 80:.0f}px", height=f"{3.2 * 80:.0f}px")   # figure size × png dpi: no scaling
image = widgets.Image(value=png(redraw()), format="png", layout=natural)
picture = widgets.IntSlider(value=0, min=0, max=len(test_images) - 1, description="picture")
head = widgets.Dropdown(options=[1, 2, 3, 4], value=red_head, description="head")


def on_change(change=None):
    image.value = png(redraw(picture.value, head.value))


picture.observe(on_change, names="value")
head.observe(on_change, names="value")
view = widgets.VBox([widgets.HBox([picture, head]), image])
with_picture(view, image)     # live with a kernel; its latest picture without one (GitHub, nbviewer)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A 24×24 picture cut into 6×6 patches gives how many patch tokens? And how many numbers does
# one flattened patch hold (3 colour channels)? That is the input width of $E$.

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "tokens_answer = (24 // 6) ** 2\nwidth_answer = 3 * 6 * 6"}
tokens_answer = None   # a number
width_answer = None    # a number
if tokens_answer is not None:           # checked once you have written an answer
    mmviz.check.patch_count(tokens_answer, image_size=24, patch_size=6)
if width_answer is not None:
    mmviz.check.patch_width(width_answer, channels=3, patch_size=6)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# (24/6)² = 16 tokens; 3·6·6 = 108 numbers each.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2 (code).** Build a `torch.nn.Conv2d` that gives exactly `embedding`'s patch tokens: choose its
# kernel size and stride, copy `embedding.proj.weight` into its weight (reshape!), then compare
# `conv(test_images[:2]).flatten(2).transpose(1, 2)` with `embedding(test_images[:2])`.

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2}
# conv = torch.nn.Conv2d(3, 32, kernel_size=..., stride=...)
# ...
# print(torch.allclose(conv(test_images[:2]).flatten(2).transpose(1, 2), embedding(test_images[:2]), atol=1e-5))

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# ```python
# conv = torch.nn.Conv2d(3, 32, kernel_size=6, stride=6)
# with torch.no_grad():
#     conv.weight.copy_(embedding.proj.weight.reshape(32, 3, 6, 6))
#     conv.bias.copy_(embedding.proj.bias)
# ```
# The flattening order of a patch (channel, row, column) is the order of the kernel's axes.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3 (predict, then run).** Without position embeddings, what test accuracy do you expect on "where is
# the red object" (4 balanced quadrants), however long you train? Predict, check, then compare with
# the measured "no positions" line above.

# %% slideshow={"slide_type": "subslide"} exercise={"predict": true, "solution": "answer = 1 / 4"}
answer = None   # a number between 0 and 1
if answer is not None:                 # checked once you have written an answer
    mmviz.check.chance_accuracy(answer, classes=4)

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# 1/4: the model sees the same set of patches whatever their arrangement, so it can only guess among
# the four quadrants.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **4 (code: ablate a head).** Is seed 0's head `h` needed? Replace the class token's output of head
# `h` by its mean over the test pictures and measure the accuracy. The attention's output projection
# `model.encoder.blocks[0].attn.out` receives the heads' outputs side by side: (pictures, 17 tokens,
# 4 heads × 8 features), the class token first. A *forward pre-hook* on it can read or replace that
# input: run the model once to record the mean of head `h`'s slice at token 0, once more to replace it.
# Try every head, starting with the one that finds the red object; which heads is the answer built on?

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2, "hidden": true}
h = red_head                                   # 1-based, as in the pictures; try 1, 2, 3 and 4
answer = None                                  # the accuracy with head h mean-ablated
# out = model.encoder.blocks[0].attn.out
# def record(module, args): ...                # args[0]: (pictures, 17, 32); head h: features 8(h-1) to 8h
# def replace(module, args): ...               # return (a modified copy of args[0],)
# handle = out.register_forward_pre_hook(record); model(test_images); handle.remove()
# ...
# vision.check_ablation(answer, model, test_images, test_labels, head=h)   # remove the '#' to check

# %% [markdown] slideshow={"slide_type": "skip"}
# <details><summary>Solution</summary>
#
# ```python
# out, cols, seen = model.encoder.blocks[0].attn.out, slice(8 * (h - 1), 8 * h), {}
# def record(module, args):
#     seen["mean"] = args[0][:, 0, cols].mean(0)
# def replace(module, args):
#     x = args[0].clone()
#     x[:, 0, cols] = seen["mean"]
#     return (x,)
# with torch.no_grad():
#     handle = out.register_forward_pre_hook(record); model(test_images); handle.remove()
#     handle = out.register_forward_pre_hook(replace)
#     answer = (model(test_images).argmax(-1) == test_labels).float().mean().item()
#     handle.remove()
# ```
# This is `vision.head_ablation_accuracy(model, test_images, test_labels, [h - 1])`. Over seeds the
# claim `red-head-needed` says what to expect for the red-finding head; the other heads differ from
# seed to seed.
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Discussion questions
# - Why does starting the position table at std 0.5 help *this* task so much, and why might it hurt
#   on a large dataset where neighbouring patches should get similar positions?
# - On seed 0 two heads attend to a fixed patch whatever the picture. Is that "attention" in any
#   useful sense? Exercise 4 measures whether the model needs them; what would a mean-ablation miss
#   (hint: the mean is itself information)?
# - Fixed sinusoids learn at once here. Why might a learned table still be preferred on large data?
# - ViT with a convolutional stem, or a CNN: which inductive biases would make the 0.02 start learn
#   within 200 steps?
#
# ## Summary
# - ViT turns an image into tokens: patchify (a reshape), a linear map per patch (a convolution with
#   kernel = stride = P), a class token in front, a learned position embedding added.
# - Adding the position embedding is an early summation: token $i$ of the patches plus token $i$ of
#   the positions.
# - Positions must be distinguishable: without them the tiny ViT stays at chance; fixed 2-D sinusoids
#   work within 200 steps; a learned table started as ViT starts it (std 0.02) stays at chance for 200
#   steps and climbs slowly after, solving the task within 1,000 steps on few seeds (slower; whether
#   unable on the rest is open); started at std 0.5 it learns within 200 steps on many seeds. This
#   varies training steps, not the amount of data.
# - Over seeds, a head that finds the red object in most pictures is not the rule; ablating the head
#   that most often finds it costs, on average, more accuracy than ablating any other. Scrambling the position
#   table drops accuracy to about chance: the answer is read off the positions, which stay close to
#   their random start.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.2.
# - A. Dosovitskiy et al. *An Image is Worth 16x16 Words: Transformers for Image Recognition at
#   Scale.* ICLR 2021 (position-embedding similarity: its Fig. 7).
# - A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017.
