"""docs/teaching.md, the lecturer's guide: a section with both plans for every notebook."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


def sections():
    """{notebook number: its section's text}, from the headings '### NN · Title'."""
    parts = re.split(r"^### (\d\d) · .*$", GUIDE.read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_notebook_has_a_section_with_both_plans_what_to_show_and_what_to_watch(src):
    text = sections().get(src.stem[:2])
    assert text is not None, f"docs/teaching.md has no section '### {src.stem[:2]} · …' for {src.name}"
    for part in ("*Goal:*", "**50 min:**", "**90 min:**", "**Live:**", "**Watch for:**"):
        assert part in text, f"{src.stem[:2]}'s section in docs/teaching.md lacks {part}"


def test_each_plan_adds_up_to_its_length():
    for number, text in sections().items():
        for length in (50, 90):
            plan = re.search(rf"\*\*{length} min:\*\*(.*?)(?=\n- \*\*|\Z)", text, re.S)[1]
            minutes = [int(m) for m in re.findall(r"(?<![\w.])(\d{1,2})(?=\s*·|\.(?:\s|$))", plan)]
            assert sum(minutes) == length, (number, length, minutes)


def test_the_guide_is_plain_markdown():
    text = GUIDE.read_text()
    assert not re.search(r"<(details|div|span|br|img|a)\b", text), "no HTML: the book renders plain MyST"
