# %% [markdown] slideshow={"slide_type": "slide"}
# # 10 · The fusion playground: six variants, side by side
# *Survey Section 3.3.2 (self-attention variants in a multimodal context) and 3.3.3 (the network-level view).*
#
# Notebooks 05–09 took the survey's six ways of letting modalities attend to each other one at a
# time. Here they meet: the same tasks, the same data, the same seed, the same number of training
# steps, and one table of what each variant reached and what it cost.
#
# **What you will learn**
# - the six variants in one loop of code, and which of them can read which task at all;
# - how to compare them honestly: accuracy, training speed, parameters, FLOPs, seconds, and how much
#   of their attention lands where the ground truth says it should;
# - why the ranking depends on the task: early summation wins on aligned streams and cannot even run
#   on a picture with a caption;
# - how cost grows with the number of modalities, and with the live explorer, what each variant
#   looks at for 1 to 4 modalities;
# - a table of which variant to pick when.

# %% slideshow={"slide_type": "skip"}
import math

import mmviz
from mmviz.lessons import playground
from mmviz.seeds import parallel_map
from mmviz.train import FusionClassifier, fit

# %matplotlib inline

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The six variants in one table
#
# $Z_m$ is the token sequence of modality $m$, $\mathcal{C}$ concatenation along the tokens, $\mathrm{Tf}$
# a Transformer stack (here pre-norm, width 32, **one layer per stage**: the two-stage variants run
# two layers on each token, as their formulas ask).
#
# | variant | formula (two modalities $A$, $B$) | network |
# |---|---|---|
# | early summation | $Z = \mathrm{Tf}(\alpha Z_A + \beta Z_B)$, needs $N_A = N_B$ | one stream |
# | early concatenation | $Z = \mathrm{Tf}(\mathcal{C}(Z_A, Z_B))$ | one stream |
# | hierarchical multi → one | $Z = \mathrm{Tf}_3(\mathcal{C}(\mathrm{Tf}_1(Z_A), \mathrm{Tf}_2(Z_B)))$ | hybrid |
# | hierarchical one → multi | $\mathcal{C}(Z_A, Z_B) \leftarrow \mathrm{Tf}_1(\mathcal{C}(Z_A, Z_B))$, then $\mathrm{Tf}_2(Z_A)$, $\mathrm{Tf}_3(Z_B)$ | hybrid |
# | cross-attention | $Z_A \leftarrow \mathrm{MHSA}(Q_A, K_B, V_B)$, $Z_B \leftarrow \mathrm{MHSA}(Q_B, K_A, V_A)$ | two streams |
# | cross-attention → concatenation | the cross stage, then $\mathrm{Tf}(\mathcal{C}(Z_A, Z_B))$ | hybrid |
#
# (Cross-attention is labelled by the modality that asks: stream $A$ keeps its own queries. The survey
# writes the same pair of computations with the queries exchanged.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Task 1: a picture and a caption (`tally`, two modalities)
#
# Each sample is a $24\times24$ picture (16 patch tokens) and a three-word caption (3 tokens). The
# label counts how many of the two modalities carry the signal "red": a red object in the picture,
# the word *red* in the caption. So the answer is 0, 1 or 2 and both modalities are needed. The
# ground truth also says which word goes with which patches, so we can score where attention lands.

# %% slideshow={"slide_type": "subslide"}
tally = mmviz.make_task("tally", num_modalities=2, n_train=1000, n_test=300, seed=0)
print(tally.description)
print("tokens per modality:", {m.name: m.num_tokens for m in tally.modalities})

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The experiment: one loop, six variants
#
# Every variant gets the same embedders, the same seed (0) for its weights and for the order of the
# mini-batches, and the same 150 steps of AdamW (batch 64, learning rate $3\cdot10^{-3}$ with warm-up).
# A variant that cannot read the task refuses with a `ValueError` that says why; we keep the reason.

# %% slideshow={"slide_type": "subslide"}
STEPS = 150


def train(variant, task):
    """One variant trained on task with the shared settings: its Measured row, or why it cannot run."""
    try:
        model = FusionClassifier(variant, task, dim=32, depth=1, heads=4, seed=0)
    except ValueError as refusal:
        return refusal
    history = fit(model, task, steps=STEPS, seed=0, progress=False, eval_every=25)
    return playground.measure(model, task, history, level=0.9)


def train_all(task):
    """Every survey variant on task: {variant: Measured or its refusal}. The runs are independent, so
    they share the cores (two processes where there are two; the numbers are the same either way)."""
    runs = parallel_map(lambda variant: train(variant, task), mmviz.FUSION_VARIANTS, processes=2)
    return dict(zip(mmviz.FUSION_VARIANTS, runs))


on_tally = train_all(tally)
print(playground.comparison_table(on_tally))

# %% [markdown] slideshow={"slide_type": "fragment"}
# How to read it: **test acc** after 150 steps; **steps → 90 %** the first evaluated step (every 25)
# at 90 % or more; **params** the whole classifier; **FLOPs** of the fusion part per example, by the
# survey's formulas (`mmviz.attention_cost`; the embedders cost the same for all); **train** seconds on
# this machine (they vary from run to run); **align AUC** how selectively the queries attend to their
# aligned partners (the word *red* ↔ the red object's patches), in the best of the maps the loss reads:
# the chance that an aligned query gives a key more weight than a non-aligned one (`mmviz.alignment_auc`:
# 0.5 = no preference, 1.0 = only the partners, below 0.5 = the partners get less); **cross share** how
# much of all attention crosses modalities.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What the numbers say.** Structural facts first, which hold for any seed:
# - **Early summation cannot run**: 16 patches and 3 words have no token-for-token pairing to add.
# - **Early concatenation has the fewest parameters** (one encoder), the two hierarchies and
#   cross → concatenation the most (two stages, so **two layers on every token**, against one for
#   the others: compare their speed with that in mind). **Cross-attention has the smallest attention
#   cost** ($8 N_A N_B d$ instead of $4(N_A+N_B)^2 d$), and all of its attention crosses modalities.
#
# The accuracies, steps and AUCs are **one seed after 150 steps**: a snapshot of how far each variant
# got with this budget, not a ranking. Which of the five is ahead changes with the seed and with a few
# hundred more steps (`benchmarks/TRAINING.md` trains each for longer, over 3 seeds). A high accuracy
# with an AUC near or below 0.5 says the model counts the signal without pairing *red* with red
# patches: the task asks only how many modalities say "red", so pairing is not needed to answer.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
ran = {v: r for v, r in on_tally.items() if isinstance(r, playground.Measured)}
assert isinstance(on_tally["early_summation"], ValueError), on_tally["early_summation"]
assert set(ran) == set(mmviz.FUSION_VARIANTS) - {"early_summation"}, ran.keys()
params = {v: r.parameters for v, r in ran.items()}
assert min(params, key=params.get) == "early_concatenation", params
two_stage = ("hierarchical_multi_to_one", "hierarchical_one_to_multi", "cross_attention_to_concatenation")
assert min(params[v] for v in two_stage) > max(p for v, p in params.items() if v not in two_stage), params
flops = {v: r.flops for v, r in ran.items()}
assert min(flops, key=flops.get) == "cross_attention", flops
assert ran["cross_attention"].cross_share > 0.99, ran["cross_attention"].cross_share   # it only looks across

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pictures: how fast, and where they look
#
# Test accuracy every 25 steps (the dotted line is 90 %):

# %% slideshow={"slide_type": "subslide"}
mmviz.plot.plot_learning_curves(on_tally, title="task 'tally' (image + caption): same steps, same seed")

# %% [markdown] slideshow={"slide_type": "subslide"}
# One map per variant, for the same test sample: the joint layer where the variant has one; for
# cross-attention, the picture's patches asking the caption. The orange band marks image tokens, the
# blue band caption tokens. Look at the column of the word *red*.

# %% slideshow={"slide_type": "subslide"}
mmviz.plot.plot_variant_maps(on_tally, tally, sample=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Task 2: two aligned streams (`streams`)
#
# A sound and a sensor are recorded in sync for 8 time steps (8 tokens each, token $i$ of both is
# the same moment). Does the sensor disagree with the sound at some step? Equal token counts, so
# now all six variants can run. The same loop, the same settings:

# %% slideshow={"slide_type": "subslide"}
streams = mmviz.make_task("streams", n_train=1000, n_test=300, seed=0)
on_streams = train_all(streams)
print(playground.comparison_table(on_streams))
share = streams.test.labels.float().mean().item()
print(f"chance level (always the commoner answer): {max(share, 1 - share):.1%}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Here summation can run, and it is the cheapest** (its attention sees 8 tokens, not 16). Within
# this short budget (one seed, 150 steps) it is also the furthest along: the others must first learn
# *which* token to compare with which, while summing hands them that pairing, because position $i$
# means the same moment in both streams. That is "slower", not "cannot": with a few hundred more
# steps the others catch up (`benchmarks/TRAINING.md`). Break the alignment and summation falls
# behind instead (notebook 05, over 3 seeds).

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert all(isinstance(r, playground.Measured) for r in on_streams.values()), on_streams
summed = on_streams["early_summation"]
others = {v: r for v, r in on_streams.items() if v != "early_summation"}
assert all(summed.flops < r.flops for r in others.values()), {v: r.flops for v, r in on_streams.items()}
assert math.isnan(summed.alignment) and math.isnan(summed.cross_share)

# %% slideshow={"slide_type": "subslide"}
mmviz.plot.plot_learning_curves(on_streams, title="task 'streams' (sound + sensor, aligned): same steps, same seed")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cost as the number of modalities grows
#
# The `tally` task exists for 1 to 4 modalities: picture (16 tokens), caption (3), sound (8), sensor
# (8). The attention-core FLOPs per example of one layer per stage, by formula, with
# $S = \sum_m N_m$: a joint stage pays $4S^2d$, separate encoders $4\sum_m N_m^2\,d$, a cross stage
# $4(S^2 - \sum_m N_m^2)\,d$.

# %% slideshow={"slide_type": "subslide"}
counts = [m.num_tokens for m in mmviz.make_task("tally", num_modalities=4, n_train=1, n_test=1).modalities]
print(f"{'variant':<34}" + "".join(f"{f'M={M}':>11}" for M in range(1, 5)))
cost_by_m = {}
for variant in mmviz.FUSION_VARIANTS:
    row = []
    for M in range(1, 5):
        try:
            row.append(mmviz.attention_cost(variant, counts[:M], dim=32, depth=1)["attention"])
        except ValueError:                 # summation: unequal counts; cross: needs two modalities
            row.append(None)
    cost_by_m[variant] = row
    print(f"{variant:<34}" + "".join(f"{'—' if f is None else f'{f:,}':>11}" for f in row))

# %% [markdown] slideshow={"slide_type": "fragment"}
# From one modality to four, the token count grows from 16 to 35 and **early concatenation's
# attention grows with its square**, almost five-fold; the separate encoders of multi → one grow only
# with $\sum N_m^2$. Cross-attention stays below concatenation at every $M$: it skips attention inside
# each modality.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
concat = cost_by_m["early_concatenation"]
assert concat == [4 * sum(counts[:M]) ** 2 * 32 for M in range(1, 5)], concat
assert 4.5 < concat[3] / concat[0] < 5, concat
assert all(c < j for c, j in zip(cost_by_m["cross_attention"][1:], concat[1:])), cost_by_m
assert cost_by_m["cross_attention"][0] is None and cost_by_m["early_summation"][1] is None

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The playground: every variant, 1 to 4 modalities, live
#
# Pick a variant, move the number of modalities (1–4, task `tally`), the LayerNorm placement, the
# layer, the head and the sample; **Train** runs 120 steps and redraws. Left: the attention map, tokens
# labelled and banded by modality. Right: how much attention each modality gives each other one.
# An impossible combination (early summation on a picture and a caption, cross-attention with one
# modality) says why instead of drawing.

# %% slideshow={"slide_type": "subslide"}
mmviz.fusion_explorer(task=tally, variant="early_concatenation")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The α sliders belong to early summation, so they live on a task where summation can run at every
# number of modalities: `sync`, 1 to 4 time-aligned streams (sound, sensor, video, motion) of 8 tokens
# each. Move the modalities slider: one α slider per stream. Set one α to 0 and the model no longer
# sees that stream.

# %% slideshow={"slide_type": "subslide"}
mmviz.fusion_explorer(task="sync", variant="early_summation", num_modalities=3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** With all four modalities of `tally` (16, 3, 8 and 8 tokens) and width $d = 32$, how many
# FLOPs does the attention core of **one cross-attention layer** cost per example, when each
# modality's queries attend to the keys of all the other three? (A multiply-add counts as 2.)

# %% slideshow={"slide_type": "subslide"}
answer = None   # your number here
if answer is not None:
    mmviz.check.playground_cross_flops(answer, counts=(16, 3, 8, 8), dim=32)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# All $S^2$ query-key pairs of the $S = 35$ tokens, minus the $\sum_m N_m^2 = 393$ inside one modality,
# $4d$ FLOPs each: $4 \cdot (35^2 - 393) \cdot 32 = 106{,}496$.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** On `tally`, which variant reached 90 % or more with the **fewest parameters**? Answer with
# its name, e.g. `"cross_attention"`.

# %% slideshow={"slide_type": "subslide"}
answer = None   # a variant name
if answer is not None:
    mmviz.check.playground_cheapest_good(answer, on_tally)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# Among the rows at 90 % or more, the smallest "params": read it off the table above (the variant
# with one encoder and no second stage).
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** A video's frames and its audio are both cut into one token per 40 ms, in sync, and your
# compute budget is tight. Which variant do you try first?

# %% slideshow={"slide_type": "subslide"}
answer = None   # a variant name
if answer is not None:
    mmviz.check.playground_pick_aligned(answer)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# `"early_summation"`: the tokens are aligned one for one, and summing costs no more attention than
# one modality.
# </details>
#
# **4. Predict, then run.** Cross-attention → concatenation was made for the context that
# cross-attention misses. On `repeat` (notebook 09: at which step does the sound repeat its previous
# tone?), will plain cross-attention with **two** cross layers do better than with one? Predict, then
# uncomment (about 20 s):

# %% slideshow={"slide_type": "subslide"}
# repeat = mmviz.make_task("repeat", n_train=1000, n_test=300, seed=0)
# for depth in (1, 2):
#     m = FusionClassifier("cross_attention", repeat, dim=32, depth=depth, heads=4, seed=0)
#     fit(m, repeat, steps=300, lr=5e-3, seed=0, progress=False)
#     print(depth, mmviz.evaluate(m, repeat)["accuracy"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>What to look for</summary>
#
# With two layers the clue can travel sound → sensor → sound, so the sound's own neighbours become
# reachable; with one it cannot reach them at all. Run more than one seed before you call a winner.
# </details>
#
# **5. Code it.** Add a column to the table: the share of the parameters that sits in the fusion
# (`mmviz.count_parameters(model.fusion)` ÷ `mmviz.count_parameters(model)`) for each variant that ran.

# %% slideshow={"slide_type": "subslide"}
# for variant in mmviz.FUSION_VARIANTS:
#     ...   # your code: build FusionClassifier(variant, tally, dim=32, depth=1, heads=4) where it can run

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# ```python
# for variant in mmviz.FUSION_VARIANTS:
#     try:
#         model = FusionClassifier(variant, tally, dim=32, depth=1, heads=4)
#     except ValueError:
#         continue
#     print(variant, mmviz.count_parameters(model.fusion) / mmviz.count_parameters(model))
# ```
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which variant to pick when
#
# | situation | pick | the evidence here |
# |---|---|---|
# | tokens of the modalities are aligned position by position (same time step, same place), compute is tight | **early summation** | `streams`: the cheapest attention, and the furthest along after a short budget; refuses unequal token counts; α is yours to choose (notebook 05: accuracy over α with frozen embedders); falls behind when the alignment is broken (notebook 05, 3 seeds) |
# | few tokens, modalities should interact from the first layer | **early concatenation** | `tally`: the fewest parameters; but its attention grows with $(\sum N_m)^2$: five-fold from 1 to 4 modalities here |
# | each modality needs its own encoder first (different kinds of tokens, or encoders trained apart), interaction late | **hierarchical multi → one** | separate stages cost only $\sum N_m^2$; the first stage never crosses modalities (notebook 07); two layers per token here |
# | one output per modality, each informed by the others (e.g. one vector per modality for retrieval) | **hierarchical one → multi** | joint stage first, then each stream keeps its own encoder (notebook 08: a swap after the joint stage changes nothing in the other stream) |
# | many tokens per modality and mostly cross-modal relations matter | **cross-attention** | the smallest attention cost on `tally` ($8N_AN_Bd$), every weight crosses modalities; but one layer never sees its own modality's context (notebook 09, exact) |
# | cross-modal relations *and* the global context | **cross-attention → concatenation** | adds the joint stage cross-attention lacks, at the most parameters and nearly the most FLOPs |
#
# These are small tasks and short runs: the table tells you what to try first, not what will win on
# your data. `benchmarks/TRAINING.md` has every variant on every task at full size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - One loop trains all six survey variants with the same data, seed and steps; the table puts
#   accuracy next to parameters, FLOPs, seconds, alignment AUC and cross-modal share.
# - There is no best variant. On a picture with a caption, summation cannot run and the others
#   differ in cost; on aligned streams, summation is the cheapest and the quickest to start. One seed
#   and 150 steps are a snapshot; rankings of accuracy need several seeds and long enough curves.
# - Concatenation's attention cost grows with the square of the total token count; separate and cross
#   stages avoid part of it, at the price of what each token can see.
# - Pick by the data (aligned or not, how many tokens) and by the budget, then measure.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Sections 3.3.2–3.3.3 and Table 3.
# - J. Lu et al. *ViLBERT.* NeurIPS 2019 (cross-attention). C. Sun et al. *VideoBERT.* ICCV 2019
#   (early concatenation). J. Lin et al. *InterBERT.* 2020 (one → multi). R. Li et al. *AI Choreographer
#   (FACT).* ICCV 2021 (multi → one). Y.-H. H. Tsai et al. *MulT.* ACL 2019 (cross → concatenation).
#   K. Gavrilyuk et al. *Actor-Transformers.* CVPR 2020 (early summation).
#
# **Back to:** [00 · Start here](00_start_here.ipynb).
