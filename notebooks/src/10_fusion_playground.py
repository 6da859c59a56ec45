# %% [markdown] slideshow={"slide_type": "slide"}
# # 10 · The fusion playground: six variants, side by side
# *Survey Section 3.3.2 (self-attention variants in a multimodal context) and 3.3.3 (the network-level view).*
#
# Notebooks 05–09 took the survey's six ways of letting modalities attend to each other one at a
# time. Here they meet: first as six masks over one attention graph, then on the same tasks with the
# same settings, and last in one table of which variant to pick when, each row backed by a number.
#
# **What you will learn**
# - the six variants as masks over one concatenated sequence, computed from the variant registry and
#   checked against the attention the models really draw; what a mask does not show;
# - what is exact about each variant (whether it can run, parameters, FLOPs) and what needs seeds;
# - how the variants compare over 8 seeds on tasks built to separate them (`match`, aligned and
#   shuffled `streams`, `repeat`): "k of n seeds" and mean (min–max) against a baseline, as claims that
#   are code you can rerun on seeds nobody chose;
# - how cost grows with the number of modalities, and with the live explorer, what each variant
#   looks at for 1 to 4 modalities;
# - a table of which variant to pick when, each row citing its evidence.
#
# **Words and conventions.** Terms such as [token, Tf, C(·), MHSA, mask and FLOPs](00_start_here.ipynb#glossary)
# are defined in notebook 00's glossary. The notation is the survey's. One convention of the code,
# stated once: **A←B means A's queries read B's keys and values** (information flows from B into A),
# the asking modality first: the stage `cross 1←2`, the AUC label `image←caption`. Modalities are
# numbered **from 1 in names** (modality 1, `cross 1←2`) and **from 0 in code** (`task.modalities[0]`);
# tokens are numbered from 0 in every picture, the mask pictures and the attention maps (`patch (0,0)`).

# %% slideshow={"slide_type": "skip"}
import math

import torch

import mmviz
from mmviz import evidence
from mmviz.evidence import nb10
from mmviz.fusion import build_fusion, stage_masks
from mmviz.lessons import playground
from mmviz.measure import drawn_edges
from mmviz.seeds import parallel_map
from mmviz.train import FusionClassifier, fit

# %matplotlib inline

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The six variants in one table
#
# $Z_m$ is the [token](00_start_here.ipynb#glossary) sequence of modality $m$, $\mathcal{C}$ concatenation
# along the tokens, $\mathrm{Tf}$ a Transformer stack (here pre-norm, width 32). Each *stage* of a variant
# is one $\mathrm{Tf}$; the two-stage variants run two stages on each token.
#
# | variant | formula (two modalities $A$, $B$) | network |
# |---|---|---|
# | early summation | $Z = \mathrm{Tf}(\alpha Z_A \oplus \beta Z_B)$, needs $N_A = N_B$ | one stream |
# | early concatenation | $Z = \mathrm{Tf}(\mathcal{C}(Z_A, Z_B))$ | one stream |
# | hierarchical multi → one | $Z = \mathrm{Tf}_3(\mathcal{C}(\mathrm{Tf}_1(Z_A), \mathrm{Tf}_2(Z_B)))$ | hybrid |
# | hierarchical one → multi | $\mathcal{C}(Z_A, Z_B) \leftarrow \mathrm{Tf}_1(\mathcal{C}(Z_A, Z_B))$, then $\mathrm{Tf}_2(Z_A)$, $\mathrm{Tf}_3(Z_B)$ | hybrid |
# | cross-attention | $Z_{(A)} \leftarrow \mathrm{MHSA}(Q_B, K_A, V_A)$, $Z_{(B)} \leftarrow \mathrm{MHSA}(Q_A, K_B, V_B)$ | two streams |
# | cross-attention → concatenation | the cross stage, then $\mathrm{Tf}(\mathcal{C}(Z_{(A)}, Z_{(B)}))$ | hybrid |
#
# The code names each cross-attention computation by the modality whose queries ask:
# $\mathrm{MHSA}(Q_A, K_B, V_B)$ is the stage `cross A←B` ("A reads B"), whose output continues A's
# stream.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The six variants as masks over one graph
#
# Put all tokens in one sequence $\mathcal{C}(Z_A, Z_B)$, here 4 tokens of $A$ and 3 of $B$. Every
# variant is then a choice of which query may read which key, stage by stage: a **mask** over one
# attention graph (notebook 01). The masks below are computed from the variant registry
# (`mmviz.fusion.stage_masks`, from `VARIANTS[v].stages(counts)`), not drawn by hand. Early summation
# has one sequence of summed tokens, so its mask is over $N$ tokens, not $N_A + N_B$.
#
# How to read them: a coloured cell is allowed, in the colour of the key's modality; a **light grey**
# cell is masked. Early summation's panel is **dark grey** everywhere: every pair is allowed, but each
# of its tokens is a sum of both modalities, so there is no one modality to colour it by. Tokens are
# numbered **from 0** inside each modality (A0…A3, B0…B2), as in the attention maps further down and
# in the code (`patch (0,0)`); each picture says so.

# %% slideshow={"slide_type": "subslide"} alt="The block masks of the six fusion variants, stage by stage, over 4 tokens of modality A and 3 of B: coloured where a query may read a key, grey where it is masked."
mmviz.plot.compare.plot_variant_masks(counts=(4, 3), names=("A", "B"))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Are these masks what the models do? Build each variant (untrained, two layers per stage), run it on
# random tokens, and collect where its attention weights are nonzero (`mmviz.measure.drawn_edges`):

# %% slideshow={"slide_type": "subslide"}
tokens = torch.Generator().manual_seed(0)
agrees = {}
for variant in mmviz.FUSION_VARIANTS:
    counts = (4, 4) if mmviz.VARIANTS[variant].equal_counts else (4, 3)
    model = build_fusion(variant, 2, dim=16, depth=2, heads=2)
    drawn = drawn_edges(model([torch.randn(5, n, 16, generator=tokens) for n in counts]))
    expected = [(kind, mask) for kind, mask in stage_masks(variant, counts) for _ in range(2)]  # 2 layers
    agrees[variant] = len(drawn) == len(expected) and all(
        kind == k and torch.equal(seen, mask) for (kind, _, seen), (k, mask) in zip(drawn, expected))
    print(f"{variant:<34} {len(drawn)} layers: nonzero exactly where the mask allows: {agrees[variant]}")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert all(agrees.values()), agrees

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What a mask does not show: the weights.** The separate stage of multi → one and early
# concatenation restricted to the same block-diagonal mask would draw the same graph, but the separate
# stage has **one set of weights per modality** ($W_Q, W_K, W_V$, FFN for $A$, another for $B$), a
# joint stage one set for all tokens:

# %% slideshow={"slide_type": "subslide"}
two = build_fusion("hierarchical_multi_to_one", 2, dim=32, depth=1, heads=4)
print("one joint stage:   ", f"{mmviz.count_parameters(two.joint):,} parameters")
print("the separate stage:", f"{mmviz.count_parameters(two.separate):,} parameters (one encoder per modality)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Where the survey's cited models differ from these idealised variants.**
# - *ViLBERT* (cross-attention) interleaves its co-attention layers (each stream's queries on the other
#   stream's keys and values, the "cross" mask) with self-attention layers inside each stream (the
#   "separate" mask), and gives the text stream more layers first. Its graph alternates two masks;
#   plain cross-attention here never lets a stream see itself within one layer.
# - *MulT* (cross-attention → concatenation) runs one cross-modal Transformer per ordered pair of
#   modalities, concatenates the outputs that share a target modality **along the features**, and
#   then runs self-attention on each target modality: its last stage is per modality, not one joint
#   stage over $\mathcal{C}(Z_A, Z_B)$.
# - *VideoBERT* (early concatenation) is one BERT over the concatenated text and video tokens, as here;
#   *InterBERT* (one → multi) a joint stage, then one stream per modality, as here.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is exact, live: a picture with a caption
#
# The task `tally` with two modalities: a $24\times24$ picture in 16 patch tokens and a three-word
# caption; the label counts how many of them say "red" (a red object, the word *red*): 0, 1 or 2.
# Every variant gets the same embedders, **one layer per stage**, seed 0 for its weights and its
# mini-batches, and 100 steps of AdamW. A variant that cannot read the task refuses with a `ValueError`
# that says why. The runs are independent, so `parallel_map` shares them over the cores (the numbers
# are the same either way).

# %% slideshow={"slide_type": "subslide"}
STEPS = 100
tally = mmviz.make_task("tally", num_modalities=2, n_train=1000, n_test=200, seed=0)


def train(variant):
    """One variant trained on tally with the shared settings: its Measured row, or why it cannot run."""
    try:
        model = FusionClassifier(variant, tally, dim=32, depth=1, heads=4, seed=0)
    except ValueError as refusal:
        return refusal
    history = fit(model, tally, steps=STEPS, seed=0, progress=False, eval_every=50)
    return playground.measure(model, tally, history, level=0.9)


on_tally = dict(zip(mmviz.FUSION_VARIANTS, parallel_map(train, mmviz.FUSION_VARIANTS, processes=2)))
print(playground.comparison_table(on_tally))

# %% [markdown] slideshow={"slide_type": "fragment"}
# How to read it: **params** the whole classifier; **FLOPs** of the fusion part per example, by the
# survey's formulas (`mmviz.attention_cost`; the embedders cost the same for all); **train** seconds on
# this machine (they vary from run to run); **align AUC** how selectively the queries attend to their
# aligned partners (the word *red* ↔ the red object's patches) in the best of the maps the loss reads:
# the chance that an aligned query gives a key more weight than a non-aligned one
# (`mmviz.alignment_auc`: 0.5 = no preference, 1.0 = only the partners, below 0.5 = the partners get
# less); **cross share** how much of all attention crosses modalities. The **accuracy** columns and the
# AUC are one seed after 100 steps: how far each run got, **not a ranking** (the next section has 8
# seeds). A high accuracy with an AUC near or below 0.5 says the model counts the signal without
# pairing *red* with the red patches: the task asks only how many modalities say "red".
#
# **What is exact here**, for any seed:
# - **Early summation cannot run**: 16 patches and 3 words have no token-for-token pairing to add.
# - **Early concatenation has the fewest parameters** (one encoder); the two hierarchies and
#   cross → concatenation the most (two stages: **two layers on every token**, against one for the
#   others). **Cross-attention has the smallest attention cost** ($8 N_A N_B d$ instead of
#   $4(N_A+N_B)^2 d$), and all of its attention crosses modalities (its mask above has no diagonal block).

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# One map per variant, for the same test sample: the joint layer where the variant has one; for
# cross-attention, the picture's patches reading the caption (`cross 1←2`). The orange band marks image
# tokens, the blue band caption tokens; tokens are numbered **from 0**, `patch (row, column)`, as in
# the masks above.

# %% slideshow={"slide_type": "subslide"} alt="The attention maps of the six variants on one tally test sample, one panel each titled with its layer and accuracy; early summation's panel says why it cannot run on this task."
mmviz.plot.plot_variant_maps(on_tally, tally, sample=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Over eight seeds, on tasks that separate the variants
#
# One seed is an anecdote. The comparison below trains the variants over **8 seeds** (each seed sets
# a variant's initial weights and its mini-batches; every variant of a task gets the same seeds), on
# three tasks, each built so that one structural difference decides:
#
# - **`match`**: does the caption (a colour and a shape) describe an object in the picture? Both words
#   always occur somewhere, so only their *binding* decides. Cross-attention against hierarchical
#   multi → one (whose first stage cannot look across), 500 steps.
# - **`streams`**: a sound and a sensor, 8 time steps each (8 tokens each); does the sensor level
#   differ from the sound's tone at some step? **Aligned**, token $i$ of both is the same moment;
#   **shuffled**, the sensor's steps are shuffled (each keeps its time stamp), so token $i$ of the
#   sound and token $i$ of the sensor are no longer the same moment. Early summation on both, and
#   cross-attention on the shuffled streams as the control, 600 steps.
# - **`repeat`**: at which of its 8 steps does the sound repeat the tone of the step before? The
#   sensor is independent noise: the clue is *inside one modality*. Early concatenation, multi → one
#   and cross-attention, 400 steps at learning rate $5\cdot10^{-3}$.
#
# Every run: dim 32, **one layer per stage** (the one-stage variants run 1 layer on each token, the
# two-stage ones 2), 4 heads, 2,000 training and 500 test samples, AdamW with the task's warm-up and a
# cosine schedule over the steps above. The test accuracy is checked every 50 steps and a run stops
# once a check reaches 90 % (`match`) or 95 % (the others), at or above every level the claims ask
# for: more steps would only cost time. The table counts those seeds, and a stopped run keeps its
# last check. Training all of this takes minutes, too
# slow for a notebook: the numbers are the committed evidence of `mmviz.evidence` (experiments and
# claims in `mmviz/evidence/nb10.py`), which this cell loads and judges.

# %% slideshow={"slide_type": "subslide"}
claims = evidence.notebook("10")
committed = {name: evidence.load("10", name) for name in ("match", "streams", "repeat")}
TASKS = {"match": nb10.task("match"), "streams, aligned": nb10.task("streams", True),
         "streams, shuffled": nb10.task("streams", False), "repeat": nb10.task("repeat")}
baseline = {label: playground.majority_share(task) for label, task in TASKS.items()}
RUNS = {   # table: experiment, its runs {label: name in the evidence}, the baseline of each task
    "match": ({"cross-attention": "cross_attention", "multi → one": "hierarchical_multi_to_one"}, ("match",)),
    "streams": ({"early summation, aligned": "early_summation_aligned",
                 "early summation, shuffled": "early_summation_shuffled",
                 "cross-attention, shuffled": "cross_attention_shuffled"}, ("streams, aligned", "streams, shuffled")),
    "repeat": ({"early concatenation": "early_concatenation", "multi → one": "hierarchical_multi_to_one",
                "cross-attention (one layer)": "cross_attention"}, ("repeat",))}
for name, (runs, labels) in RUNS.items():
    level = evidence.EXPERIMENTS["10", name].setup["stop"]
    base = {label: baseline[label] for label in labels}
    print(f"task '{name}', {evidence.EXPERIMENTS['10', name].setup['steps']} steps\n"
          f"{playground.evidence_table(committed[name], runs, level, base if len(base) > 1 else base[name])}\n")

# %% [markdown] slideshow={"slide_type": "fragment"}
# The baseline is the accuracy of always giving the commonest test answer. Test accuracy at every check, mean over the 8 seeds (line) and
# min–max (band); a run stopped at its level is drawn at its last check from there on. The dotted
# line is the baseline, the dashed line 90 %. A curve still rising at the end of its budget is
# *slower*; one flat near the baseline while another variant solves the task with the same budget
# *fails within that budget*.

# %% slideshow={"slide_type": "subslide"} alt="Four panels of accuracy over training steps (match, aligned streams, shuffled streams, repeat), the variants that separate on each task drawn over 8 seeds against a majority-class baseline."
PANELS = [("match", "match", {"cross_attention": "cross_attention",
                              "hierarchical_multi_to_one": "hierarchical_multi_to_one"}),
          ("streams, aligned", "streams", {"early_summation": "early_summation_aligned"}),
          ("streams, shuffled", "streams", {"early_summation": "early_summation_shuffled",
                                            "cross_attention": "cross_attention_shuffled"}),
          ("repeat", "repeat", {v: v for v in ("early_concatenation", "hierarchical_multi_to_one",
                                               "cross_attention")})]
mmviz.plot.compare.plot_evidence_curves([(label, playground.curve_rows(committed[name], runs), baseline[label])
                                         for label, name, runs in PANELS])

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What the evidence says**, as claims that are code: each sentence below is judged on the committed
# seeds (✓ holds), with what they measured, and anyone can rerun it on seeds nobody chose. A claim
# says "at least 4 of every 5 seeds" where the committed seeds show it on nearly all of them with a
# margin, "on every seed" only where it is structural and held with a wide margin, and "on some
# seeds" where it held on some and not on others.

# %% slideshow={"slide_type": "subslide"}
claims.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# What a rerun costs: one fresh seed of the three experiments took about half a minute on a quiet
# machine (`benchmarks/RESULTS.md`, measured by `make bench`), so 8 new seeds on 2 cores take a few
# minutes; the command shows a progress bar with the time left (runs stop once they reach their level,
# so seeds that never get there take longer).

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read together:
# - **`match` (binding a word to a patch).** At one layer per stage and 500 steps, binding is hard for
#   both variants measured. Cross-attention, every weight of which pairs a word with a patch, ends
#   above 75 % on some seeds and below it on others: whether a run gets there depends on the seed.
#   Multi → one, whose first stage cannot look across (its joint stage must bind words to patches that
#   were each encoded alone), stays below 85 % on nearly every seed and ends below cross-attention on
#   most of the committed seeds. Both are *slower within 500 steps*, not shown unable: notebook 07
#   trains them longer.
# - **`streams`.** Aligned, summation reaches 95 % on nearly every seed, at the smallest attention cost
#   of all variants (one sequence of 8 summed tokens). **Shuffled**, with the same budget, it stays at
#   or below 90 % on most seeds while cross-attention reaches 95 % on nearly every seed: adding token
#   $i$ to token $i$ adds different moments once the order is broken. The claim names its budget
#   because summation is slower there, not shown unable (notebook 05 trains it longer).
# - **`repeat` (context inside one modality).** One cross-attention layer stays below 25 % on every
#   seed: the sound's queries read only the sensor, which is noise here, so no token of the sound ever
#   sees the step before it. That is structural, and the evidence agrees with a wide margin. Early
#   concatenation (one joint stage) and multi → one (a separate stage per modality), which can both
#   attend inside the sound, reach 95 % on most seeds, and the table shows that neither did on every
#   committed seed. So no variant is "the only one" that solves `repeat`: a stage that attends inside
#   the modality is what it takes, not a guarantee that training finds it within the budget.

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
assert claims.all_hold(), claims.failing()
assert all(len(s.seeds) >= 8 for s in committed.values()), {k: s.seeds for k, s in committed.items()}
assert all(0.1 < b < 0.6 for b in baseline.values()), baseline
missed = {v: [s for s, a in zip(committed["repeat"].seeds, committed["repeat"].values[v]) if a < 0.95]
          for v in ("early_concatenation", "hierarchical_multi_to_one")}
assert missed["early_concatenation"] and missed["early_concatenation"] == missed["hierarchical_multi_to_one"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Does the evidence reproduce?** The cheapest run, rerun here: `repeat` with early concatenation,
# seed 0, the same function the evidence calls (`playground.evidence_run`, a few seconds), against
# the committed seed 0. Rerun every claim on your own seeds from a shell (the command prints each
# claim with what your seeds measured, and a progress bar with the time left):
# `python -m mmviz.evidence 10 --seeds 100-107 --check`.

# %% slideshow={"slide_type": "subslide"}
setup = evidence.EXPERIMENTS["10", "repeat"].setup
live = playground.evidence_run(TASKS["repeat"], "early_concatenation", seed=0, steps=setup["steps"],
                               stop=setup["stop"], depth=setup["depth"])
stored = committed["repeat"]
stored_curve = stored.curves["early_concatenation_curve"][stored.seeds.index(0)]
for label, curve in (("live", live["curve"]), ("committed", stored_curve)):
    step = playground.first_check_at(curve, live["curve_steps"], setup["stop"])
    print(f"{label + ' seed 0:':<17} first check at >= {setup['stop']:.0%}: step {step}")

# %% tags=["hide-input"] slideshow={"slide_type": "skip"} jupyter={"source_hidden": true}
pairs = [(a, b) for a, b in zip(live["curve"], stored_curve) if not (math.isnan(a) or math.isnan(b))]
assert pairs and all(abs(a - b) <= 0.05 for a, b in pairs), (live["curve"], stored_curve)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cost as the number of modalities grows
#
# The `tally` task exists for 1 to 4 modalities: picture (16 tokens), caption (3), sound (8), sensor
# (8). The attention-core [FLOPs](00_start_here.ipynb#glossary) per example of one layer per stage, by
# formula, with $S = \sum_m N_m$: a joint stage pays $4S^2d$, separate encoders $4\sum_m N_m^2\,d$, a
# cross stage $4(S^2 - \sum_m N_m^2)\,d$: each is $4d$ times the number of allowed cells of its mask.

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
for M in range(2, 5):                      # the FLOPs are 4d times the allowed cells of the masks
    masks = [mask for _, mask in stage_masks("cross_attention", counts[:M])]
    assert cost_by_m["cross_attention"][M - 1] == 4 * 32 * sum(int(m.sum()) for m in masks)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The playground: every variant, 1 to 4 modalities, live
#
# Pick a variant, move the number of modalities (1–4, task `tally`), the LayerNorm placement, the
# layer, the head and the sample; **Train** runs 120 steps and redraws, **Train to 95 %** trains until
# the task's target accuracy (or its budget) and then says what to move and what to watch in the status
# line. Left: the attention map, tokens labelled and banded by modality. Right: how much attention each
# modality gives each other one. On a projector, switch on **projector** for larger type.
# An impossible combination (early summation on a picture and a caption, cross-attention with one
# modality) says why instead of drawing.

# %% slideshow={"slide_type": "subslide"} alt="The fusion playground's saved picture: early concatenation on the tally task, its joint layer's attention map with the modality blocks and the share of attention between the image and the caption."
mmviz.fusion_explorer(task=tally, variant="early_concatenation")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The α sliders belong to early summation, so they live on a task where summation can run at every
# number of modalities: `sync`, 1 to 4 time-aligned streams (sound, sensor, video, motion) of 8 tokens
# each. Move the modalities slider: one α slider per stream. Set one α to 0 and the model no longer
# sees that stream.

# %% slideshow={"slide_type": "subslide"} alt="The fusion playground's saved picture: early summation on three time-aligned streams, the summed tokens' attention map and a bar chart of each stream's weight alpha."
mmviz.fusion_explorer(task="sync", variant="early_summation", num_modalities=3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** With all four modalities of `tally` (16, 3, 8 and 8 tokens) and width $d = 32$, how many
# FLOPs does the attention core of **one cross-attention layer** cost per example, when each
# modality's queries attend to the keys of all the other three? (A multiply-add counts as 2.)

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = 4 * (35 ** 2 - 393) * 32"}
answer = None   # your number here
if answer is not None:
    mmviz.check.playground_cross_flops(answer, counts=(16, 3, 8, 8), dim=32)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# All $S^2$ query-key pairs of the $S = 35$ tokens, minus the $\sum_m N_m^2 = 393$ inside one modality
# (the allowed cells of the cross mask), $4d$ FLOPs each: $4 \cdot (35^2 - 393) \cdot 32 = 106{,}496$.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** On `repeat`, early concatenation reached 95 % on most committed seeds, not all. On which
# seed did it stay below? Read the table's curves or `committed["repeat"]`; answer with the seed. Then
# look at multi → one on that seed.

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "runs = committed['repeat']\nanswer = [s for s, a in zip(runs.seeds, runs.values['early_concatenation']) if a < 0.95][0]"}
answer = None   # a seed, e.g. 3
if answer is not None:
    repeat_runs = committed["repeat"]
    mmviz.check.playground_missed_seed(answer, repeat_runs.seeds, repeat_runs.values["early_concatenation"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# `[s for s, a in zip(committed["repeat"].seeds, committed["repeat"].values["early_concatenation"]) if a < 0.95]`.
# Multi → one missed on the same seed. A seed sets both variants' initial weights *and* the order of
# their mini-batches, so one seed's draw can be hard for several variants at once: that is why a
# claim counts seeds instead of quoting one, and why "every seed" needs more than a few.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** A video's frames and its audio are both cut into one token per 40 ms, in sync, and your
# compute budget is tight. Which variant do you try first?

# %% slideshow={"slide_type": "subslide"} exercise={"solution": "answer = 'early_summation'"}
answer = None   # a variant name
if answer is not None:
    mmviz.check.playground_pick_aligned(answer)

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>Solution</summary>
#
# `"early_summation"`: the tokens are aligned one for one, and summing costs no more attention than
# one modality. If the alignment may break (shuffled streams), look at the `streams, shuffled` table
# first.
# </details>
#
# **4. Predict, then run.** On `repeat` the evidence trains **one** cross-attention layer, which
# stays near the baseline (claim `repeat-cross-attention-cannot`). Predict whether a **second** layer
# helps within 300 steps (seed 0); then uncomment (about 20 s):

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2, "predict": true}
# repeat = mmviz.make_task("repeat", n_train=1000, n_test=300, seed=0)
# for depth in (1, 2):
#     m = FusionClassifier("cross_attention", repeat, dim=32, depth=depth, heads=4, seed=0)
#     fit(m, repeat, steps=300, lr=5e-3, seed=0, progress=False)
#     print(depth, mmviz.evaluate(m, repeat)["accuracy"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# <details><summary>What to look for</summary>
#
# With one layer the sound's queries read only the sensor, which is noise here: the sound never
# sees its own previous step, so it stays near the baseline. With two layers the clue can travel
# sound → sensor → sound, so its own neighbours become reachable, but only indirectly, through tokens
# that carry nothing else: whether that helps within 300 steps, and on how many seeds, is what you
# measure. One seed is an anecdote: run a few before you call a winner.
# </details>
#
# **5. Code it.** For each variant that runs on `tally`, print the share of its parameters that sits in
# the fusion (`mmviz.count_parameters(model.fusion)` ÷ `mmviz.count_parameters(model)`): one line per
# variant, to read next to the live table's "params" column.

# %% slideshow={"slide_type": "subslide"} exercise={"points": 2}
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
# Each row cites a claim printed above (by its name; judged on 8 seeds, rerun on yours with
# `python -m mmviz.evidence 10 --claim NAME --seeds 100-104`) or an exact fact of this notebook.
#
# | situation | pick | the evidence |
# |---|---|---|
# | tokens aligned position by position (same time step), compute tight | **early summation** | `streams-summation-aligned`; the smallest attention cost (exact); **but** `streams-summation-shuffled-slower`: at or below 90 % on most seeds of shuffled streams, where cross-attention reaches 95 % with the same budget; refuses unequal token counts (exact: `tally` above) |
# | few tokens; context inside each modality matters as much as across | **early concatenation** | `repeat-concatenation-learns`; the fewest parameters (exact, live table); **but** its attention grows with $(\sum N_m)^2$: ×4.8 from 1 to 4 modalities (exact, cost table) |
# | each modality its own encoder first (e.g. pretrained), then interaction | **hierarchical multi → one** | `repeat-multi-to-one-learns`: context inside a modality, on most seeds (like early concatenation: `repeat-concatenation-learns`); **but** `match-multi-to-one-behind`: binding across modalities, slower within the same budget |
# | one output per modality, each informed by the others (e.g. retrieval) | **hierarchical one → multi** | exact only: a joint stage, then one stream per modality (mask above), two layers on every token; its training is measured in notebook 08, not claimed here |
# | relations across modalities (which word goes with which patch), many tokens | **cross-attention** | `streams-cross-attention-shuffled` (re-pairs shuffled steps); `match-cross-attention-some-seeds` (binds words to patches on some seeds at this small budget, ahead of multi → one: `match-multi-to-one-behind`); attention FLOPs below concatenation's at every $M$ (exact, cost table); **but** `repeat-cross-attention-cannot`: one layer never sees inside a modality |
# | relations across modalities, then global context | **cross-attention → concatenation** | exact: the cross stage, then a joint stage that also attends inside each modality (mask above), at the most parameters (live table); whether that joint stage rescues `repeat` is measured in notebook 09, not claimed here |
#
# These are small generated tasks and short budgets: the table tells you what to try first, not what
# will win on your data. `benchmarks/TRAINING.md` is a separate benchmark (3 seeds, every variant on
# every task at each task's budget, with ms per step), not evidence for these claims.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
# - Over one concatenated sequence, the six variants are masks: all pairs (concatenation), pairs
#   inside a modality (separate stages), pairs across (cross stages), in one or two stages; summation
#   is one sequence of summed tokens. A mask shows the graph, not the weights: separate streams also
#   have separate weights.
# - What is exact (whether a variant can run, parameters, FLOPs) holds for any seed; what a variant
#   learns is a distribution over seeds: a claim says on how many seeds it held, against a baseline,
#   and reruns on seeds nobody chose.
# - Over 8 seeds, no variant is best everywhere: cross-attention re-pairs shuffled streams and binds
#   words to patches on some seeds of a small budget, where multi → one stays lower (`match`); one
#   cross layer cannot use context inside a modality (`repeat`), which a joint or separate stage can,
#   learned on most seeds (not every one) by early concatenation and by multi → one; summation is the
#   cheapest on aligned streams and slower when the alignment is broken.
# - Concatenation's attention cost grows with the square of the total token count; separate and cross
#   stages avoid part of it, at the price of what each token can see.
#
# ## References
# - P. Xu, X. Zhu, D. A. Clifton. *Multimodal Learning with Transformers: A Survey.* IEEE TPAMI 2023,
#   arXiv:2206.06488, Sections 3.3.2–3.3.3 and Table 3.
# - J. Lu et al. *ViLBERT.* NeurIPS 2019 (cross-attention). C. Sun et al. *VideoBERT.* ICCV 2019
#   (early concatenation). J. Lin et al. *InterBERT.* 2020 (one → multi). R. Li et al. *AI Choreographer
#   (FACT).* ICCV 2021 (multi → one). Y.-H. H. Tsai et al. *MulT.* ACL 2019 (cross → concatenation).
#   K. Gavrilyuk et al. *Actor-Transformers.* CVPR 2020 (early summation).
#
# **Next:** [11 · When a modality is missing](11_missing_modality.ipynb): the variants without a caption
# or a sound. **Back to:** [00 · Start here](00_start_here.ipynb).
