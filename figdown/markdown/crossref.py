"""Numbered figures and tables, and the references to them written in the prose.

A block with an id of its own and a caption is numbered, in the order of the post:
figures (and animations) count 1, 2, …; a block whose id starts with `tbl-` counts among
the tables. `@fig-x` (Quarto's syntax) and `-@fig-x` (the number alone) in the prose become
links to the block's anchor; `{{< figref x >}}` is the shortcode spelling of `@fig-x`.
The numbers come from the post's own text, so a rebuild of one post numbers it alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from figdown.execute.blocks import CodeBlock
from figdown.markdown.fences import AttrValue
from figdown.markdown.presentation import panel_letter, subcaptions
from figdown.problems import Problem

_REFERENCE = re.compile(r"(-?)@((?:fig|tbl)-[A-Za-z0-9_-]*[A-Za-z0-9_])")
_TABLE_PREFIX = "tbl-"
NUMBERS_KEY = "figure_numbers"  # env key: block id → its Number


@dataclass(frozen=True, slots=True)
class Number:
    """A numbered block: "Figure 2" or "Table 1"."""

    kind: str  # "Figure" or "Table"
    number: int
    panel: str = ""  # a panel's letter: "Figure 2 (a)"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number}" + (f" ({self.panel})" if self.panel else "")

    @property
    def bare(self) -> str:
        return f"{self.number}{self.panel}"


def number_blocks(blocks: Sequence[CodeBlock],
                  displays: Sequence[Mapping[str, AttrValue]]) -> dict[str, Number]:
    """The numbers of a post's blocks (block id → Number): those with an id and a caption,
    and the panels of such a block that has sub-captions (`relu-a`, `relu-b`)."""
    counts: dict[str, int] = {}
    numbers: dict[str, Number] = {}
    for block, display in zip(blocks, displays, strict=True):
        if not block.explicit_id or not display.get("caption"):
            continue
        kind = "Table" if block.block_id.startswith(_TABLE_PREFIX) else "Figure"
        counts[kind] = counts.get(kind, 0) + 1
        numbers[block.block_id] = Number(kind, counts[kind])
        for index in range(len(subcaptions(display))):
            letter = panel_letter(index)
            numbers[f"{block.block_id}-{letter}"] = Number(kind, counts[kind], letter)
    return numbers


def reference_targets(name: str) -> tuple[str, ...]:
    """The block ids `@name` may mean, first match wins: `fig-relu` is the block
    `fig-relu` (Quarto's label), else `relu` (figdown's id)."""
    kind, _, rest = name.partition("-")
    return (name, rest) if kind == "fig" else (name,)


def reference_markdown(target: str) -> str:
    """What `{{< figref target >}}` stands for in the Markdown: `@fig-target`, or `@target`
    when the target is already a `fig-`/`tbl-` name."""
    return f"@{target}" if target.startswith(("fig-", _TABLE_PREFIX)) else f"@fig-{target}"


def _reference(state: StateInline, silent: bool) -> bool:
    """`@fig-x` or `-@fig-x`, not inside a word or an e-mail address."""
    pos = state.pos
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_.@-"):
        return False
    match = _REFERENCE.match(state.src, pos)
    if match is None:
        return False
    if not silent:
        token = state.push("figref", "", 0)
        token.meta["name"] = match.group(2)
        token.meta["bare"] = bool(match.group(1))
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _resolve(state: StateCore) -> None:
    """Number the post's blocks and point each reference at its block, or report it."""
    env = state.env
    # A summary is rendered from part of the body: it keeps the numbers of the whole post.
    numbers: Mapping[str, Number] = env.setdefault(NUMBERS_KEY, number_blocks(
        env.get("blocks", []), env.get("displays", [])))
    blocks = {block.block_id: block for block in env.get("blocks", []) if block.explicit_id}
    report = env.get("report")
    offset = int(env.get("line_offset", 1))
    for token in state.tokens:
        for child in token.children or []:
            if child.type != "figref":
                continue
            name = str(child.meta["name"])
            found = next((t for t in reference_targets(name) if t in numbers), None)
            if found is not None:
                child.meta["target"] = found
                child.meta["label"] = numbers[found]
            elif callable(report):
                line = child.meta.get("line")
                report(_missing(str(env.get("path", "")),
                                None if line is None else int(line) + offset, name,
                                next((t for t in reference_targets(name) if t in blocks), None)))


def _missing(path: str, line: int | None, name: str, uncaptioned: str | None) -> Problem:
    if uncaptioned is not None:
        return Problem(path, line, f"@{name}: block {uncaptioned} has no caption, so it has "
                       "no number", f'give block {uncaptioned} a caption="…"')
    wanted = " or ".join(reference_targets(name))
    return Problem(path, line, f"@{name}: no block of this post has the id {wanted}",
                   "correct the reference, or give the figure's block that id and a caption")


def _render_reference(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                      env: dict[str, Any]) -> str:
    token = tokens[idx]
    number = token.meta.get("label")
    if not isinstance(number, Number):  # reported as an error; shown as written
        return escape(token.content)
    text = number.bare if token.meta["bare"] else number.label
    return (f'<a class="figref" href="#{escape(str(token.meta["target"]))}">'
            f"{escape(text)}</a>")


def number_label(env: Mapping[str, Any], block_id: str) -> str:
    """"Figure 2" or "Table 1" for a numbered block; "" for another."""
    number = env.get(NUMBERS_KEY, {}).get(block_id)
    return number.label if isinstance(number, Number) and not number.panel else ""


def caption_prefix(env: Mapping[str, Any], block_id: str) -> str:
    """The "Figure 2:" that starts a numbered block's caption, as HTML; "" if unnumbered."""
    number = env.get(NUMBERS_KEY, {}).get(block_id)
    if not isinstance(number, Number) or number.panel:
        return ""
    return f'<span class="figure-number">{escape(number.label)}:</span> '


def crossref_plugin(md: MarkdownIt) -> None:
    """References in the prose; registered after the rule that collects the blocks."""
    # before the typographer, which would take the `-` of `-@fig-x` as a dash
    md.inline.ruler.after("text", "figdown_crossref", _reference)
    md.core.ruler.push("figdown_crossref", _resolve)
    md.add_render_rule("figref", _render_reference)
