"""mmviz.evidence's machinery on a made-up experiment: judges count k of n, the CLI lists, reruns,
checks and writes, and bad input is refused with a message that names it."""
import json

import pytest

from mmviz import evidence
from mmviz.evidence import core
from mmviz.evidence.__main__ import main, parse_seeds


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """Notebook 99 with one experiment (value = seed / 10) and two claims; evidence in tmp_path."""
    evidence.notebooks()                          # the real notebooks registered first
    before = dict(core.EXPERIMENTS), dict(core.CLAIMS)
    monkeypatch.setattr(core, "_path", lambda nb: tmp_path / f"{nb}.json")

    @core.experiment("99", seeds=range(4), steps=3)
    def tenths(seed):
        return {"x": seed / 10, "y": 1.0, "curve": [seed, seed + 1], "curve_steps": [1, 2]}

    core.claim("99", "x-small", "x stays below 0.45 on every seed.", tenths, core.share_at_most("x", 0.45))
    core.claim("99", "y-above-x", "y exceeds x by 0.5 on 3 of 4 seeds.", "tenths",
               core.gap("y", "x", 0.5, share=0.75))
    yield tmp_path
    for registry, kept in zip((core.EXPERIMENTS, core.CLAIMS), before):
        registry.clear()
        registry.update(kept)


def test_judges_count_k_of_n():
    s = evidence.Seeds([0, 1, 2, 3], {"a": [0.9, 0.95, 0.5, 0.99], "b": [0.1, 0.2, 0.3, 0.4]})
    v = core.share_at_least("a", 0.9, share=0.75)(s)
    assert v.holds and v.measured.startswith("3 of 4 seeds >= 90.0 %")
    assert not core.share_at_least("a", 0.9)(s).holds
    assert core.gap("a", "b", 0.2, share=1.0)(s).holds
    assert not core.gap("a", "b", 0.5, share=1.0)(s).holds
    v = core.estimate(core.mean_of("b"), 0.2, 0.3)(s)
    assert v.holds and "interval" in v.measured
    assert not core.both(core.share_at_most("b", 0.3), core.gap("a", "b", 0.2))(s).holds


def test_bootstrap_interval_contains_the_mean():
    values = [0.1 * i for i in range(20)]
    low, high = core.bootstrap(values, lambda v: sum(v) / len(v))
    assert low < sum(values) / 20 < high and high - low < 1


def test_register_refuses_twice_and_bad_names(fake):
    with pytest.raises(ValueError, match="twice"):
        core.claim("99", "x-small", "again", "tenths", core.share_at_most("x", 1))
    with pytest.raises(ValueError, match="does not have"):
        core.claim("99", "other", "s", "nothing", core.share_at_most("x", 1))
    with pytest.raises(ValueError, match="two digits"):
        core.claim("9", "other", "s", "tenths", core.share_at_most("x", 1))
    with pytest.raises(ValueError, match="lower-case"):
        core.claim("99", "Bad Name", "s", "tenths", core.share_at_most("x", 1))


def test_cli_lists_writes_and_checks(fake, capsys):
    assert main(["99", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["99 x-small: x stays below 0.45 on every seed.",
                   "99 y-above-x: y exceeds x by 0.5 on 3 of 4 seeds."]
    assert main(["99", "--write", "--processes", "1"]) == 0
    stored = json.loads((fake / "99.json").read_text())["experiments"]["tenths"]
    assert stored["seeds"] == [0, 1, 2, 3] and stored["values"]["x"] == [0.0, 0.1, 0.2, 0.3]
    assert stored["setup"] == {"steps": 3} and stored["curves"]["curve"][2] == [2.0, 3.0]
    nb = evidence.Notebook("99")
    assert nb.all_hold() and nb["x-small"].measured.startswith("4 of 4 seeds")
    capsys.readouterr()
    assert main(["99", "--seeds", "3-5", "--check", "--processes", "1"]) == 1     # x = 0.5 on seed 5
    out = capsys.readouterr().out
    assert "x-small: DOES NOT HOLD" in out and "y-above-x: HOLDS" in out and "1 of 2 claims hold" in out
    assert main(["99", "--seeds", "0-3", "--check", "--claim", "x-small", "--processes", "2"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["42", "--list"], "no claims for notebook"),
    (["99", "--claim", "nope", "--list"], "unknown claim"),
    (["99"], "say which seeds"),
    (["99", "--seeds", "5-2"], "seeds are a range"),
    (["99", "--seeds", "a-b"], "seeds are a range"),
])
def test_cli_refuses_bad_input_by_name(fake, argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_parse_seeds():
    assert parse_seeds("100-103") == [100, 101, 102, 103] and parse_seeds("3,5,9-10") == [3, 5, 9, 10]


def test_load_names_what_is_missing(fake):
    with pytest.raises(ValueError, match="python -m mmviz.evidence 99 --write"):
        evidence.load("99", "tenths")
