"""The norm explorer: where LayerNorm goes (pre or post), gradient norms per layer, and a short training run.

Gradient norms at initialisation are cheap (one forward and backward) and redraw live; a training curve
takes seconds, so it runs on the button and is kept: the curves already trained for this depth and
initialisation stay on the plot, the selected one drawn bold. Measuring a deep stack takes up to half
a second, so once shown the explorer measures every depth in a background thread (nearest the shown
depth first, about 10 s on one core): after that every control redraws from the cache.

The foreground never waits for the background pass: the background measures one placement of one
depth at a time and pauses while a control is being answered, so a request waits for at most one
such unit (~0.1 s); a depth not yet measured says "measuring…" at once and is drawn when ready.
"""
from __future__ import annotations

import atexit
import contextlib
import math
import os
import threading
from typing import Any

import ipywidgets as W

from .._validate import MAX_DEPTH, flag, integer, run_budget
from .._validate import depth as check_depth
from .._validate import seed as check_seed
from ..blocks import block_parameters, check_blocks, check_dims
from ..lessons.norms import grad_norms_at_init, norm_training_curve, position_only_baseline
from ..plot import Figure, GradNormPicture, LivePng
from ..plot.base import themed
from ..plot.curves import NORM_COLOURS
from .base import CSS_DPI, RATIO, Explorer, one_thread, picture_row, show_png
from .look import what_to_look_for_in_norms

LEARNING_RATES = (1e-3, 3e-3, 1e-2, 3e-2)     # the training run's choices; 1e-2 is the lesson's default
VOCAB = 8                                      # the sorting task's symbols (train_sorter's default)
GUESS = math.log(VOCAB)                        # a uniform guess's loss: a run ending there learned nothing
MAX_ABOVE = 8                                  # the depth slider reaches this far above the opening depth
STOP = threading.Event()
BACKGROUND: list = []


@atexit.register
def stop_background() -> None:
    """Let background measurements finish their current step before the interpreter shuts down:
    a thread killed inside a torch call aborts the process ("terminate called ...")."""
    STOP.set()
    for thread in BACKGROUND:
        thread.join()


def lower_priority() -> None:
    """Give this thread the lowest CPU priority (Linux sets it per thread): on a busy machine the
    kernel's own threads, which carry the slider's message and the picture, run first."""
    if threading.current_thread() is threading.main_thread():
        return                            # never the kernel's own thread
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):     # not Linux, or not allowed: the pauses still hold
        pass


class NormExplorer(Explorer):
    """Depth, pre/post, initialisation, warm-up; gradient norms (both placements) and training curves.

    ``controls`` = {"depth", "norm", "init", "warmup", "lr", "train"}; "lr" is the training run's learning
    rate (the control for warm-up: does a smaller rate alone let post-norm train?).
    """

    def __init__(self, depth: int = 6, max_depth: int | None = None, dim: int = 64, heads: int = 4,
                 steps: int = 150, seed: int = 0, prefetch: bool = True) -> None:
        # The slider always reaches above where it opens (at its maximum, moving it right did nothing).
        if max_depth is None:
            max_depth = min(MAX_DEPTH, max(24, integer(depth, "depth", 1, MAX_DEPTH) + MAX_ABOVE))
        max_depth = check_depth(max_depth, "max_depth")          # the background pass measures each depth
        depth = integer(depth, "depth", 1, max_depth)
        dim, heads = check_dims(dim, heads)
        check_blocks(max_depth, dim, 4 * dim, f"a stack of max_depth={max_depth}, dim={dim}")
        # a training run: norm_training_curve's defaults, dim 32 and 32 sequences of 8 tokens per step
        steps = run_budget(steps, 6 * max_depth * block_parameters(32, 128) * 32 * 8,
                           f"a training run of depth up to {max_depth}")
        seed, prefetch = check_seed(seed), flag(prefetch, "prefetch")
        self.dim, self.heads, self.steps, self.seed = dim, heads, steps, seed
        self.max_depth = max_depth
        self.norm_cache: dict = {}
        self.curves: dict = {}
        self.units: dict = {}                  # (depth, init, norm) → norms: what either thread measured
        self.measuring = threading.Lock()      # one measurement at a time, held for one unit only
        self.foreground = threading.Event()    # set while a control is answered: the background pauses
        self.controls = {
            "depth": W.IntSlider(value=depth, min=1, max=max_depth, description="depth",
                                 continuous_update=False),          # one redraw on release
            "norm": W.ToggleButtons(options=["pre", "post"], value="post", description="LayerNorm",
                                    style={"button_width": "64px"}),
            "init": W.ToggleButtons(options=["xavier", "default"], value="xavier", description="init",
                                    style={"button_width": "72px"}),
            "warmup": W.Checkbox(value=True, description="learning-rate warm-up"),
            "lr": W.SelectionSlider(options=LEARNING_RATES, value=1e-2, description="learning rate",
                                    continuous_update=False, style={"description_width": "initial"},
                                    layout=W.Layout(width="300px")),        # the whole label shows
            "train": W.Button(description=f"Train {steps} steps", icon="play", button_style="primary"),
        }
        self.message, self.caption, self.status = W.HTML(), W.HTML(), W.HTML()
        self.status.add_class("mmviz-status")           # found by the browser tests
        self.status.value = (f"Train adds a curve for the setting named over the right picture ({steps} "
                             "steps, a few seconds at depth 6; the kernel's stop button ends it early)")
        self.progress = W.IntProgress(value=0, min=0, max=steps, layout=W.Layout(width="160px"))
        self.grad_image, self.curve_image = W.Image(format="png"), W.Image(format="png")
        self.grad_picture = GradNormPicture(dpi=CSS_DPI * RATIO)
        self.grad_live = LivePng(self.grad_picture.figure)
        with themed():
            self.curve_figure = Figure(figsize=(5.0, 3.6), dpi=CSS_DPI * RATIO)
            self.curve_axes = self.curve_figure.add_axes((0.14, 0.16, 0.83, 0.7))
        self.positions_only = position_only_baseline(VOCAB, VOCAB)[0]
        self.curve_live = LivePng(self.curve_figure)
        self.grad_png = self.curve_png = b""
        self.grad_shown = self.curve_frame = self.curve_style = None     # what each picture shows
        self.curve_lines: dict = {}
        self.placeholder = None
        c = self.controls
        for name in ("depth", "norm", "init", "warmup", "lr"):
            c[name].observe(self.on_change, names="value")
        c["train"].on_click(self.on_train)
        wrap = W.Layout(flex_flow="row wrap", align_items="center")
        self.view = W.VBox([W.Box([c["depth"], c["norm"]], layout=wrap),
                            W.Box([c["init"], c["warmup"], c["lr"]], layout=wrap),
                            W.Box([c["train"], self.progress, self.status], layout=wrap), self.message,
                            picture_row([self.grad_image, self.curve_image]), self.caption])
        self.on_change()
        self.prefetch = threading.Thread(target=self.measure_all, args=(max_depth,), daemon=True)
        if prefetch:
            BACKGROUND.append(self.prefetch)
            self.prefetch.start()

    def measure_all(self, max_depth):
        """Fill the cache for every depth and both initialisations, nearest to the shown depth first
        (re-read after every unit, so the pass follows the slider); pause while a control is answered."""
        lower_priority()
        todo = {(d, init, norm) for d in range(1, max_depth + 1) for init in ("xavier", "default")
                for norm in ("pre", "post")}
        while todo and not STOP.is_set():
            while self.foreground.is_set() and not STOP.is_set():
                STOP.wait(0.02)
            depth, init = self.key()
            unit = min(todo, key=lambda u: (u[1] != init, abs(u[0] - depth), u))
            todo.discard(unit)
            self.measure_unit(*unit)

    def measure_unit(self, depth, init, norm):
        """One placement at one depth: the smallest piece of work, so that nobody waits long for it."""
        with self.measuring:
            if (depth, init, norm) not in self.units:
                # torch's thread count is global to the process: only the kernel's thread may change it
                # (a background thread restoring it could leave later cells on one thread)
                foreground = threading.current_thread() is threading.main_thread()
                with one_thread() if foreground else contextlib.nullcontext():
                    self.units[depth, init, norm] = grad_norms_at_init(norm, depth, self.dim, self.heads,
                                                                       self.seed, init)
            if all((depth, init, n) in self.units for n in ("pre", "post")):
                self.norm_cache[depth, init] = {n: self.units[depth, init, n] for n in ("pre", "post")}
        return self.units[depth, init, norm]

    def measure(self, depth, init):
        for norm in ("pre", "post"):
            self.measure_unit(depth, init, norm)
        return self.norm_cache[depth, init]

    def key(self):
        c = self.controls
        return c["depth"].value, c["init"].value

    def grad_norms(self):
        """The shown depth's norms, measured now if the background has not (it is paused meanwhile)."""
        if self.key() not in self.norm_cache:
            depth, init = self.key()
            self.say(f"measuring gradient norms at depth {depth} ({init} init)…")
        return self.measure(*self.key())

    def on_change(self, change=None):
        """Answer a control; the background pass waits until the picture is sent."""
        self.foreground.set()
        try:
            self.redraw(change)
        finally:
            self.foreground.clear()

    def redraw(self, change=None):
        if change is not None and change["owner"] in (self.controls["warmup"], self.controls["lr"]):
            return self.draw_curves()            # training settings do not change gradients at init
        try:
            norms = self.grad_norms()
        except ValueError as error:
            self.say(f"Cannot measure this: {error}", error=True)
            return
        self.say("")
        depth, init = self.key()
        picture = self.grad_picture
        if self.grad_shown != (depth, init):     # other norms: other scales and ticks, one full draw
            picture.draw(norms, title=f"gradient norm per layer at init, depth {depth}, {init} init")
            self.grad_shown = (depth, init)
            self.grad_live.invalidate()
        for norm, line in picture.lines.items():  # pre/post alone changes which line is bold
            line.set_linewidth(2.5 if norm == self.controls["norm"].value else 1.0)
            line.set_alpha(1.0 if norm == self.controls["norm"].value else 0.45)
        over_lines = [*picture.ax.spines.values(), picture.ax.get_legend()]      # their z-order
        self.grad_png = show_png(self.grad_image, self.grad_live.render([*picture.lines.values(),
                                                                         *over_lines]))
        self.caption.value = what_to_look_for_in_norms(self.controls["norm"].value, init, depth)
        self.draw_curves()

    @themed()
    def draw_curves(self):
        """The training curves of the shown depth and init, the chosen setting's bold (or a note that
        there is none yet). New curves redraw the axes; a new choice or title only the lines and texts."""
        c, ax = self.controls, self.curve_axes
        depth, init = self.key()
        chosen = (c["norm"].value, c["warmup"].value, c["lr"].value)
        here = {k[2:]: v for k, v in sorted(self.curves.items()) if k[:2] == (depth, init)}
        frame = tuple((k, len(v)) for k, v in here.items())
        # The title names the setting Train would run (or the bold curve): every control shows on it.
        setting = f"{chosen[0]}-norm, {'with' if chosen[1] else 'no'} warm-up, lr {chosen[2]:g}"
        mark = "bold" if chosen in here else "not trained yet"
        style = (chosen, f"sorting task, depth {depth}, {init} init\n{setting} ({mark})")
        if frame == self.curve_frame and style == self.curve_style:
            return                               # the same picture: no redraw (a depth with no curve)
        if frame != self.curve_frame:            # other curves: other limits and ticks, one full draw
            ax.clear()
            self.curve_lines = {
                (norm, warmup, lr): ax.plot(range(1, len(losses) + 1), losses, color=NORM_COLOURS[norm],
                                            ls="-" if warmup else "--",
                                            label=f"{norm}-norm, {'with' if warmup else 'no'} warm-up, "
                                                  f"lr {lr:g}")[0]
                for (norm, warmup, lr), losses in here.items()}
            self.reference_lines(ax, max((max(v) for v in here.values()), default=0.0))
            ax.set(xlabel="step", ylabel="training loss")
            ax.grid(True, alpha=0.3)
            self.placeholder = ax.text(0.5, 0.3, "", transform=ax.transAxes, ha="center", va="center",
                                       color="#666666")             # under both reference lines
            self.curve_frame = frame
            self.curve_live.invalidate()
        self.curve_style = style
        for key, line in self.curve_lines.items():
            bold = key == chosen
            line.set_linewidth(2.2 if bold else 1.0)
            line.set_alpha(1.0 if bold else 0.5)
        ax.set_title(style[1], fontsize=10)
        legend = [ax.legend(frameon=False, fontsize=8, loc="lower left")] if here else []   # the bold line
        self.placeholder.set_text("" if here else f"no curve at this depth yet:\npress Train ({setting})")
        dynamic = [*self.curve_lines.values(), *ax.spines.values(), self.placeholder, ax.title, *legend]
        self.curve_png = show_png(self.curve_image, self.curve_live.render(dynamic))

    def reference_lines(self, ax, highest=0.0):
        """What a loss means here: ln 8, a uniform guess over the 8 symbols (a run that ends there learned
        nothing), and the best a model that sees only positions can do (below it, the model reads tokens)."""
        for level, text in ((GUESS, f"ln {VOCAB} = {GUESS:.2f}: a uniform guess (learned nothing)"),
                            (self.positions_only, f"{self.positions_only:.2f}: positions only "
                                                  "(below: it reads the tokens)")):
            ax.axhline(level, color="#777777", lw=1.0, ls=":", zorder=1)
            ax.text(0.99, level, text, transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                    fontsize=8, color="#555555")
        ax.set_ylim(0, max(GUESS + 0.45, min(highest, 20.0) * 1.05))   # both lines show, before any curve too
        self.reference = {"guess": GUESS, "positions only": self.positions_only}

    def on_train(self, button=None):
        """Train one curve with a progress bar; the kernel's stop button ends the run early, and the
        steps trained so far are kept and drawn (the status says how many)."""
        c = self.controls
        depth, init = self.key()
        key = (depth, init, c["norm"].value, c["warmup"].value, c["lr"].value)
        c["train"].disabled = True
        self.progress.max, self.progress.value = self.steps, 0
        losses, interrupted = [], False

        def tick(step, so_far):
            self.progress.value = step + 1
            losses[:] = so_far

        try:
            with one_thread():
                norm_training_curve(c["norm"].value, depth, init=init, warmup=c["warmup"].value,
                                    steps=self.steps, seed=self.seed, lr=c["lr"].value, callback=tick)
        except ValueError as error:
            self.say(f"Cannot train this: {error}", error=True)
        except KeyboardInterrupt:                       # the stop button: keep what was trained
            interrupted = True
        finally:
            c["train"].disabled = False
        if losses:
            self.curves[key] = list(losses)
            end = losses[-1]
            verdict = ("learned nothing (at ln 8)" if end > GUESS - 0.1 else
                       "no better than positions alone" if end > self.positions_only - 0.05 else
                       "reads the tokens (below positions only)")
            self.status.value = (f"{'interrupted after' if interrupted else 'trained'} {len(losses)} steps "
                                 f"at depth {depth}: final loss {end:.2f}, {verdict}")
        self.draw_curves()

    def pictures(self):
        return [self.grad_png, self.curve_png]

    def describe(self):
        c = self.controls
        return (f"depth {c['depth'].value} of 1–{self.max_depth}, {c['norm'].value}-norm, "
                f"{c['init'].value} init, "
                f"lr {c['lr'].value:g}")


def norm_explorer(**options: Any) -> NormExplorer:
    """A live explorer of pre- vs post-norm: gradient norms per layer at init and a short training curve.

    options: depth=6 (where it opens), max_depth (the slider's end; default max(24, depth + 8), always
    above the opening depth), dim=64, heads=4, steps=150 (Train: ~5 s at depth 6 on a quiet core, a
    progress bar, the kernel's stop button ends it early), seed=0, prefetch=True.
    """
    return NormExplorer(**options)
