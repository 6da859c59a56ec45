"""The exercise self-checks: right answers pass, wrong ones say what is wrong, bad input is a ValueError."""
import inspect
import math

import pytest
import torch

from mmviz import check

# (check, keyword arguments, a right answer, a wrong answer)
CASES = [
    (check.attention_edges, {"tokens": 6}, 36, 16),
    (check.conv_edges, {"tokens": 6, "kernel_size": 3}, 16, 18),
    (check.position_breaks_symmetry, {}, False, True),
    (check.layernorm_norm, {"dim": 64}, 8.0, 64),
    (check.which_norm_needs_warmup, {}, "post", "pre"),
    (check.gram_schmidt_step, {"v": [2.0, 1.0, 0.0], "e": [1.0, 0.0, 0.0]}, [0.0, 1.0, 0.0], [2.0, 0.0, 0.0]),
    (check.patch_count, {"image_size": 24, "patch_size": 6}, 16, 4),
    (check.patch_width, {"channels": 3, "patch_size": 6}, 108, 36),
    (check.chance_accuracy, {"classes": 4}, 0.25, 0.5),
]


@pytest.mark.parametrize("fn, kwargs, right, wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_right_answer_passes_and_wrong_answer_explains(fn, kwargs, right, wrong, capsys):
    assert fn(right, **kwargs) is True
    assert capsys.readouterr().out.startswith("Right: ")
    assert fn(wrong, **kwargs) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and len(out) > 20


def test_every_check_follows_the_contract():
    """Checks appended for later notebooks too: first parameter ``answer``, a docstring of what is asked."""
    helpers = {"verdict", "as_tensor", "as_number", "as_choice"}
    checks = [f for name, f in inspect.getmembers(check, inspect.isfunction)
              if f.__module__ == check.__name__ and name not in helpers]
    assert {c[0] for c in CASES} <= set(checks)
    for f in checks:
        assert next(iter(inspect.signature(f).parameters)) == "answer", f.__name__
        assert f.__doc__ and f.__doc__.strip(), f.__name__


def test_unshuffle_accepts_the_shuffled_outputs_only(capsys):
    out = torch.arange(12.0).reshape(1, 4, 3)
    perm = [2, 0, 3, 1]
    assert check.unshuffle(out[:, perm], out, out[:, perm], perm)
    assert not check.unshuffle(out, out, out[:, perm], perm)
    assert not check.unshuffle(out[:, :3], out, out[:, perm], perm)
    assert "shape" in capsys.readouterr().out


def test_answers_are_read_generously():
    assert check.which_norm_needs_warmup(" Post ")
    assert check.layernorm_norm(torch.tensor(8.0), dim=64)
    assert check.layernorm_norm(math.sqrt(32), dim=32)


@pytest.mark.parametrize("call, word", [
    (lambda: check.attention_edges("many"), "number"),
    (lambda: check.layernorm_norm(float("nan")), "finite"),
    (lambda: check.which_norm_needs_warmup("middle"), "pre"),
    (lambda: check.position_breaks_symmetry("no"), "True or False"),
    (lambda: check.gram_schmidt_step(object(), [1.0, 0.0], [1.0, 0.0]), "answer"),
])
def test_bad_input_is_a_value_error_naming_it(call, word):
    with pytest.raises(ValueError, match=word):
        call()
