"""The default figure style matches the theme; a site's `figures.style` and a block's
`style` option override it; a style that does not exist is one clear error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from figure_site import write_figure_site

ROOT = Path(__file__).resolve().parents[2]

POST = '''---
title: "Styles"
date: 2024-01-02
---

```python {exec=true, id="themed", alt="a line"}
plt.plot([0, 1], [0, 1], label="line")
plt.legend()
```

```python {exec=true, id="plain", style="default", alt="a line"}
plt.plot([0, 1], [0, 1], label="line")
plt.legend()
```

```python {exec=true, id="after", alt="a line"}
plt.plot([0, 1], [0, 1])
```
'''


def build(site: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "-s", str(site), "-d",
                           str(out), "-q"], capture_output=True, text=True, check=False)


def figure_html(out: Path, block_id: str) -> str:
    html = (out / "posts" / "figures" / "index.html").read_text(encoding="utf-8")
    match = re.search(rf'<figure id="{block_id}".*?</figure>', html, re.DOTALL)
    assert match, block_id
    return match.group(0)


def test_blocks_are_drawn_in_the_theme_style_unless_they_ask_for_another(tmp_path: Path) -> None:
    result = build(write_figure_site(tmp_path / "site", POST), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    themed, plain, after = (figure_html(tmp_path / "out", name)
                            for name in ("themed", "plain", "after"))
    # the theme: its palette, text as text in the page's font, no top or right spine
    assert "stroke: #2f77c9" in themed and "<text" in themed
    assert "var(--fig-font," in themed
    assert 'aria-label="a line"' in themed
    assert themed.count("stroke: var(--fig-axis, #555c67)") < plain.count("var(--fig-text")
    # style="default": matplotlib's own look for that block only
    assert "stroke: #1f77b4" in plain and "<text" not in plain
    assert "stroke: #2f77c9" in after  # the next block is back in the post's style


def test_the_sites_figure_style_overrides_the_themes(tmp_path: Path) -> None:
    config = ("figures:\n  style:\n    lines.linewidth: 5\n"
              "    axes.prop_cycle: \"cycler('color', ['#123456'])\"\n")
    site = write_figure_site(tmp_path / "site", POST, config)
    result = build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    themed = figure_html(tmp_path / "out", "themed")
    assert "stroke: #123456; stroke-width: 5" in themed
    assert "var(--fig-font," in themed  # the rest of the theme style stays


def test_a_style_that_does_not_exist_is_one_line_naming_the_block(tmp_path: Path) -> None:
    site, out = write_figure_site(tmp_path / "site", POST), tmp_path / "out"
    assert build(site, out).returncode == 0
    page = out / "posts" / "figures" / "index.html"
    before = page.read_bytes()
    post = site / "content" / "posts" / "figures.md"
    post.write_text(POST.replace('style="default"', 'style="no-such-style"'), encoding="utf-8")
    result = build(site, out)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert re.match(r"error: content/posts/figures\.md:1[0-9]: block plain: .*no-such-style",
                    errors[0]), errors[0]
    assert "Traceback" not in result.stderr
    assert page.read_bytes() == before


def test_a_style_option_that_is_not_text_is_reported(tmp_path: Path) -> None:
    post = POST.replace('style="default"', "style=3")
    result = build(write_figure_site(tmp_path / "site", post), tmp_path / "out")
    assert result.returncode == 1
    assert "block plain: option style=3 is not a matplotlib style name or file" in result.stderr


def test_the_theme_style_draws_titles_and_labels_without_a_warning(tmp_path: Path) -> None:
    """Nothing the style asks of matplotlib makes it print (a font weight its font lacks
    did, on every titled figure): a block that prints nothing shows no output."""
    post = POST.replace('plt.plot([0, 1], [0, 1])\n```\n',
                        'plt.plot([0, 1], [0, 1])\nplt.title("A title")\nplt.xlabel("x")\n'
                        'plt.suptitle("Two")\n```\n')
    result = build(write_figure_site(tmp_path / "site", post), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "posts" / "figures" / "index.html").read_text(encoding="utf-8")
    assert ">A title<" in html
    assert "block-output" not in html
