"""Self-checks added for notebooks 00–03: the hint answers the mistake the reader made."""
from mmviz import check


def test_layernorm_norm_hint_answers_the_squared_length(capsys):
    assert check.layernorm_norm(64, dim=64) is False
    assert "square root" in capsys.readouterr().out                # 64 is the squared length
    assert check.layernorm_norm(7, dim=64) is False
    assert "8.000" not in capsys.readouterr().out                  # the hint does not give the answer


def test_pre_norm_depth_factor(capsys):
    assert check.pre_norm_depth_factor(0.71) is True
    assert check.pre_norm_depth_factor(1.0) is False
    assert "does not shrink" in capsys.readouterr().out.splitlines()[-1]
    assert check.pre_norm_depth_factor(0.5) is False
    assert "1/L" in capsys.readouterr().out


def test_most_attended_names_the_brightest_column_without_giving_it_away(capsys):
    words = ["a", "red", "circle"]
    weights = [[1.0, 0.0, 0.0], [0.1, 0.2, 0.7], [0.0, 0.0, 1.0]]
    assert check.most_attended("circle", weights, words, query=1) is True
    capsys.readouterr()
    assert check.most_attended("red", weights, words, query=1) is False
    out = capsys.readouterr().out
    assert "0.20" in out and "circle" not in out
    assert check.most_attended("banana", weights, words, query=1) is False
    assert "choose one of" in capsys.readouterr().out


def test_foundation_checks_never_raise_on_an_unreadable_answer(capsys):
    assert check.pre_norm_depth_factor("about a half") is False
    assert check.most_attended(None, [[1.0]], ["a"], query=0) is False
    assert capsys.readouterr().out.count("Not yet") == 2


def test_causal_mask_hint_names_the_mistake(capsys):
    import torch

    want = torch.triu(torch.ones(8, 8, dtype=torch.bool), diagonal=1)
    assert check.causal_mask(want, tokens=8) is True
    for wrong, words in ((~want, "flip it"), (want.T, "hides the past"),
                         (want | torch.eye(8, dtype=torch.bool), "diagonal"), (torch.zeros(3, 3), "(8, 8)")):
        capsys.readouterr()
        assert check.causal_mask(wrong, tokens=8) is False
        assert words in capsys.readouterr().out


def test_all_seeds_succeed(capsys):
    assert check.all_seeds_succeed("0.9**5", rate=0.9, seeds=5) is True
    assert check.all_seeds_succeed("59%", rate=0.9, seeds=5) is True
    for wrong, words in ((0.9, "one seed"), (4.5, "at most 1"), (1e-5, "FAIL"), (0.3, "independently")):
        capsys.readouterr()
        assert check.all_seeds_succeed(wrong, rate=0.9, seeds=5) is False
        assert words in capsys.readouterr().out
