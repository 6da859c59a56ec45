"""Self-checks added for notebooks 00–03: the hint answers the mistake the reader made."""
from mmviz import check


def test_layernorm_norm_hint_recognises_the_squared_length(capsys):
    assert check.layernorm_norm(64, dim=64) is False
    assert "squared length" in capsys.readouterr().out
    assert check.layernorm_norm(7, dim=64) is False
    out = capsys.readouterr().out
    assert "squared length" not in out and "8.000" not in out      # the hint does not give the answer


def test_pre_norm_depth_factor(capsys):
    assert check.pre_norm_depth_factor(0.71) is True
    assert check.pre_norm_depth_factor(1.0) is False
    assert "does not shrink" in capsys.readouterr().out.splitlines()[-1]
    assert check.pre_norm_depth_factor(0.5) is False
    assert "1/L" in capsys.readouterr().out
