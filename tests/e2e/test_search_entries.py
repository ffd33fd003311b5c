"""Search entries read as the page does: math as its TeX source, no space before
punctuation, the date as the pages write it."""

from __future__ import annotations

import json
from pathlib import Path

from figure_site import write_figure_site
from theme_support import build_site

POST = '''---
title: "Gates"
date: 2024-12-03
---

The gate is $x\\,\\Phi(x) = \\frac{x}{2}\\left(1 + \\operatorname{erf}(x/\\sqrt{2})\\right)$,
smooth like [SiLU](/posts/figures/). See **GELU** (the *Gaussian* one); it is
$\\operatorname{ReLU}'(x)$ almost everywhere.
'''


def test_a_search_entry_holds_tex_clean_punctuation_and_the_shown_date(tmp_path: Path) -> None:
    site = write_figure_site(tmp_path / "site", POST, config="math: true\n")
    build_site(tmp_path / "out", site)
    index = json.loads((tmp_path / "out" / "index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index if e["title"] == "Gates")
    text = entry["text"]
    assert ("The gate is x\\,\\Phi(x) = \\frac{x}{2}\\left(1 + \\operatorname{erf}"
            "(x/\\sqrt{2})\\right), smooth like SiLU.") in text
    assert "See GELU (the Gaussian one); it is \\operatorname{ReLU}'(x) almost" in text
    assert " ." not in text and " ," not in text and "( " not in text
    assert entry["date"] == "2024-12-03"  # for sorting
    assert entry["shown"] == "December 3, 2024"
    page = (tmp_path / "out" / "posts" / "figures" / "index.html").read_text(encoding="utf-8")
    assert "December 3, 2024</time>" in page
