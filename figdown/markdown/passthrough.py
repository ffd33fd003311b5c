"""Where math is, as Hugo's passthrough extension finds it, and TeX written for Markdown to
unescape first.

Goldmark's passthrough reads every delimiter pair inline, left to right, before any other
inline rule: an opener takes the text up to the first closer after it (escapes and code
spans inside do not count), and an empty pair is text. A block pair is display math; a
paragraph that holds nothing else becomes a block of its own. A block pair cannot span a
blank line: it lives inside one paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from figdown.load.markup import Delimiters, MathSyntax
from figdown.markdown.math import math_plugin, next_closer

INLINE = "math_inline"
DISPLAY = "math_inline_double"
BLOCK = "math_block"
MATH_TOKENS = frozenset({INLINE, DISPLAY, BLOCK, "math_inline_paren", "math_inline_bracket",
                         "math_block_bracket"})


def _pairs_rule(pairs: tuple[tuple[str, str, bool], ...]
                ) -> Callable[[StateInline, bool], bool]:
    """The inline rule for every (opener, closer, display) pair, longest opener first."""
    closers = {closer: re.compile(re.escape(closer)) for _, closer, _ in pairs}
    first_chars = frozenset(opener[0] for opener, _, _ in pairs)

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if src[pos] not in first_chars:
            return False
        for opener, closer, display in pairs:
            if not src.startswith(opener, pos):
                continue
            start = pos + len(opener)
            end = next_closer(state.env, src, closers[closer], start)
            if end <= start:
                continue
            if not silent:
                token = state.push(DISPLAY if display else INLINE, "math", 0)
                token.content = src[start:end]
                token.markup = opener
            state.pos = end + len(closer)
            return True
        return False
    return rule


def _promote_display(state: StateCore) -> None:
    """A paragraph holding one display formula and nothing else is a block, as in Goldmark."""
    tokens = state.tokens
    index = 0
    while index + 2 < len(tokens):
        opening, inline = tokens[index], tokens[index + 1]
        children = [c for c in inline.children or []
                    if not (c.type == "text" and not c.content.strip())
                    and c.type not in {"softbreak", "hardbreak"}]
        if (opening.type == "paragraph_open" and inline.type == "inline"
                and len(children) == 1 and children[0].type == DISPLAY):
            block = Token(BLOCK, "math", 0)
            block.block = True
            block.content = children[0].content
            block.markup = children[0].markup
            block.map = opening.map
            block.level = opening.level
            tokens[index:index + 3] = [block]
        index += 1


def _unescape_math(state: StateCore) -> None:
    """Markdown's backslash escapes and entities undone inside math (`\\_` is `_`, `\\\\` is
    `\\`), as a math library in the browser sees the TeX after Goldmark."""
    for token in state.tokens:
        if token.type in MATH_TOKENS:
            token.content = unescapeAll(token.content)
        for child in token.children or []:
            if child.type in MATH_TOKENS:
                child.content = unescapeAll(child.content)


def passthrough_plugin(md: MarkdownIt, inline: Delimiters, block: Delimiters) -> None:
    """Math exactly at the passthrough delimiters of a Hugo config."""
    pairs = [(o, c, False) for o, c in inline] + [(o, c, True) for o, c in block]
    pairs.sort(key=lambda pair: -len(pair[0]))
    if pairs:
        md.inline.ruler.before("escape", "math_passthrough", _pairs_rule(tuple(pairs)))
        md.core.ruler.after("inline", "math_passthrough_blocks", _promote_display)


def unescape_plugin(md: MarkdownIt, syntax: MathSyntax) -> None:
    """With `math.unescape`, the TeX of every formula as Markdown would leave it."""
    if syntax.unescape:
        md.core.ruler.after("inline", "math_unescape", _unescape_math)


# The rules of figdown's own delimiters (math.py), replaced by a Hugo config's pairs.
_FIGDOWN_RULES = ["math_inline", "math_block", "math_inline_paren", "math_inline_bracket",
                  "math_block_bracket"]


def use_math(md: MarkdownIt, syntax: MathSyntax) -> None:
    """Math where `syntax` says, rendered to MathML; no math at all when it names none."""
    if not syntax.enabled:
        return
    md.use(math_plugin)
    if not syntax.figdown:
        md.disable(_FIGDOWN_RULES)
        passthrough_plugin(md, syntax.inline, syntax.block)
    unescape_plugin(md, syntax)
