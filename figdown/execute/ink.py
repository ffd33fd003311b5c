"""A figure's ink in an SVG: the colours of the active style (text, axes, ticks, grid, legend
frame, backgrounds) written as CSS custom properties, so that a page's colour scheme can set
them; every other colour (the data a block drew, colormaps, images) is left as drawn."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# The role of each ink rcParam, in order of precedence: a colour two roles share takes the
# first. The theme sets one custom property per role (--fig-text, …) for dark pages.
INK_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("text", ("text.color", "axes.labelcolor", "axes.titlecolor", "xtick.labelcolor",
              "ytick.labelcolor", "legend.labelcolor")),
    ("axis", ("axes.edgecolor", "xtick.color", "ytick.color")),
    ("grid", ("grid.color", "legend.edgecolor")),
    ("paper", ("figure.facecolor", "axes.facecolor", "legend.facecolor", "savefig.facecolor")),
)

# matplotlib writes colours as `fill: #rrggbb` / `stroke: #rrggbb` in style attributes
_PAINT = re.compile(r"\b(fill|stroke): (#[0-9a-f]{6})\b")
_SVG_OPEN = re.compile(r"<svg\b")


def ink_colours(rc: Mapping[str, object], to_hex: Callable[[object], str]) -> dict[str, str]:
    """Each ink colour of a style (lower-case `#rrggbb`) and its role; `to_hex` is
    matplotlib's, and raises ValueError for values that are not colours ("auto", "inherit")."""
    found: dict[str, str] = {}
    for role, keys in INK_ROLES:
        for key in keys:
            value = rc.get(key)
            if value is None or (isinstance(value, str) and value.lower() == "none"):
                continue
            try:
                colour = to_hex(value).lower()
            except (ValueError, TypeError):
                continue
            found.setdefault(colour, role)
    return found


def mark_ink(svg: str, ink: Mapping[str, str]) -> str:
    """The SVG with each ink colour painted as `var(--fig-ROLE, #colour)`: as drawn where no
    page sets the property (the file on its own, a feed reader), the theme's colour where it
    does. Black, which matplotlib leaves implicit, is set on the root when it is ink."""

    def paint(match: re.Match[str]) -> str:
        prop, colour = match.group(1), match.group(2)
        role = ink.get(colour)
        return f"{prop}: var(--fig-{role}, {colour})" if role else match.group(0)

    marked = _PAINT.sub(paint, svg)
    black = ink.get("#000000")
    if black:
        marked = _SVG_OPEN.sub(f'<svg style="fill: var(--fig-{black}, #000000)"', marked, count=1)
    return marked
