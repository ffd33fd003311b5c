"""The HTML of the values a block showed (its last expression, `display(obj)`): tables and
HTML sanitised with nh3, SVG as an image, Markdown rendered, anything else as text."""

from __future__ import annotations

from html import escape

import nh3
from markdown_it import MarkdownIt

from figdown.execute.blocks import Display

# What a rich output may hold: ammonia's safe defaults, and the table attributes
# a DataFrame's HTML uses.
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "th": {"colspan", "rowspan", "scope"},
               "td": {"colspan", "rowspan", "class"}}


def sanitise(html: str) -> str:
    """HTML from a block's object, with scripts, styles, event handlers and the like gone."""
    return str(nh3.clean(html, attributes=_ATTRIBUTES))


def display_html(display: Display, md: MarkdownIt, alt: str, label: str) -> str:
    """One shown value as HTML, in the page's own markup; `label` names a table's scrolling
    region (each region of a page needs a name of its own)."""
    if display.kind == "table":
        return (f'<div class="table-wrap block-table" role="region" aria-label="{escape(label)}" '
                f'tabindex="0">{sanitise(display.data)}</div>\n')
    if display.mime == "text/html":
        return f'<div class="block-display">{sanitise(display.data)}</div>\n'
    if display.mime == "text/markdown":
        return f'<div class="block-display">{sanitise(str(md.render(display.data)))}</div>\n'
    if display.mime in ("image/svg+xml", "image/png"):  # a script in an SVG image cannot run
        return (f'<div class="block-display"><img src="data:{display.mime};base64,'
                f'{escape(display.data.strip())}" alt="{escape(alt)}"></div>\n')
    return f'<pre class="block-output block-value"><code>{escape(display.data)}</code></pre>\n'
