"""Argument checks shared by every module: a bad value gets a ValueError that names it."""


def positive_int(value, name):
    """``value`` if it is an int >= 1 (not a bool); otherwise a ValueError naming ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value
