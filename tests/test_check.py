"""The exercise self-checks: right answers pass, wrong ones say what is wrong, no answer raises."""
import inspect
import math

import pytest
import torch

from mmviz import check

HELPERS = {"verdict", "exercise", "as_tensor", "as_number", "as_bool", "as_choice", "as_indices",
           "parse_number", "normalise"}

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
    (check.playground_missed_seed, {"seeds": [0, 1, 2], "accuracies": [0.99, 0.6, 0.97]}, 1, 2),
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
    checks = [f for name, f in inspect.getmembers(check, inspect.isfunction)
              if f.__module__ == check.__name__ and name not in HELPERS and not name.startswith("_")]
    assert {c[0] for c in CASES} <= set(checks)
    for f in checks:
        assert next(iter(inspect.signature(f).parameters)) == "answer", f.__name__
        assert f.__doc__ and f.__doc__.strip(), f.__name__


def test_answers_are_read_generously():
    assert check.which_norm_needs_warmup(" Post ")
    assert check.layernorm_norm(torch.tensor(8.0), dim=64)
    assert check.layernorm_norm(math.sqrt(32), dim=32)


def test_bad_arguments_from_the_notebook_still_raise():
    with pytest.raises(ValueError, match="divisible"):
        check.patch_tokens(4, image_size=25, patch_size=4)
    with pytest.raises(ValueError, match="v should be"):
        check.gram_schmidt_step([0.0, 1.0], "nonsense", [1.0, 0.0])


# --- answers in every reasonable form: a verdict, never an exception ---------------------------

import numpy as np  # noqa: E402

from mmviz.fusion import FUSION_VARIANTS  # noqa: E402

# (check, kwargs, forms of the right answer, forms of a wrong answer)
FORMS = [
    (check.attention_edges, {"tokens": 6}, [36, 36.0, np.int64(36), np.float32(36), torch.tensor(36),
                                            np.array([36]), [36], "36", " 36 ", "6*6", "6²", "6^2"],
     [16, "16", np.int64(6), "six"]),
    (check.chance_accuracy, {"classes": 4}, [0.25, "0.25", "1/4", "25%", np.array([0.25]),
                                             torch.tensor([0.25]), np.float64(0.25), "25 %"],
     [0.5, "1/2", "50%"]),
    (check.layernorm_norm, {"dim": 64}, [8, "8", "√64", "sqrt(64)".replace("sqrt", "√"), np.float32(8.0)],
     [64, "64", 1]),
    (check.position_breaks_symmetry, {}, [False, np.False_, "false", "No", torch.tensor(False)],
     [True, np.True_, "yes", "TRUE"]),
    (check.swap_within_modality, {}, [True, np.bool_(True), "yes"], [False, "no"]),
    (check.which_norm_needs_warmup, {}, ["post", "Post", "post-norm", "Post-LN", "postnorm", " POST norm "],
     ["pre", "pre-norm", "Pre-LN"]),
    (check.ignored_modality, {}, ["sensor", "the sensor", "The Sensor.", "sensor modality"],
     ["sound", "the sound", "neither"]),
    (check.why_summation_fails, {}, ["b", "B", "(b)", "b)", "alignment"], ["a", "(c)"]),
    (check.cross_attention_remedy, {},
     ["cross_attention_to_concatenation", "cross-attention → concatenation",
      "Cross-attention to concatenation", "cross attention -> concatenation", "variant 6", "6", np.int64(6)],
     ["cross_attention", "early concatenation", "variant 2", "2"]),
    (check.multi_to_one_special_case, {}, ["early concatenation", "early-concatenation", "variant 2",
                                           "Early Concatenation"], ["cross-attention", "summation"]),
    (check.playground_pick_aligned, {}, ["early summation", "summation", "variant 1"],
     ["hierarchical multi→one", "multi-to-one", "variant 3"]),
    (check.cross_attention_changed_tokens, {"token": 5},
     [[5], 5, "5", "[5]", np.array([5]), torch.tensor([5]), (5,), np.int64(5), [5.0]],
     [[1, 5], "15", [4], "4, 5", list(range(16))]),
    (check.single_key_weight, {}, [1, 1.0, "1", np.float64(1), torch.tensor(1.0)], [0.5, "1/2", 0]),
    (check.concatenation_over_summation, {}, [4, "4", "4x", "four", "4 times"], [2, "2x"]),
    (check.gram_schmidt_step, {"v": [2.0, 1.0, 0.0], "e": [1.0, 0.0, 0.0]},
     [[0.0, 1.0, 0.0], np.array([0, 1, 0]), torch.tensor([0.0, 1.0, 0.0]), "[0, 1, 0]"], [[2.0, 0.0, 0.0]]),
]


@pytest.mark.parametrize("fn, kwargs, rights, wrongs", FORMS, ids=[f[0].__name__ for f in FORMS])
def test_every_reasonable_form_gets_the_right_verdict(fn, kwargs, rights, wrongs, capsys):
    for answer in rights:
        assert fn(answer, **kwargs) is True, f"{answer!r} should be right"
        assert capsys.readouterr().out.startswith("Right: "), answer
    for answer in wrongs:
        assert fn(answer, **kwargs) is False, f"{answer!r} should be wrong"
        assert capsys.readouterr().out.startswith("Not yet: "), answer


@pytest.mark.parametrize("fn, answer, words", [
    (check.single_key_weight, True, "not True"),
    (check.cross_attention_changed_tokens, [5.7], "whole numbers"),
    (check.attention_edges, "many", "does not read as one"),
    (check.attention_edges, float("nan"), "finite"),
    (check.attention_edges, [1, 2], "one number"),
    (check.attention_edges, None, "number"),
    (check.attention_edges, "__import__('os')", "does not read as one"),
    (check.attention_edges, "9**9**9", "does not read as one"),
    (check.position_breaks_symmetry, "maybe", "True or False"),
    (check.position_breaks_symmetry, 0, "True or False"),
    (check.which_norm_needs_warmup, "middle", "choose one of pre, post"),
    (check.cross_attention_remedy, "fusion", "choose one of early_summation"),
    (check.cross_attention_remedy, "concatenation",
     "early_concatenation or cross_attention_to_concatenation"),
    (check.cross_attention_remedy, "variant 9", "numbered 1 to 6"),
    (check.gram_schmidt_step, object(), "vector|array"),
    (check.gram_schmidt_step, "[0, 1", "vector"),
])
def test_an_unreadable_answer_is_not_yet_with_what_to_write_never_an_exception(fn, answer, words, capsys):
    kwargs = {"v": [2.0, 1.0, 0.0], "e": [1.0, 0.0, 0.0]} if fn is check.gram_schmidt_step else {}
    assert fn(answer, **kwargs) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ")
    import re
    assert re.search(words, out), out


@pytest.mark.parametrize("fn, kwargs, answer, words", [
    (check.summation_attention_flops, {"tokens": 8, "dim": 32}, 4 * 16 * 16 * 32, "16 tokens"),
    (check.summation_attention_flops, {"tokens": 8, "dim": 32}, 123, "How many tokens"),
    (check.layernorm_norm, {"dim": 64}, 64, "square root"),
    (check.layernorm_norm, {"dim": 64}, 3, "first"),
    (check.attention_edges, {"tokens": 6}, 6, "nodes"),
    (check.attention_edges, {"tokens": 6}, 30, "self-loops"),
    (check.cross_attention_changed_tokens, {"token": 5}, [4], "leaves out token 5"),
    (check.cross_attention_changed_tokens, {"token": 5}, [5, 6], "also others"),
    (check.which_norm_needs_warmup, {}, "pre-norm", "pre-norm is the one that trains"),
    (check.ignored_modality, {}, "the sound", "keeps the sound"),
    (check.cross_modal_entries, {"token_counts": (16, 2)}, (256 + 4) / 324, "inside the modalities"),
])
def test_the_hint_answers_the_mistake_made(fn, kwargs, answer, words, capsys):
    assert fn(answer, **kwargs) is False
    out = capsys.readouterr().out
    assert words in out, out
    if fn is check.summation_attention_flops and answer == 123:
        assert "16" not in out                      # no mistake about 16 tokens was made


def test_the_cheapest_good_variant_is_explained_by_its_own_structure(capsys):
    from types import SimpleNamespace as Row

    results = {"early_summation": Row(accuracy=0.95, parameters=100),
               "early_concatenation": Row(accuracy=0.97, parameters=200),
               "cross_attention": "refused"}
    assert check.playground_cheapest_good("Early summation", results)
    out = capsys.readouterr().out
    assert "summed tokens" in out and "all tokens" not in out
    assert not check.playground_cheapest_good("variant 5", results)
    assert "did not run" in capsys.readouterr().out
    with pytest.raises(ValueError, match="results"):
        check.playground_cheapest_good("early_summation", [1, 2])


def test_every_check_is_an_exercise_that_cannot_raise_on_its_answer():
    """Checks appended later must be decorated too (else an odd answer shows a traceback)."""
    for name, f in inspect.getmembers(check, inspect.isfunction):
        if f.__module__ == check.__name__ and not name.startswith("_") and name not in HELPERS:
            assert getattr(f, "is_exercise", False), f"{name} is not decorated with @exercise"


def test_as_choice_reads_variant_names_and_numbers_in_the_surveys_order():
    assert check.as_choice("variant 1", FUSION_VARIANTS, numbered=True) == "early_summation"
    assert check.as_choice("hierarchical multi→one", FUSION_VARIANTS) == "hierarchical_multi_to_one"
    assert check.as_choice("one-to-multi", FUSION_VARIANTS) == "hierarchical_one_to_multi"
    assert check.as_choice("cross attention", FUSION_VARIANTS) == "cross_attention"
    with pytest.raises(ValueError, match="choose one of"):
        check.as_choice("6", FUSION_VARIANTS)                 # numbers only where the choices are numbered
