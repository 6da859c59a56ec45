# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · The Vision Transformer: an image as a sequence of tokens
# *Survey Section 3.2.*
#
# A Transformer reads a set of tokens. To read an image, the Vision Transformer (ViT, Dosovitskiy et
# al. 2021) cuts it into patches and turns each patch into a token. That one step is what lets images
# join words and sounds in the multimodal models of the later notebooks.
#
# **What you will learn**
# - how an image becomes a sequence: patchify, linear embedding, class token, position embedding;
# - that adding the position embedding is itself an *early summation* of two token sequences;
# - to train a tiny ViT on generated pictures in seconds and read its class token's attention;
# - what a ViT without position embeddings cannot learn, and why.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz.data import QUADRANTS, make_pictures
from mmviz.train import train_vit, vit_accuracy

# %matplotlib inline
mmviz.plot.set_theme()          # the collection's one seaborn theme
_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The task: where is the red object?
#
# Each 24×24 picture, drawn by `mmviz`, holds one red object and two objects of other colours, each in
# one cell of a 4×4 grid. The label is the **quadrant** of the red object (4 classes). Finding *red*
# needs the content of a patch; answering *where* needs its position.

# %% slideshow={"slide_type": "subslide"}
train_images, train_labels, _ = make_pictures(1000, seed=0)
test_images, test_labels, test_cells = make_pictures(300, seed=1)
print("train", tuple(train_images.shape), "test", tuple(test_images.shape),
      "| labels per quadrant:", train_labels.bincount().tolist())

fig, axes = plt.subplots(1, 6, figsize=(12, 2.4))
for i, ax in enumerate(axes):
    ax.imshow(test_images[i].permute(1, 2, 0))
    ax.set_title(QUADRANTS[test_labels[i]], fontsize=9)
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
# block. (In `mmviz` the class token gets no position: it is a learned vector already.)

# %% slideshow={"slide_type": "subslide"}
def patchify(images, P):                              # (B, C, H, W) -> (B, N, C·P·P)
    B, C, H, W = images.shape
    blocks = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return blocks.reshape(B, (H // P) * (W // P), C * P * P)


patches = patchify(test_images[:1], 6)
print("one image", tuple(test_images[:1].shape), "->", tuple(patches.shape), "= 16 patches of 3·6·6 numbers")

fig, axes = plt.subplots(4, 4, figsize=(3.2, 3.2))
for i, ax in enumerate(axes.flat):                   # each patch, drawn back as a 6x6 picture
    ax.imshow(patches[0, i].reshape(3, 6, 6).permute(1, 2, 0))
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(str(i), fontsize=7, pad=1)
fig.suptitle("the 16 patch tokens, row by row", fontsize=9)
plt.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert torch.equal(patchify(test_images, 6), mmviz.patchify(test_images, 6))

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
# ## Training two tiny ViTs: with and without position embeddings
#
# One layer, width 32, 4 heads, 200 steps of AdamW: a few seconds each.

# %% slideshow={"slide_type": "subslide"}
results, models = {}, {}
for position in (True, False):
    torch.manual_seed(0)
    model = mmviz.VisionTransformer(dim=32, depth=1, heads=4, position=position)
    losses = train_vit(model, train_images, train_labels, steps=200)
    label = "with position embedding" if position else "without position embedding"
    models[position], results[label] = model, losses
    print(f"{label:<27} test accuracy: {vit_accuracy(model, test_images, test_labels):.2f}")

fig, ax = plt.subplots(figsize=(6.5, 3.4), layout="constrained")
for (label, losses), colour in zip(results.items(), ("#0072B2", "#D55E00")):
    ax.plot(losses, color=colour, lw=1.2, label=label)
ax.axhline(torch.log(torch.tensor(4.0)).item(), color="grey", lw=0.8, ls=":", label="ln 4: guessing")
ax.set(xlabel="step", ylabel="training loss", title="tiny ViT, 'where is the red object?'")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# **With positions the ViT learns the task almost perfectly; without them it stays near chance
# (0.25).** Without a position embedding the encoder sees a *set* of patches (notebook 01): it can
# find the red patch, but not tell where the patch was. Shuffle the patches of an image and the
# position-free model's answer does not change at all.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
acc_with = vit_accuracy(models[True], test_images, test_labels)
acc_without = vit_accuracy(models[False], test_images, test_labels)
assert acc_with > 0.9, acc_with
assert acc_without < 0.4, acc_without
shuffled = mmviz.patchify(test_images[:8], 6)[:, torch.randperm(16)]
with torch.no_grad():                                  # a position-free model: patch order is invisible
    z = models[False].patches.proj(shuffled)
    z = torch.cat([models[False].cls.expand(8, -1, -1), z], dim=1)
    logits_shuffled = models[False].head(models[False].encoder(z)[:, 0])
    assert torch.allclose(logits_shuffled, models[False](test_images[:8]), atol=1e-5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the class token looks at
#
# The class token starts as the same vector for every image; all it knows about the picture it gets
# by attention. Below, for a few test pictures, its attention over the 16 patches in each of the 4
# heads (the trained model with positions). Bright = high weight; the red object's cell is outlined.

# %% slideshow={"slide_type": "subslide"}
model = models[True]
with torch.no_grad():
    model(test_images)
cls = model.cls_attention(0)                         # (300, heads, 4, 4): class token -> patches


def show_heads(axes, i):
    axes[0].imshow(test_images[i].permute(1, 2, 0))
    axes[0].set_title(f"test picture {i}", fontsize=9)
    r, c = divmod(int(test_cells[i]), 4)
    for h, ax in enumerate(axes[1:]):
        ax.imshow(cls[i, h], cmap="magma", vmin=0)
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="cyan", lw=2))
        ax.set_title(f"head {h + 1}", fontsize=9)
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])


fig, grid = plt.subplots(3, 5, figsize=(10, 6.2))
for row, i in zip(grid, (0, 1, 2)):
    show_heads(row, i)
fig.suptitle("class-token attention over the 4×4 patches, per head (cyan: the red object)", fontsize=10)
plt.show()
hits = (cls.flatten(2).argmax(-1) == test_cells[:, None]).float().mean(0)
print("how often each head's strongest patch is the red object:", [f"{h:.2f}" for h in hits.tolist()],
      "(chance 1/16 = 0.06)")

# %% [markdown] slideshow={"slide_type": "fragment"}
# One head has specialised: its strongest patch is the red object in nearly every picture, far above
# the 1-in-16 chance. The other heads spread their weight more widely. The answer (the quadrant) is
# then read off the position embedding that rode along with the red patch into the class token.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert hits.max() > 0.5, hits

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: picture by picture, head by head
#
# Choose a test picture and a head; the class token's attention map is drawn beside the picture.
# Without a running kernel you see the starting state.

# %% slideshow={"slide_type": "subslide"}
import ipywidgets as widgets  # noqa: E402

from mmviz.explore import figure_png as png  # noqa: E402
from mmviz.explore import with_picture  # noqa: E402

fig, (ax_img, ax_map) = plt.subplots(1, 2, figsize=(6.4, 3.2))
shown_img = ax_img.imshow(test_images[0].permute(1, 2, 0))
overlay = ax_map.imshow(cls[0, 0], cmap="magma", vmin=0, vmax=float(cls.max()))
for ax in (ax_img, ax_map):
    ax.set_xticks([]), ax.set_yticks([])
fig.colorbar(overlay, ax=ax_map, fraction=0.046, label="attention weight")


def redraw(i=0, head=int(hits.argmax()) + 1):
    shown_img.set_data(test_images[i].permute(1, 2, 0))
    overlay.set_data(cls[i, head - 1])
    ax_img.set_title(f"picture {i}: red object {QUADRANTS[test_labels[i]]}", fontsize=9)
    ax_map.set_title(f"class token -> patches, head {head}", fontsize=9)
    return fig


plt.close(fig)             # drawn only through the widget below, updated in place
image = widgets.Image(value=png(redraw()), format="png")
picture = widgets.IntSlider(value=0, min=0, max=len(test_images) - 1, description="picture")
head = widgets.Dropdown(options=[1, 2, 3, 4], value=int(hits.argmax()) + 1, description="head")


def on_change(change=None):
    image.value = png(redraw(picture.value, head.value))


picture.observe(on_change, names="value")
head.observe(on_change, names="value")
view = widgets.VBox([widgets.HBox([picture, head]), image])
with_picture(view, image)     # live with a kernel; its latest picture without one (GitHub, nbviewer)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A 24×24 picture cut into 6×6 patches gives how many patch tokens?

# %% slideshow={"slide_type": "subslide"}
answer = None   # a number
if answer is not None:
    mmviz.check.patch_count(answer, image_size=24, patch_size=6)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution
mmviz.check.patch_count(mmviz.patchify(test_images[:1], 6).shape[1], image_size=24, patch_size=6);

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** How many numbers does one flattened patch hold (3 colour channels, 6×6 pixels)? That is the
# input width of the linear embedding $E$.

# %% slideshow={"slide_type": "subslide"}
answer = None   # a number
if answer is not None:
    mmviz.check.patch_width(answer, channels=3, patch_size=6)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution
mmviz.check.patch_width(mmviz.patchify(test_images[:1], 6).shape[2], channels=3, patch_size=6);

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** Without position embeddings, what test accuracy do you expect on "where is the red object"
# (4 balanced quadrants), however long you train? Give the number, not the one measured above.

# %% slideshow={"slide_type": "subslide"}
answer = None   # a number between 0 and 1
if answer is not None:
    mmviz.check.chance_accuracy(answer, classes=4)

# %% slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Solution: the model sees the same set of patches whatever their arrangement: it can only guess.
mmviz.check.chance_accuracy(1 / 4, classes=4);

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - ViT turns an image into tokens: patchify (a reshape), a linear map per patch, a class token in
#   front, a learned position embedding added.
# - Adding the position embedding is an early summation: token $i$ of the patches plus token $i$ of
#   the positions.
# - A one-layer ViT learns "where is the red object" in seconds; one head of its class token finds
#   the red patch in nearly every picture.
# - Without position embeddings the patches are a set: the model cannot tell where anything is and
#   stays at chance on a task about position.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.2.
# - A. Dosovitskiy et al. *An Image is Worth 16x16 Words: Transformers for Image Recognition at
#   Scale.* ICLR 2021.
# - A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017.
# - R. Xiong et al. *On Layer Normalization in the Transformer Architecture.* ICML 2020.
# - L. Liu et al. *Understanding the Difficulty of Training Transformers.* EMNLP 2020.
