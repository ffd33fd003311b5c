"""The default figure style: matplotlib rcParams that match the default theme (its ink
colours, a palette that reads on the light and the dark page, text sized for a phone), and
the font of a figure's text handed to the page."""

from __future__ import annotations

import re
from types import MappingProxyType

# Eight data colours, each at 3:1 or more against both the light (#ffffff) and the dark
# (#161616) page, since data keeps its colours in both schemes.
PALETTE = ("#2f77c9", "#e0702a", "#2a9a62", "#d6455d", "#8b68d6", "#1f9bb0", "#b08a16",
           "#868c96")

# Text at 11.5 pt is 15.3 CSS px on the page: a 6-inch figure keeps it at 9 px or more down
# to a 338 px column, a 375 px phone's.
THEME_STYLE = MappingProxyType({
    "figure.figsize": (6.0, 3.5),
    "figure.constrained_layout.use": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # bundled with matplotlib: the same layout anywhere
    "font.size": 11.5,
    "axes.titlesize": "large",
    "axes.titleweight": "bold",  # DejaVu Sans has no semibold: matplotlib would warn on every title
    "axes.labelsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "legend.fontsize": "medium",
    "text.color": "#1d1f23",
    "axes.labelcolor": "#1d1f23",
    "axes.edgecolor": "#555c67",
    "xtick.color": "#555c67",
    "ytick.color": "#555c67",
    "xtick.labelcolor": "#1d1f23",
    "ytick.labelcolor": "#1d1f23",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#d9dee4",
    "grid.linewidth": 0.8,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "#d9dee4",
    "axes.prop_cycle": "cycler('color', " + repr(list(PALETTE)) + ")",
    "lines.linewidth": 2.0,
    "svg.fonttype": "none",  # text as text: the page's font, selectable, and measurable
})

# The family matplotlib writes for text in the style's own font.
_STYLE_FONT = re.compile(r"font-family: 'DejaVu Sans', sans-serif")


def mark_font(svg: str) -> str:
    """The SVG with text in the style's font set as `var(--fig-font, …)`: the page's own
    font where the theme sets it, the drawn one elsewhere; other fonts stay as chosen."""
    return _STYLE_FONT.sub("font-family: var(--fig-font, 'DejaVu Sans', sans-serif)", svg)
