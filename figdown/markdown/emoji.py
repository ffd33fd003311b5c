"""Hugo's `enableEmoji`: `:smile:` in text becomes 😄, never in code or math."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_CODE = re.compile(r":[\w+-]+:")


def emojize(text: str) -> str:
    """Replace the emoji shortcodes Hugo knows (GitHub's list) in one run of text."""
    if not _CODE.search(text):
        return text
    import emoji  # only sites that ask for emoji pay for loading the table

    return str(emoji.emojize(text, language="alias"))


def _core_emoji(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type == "text":
                child.content = emojize(child.content)


def emoji_plugin(md: MarkdownIt) -> None:
    """Add emoji replacement to a Markdown parser, after every inline rule has run."""
    md.core.ruler.push("figdown_emoji", _core_emoji)
