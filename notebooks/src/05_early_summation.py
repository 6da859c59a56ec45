# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Early summation: add the modalities, token by token
# *Survey Section 3.3.2, variant 1 (table of multimodal self-attention variants).*
#
# The cheapest way to fuse two modalities is to add them before the Transformer sees them: token $i$
# of one modality plus token $i$ of the other. Nothing is concatenated, so the Transformer runs on as
# many tokens as one modality has. The price: the sum only means something when token $i$ means the
# same thing in both modalities.
#
# **Before you start:** notebooks 00 and 04. Symbols used here, each a line in the
# [glossary](00_start_here.ipynb#glossary): $\mathrm{Tf}$ (a Transformer: a stack of layers, each MHSA
# and an FFN with residuals and LayerNorm), $\oplus$ (element-wise sum), pre-norm (LayerNorm before
# each sub-layer, notebook 02), α (summation weights), alignment, chance level, seed. We write the
# survey's notation $\alpha Z_A \oplus \beta Z_B$ for two modalities and $\alpha_m$ for the weight of
# modality $m$ when there are more; in code both are one list, `alpha=[α_1, α_2, ...]`.
#
# **What you will learn**
# - the formula $Z = \mathrm{Tf}(\alpha Z_A \oplus \beta Z_B)$, in three lines of code;
# - that a position embedding is itself an early summation;
# - the aligned-streams experiment: with the same model and the same training budget, summing
#   learns when token positions are aligned and lags far behind when the alignment is broken
#   (3 seeds each);
# - that summation adds no compute over one modality, but the weights $\alpha, \beta$ must be chosen:
#   accuracy over an $\alpha$ sweep, with frozen embedders, for 1 to 4 time-aligned streams.

# %% slideshow={"slide_type": "skip"}
import dataclasses

import matplotlib.pyplot as plt
import torch

import mmviz
from mmviz.data import Split
from mmviz.train import FusionClassifier, evaluate, fit

_ = torch.manual_seed(0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The idea
#
# Two modalities A and B, each already a sequence of $N$ tokens of width $d$ ($Z_A, Z_B \in
# \mathbb{R}^{N\times d}$). Early summation weights them and adds them element-wise:
#
# $$Z = \mathrm{Tf}(\alpha\, Z_A \oplus \beta\, Z_B), \qquad z_i = \alpha\, a_i + \beta\, b_i ,$$
#
# with $a_i, b_i$ token $i$ (row $i$, from 0 in code) of $Z_A, Z_B$, and $\mathrm{Tf}$ one Transformer
# (in code `mmviz.Encoder(dim, depth, heads)`: `depth` pre-norm layers with `heads` heads each).
# This needs $N_A = N_B$: token $i$ of A is added to token $i$ of B. Inside attention the summed
# tokens meet through dot products,
#
# $$z_i \cdot z_j = \alpha^2\, a_i\!\cdot a_j + \beta^2\, b_i\!\cdot b_j
#   + \alpha\beta\,(a_i\!\cdot b_j + b_i\!\cdot a_j),$$
#
# and the cross terms only make sense if $a_i$ and $b_i$ describe the same thing in a shared space.
# The survey cites Actor-Transformers and DeepChange for this variant.

# %% slideshow={"slide_type": "subslide"}
z_sound, z_sensor = torch.randn(1, 8, 32), torch.randn(1, 8, 32)   # (batch, N = 8 tokens, d = 32)
alpha, beta = 0.5, 0.5
tf = mmviz.Encoder(dim=32, depth=1, heads=4, norm="pre")           # Tf: depth=1 pre-norm layer, 4 heads

z = tf(alpha * z_sound + beta * z_sensor)                          # the whole variant: sum, then Tf
print("inputs", tuple(z_sound.shape), "+", tuple(z_sensor.shape), "-> output", tuple(z.shape))

# %% [markdown] slideshow={"slide_type": "fragment"}
# `mmviz.build_fusion("early_summation", ...)` is exactly these lines, and it refuses what cannot be
# summed:

# %% slideshow={"slide_type": "subslide"}
fusion = mmviz.build_fusion("early_summation", num_modalities=2, dim=32, depth=1, alpha=[alpha, beta])
try:
    fusion([z_sound, torch.randn(1, 5, 32)])                       # 8 sound tokens, 5 sensor tokens
except ValueError as error:
    print("ValueError:", error)

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden checks: build_fusion is the three lines above; alpha = (1, 0) is the Transformer on Z_A alone.
fusion.tf.load_state_dict(tf.state_dict())
with torch.no_grad():
    assert torch.allclose(fusion([z_sound, z_sensor]).tokens, z, atol=1e-6)
    fusion.set_alpha([1.0, 0.0])
    assert torch.allclose(fusion([z_sound, z_sensor]).tokens, tf(z_sound), atol=1e-6)
    assert torch.equal(fusion([z_sound, z_sensor]).tokens, fusion([z_sound, torch.randn(1, 8, 32)]).tokens)
    fusion.set_alpha([alpha, beta])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## You have met early summation before: the position embedding
#
# A Vision Transformer turns each patch into a token and then **adds** a learned position vector
# to it: $Z = Z_\text{patch} + Z_\text{position}$. That is early summation of two "modalities",
# the content and the place, with $\alpha = \beta = 1$. It works because position $i$ of the
# position table and patch $i$ are, by construction, about the same place.

# %% slideshow={"slide_type": "subslide"}
patches = mmviz.PatchEmbedding(image_size=24, patch_size=6, channels=3, dim=32)
images = torch.rand(1, 3, 24, 24)
z_patch = patches.proj(mmviz.patchify(images, 6))                  # content: (1, 16, 32)
z_position = patches.position                                      # place:   (1, 16, 32)

as_summation = mmviz.build_fusion("early_summation", 2, dim=32, depth=1, alpha=[1.0, 1.0])
as_vit = mmviz.Encoder(dim=32, depth=1, heads=4)
as_vit.load_state_dict(as_summation.tf.state_dict())               # the same Transformer weights
difference = (as_summation([z_patch, z_position]).tokens - as_vit(patches(images))).abs().max()
print(f"largest difference, summation vs. ViT input: {difference.item():.1e}")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert difference < 1e-6

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The aligned-streams task
#
# A sound and a sensor are recorded side by side for 8 time steps. At each step the sound plays one
# of 4 tones and the sensor reads one of 4 levels. **Question:** does the sensor disagree with the
# sound at some step? Both recordings carry a time code, so each token knows its own time stamp.
#
# - **aligned:** sound token $i$ and sensor token $i$ are the same moment;
# - **shuffled** (`aligned=False`): the sensor's steps arrive in a random order, each still carrying
#   its true time stamp. The pairing is still in the data, just not in the token order.
#
# Time steps, like tokens, are numbered from 0 ("t=0" … "t=7").

# %% slideshow={"slide_type": "subslide"}
aligned = mmviz.make_task("streams", n_train=1000, n_test=300, seed=0, aligned=True)
shuffled = mmviz.make_task("streams", n_train=1000, n_test=300, seed=0, aligned=False)
print(aligned.description)
print("tokens per modality:", {m.name: m.num_tokens for m in aligned.modalities})

# %% slideshow={"slide_type": "subslide"} jupyter={"source_hidden": true}
def draw_streams(task, i, ax, title):
    """Sound (top) and sensor (bottom) of test sample i, each token's time stamp written on it."""
    sound, sensor = (x[i, 0].numpy() for x in task.test.inputs)
    stamps = task.token_labels(i)[1]
    ax.plot(sound + 1.6, color=mmviz.plot.modality_colour("sound"), lw=1, label="sound")
    ax.plot(sensor - 0.6, color=mmviz.plot.modality_colour("sensor"), lw=1.5, label="sensor")
    for k in range(8):
        ax.axvline(8 * k - 0.5, color="#CCCCCC", lw=0.8)
        ax.text(8 * k + 3.5, 2.85, f"t={k}", ha="center", fontsize=7, color=mmviz.plot.modality_colour("sound"))
        ax.text(8 * k + 3.5, -1.05, stamps[k], ha="center", fontsize=7, color=mmviz.plot.modality_colour("sensor"))
    label = task.class_names[int(task.test.labels[i])]
    ax.set(yticks=[], xticks=[], ylim=(-1.3, 3.1), title=f"{title}: answer '{label}'")
    ax.set_xlabel("token i = 0..7 (8 samples each)", fontsize=8)


fig, axes = plt.subplots(1, 2, figsize=(11, 2.8))
draw_streams(aligned, 1, axes[0], "aligned")
draw_streams(shuffled, 1, axes[1], "shuffled sensor")
fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=2, fontsize=9, frameon=False,
           bbox_to_anchor=(0.5, 1.08))                     # above the panels, not over the tones
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# In the aligned recording the tone's pitch and the sensor's level step together, token by token.
# In the shuffled one, sensor token $i$ holds some other moment (read its time stamp).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment: summing aligned and misaligned streams
#
# The same model, a one-layer pre-norm Transformer of width 32 with $\alpha = \beta = \tfrac12$, is
# trained for 150 steps on each version of the task, from 3 seeds (seed $s$ sets the initial weights
# and the order of the mini-batches). The aligned run is the control: same model, same budget, same
# information. The few lines that are the experiment:

# %% slideshow={"slide_type": "subslide"}
SEEDS = (0, 1, 2)


def train(task, seed=0, alpha=(0.5, 0.5), steps=150):
    """A one-layer early-summation classifier trained on task; returns (model, test accuracy)."""
    model = FusionClassifier("early_summation", task, dim=32, depth=1, heads=4, alpha=alpha, seed=seed)
    fit(model, task, steps=steps, seed=seed, progress=False, eval_every=steps)
    return model, evaluate(model, task)["accuracy"]


results = {name: [train(task, seed) for seed in SEEDS] for name, task in (("aligned", aligned),
                                                                          ("shuffled", shuffled))}
accuracy = {name: [acc for _, acc in runs] for name, runs in results.items()}
print(f"{'streams':<10}{'test accuracy, mean (min–max over 3 seeds)':>44}")
for name, accs in accuracy.items():
    print(f"{name:<10}{sum(accs) / 3:>20.1%} ({min(accs):.1%}–{max(accs):.1%})")
share = aligned.test.labels.float().mean().item()
print(f"chance level (always give the commoner answer): {max(share, 1 - share):.1%}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **With the same budget, summing learns when token $i$ means the same moment in both streams**
# (above 90 % on every seed) **and not when the alignment is broken** (below 70 % on every seed; in
# this run close to the chance level printed above, within 10 points),
# although the shuffled data hold exactly the same information. Once sound $t{=}3$ is added to
# sensor $t{=}6$, every token is a blend of two unrelated moments, and the model would first have to
# learn to take the sums apart. This is "slower", not "cannot": the time stamps are still in there,
# and with more training summation partly recovers. The longer runs in `benchmarks/TRAINING.md`
# (1,000 steps, seeds 0–2) record summation at 76 % on shuffled streams (51–89 % over the seeds)
# against 99 % on aligned ones, while cross-attention, which pairs tokens by attention instead of by
# position, reaches 99.5 % shuffled and 99.7 % aligned. The blend costs learning time and accuracy,
# not possibility.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert min(accuracy["aligned"]) >= 0.9, accuracy
assert max(accuracy["shuffled"]) <= 0.7, accuracy
assert max(accuracy["shuffled"]) < max(share, 1 - share) + 0.1, accuracy        # near chance
assert min(accuracy["aligned"]) - max(accuracy["shuffled"]) >= 0.2, accuracy

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Re-align, then sum
#
# The shuffled sensor tokens still carry their time stamps. Put each sensor frame back at the step
# its stamp names, and token $i$ of both streams is the same moment again. The model is unchanged:
# only the order of the sensor's tokens is.

# %% slideshow={"slide_type": "subslide"}
def realign(split):
    """The split with each sensor frame moved to the time step its time stamp names."""
    sound, sensor = split.inputs
    n, channels, _ = sensor.shape
    stamps = torch.tensor([[int(label[2:]) for label in row] for row in split.words[1]])   # "t=5" → 5
    order = stamps.argsort(dim=1)[:, None, :, None].expand(n, channels, 8, 8)
    frames = sensor.reshape(n, channels, 8, 8).gather(2, order)         # (n, channels, step, sample)
    same_time = torch.eye(8, dtype=torch.bool).expand(n, 8, 8)
    return Split([sound, frames.reshape(n, channels, 64)], split.labels, {(0, 1): same_time})


realigned = dataclasses.replace(shuffled, train=realign(shuffled.train), test=realign(shuffled.test))
accuracy["re-aligned"] = [train(realigned, seed)[1] for seed in SEEDS]
for name in ("shuffled", "re-aligned"):
    print(f"{name:<11} {sum(accuracy[name]) / 3:.1%} ({min(accuracy[name]):.1%}–{max(accuracy[name]):.1%}, 3 seeds)")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Back above 90 % on every seed. Early summation does not need a better model, it needs aligned inputs: the
# alignment has to be done before the sum, by whoever builds the tokens.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert min(accuracy["re-aligned"]) >= 0.9, accuracy

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the summed model attends to
#
# With one sequence of summed tokens, the map is $8\times8$: each token is the grey "summed"
# modality, labelled by the time step of its sound part ("Σ t=3").

# %% slideshow={"slide_type": "subslide"}
model = results["aligned"][0][0]                                   # seed 0
record = model.run(aligned, 8).attention[0]
labels = [f"Σ {word}" for word in aligned.token_labels(0)[0]]
mmviz.plot_attention(record, sample=0, query_labels=labels, key_labels=labels,
                     modality_names=["sound", "sensor"],
                     title=f"early summation, aligned: '{aligned.class_names[int(aligned.test.labels[0])]}'")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert record.weights.shape == (8, 4, 8, 8)
assert torch.allclose(record.weights.sum(-1), torch.ones(8, 4, 8), atol=1e-5)
assert (record.query_modality == mmviz.FUSED).all()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## No added compute
#
# The Transformer after the sum sees $N$ tokens, as if there were one modality. Its cost (FLOPs per
# example, a multiply-add counted as 2) and its parameters do not grow with the number of summed
# modalities, except for one weight $\alpha_m$ each.
#
# **The rule for attention's cost** (glossary: FLOPs). With $N_q$ queries and $N_k$ keys of width $d$,
# the scores $QK^\top$ are $N_qN_k$ dot products of length $d$: $2N_qN_kd$ FLOPs; the weighted sum of
# the values costs the same again. The attention core costs $4N_qN_kd$, whatever the number of heads
# (each head does $1/H$ of the work on $d_h = d/H$ features). The projections ($W_Q, W_K, W_V, W_O$)
# and the FFN come on top; `attention_cost` counts all of it per example.

# %% slideshow={"slide_type": "subslide"}
one = mmviz.attention_cost("early_concatenation", [8], dim=32, depth=1)       # one modality alone
two = mmviz.attention_cost("early_summation", [8, 8], dim=32, depth=1)
four = mmviz.attention_cost("early_summation", [8, 8, 8, 8], dim=32, depth=1)
print(f"FLOPs per example: one modality {one['total']:,}, two summed {two['total']:,}, "
      f"four summed {four['total']:,}")
params = {m: mmviz.count_parameters(mmviz.build_fusion("early_summation", m, 32, depth=1))
          for m in (1, 2, 4)}
print("parameters of the fusion:", params)

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert one["total"] == two["total"] == four["total"]
assert params[2] - params[1] == 1 and params[4] - params[1] == 3

# %% [markdown] slideshow={"slide_type": "slide"}
# ## But $\alpha$ has to be chosen
#
# The weights decide how much of each modality survives the sum. In the survey's setting the
# modalities come from **pretrained, frozen encoders**; then $\alpha$ is the only knob that scales a
# modality before the sum. (If each modality's embedder is trained along, it can multiply its own
# output by any factor and absorb $\alpha$: the lesson would be invisible.) So here the embedders
# stay as initialised (frozen, a stand-in for pretrained encoders) and only the Transformer and the
# head train.
#
# The task `sync` has up to four streams recorded in step, 8 tokens each: **sound, sensor, video
# frames and motion**. Question: *is there a time step at which every stream peaks at once?* A "no"
# always has a near miss (all streams but one peak together), so every stream is needed. We train
# with two streams at $\alpha = (\tfrac12, \tfrac12)$ from 3 seeds, then sweep the sensor's weight
# $\alpha_\text{sensor}$ from 0 to 1 with $\alpha_\text{sound} = 1 - \alpha_\text{sensor}$, and
# measure test accuracy at each setting.

# %% slideshow={"slide_type": "subslide"}
sync = mmviz.make_task("sync", num_modalities=2, n_train=1000, n_test=300, seed=0)
print(sync.description)
ALPHAS = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]                 # α_sensor; α_sound = 1 − α_sensor


def alpha_sweep(seed):
    """Train at α = (½, ½) with frozen embedders, then test accuracy at each α of the sweep."""
    model = FusionClassifier("early_summation", sync, dim=32, depth=1, heads=4, alpha=(0.5, 0.5), seed=seed)
    model.embedders.requires_grad_(False)                        # frozen, like pretrained encoders
    fit(model, sync, steps=150, seed=seed, progress=False, eval_every=150)
    accuracies = []
    for a in ALPHAS:
        model.fusion.set_alpha([1 - a, a])
        accuracies.append(evaluate(model, sync)["accuracy"])
    return {"accuracy": accuracies}


swept = mmviz.over_seeds(alpha_sweep, seeds=SEEDS, progress=False)
mean, low, high = swept.band("accuracy")
chance = max(sync.test.labels.float().mean().item(), 1 - sync.test.labels.float().mean().item())
fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(ALPHAS, mean, "o-", color=mmviz.plot.modality_colour("sensor"), label="mean of 3 seeds")
ax.fill_between(ALPHAS, low, high, color=mmviz.plot.modality_colour("sensor"), alpha=0.25,
                label="min–max over seeds")
ax.axhline(chance, color="#888888", ls=":", label="chance (commoner answer)")
ax.axvline(0.5, color="#333333", lw=0.8, ls="--", label="α it was trained with")
ax.set(xlabel="α_sensor   (α_sound = 1 − α_sensor)", ylabel="test accuracy", ylim=(0.3, 1.02),
       title="early summation on 'sync', frozen embedders")
ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)   # beside, not over
fig.tight_layout()
plt.show()
for a, m, lo, hi in zip(ALPHAS, mean, low, high):
    print(f"α_sensor {a:.2f}: test accuracy {m:.1%} ({lo:.1%}–{hi:.1%})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# At the $\alpha$ it was trained with, the model is right on almost every sample (every seed). At
# either end one stream is silenced and accuracy is at chance: with only the sound, a near miss
# looks like a coincidence. But even $\alpha = (\tfrac34, \tfrac14)$, with both streams still in the
# sum, loses most of the accuracy: with frozen embedders, the Transformer is tuned to the mix it was
# trained on. The weights are a design choice fixed before training, and one the other five variants
# do not have to make. (`alpha=None` learns them instead.)

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
accs = swept.curves["accuracy"]                                  # one list per seed
middle = ALPHAS.index(0.5)
assert all(run[middle] >= 0.8 for run in accs), accs
assert all(run[middle] - run[0] >= 0.15 and run[middle] - run[-1] >= 0.15 for run in accs), accs

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: move α and watch the attention change
#
# The explorer below builds an early-summation model on `sync`, the time-aligned streams. Move the
# **modalities** slider from 1 to 4 (sound, sensor, video, motion): there is one **α slider** per
# stream. Move any α: the input mix changes and the attention map is recomputed live. Press
# **Train** to train it for a few seconds, then move α again. Switch **variant** to compare with the
# other five.

# %% slideshow={"slide_type": "subslide"}
explorer = mmviz.fusion_explorer(task="sync", variant="early_summation", num_modalities=2, depth=1)
explorer

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
# Hidden check: the sliders drive the model, and α = (1, 0) makes the sensor irrelevant.
sliders = explorer.controls["alpha"]
before = explorer.output.attention[0].weights.clone()
sliders[0].value, sliders[1].value = 1.0, 0.0
assert explorer.model.fusion.alpha.tolist() == [1.0, 0.0]
assert not torch.allclose(before, explorer.output.attention[0].weights)
sliders[0].value, sliders[1].value = 0.5, 0.5
explorer.controls["num_modalities"].value = 3                   # one α slider per stream
sliders = explorer.controls["alpha"]
assert len(sliders) == 3 and explorer.model.fusion.alpha.shape == (3,)
before = explorer.output.attention[0].weights.clone()
sliders[2].value = 0.0                                          # α of the third stream (video)
assert not torch.allclose(before, explorer.output.attention[0].weights)
explorer.controls["num_modalities"].value = 2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** One early-summation layer on two modalities of $N = 8$ tokens, width $d = 32$. How many
# FLOPs (floating-point operations, a multiply-add counted as 2) does its attention core cost per
# example? Use the rule of "No added compute" above: $4N_qN_kd$ for $N_q$ queries and $N_k$ keys.

# %% slideshow={"slide_type": "subslide"}
answer = None   # your number here
if answer is not None:
    mmviz.check.summation_attention_flops(answer, tokens=8, dim=32)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# The sum has $N = 8$ tokens, so $4 \cdot 8 \cdot 8 \cdot 32 = 8{,}192$: the same as one modality alone.
# </details>
#
# **2.** With $\alpha = (1, 0)$ on (sound, sensor), which modality does the model ignore:
# `"sound"`, `"sensor"` or `"neither"`?

# %% slideshow={"slide_type": "subslide"}
answer = None   # "sound", "sensor" or "neither"
if answer is not None:
    mmviz.check.ignored_modality(answer)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# `"sensor"`: its tokens are multiplied by 0 before the sum (the hidden check above shows the output
# is bit-identical whatever the sensor holds).
# </details>
#
# **3. Predict, then run.** Early concatenation keeps every token and lets attention find the pairs.
# Will it suffer from the shuffled sensor as much as summation did, after the same 150 steps?
# Write down your prediction, then uncomment and run (about 10 s):

# %% slideshow={"slide_type": "subslide"}
# for name, task in (("aligned", aligned), ("shuffled", shuffled)):
#     m = FusionClassifier("early_concatenation", task, dim=32, depth=1, heads=4, seed=0)
#     fit(m, task, steps=150, seed=0, progress=False)
#     print(name, evaluate(m, task)["accuracy"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>What to look for</summary>
#
# Concatenation does not add token $i$ to token $i$, so the shuffle does not blend unrelated moments;
# but it must first learn which sound token to compare with which sensor token, and that takes
# longer than summing aligned tokens: `benchmarks/TRAINING.md` records concatenation first reaching
# 90 % after 400–700 steps on aligned streams and 350–1,000 on shuffled ones (seeds 0–2). So after 150
# steps expect it to lag on both versions, behind summation on the aligned streams. Try `steps=600` and
# seeds 1 and 2: a budget that is too short can look like "cannot".
# </details>
#
# **4. Code it.** Write `sum_streams(zs, alpha)` that returns $\sum_m \alpha_m Z_m$ for a list of $M$
# tensors (batch, N, d), and check it against `build_fusion("early_summation", M, 32, depth=1,
# alpha=alpha)` with its Transformer replaced by the identity (`fusion.tf = torch.nn.Identity()`).

# %% slideshow={"slide_type": "subslide"}
def sum_streams(zs, alpha):
    raise NotImplementedError("your code here")


# zs = [torch.randn(2, 8, 32) for _ in range(3)]
# fusion = mmviz.build_fusion("early_summation", 3, 32, depth=1, alpha=[0.2, 0.3, 0.5])
# fusion.tf = torch.nn.Identity()
# print(torch.allclose(fusion(zs).tokens, sum_streams(zs, [0.2, 0.3, 0.5])))

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# ```python
# def sum_streams(zs, alpha):
#     return sum(a * z for a, z in zip(alpha, zs))
# ```
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - Early summation: $Z = \mathrm{Tf}(\alpha Z_A \oplus \beta Z_B)$. It needs $N_A = N_B$ and runs
#   one Transformer on $N$ tokens: no compute beyond one modality.
# - A position embedding added to patch tokens is an early summation of content and place.
# - Summing is meaningful only when token $i$ means the same thing in both modalities: on aligned
#   streams it learns the task in seconds (3 seeds); with the alignment broken it lags far behind
#   with the same budget, although the information is all there. Re-aligning the tokens by their
#   time stamps makes it work again.
# - Attention's core costs $4N_qN_kd$ FLOPs per layer; summation keeps $N_q = N_k = N$ whatever the
#   number of modalities.
# - With frozen embedders, $\alpha$ is the only scale of each modality: accuracy peaks at the
#   $\alpha$ the model was trained with and falls toward chance where a stream is silenced. The
#   weights must be chosen by hand or learned.
#
# **Next:** [06 · Early concatenation](06_early_concatenation.ipynb): keep every token, and let
# attention find the pairs.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.3.2 and its table of self-attention variants.
# - K. Gavrilyuk et al. *Actor-Transformers for Group Activity Recognition.* CVPR 2020.
# - A. Dosovitskiy et al. *An Image is Worth 16x16 Words.* ICLR 2021 (position embeddings).
# - P. P. Liang, A. Zadeh, L.-P. Morency. *Foundations and Trends in Multimodal Machine Learning.*
#   arXiv:2209.03430, 2022 (additive fusion after a common space).
