"""Heading ids and attributes as Hugo makes them: `autoHeadingIDType` (github,
github-ascii, blackfriday), a `-1`, `-2` suffix for an id already taken, and a trailing
`{#id .class key=value}` (or `{}`) taken off the heading's text."""

from __future__ import annotations

import unicodedata

from mdit_py_plugins.attrs.parse import ParseError, parse

GITHUB = "github"
GITHUB_ASCII = "github-ascii"
BLACKFRIDAY = "blackfriday"
ID_TYPES = (GITHUB, GITHUB_ASCII, BLACKFRIDAY)


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] == "L"


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def _without_accents(text: str) -> str:
    """`déjà` → `deja`: combining marks dropped after decomposition."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def github_id(text: str, ascii_only: bool = False) -> str:
    """GitHub's id, as Hugo writes it: letters, digits and `_` in lower case, a space or
    `-` as `-`, anything else dropped (with `ascii_only`, accents first taken off and
    other non-ASCII letters dropped too)."""
    if ascii_only:
        text = _without_accents(text)
    kept: list[str] = []
    for char in text.strip():
        if ascii_only and not char.isascii():
            continue
        if char in "- ":
            kept.append("-")
        elif char == "_" or _is_letter(char) or _is_digit(char):
            kept.append(char.lower())
    return "".join(kept)


def blackfriday_id(text: str) -> str:
    """Blackfriday's id: runs of letters and numbers in lower case, joined by one `-`."""
    parts: list[str] = []
    dash = False
    for char in text:
        if _is_letter(char) or unicodedata.category(char)[0] == "N":
            if dash and parts:
                parts.append("-")
            dash = False
            parts.append(char.lower())
        else:
            dash = True
    return "".join(parts)


def auto_id(text: str, id_type: str = GITHUB) -> str:
    """The id Hugo gives a heading with this text; `heading` when nothing is left of it."""
    if id_type == BLACKFRIDAY:
        made = blackfriday_id(text)
    else:
        made = github_id(text, ascii_only=id_type == GITHUB_ASCII)
    return made or "heading"


def unique_id(anchor: str, used: set[str]) -> str:
    """`anchor`, or the first of `anchor-1`, `anchor-2`… not in `used`; recorded there."""
    chosen = anchor
    number = 0
    while chosen in used:
        number += 1
        chosen = f"{anchor}-{number}"
    used.add(chosen)
    return chosen


def split_attributes(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A heading's text without a trailing attribute list, and the attributes in the order
    they were written; None when it ends in none."""
    stripped = text.rstrip()
    if not stripped.endswith("}"):
        return None
    start = stripped.rfind("{")
    while start >= 0:
        try:
            end, attrs = parse(stripped[start:])
        except ParseError:
            end, attrs = -1, {}
        if end == len(stripped) - start - 1:
            written = stripped[start:]

            def place(name: str, source: str = written) -> int:
                marker = {"id": "#", "class": "."}.get(name, name + "=")
                found = source.find(marker)
                return found if found >= 0 else len(source)
            ordered = sorted(attrs.items(), key=lambda item: place(item[0]))
            return stripped[:start].rstrip(), ordered
        start = stripped.rfind("{", 0, start)
    return None
