"""What a shortcode is given: its arguments, and what it may know of its page and site."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from figdown.load.markup import Highlight


@dataclass(frozen=True)
class Args:
    """A shortcode's parameters: positional or named, as Hugo allows one kind per call."""

    positional: tuple[str, ...] = ()
    named: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str, position: int | None = None, default: str = "") -> str:
        if name in self.named:
            return self.named[name]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return default


@dataclass(frozen=True)
class PageRef:
    """What `ref`/`relref` know of a page: where its file is and what its URL is."""

    rel: str  # content-relative source: posts/x.md, posts/y/index.md
    url: str  # site path: /posts/x/


@dataclass(frozen=True)
class ShortcodeContext:
    """Everything a page's shortcodes may need, read-only."""

    path: str  # the page's file, for messages: content/posts/x.md
    body_line: int  # file line of the body's first line
    rel: str  # content-relative source of the page
    url: str  # the page's site path
    base_url: str
    base_path: str
    pages: Sequence[PageRef] = ()
    params: Mapping[str, Any] = field(default_factory=dict)  # the page's params
    site_params: Mapping[str, Any] = field(default_factory=dict)
    render_inline: Callable[[str], str] = escape
    highlight: Highlight = field(default_factory=Highlight)  # markup.highlight


__all__ = ["Args", "PageRef", "ShortcodeContext"]
