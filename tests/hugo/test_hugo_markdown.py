"""Markdown fixtures against Hugo's own HTML (see hugo_fixtures.py): math where the site's
config puts it, and Goldmark's text rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hugo_fixtures import CASES, browser_math, figdown_render, hugo_render, same_html, words


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_renders_as_hugo_renders_it(case: Path, tmp_path: Path) -> None:
    expected = case / "hugo.html"
    if os.environ.get("FIGDOWN_REGENERATE"):
        expected.write_text(hugo_render(case, tmp_path), encoding="utf-8")
    hugo = expected.read_text(encoding="utf-8")
    ours = figdown_render(case)
    # Goldmark ends a paragraph at a display formula; figdown keeps the formula in it, so
    # for math the words and formulas are compared, elsewhere the HTML. `katex`: Hugo has
    # no math there, and the formulas are what a math library in the browser would find.
    compare = (case / "COMPARE").read_text().strip() if (case / "COMPARE").is_file() else ""
    if compare == "katex":
        assert words(ours) == words(browser_math(hugo))
    elif compare == "words":
        assert words(ours) == words(hugo)
    else:
        assert same_html(ours) == same_html(hugo)
