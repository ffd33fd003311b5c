"""Blockquote alerts, as Hugo 0.132+ reads them (GitHub's and Obsidian's syntax):
`> [!NOTE]`, `> [!TIP] A title`, `> [!WARNING]-` (folded) or `[!CAUTION]+` (foldable, open).

The type is the word in brackets, lower-cased (Hugo's `AlertType`); the rest of the first
line is the title (`AlertTitle`), the type's name when there is none; the sign (`AlertSign`)
makes the callout a `<details>` that a reader opens and closes, without JavaScript. The markup
is that of the blockquote render hook in Hugo's documentation: `<blockquote class="alert
alert-note">` with a `<p class="alert-heading">`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_MARKER = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")


def callouts_plugin(md: MarkdownIt) -> None:
    """Turn alert blockquotes into callouts, before inline text is parsed (the title is)."""
    md.core.ruler.before("inline", "figdown_callouts", _find_callouts)
    for name, render in (("blockquote_open", _render_open), ("blockquote_close", _render_close),
                         ("callout_title_open", _render_title_open),
                         ("callout_title_close", _render_title_close)):
        md.add_render_rule(name, render)


def _find_callouts(state: StateCore) -> None:
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "blockquote_open" and index + 2 < len(tokens) and \
                tokens[index + 1].type == "paragraph_open" and tokens[index + 2].type == "inline":
            first, _, rest = tokens[index + 2].content.partition("\n")
            marker = _MARKER.match(first.strip())
            if marker:
                _make_callout(tokens, index, marker, rest)
        index += 1


def _make_callout(tokens: list[Token], index: int, marker: re.Match[str], rest: str) -> None:
    """Mark the blockquote at `index` and its close as a callout; its first line becomes the
    title, the rest of that paragraph stays a paragraph (or goes, when there is none)."""
    kind, sign, title = marker.group(1).lower(), marker.group(2), marker.group(3).strip()
    meta = {"type": kind, "sign": sign}
    open_token, paragraph, inline = tokens[index:index + 3]
    open_token.meta["callout"] = meta
    close = next(i for i in range(index + 1, len(tokens))
                 if tokens[i].type == "blockquote_close" and tokens[i].level == open_token.level)
    tokens[close].meta["callout"] = meta
    heading = [Token("callout_title_open", "", 1), Token("inline", "", 0),
               Token("callout_title_close", "", -1)]
    heading[1].content = title or kind.replace("-", " ").capitalize()
    heading[1].map = inline.map
    heading[1].children = []
    for part in heading:
        part.meta["callout"] = meta
        part.level = paragraph.level
        part.block = True
    heading[1].level = inline.level
    if rest.strip():
        inline.content = rest
        if inline.map:  # the paragraph now starts a line later
            inline.map = [inline.map[0] + 1, inline.map[1]]
        tokens[index + 1:index + 1] = heading
    else:
        tokens[index + 1:index + 4] = heading  # the marker was the whole paragraph


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                 env: dict[str, Any]) -> str:
    meta = tokens[idx].meta.get("callout")
    if meta is None:
        return str(self.renderToken(tokens, idx, options, env))
    classes = f'class="alert alert-{escape(meta["type"])}"'
    if meta["sign"]:
        return f"<details {classes}{' open' if meta['sign'] == '+' else ''}>\n"
    return f'<blockquote {classes} role="note">\n'


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                  env: dict[str, Any]) -> str:
    meta = tokens[idx].meta.get("callout")
    if meta is None:
        return str(self.renderToken(tokens, idx, options, env))
    return "</details>\n" if meta["sign"] else "</blockquote>\n"


def _render_title_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: dict[str, Any]) -> str:
    tag = "summary" if tokens[idx].meta["callout"]["sign"] else "p"
    return f'<{tag} class="alert-heading">'


def _render_title_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                        env: dict[str, Any]) -> str:
    return "</summary>\n" if tokens[idx].meta["callout"]["sign"] else "</p>\n"


__all__ = ["callouts_plugin"]
