"""SVG figures in their pages: the style's ink as custom properties, the data left as drawn,
ids of their own, and a width below which they scroll rather than shrink their text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from figure_site import write_figure_site
from theme_support import build_site

from figdown.execute.blocks import FigureFile
from figdown.execute.ink import ink_colours, mark_ink
from figdown.markdown.figure_html import legible_width
from figdown.markdown.figure_svg import page_svg


def _to_hex(value: object) -> str:
    from matplotlib.colors import to_hex

    return str(to_hex(value))  # type: ignore[arg-type]


def test_the_ink_of_matplotlibs_default_style_is_its_black_greys_and_white() -> None:
    from matplotlib import rcParamsDefault

    assert ink_colours(rcParamsDefault, _to_hex) == {
        "#000000": "text", "#b0b0b0": "grid", "#cccccc": "grid", "#ffffff": "paper"}


def test_a_colour_two_roles_share_takes_the_first() -> None:
    rc = {"text.color": "#333333", "axes.edgecolor": "#333333", "grid.color": "auto"}
    assert ink_colours(rc, _to_hex) == {"#333333": "text"}


def test_ink_becomes_a_custom_property_and_data_colours_stay() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><path style="fill: none; stroke: #333333"/>'
           '<path style="stroke: #1f77b4"/><image xlink:href="data:image/png;base64,AAA#333333"/>'
           "</svg>")
    marked = mark_ink(svg, {"#333333": "axis"})
    assert 'style="fill: none; stroke: var(--fig-axis, #333333)"' in marked
    assert 'style="stroke: #1f77b4"' in marked
    assert "base64,AAA#333333" in marked


def test_black_ink_matplotlib_leaves_implicit_is_set_on_the_root() -> None:
    marked = mark_ink('<svg xmlns="http://www.w3.org/2000/svg"><text>1</text></svg>',
                      {"#000000": "text"})
    assert marked.startswith('<svg style="fill: var(--fig-text, #000000)"')
    assert mark_ink("<svg><text>1</text></svg>", {"#333333": "text"}) == "<svg><text>1</text></svg>"


def _draw(code: str) -> str:
    """An SVG matplotlib draws in a fresh interpreter, with its default style."""
    script = ("import io, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
              f"{code}\nbuffer = io.StringIO()\nplt.savefig(buffer, format='svg')\n"
              "print(buffer.getvalue())")
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True).stdout


def test_two_figures_of_a_page_share_no_id_and_keep_their_references() -> None:
    svg = _draw("plt.plot([0, 1], [0, 1], 'o-')")
    first = page_svg(svg, "a-svg", 576, 432, "first")
    second = page_svg(svg, "b-svg", 576, 432, "second")
    ids = re.findall(r'\bid="([^"]*)"', first + second)
    assert ids and len(ids) == len(set(ids))
    for html, prefix in ((first, "a-svg"), (second, "b-svg")):
        references = re.findall(r'(?:url\(#|href="#)([^")]+)', html)
        assert references and all(r.startswith(prefix + "-") for r in references)
        assert set(references) <= set(re.findall(r'\bid="([^"]*)"', html))
        assert "<?xml" not in html and "<metadata>" not in html
        assert re.search(r"<path\b(?![^>]*\sd=)", html) is None


def test_the_inline_svg_is_sized_in_css_pixels_and_named() -> None:
    html = page_svg(_draw("plt.plot([0, 1])"), "p", 576, 432, 'a "line"')
    root = html[:html.index(">") + 1]
    assert 'width="576" height="432"' in root and 'viewBox="0 0 460.8 345.6"' in root
    assert 'role="img" aria-label="a &quot;line&quot;"' in root


def test_a_figure_shrinks_only_as_far_as_its_smallest_text_stays_legible() -> None:
    figure = FigureFile("a/b.svg", "svg", 576, 336, text_px=13.33)
    assert legible_width(figure) == 389  # 576 × 9 / 13.33
    assert legible_width(FigureFile("a/b.svg", "svg", 576, 336, text_px=6.0)) == 576
    assert legible_width(FigureFile("a/b.svg", "svg", 576, 336)) == 0


def test_a_built_page_holds_its_svg_figures_inline_with_their_ink_marked(tmp_path: Path) -> None:
    build_site(tmp_path / "out", write_figure_site(tmp_path / "site"))
    html = (tmp_path / "out" / "posts" / "figures" / "index.html").read_text(encoding="utf-8")
    assert "<img" not in html.split("<main", 1)[1].split('id="dot"', 1)[0]
    assert html.count('<svg class="figure-svg"') == 2
    assert "var(--fig-text, #1d1f23)" in html and "var(--fig-axis, #555c67)" in html
    assert "stroke: #2f77c9" in html  # the first line keeps the palette's blue
    assert "font-family: var(--fig-font, 'DejaVu Sans', sans-serif)" in html
    assert '<image xlink:href="data:image/png;base64,' in html  # the heat map, untouched
    ids = re.findall(r'\bid="([^"]*)"', html)
    assert len(ids) == len(set(ids))
    assert re.search(r'<div class="figure-frame figure-svg" style="--legible-width: \d+px">'
                     r'<svg class="figure-svg"', html)
    assert '<div class="figure-frame figure-video"' in html
    # the file itself is still published, for feeds and links
    assert (tmp_path / "out" / "posts" / "figures" / "heat.svg").is_file()
