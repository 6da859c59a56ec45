# %% [markdown] slideshow={"slide_type": "slide"}
# # 11 · When a modality is missing
# *Survey Section 3.3.2 (the six variants) meets a problem of real data: a sample without its caption,
# a clip without its sound.*
#
# Real multimodal data is incomplete: a video has no subtitles, a sensor drops out, a photo has no
# caption. A fusion model built for every modality must then answer with fewer. Which of the six
# variants can even run without one? And when one can, how much of the answer is really gone, and how
# much did the model simply fail to use what was left?
#
# **What you will learn**
# - how to say "absent" to a Transformer: a [padding mask](00_start_here.ipynb#glossary-multimodal)
#   that no query reads, a PAD word that is no word, and a pooled vector over present tokens only;
# - which variants can run without the caption or the sound (exact, for any seed): every variant but
#   early summation, whose α-weighted sum of aligned tokens has no "absent";
# - how far a model trained on both modalities falls when the caption is absent at test time, over 8
#   seeds, against a constant answer, the best any model can do from the image alone, and a control
#   trained on the image alone with the same budget;
# - [modality dropout](00_start_here.ipynb#glossary-multimodal) in training as the remedy, and what
#   it costs on the full input; and where no remedy helps, because the information is gone.
#
# **Before you start:** notebooks 06 (early concatenation), 09 (cross-attention) and 10 (the six
# variants side by side, the claims "k of n seeds"). Terms: [mask, token, pooled readout, chance
# level, seed](00_start_here.ipynb#glossary); [absent modality, padding mask, modality
# dropout](00_start_here.ipynb#glossary-multimodal). Modalities are numbered from 1 in text (image = 1,
# caption = 2) and from 0 in code.

# %% slideshow={"slide_type": "skip"}
import torch

import mmviz
from mmviz import evidence
from mmviz.data import PAD_ID
from mmviz.evidence import nb11
from mmviz.explore import absent_explorer
from mmviz.fusion import build_fusion
from mmviz.lessons import missing
from mmviz.lessons.playground import majority_share
from mmviz.plot.absent import draw_accuracy_bars, plot_absent_masks
from mmviz.plot.base import Figure
from mmviz.train import FusionClassifier, evaluate, fit

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The question
#
# The task `tally` with two modalities: a $24\times24$ picture (16 patch tokens) and a three-word
# caption (3 tokens). The label counts how many of them say "red" (a red object, the word *red*):
# 0, 1 or 2. Train a model on both. Now the caption is missing. Can the model still answer, and how
# well *should* it?
#
# Without the caption the answer is still **partly there**: the picture says whether it holds a red
# object, so a count of 0 or 1 (no red object) and of 1 or 2 (a red object) can be told apart, but not
# which of the two. On `match` ("does the caption's colour and shape describe an object of the
# picture?") nothing is left without the caption: both words always occur somewhere in the picture.
# The lesson is to tell **what information is gone** from **what the model failed to use**.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The idea: absent = padded, for every token of a modality
#
# A Transformer already knows how to ignore a token: a [mask](00_start_here.ipynb#glossary) sets its
# score to $-\infty$, so it gets weight exactly 0. A **padding mask** $P_m \in \{0, 1\}^{N_m}$ per
# modality marks the tokens that are padded or absent ($P = 1$); an **absent modality** is one whose
# every token is masked in that sample. Then, for every stage:
#
# $$A_{ij} = \frac{\exp(s_{ij})\,[P_j = 0]}{\sum_k \exp(s_{ik})\,[P_k = 0]}, \qquad
# \mathrm{pooled} = \frac{1}{\#\{i : P_i = 0\}} \sum_{i : P_i = 0} z_i .$$
#
# No query reads a masked key, and the pooled vector averages the present tokens only. Each stage
# slices the masks its own way: a **joint** stage masks all keys of $\mathcal{C}(Z_1, Z_2)$, a
# **separate** stage its modality's own keys, a **cross** stage the *other* modality's keys. Two
# corner cases decide which variants can run:
# - **Cross-attention, two modalities, the other one absent**: a query has no key at all. The softmax
#   over nothing would be $0/0$; here the attention adds **exactly 0** and the residual passes the
#   token on, so only the MLP moves it (no NaN).
# - **Early summation**: $Z = \mathrm{Tf}(\alpha_1 Z_1 \oplus \alpha_2 Z_2)$ adds token $i$ of every
#   modality into one token. There is no "absent" in a sum (a zero in its place still changes it), so
#   summation refuses, and says why.
#
# In code, `model(zs, key_padding_mask=[mask_1, mask_2])` takes one `(batch, N_m)` bool mask (or None)
# per modality. A caption's absent words are the **PAD id**, one past the real words (`PAD_ID`), which
# the embedder maps to a zero vector without a row of its own: a model that never sees PAD is unchanged.

# %% slideshow={"slide_type": "subslide"}
tally = mmviz.make_task("tally", num_modalities=2)                 # image (16 tokens), caption (3)
inputs, masks = tally.without(["caption"], n=4)                     # blanked and masked, every sample
print("caption ids of 4 samples, caption absent:", inputs[1].tolist(), f"(PAD = {PAD_ID})")
print("masks: image", masks[0], "· caption", masks[1].shape, "all True:", bool(masks[1].all()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which variants can run without a modality? (exact)
#
# Build each of the six variants (untrained, one layer per stage), take modality 2 out of every sample
# of a small batch, and run it. Summation needs equal token counts, so the run uses two modalities of
# 8 tokens each (two aligned streams, e.g. a sound and a sensor); the picture below draws the masks
# for 4 image tokens and 3 caption tokens.

# %% slideshow={"slide_type": "subslide"}
ran = missing.who_runs(counts=[8, 8], absent=1)           # {variant: "runs" or the refusal}
for variant, what in ran.items():
    print(f"{variant:<34} {what}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Each stage's mask with the absent caption's rows and columns taken out (hatched): what is left to
# attend to. Cross-attention's image queries have **no key left** (the cross mask reads only the
# other modality): their attention adds 0, and the picture's tokens leave the cross stage as they
# came, moved only by the MLP. Multi → one and one → multi keep their separate image stage.

# %% slideshow={"slide_type": "subslide"} alt="The masks left in each stage of the six variants with the caption absent, over 4 image and 3 caption tokens: hatched where the caption was taken out, coloured where image tokens still read each other, empty for cross-attention's image queries, and early summation's refusal in words."
rows = [(v, ran[v] if ran[v] != "runs" else missing.absent_masks(v, (4, 3), 1)) for v in ran]
plot_absent_masks(rows, counts=(4, 3), names=("image", "caption"), absent=1)

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert set(ran) == set(mmviz.FUSION_VARIANTS), ran
assert all(ran[v] == "runs" for v in mmviz.FUSION_VARIANTS if v != "early_summation"), ran
assert "early_summation cannot run with modality 2 absent" in ran["early_summation"], ran
cross = build_fusion("cross_attention", 2, dim=16, depth=1, heads=2).eval()
out = cross([torch.randn(2, 4, 16), torch.randn(2, 3, 16)], key_padding_mask=[None, torch.ones(2, 3, dtype=torch.bool)])
assert torch.isfinite(out.tokens).all() and (out.attention[0].weights == 0).all()   # no key: weight 0, no NaN

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The experiment, one seed live
#
# Early concatenation on `tally` (dim 32, one layer, 300 steps, seed 0), trained twice: on both
# modalities, and with **modality dropout**: in every training sample each modality is absent with
# probability $p = 0.3$ (never both). Then each is tested on the full input and with the caption
# absent. The few lines that are the lesson:

# %% slideshow={"slide_type": "subslide"}
setup = evidence.EXPERIMENTS["11", "tally-early-concatenation"].setup
models = {}
for dropout in (0.0, setup["modality_dropout"]):
    model = FusionClassifier("early_concatenation", tally, dim=32, depth=1, heads=4, seed=0)
    fit(model, tally, steps=setup["steps"], seed=0, progress=False, eval_every=setup["steps"],
        modality_dropout=dropout)
    models[dropout] = model
live = {p: (evaluate(m, tally)["accuracy"], evaluate(m, tally, absent=["caption"])["accuracy"])
        for p, m in models.items()}
best = missing.best_without(tally, ["caption"])          # the ceiling from the image alone

# %% [markdown] slideshow={"slide_type": "fragment"}
# The bars: grey with both modalities, blue with the caption absent; dashed, a constant answer (the
# commonest label); dotted, the **best any model can do from the image alone** (for each test
# sample, the commonest label among samples whose image says the same: about 2/3).

# %% slideshow={"slide_type": "subslide"} alt="Bars of test accuracy for early concatenation trained on both modalities and trained with modality dropout, grey with both and blue with the caption absent, against a dashed constant answer and a dotted line at the best possible from the image alone."
p = setup["modality_dropout"]
fig = Figure(figsize=(5.6, 3.4), dpi=80)
draw_accuracy_bars(fig.add_axes((0.12, 0.2, 0.84, 0.72)),
                   [("trained on both", *live[0.0]), (f"with modality dropout {p}", *live[p])],
                   majority_share(tally), best)
fig

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
committed_concat = evidence.load("11", "tally-early-concatenation")
i0 = committed_concat.seeds.index(0)
for name, value in (("full", live[0.0][0]), ("dropout_full", live[p][0]), ("dropout_absent", live[p][1])):
    assert abs(value - committed_concat.values[name][i0]) <= 0.05, (name, value, committed_concat.values[name])
assert abs(best - 2 / 3) < 0.03, best

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Over eight seeds, per variant
#
# The same three runs for each of the five variants that can run without the caption, over **8 seeds**
# (each seed sets the weights and the mini-batches; data seed 0, 2,000 training and 500 test samples):
# trained on both, trained with modality dropout $p = 0.3$, and a **control trained on the image
# alone** (the caption absent from every training sample, the same 300 steps): what a model that sees
# only the remaining modality reaches with the same budget. All are tested with the caption absent.
# This is too slow for a notebook; the numbers are the committed evidence of `mmviz.evidence`
# (`mmviz/evidence/nb11.py`), loaded here. Rerun them on your own seeds:
# `python -m mmviz.evidence 11 --seeds 100-104 --check` (about 4 minutes on 2 cores: `benchmarks/RESULTS.md`).

# %% slideshow={"slide_type": "subslide"}
claims = evidence.notebook("11")
committed = {v: evidence.load("11", f"tally-{v.replace('_', '-')}") for v in nb11.VARIANTS}
columns = [("full", "both"), ("absent", "no caption"), ("control", "image-only control"),
           ("dropout_absent", "dropout, no caption"), ("dropout_full", "dropout, both")]
print(f"{'test accuracy %, mean (min-max)':<34}" + "".join(f"{title:>22}" for _, title in columns))
for variant, seeds in committed.items():
    cells = [seeds.values[name] for name, _ in columns]
    print(f"{variant:<34}" + "".join(f"{f'{100 * sum(c) / len(c):.0f} ({100 * min(c):.0f}-{100 * max(c):.0f})':>22}"
                                     for c in cells))
first = next(iter(committed.values()))
print(f"\nconstant answer: {first.values['majority'][0]:.0%}; best from the image alone: "
      f"{first.values['best_without_caption'][0]:.0%}; seeds: {first.seeds}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What the evidence says**, as claims that are code (judged on the committed seeds; each sentence
# says on how many seeds it must hold, so that it can be rerun on seeds nobody chose):

# %% slideshow={"slide_type": "subslide"}
claims.show()

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert claims.all_hold(), claims.failing()
assert all(len(s.seeds) >= 8 for s in committed.values())
assert all(abs(s.values["best_without_caption"][0] - 2 / 3) < 0.03 for s in committed.values())

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read together (claims by name; the table gives the numbers):
# - **With both modalities** every variant solves `tally` within 300 steps on nearly every seed, with or
#   without dropout (`…-full`).
# - **The image-only controls** reach most of the 2/3 the image allows (`…-control`), except
#   cross-attention: its only stage reads the *other* modality, so without the caption no image token
#   reads another, and within 300 steps it stays near 55 %. The ceiling is the information left; the
#   control is what this architecture makes of it with this budget.
# - **The caption absent at test time**, after training on both: concatenation, one → multi and cross →
#   concatenation fall far below their controls, and cross-attention even below a constant answer
#   (`…-absent`): the information was there, and the model **failed to use it**. It had never seen a
#   sample without a caption: a pooled vector of 16 tokens instead of 19, image tokens whose attention
#   found no caption to read. **Multi → one** is the exception: its separate stage encodes the picture
#   alone, exactly as in training, and it stays at its control's level on most seeds.
# - **Modality dropout** puts such samples into training. With it, every variant without the caption
#   comes within 5 points of its control (`…-dropout`), and it **costs nothing visible on the full
#   input** here (`…-full`: at least 95 % with both modalities, with and without dropout, on at least 4 of
#   every 5 seeds). On harder tasks and smaller budgets, dropout trades
#   some full-input accuracy for robustness; `tally` is easy with both modalities.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where no remedy helps: the information is gone
#
# On `match`, the caption decides the answer: "is there a *red circle*?" when the picture holds a red
# square and a blue circle. Without the caption, no model can do better than a constant answer. The
# evidence: cross-attention trained on both (500 steps), and a control trained on the image alone,
# both tested without the caption.

# %% slideshow={"slide_type": "subslide"}
on_match = evidence.load("11", "match")
for name, title in (("full", "cross-attention, both"), ("absent", "cross-attention, no caption"),
                    ("control", "image-only control, no caption")):
    values = on_match.values[name]
    print(f"{title:<34} mean {sum(values) / len(values):.0%} (min {min(values):.0%}, max {max(values):.0%})")
print(f"{'constant answer':<34} {on_match.values['majority'][0]:.0%}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Both stay near the constant answer on every committed seed (claim `match-caption-gone`), while with
# the caption the same model gets well above it on most seeds (`match-full-learns`; not on every seed:
# binding words to patches is hard at this budget, as notebook 10 showed). That is the difference this notebook is
# about: on `tally` a model without the caption scored low because **it failed to use** the image,
# and training with dropout fixed it; on `match` it scores low because **the answer is gone**, and no
# training can bring it back.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The explorer: switch modalities off
#
# Pick a variant, switch the image or the caption off, and see which edges are left in each stage
# (left) and what two trained models score (right): one trained on both, one with modality dropout
# (the two trained above, for early concatenation; **Train** trains the selected variant, 150 steps
# each, a few seconds). Early summation refuses on this task, and a sample with nothing left refuses:
# the status line says why.

# %% slideshow={"slide_type": "subslide"} alt="The explorer with early concatenation and the caption switched off: the joint mask with only the image block left, and the accuracy bars of the two trained models with both modalities and without the caption."
absent_explorer(tally, "early_concatenation", models={"early_concatenation": (models[0.0], models[p])},
                absent=["caption"])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1. Predict, then compute.** On `tally` with the image and the caption, what is the best test
# accuracy any model can reach **without the caption**? (Each label 0, 1, 2 is equally likely; the
# image says red in a sample with probability 1/2.) Answer as a number or a fraction.

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = 2 / 3"}
answer = None   # e.g. 0.5
if answer is not None:
    mmviz.check.missing_best_accuracy(answer)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# If the image is red the label is 1 or 2; $P(2 \mid \text{red}) = \frac{1/3}{1/2} = 2/3$. If not,
# the label is 0 or 1, and $P(0 \mid \text{not red}) = 2/3$. The best answer is right 2/3 of the
# time: `missing.best_without(tally, ["caption"])` measures it on the test split.
# </details>
#
# **2.** Two aligned streams (a sound and a sensor, 8 tokens each), the sensor missing from a sample.
# Which of the six variants refuses to run?

# %% slideshow={"slide_type": "subslide"} exercise={"hidden": true, "solution": "answer = 'early_summation'"}
answer = None   # a variant name
if answer is not None:
    mmviz.check.missing_which_refuses(answer)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# `"early_summation"`: it adds token $i$ of the sound and token $i$ of the sensor into one token, so
# there is no token of the sensor to leave out. Every other variant masks the sensor's tokens.
# </details>
#
# **3. Predict, then run.** Does a larger dropout ($p = 0.6$) help more without the caption, and what
# does it cost on the full input? Predict, then uncomment (about 10 s):

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2, "predict": true}
# for p in (0.3, 0.6):
#     m = FusionClassifier("cross_attention", tally, dim=32, depth=1, heads=4, seed=1)
#     fit(m, tally, steps=300, seed=1, progress=False, modality_dropout=p)
#     print(p, evaluate(m, tally)["accuracy"], evaluate(m, tally, absent=["caption"])["accuracy"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>What to look for</summary>
#
# With more dropout, more training samples lack a modality: the model without the caption should get
# closer to the control, while the full input gets fewer complete samples to learn from. One seed is
# an anecdote: run a few before you conclude, and compare with the control, not with 100 %.
# </details>
#
# **4. Code it.** Test the model trained on both (`models[0.0]`) with the **image** absent instead of
# the caption, and compute the best any model can do from the caption alone.

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2}
# your code: evaluate(..., absent=["image"]) and missing.best_without(tally, ...)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# ```python
# print(evaluate(models[0.0], tally, absent=["image"])["accuracy"])
# print(missing.best_without(tally, ["image"]))      # also about 2/3: the task is symmetric
# ```
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - "Absent" is a padding mask over every token of a modality: no query reads it, the pooled vector
#   skips it, a PAD word is no word. Each stage slices the masks its own way (joint, separate, cross).
# - Every variant can run without a modality except early summation: a sum of aligned tokens has no
#   "absent". A cross-attention query with no key gets a zero update through its residual.
# - A model trained on both modalities can fall far below what the remaining modality allows (four of
#   the five variants here; multi → one, whose separate stage sees the picture alone, did not); a
#   control trained on that modality alone shows what was recoverable with the same budget. Modality
#   dropout in training closes that gap, at no visible cost on the full input here.
# - Where the missing modality carried the answer (`match` without the caption), nothing recovers it:
#   tell the information that is gone from the information the model failed to use.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Section 3.3.2, and its discussion of robustness among the open challenges.
# - M. Ma et al. *SMIL: Multimodal Learning with Severely Missing Modality.* AAAI 2021.
# - M. Ma et al. *Are Multimodal Transformers Robust to Missing Modality?* CVPR 2022 (Transformers
#   trained on complete data degrade sharply when a modality is missing; the best fusion strategy
#   depends on the data).
# - N. Neverova et al. *ModDrop: Adaptive Multi-modal Gesture Recognition.* IEEE TPAMI 2016 (dropping
#   whole modalities in training).
#
# **Back to:** [10 · Fusion playground](10_fusion_playground.ipynb) · [00 · Start here](00_start_here.ipynb).
