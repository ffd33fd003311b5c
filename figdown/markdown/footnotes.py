"""Footnotes with Goldmark's markup and ids (`#fn:1`, `#fnref:1`, `fnref2:1` for a second
reference; `role="doc-noteref"`, `doc-endnotes`, `doc-backlink`), parsed by mdit-py-plugins.

Each reference is followed by a copy of its note as a sidenote (`<small class="sidenote">`),
which the theme's CSS sets in the margin on wide screens and shows on hover, focus or tap on
narrow ones. The copy is hidden from assistive technology: the note list at the end, which
the reference links to, is what a screen reader follows, as in Hugo's output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from figdown.load.urls import with_base

SIDENOTES_SCRIPT = "/js/sidenotes.js"  # in the theme's static folder
_SIDENOTE_BLOCKS = {"paragraph_open", "paragraph_close", "inline", "footnote_anchor"}
_LINK_OPEN = re.compile(r"<a\b")
SIDENOTE_COPY = re.compile(r'<small class="sidenote" aria-hidden="true">.*?</small>', re.DOTALL)


def footnotes_plugin(md: MarkdownIt) -> None:
    """Goldmark's footnote markup, and a sidenote after each reference. Used after the
    footnote plugin (which gathers the notes at the end) and after every rule that makes
    inline HTML a note may hold (citations)."""
    md.core.ruler.push("figdown_sidenotes", _collect_sidenotes)
    for name, render in (("footnote_ref", _render_ref), ("footnote_block_open", _block_open),
                         ("footnote_block_close", _block_close), ("footnote_open", _note_open),
                         ("footnote_anchor", _backlink)):
        md.add_render_rule(name, render)


def _number(token: Token) -> int:
    return int(token.meta["id"]) + 1


def _ref_id(token: Token) -> str:
    """Goldmark's id of a reference: `fnref:1`, and `fnref1:1` for the note's second one."""
    sub = int(token.meta.get("subId", 0) or 0)
    return f"fnref{sub if sub > 0 else ''}:{_number(token)}"


def _collect_sidenotes(state: StateCore) -> None:
    """Each note's text as inline HTML, for its sidenote: only notes made of paragraphs (a list
    or code block does not fit in a line's margin; such a note is an endnote only)."""
    notes: dict[int, str] = {}
    tokens = state.tokens
    renderer = state.md.renderer
    if not isinstance(renderer, RendererHTML):
        return
    index = 0
    while index < len(tokens):
        if tokens[index].type != "footnote_open":
            index += 1
            continue
        number = _number(tokens[index])
        close = index + 1
        while tokens[close].type != "footnote_close":
            close += 1
        inner = tokens[index + 1:close]
        if all(t.type in _SIDENOTE_BLOCKS for t in inner):
            parts = [renderer.renderInline(t.children or [], state.md.options, state.env)
                     for t in inner if t.type == "inline"]
            # Links in a hidden copy must not take keyboard focus.
            notes[number] = _LINK_OPEN.sub('<a tabindex="-1"', " ".join(parts))
        index = close + 1
    state.env["figdown-sidenotes"] = notes


def _render_ref(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                env: dict[str, Any]) -> str:
    token = tokens[idx]
    number = _number(token)
    ref = (f'<sup id="{_ref_id(token)}"><a href="#fn:{number}" class="footnote-ref" '
           f'role="doc-noteref">{number}</a></sup>')
    note = env.get("figdown-sidenotes", {}).get(number)
    if note is None or int(token.meta.get("subId", 0) or 0) > 0:  # one copy, at the first
        return ref
    return (f'{ref}<small class="sidenote" aria-hidden="true"><span class="sidenote-number">'
            f"{number}</span> {note}</small>")


def _block_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                env: dict[str, Any]) -> str:
    return '<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n'


def _block_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                 env: dict[str, Any]) -> str:
    """The end of the notes, with the script that lets a tap on a phone show a sidenote in
    place (here rather than in the layout, so that a site's own layouts need nothing)."""
    if not env.get("figdown-sidenotes"):
        return "</ol>\n</div>\n"
    context = env.get("context")
    base = str(getattr(context, "base_path", "/"))
    return (f'</ol>\n<script src="{with_base(base, SIDENOTES_SCRIPT)}" defer></script>\n'
            "</div>\n")


def _note_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
               env: dict[str, Any]) -> str:
    return f'<li id="fn:{_number(tokens[idx])}">\n'


def _backlink(self: Any, tokens: Sequence[Token], idx: int, options: Any,
              env: dict[str, Any]) -> str:
    return (f'&#160;<a href="#{_ref_id(tokens[idx])}" class="footnote-backref" '
            'role="doc-backlink">&#x21a9;&#xfe0e;</a>')


__all__ = ["SIDENOTE_COPY", "footnotes_plugin"]
