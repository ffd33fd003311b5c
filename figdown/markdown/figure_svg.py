"""An SVG figure written into its page: inline, so that the page's colour scheme reaches its
ink (see execute/ink.py), with ids of its own so that two figures of a page never share one."""

from __future__ import annotations

import re
from html import escape

_ROOT = re.compile(r"<svg\b[^>]*>")
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'\sid="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')
_PATH_WITHOUT_DATA = re.compile(r"<path\b(?![^>]*\sd=)")  # matplotlib's glyph for a space
_KEPT_ROOT_ATTRIBUTES = re.compile(r'\s(xmlns(?::xlink)?|viewBox|style)="[^"]*"')


def page_svg(svg: str, prefix: str, width: int, height: int, label: str) -> str:
    """The SVG as an element of a page: no XML prolog or metadata, its size in CSS pixels,
    an accessible name, every id it refers to prefixed (the others dropped), and every
    path with the `d` HTML requires."""
    root = _ROOT.search(svg)
    if root is None:
        return ""
    kept = "".join(m.group(0) for m in _KEPT_ROOT_ATTRIBUTES.finditer(root.group(0)))
    head = (f'<svg class="figure-svg"{kept} width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(label)}">')
    body = _METADATA.sub("", svg[root.end():])
    referenced = {m.group(2) for m in _REFERENCE.finditer(body)}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{prefix}-{name}"' if name in referenced else ""

    body = _ID.sub(rename, body)
    body = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body)
    body = _PATH_WITHOUT_DATA.sub('<path d=""', body)  # HTML requires `d`
    return head + body.strip() + "\n"
