"""Goldmark's typographer, as Hugo runs it: quotes, apostrophes, `--`, `---`, `...`, `<<`
and `>>`, and nothing else (no `(c)`, no `+-`, `!!!!` and `..` left as written).

Each character is decided where it stands in the source, from the characters on either
side of it, as Goldmark's inline parser decides it: a quote opens or closes by CommonMark's
flanking rules, with Goldmark's special cases (`'90s`, `'twas`, `don't`, `Smiths'`,
`5'10"`), and a closing quote needs an open one earlier in the same paragraph.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from string import punctuation
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from figdown.load.markup import Typographer

_ASCII_PUNCT = frozenset(punctuation)
_TRIGGERS = "'\"-.<>"


def _is_space(char: str) -> bool:
    return char.isspace()


def _is_punct(char: str) -> bool:
    """Punctuation as CommonMark's flanking rules count it: ASCII, Unicode P and S."""
    return char in _ASCII_PUNCT or unicodedata.category(char)[0] in "PS"


def _is_unicode_punct(char: str) -> bool:
    """Go's unicode.IsPunct: the P categories only."""
    return unicodedata.category(char)[0] == "P"


def _ascii_space_or_punct(char: str) -> bool:
    return char in _ASCII_PUNCT or char in " \t\n\r\v\f"


def _flanking(before: str, after: str) -> tuple[bool, bool]:
    """(can open, can close) for a one-character delimiter run between two characters."""
    after_space, before_space = _is_space(after), _is_space(before)
    after_punct, before_punct = _is_punct(after), _is_punct(before)
    can_open = not after_space and (not after_punct or before_space or before_punct)
    can_close = not before_space and (not before_punct or after_space or after_punct)
    return can_open, can_close


@dataclass
class _Open:
    """Quotes opened and not yet closed in the page so far: Hugo's Goldmark carries them
    from one paragraph to the next."""

    single: int = 0
    double: int = 0


def _open_quotes(env: MutableMapping[str, Any]) -> _Open:
    """The open-quote counts of the page being parsed (one env per parse)."""
    counts = env.get("figdown-typographer")
    if not isinstance(counts, _Open):
        counts = env["figdown-typographer"] = _Open()
    return counts


_LOOK = 6  # no rule looks further than five characters on from a quote


def _line_at(src: str, pos: int) -> str:
    """The source line from `pos`, with its line end, as Goldmark peeks it — cut after a
    few characters, which is all the rules read (a whole line each time would make a long
    line of quotes take quadratic time)."""
    part = src[pos:pos + _LOOK]
    end = part.find("\n")
    if end >= 0:
        return part[:end + 1]
    return part + "\n" if pos + _LOOK >= len(src) else part


def _closes(line: str, can_open: bool, can_close: bool) -> bool:
    """A quote closes when it can only close, or when it can do both and punctuation
    follows it (`'quoted'.`)."""
    if can_close and not can_open:
        return True
    return (can_close and can_open and len(line) > 1 and _is_unicode_punct(line[1])
            and (len(line) == 2 or _ascii_space_or_punct(line[2])))


def _single(line: str, before: str, counts: _Open, subs: Mapping[str, str]) -> str | None:
    """What the `'` starting `line` becomes, or None to leave it as written. (An empty
    substitution removes the punctuation, as in Hugo.)"""
    after = line[1] if len(line) > 1 else " "
    can_open, can_close = _flanking(before, after)
    if not can_open and not can_close:
        return None
    if (can_open and not can_close and len(line) > 3 and line[1:3].isascii()
            and line[1:3].isdigit() and line[3] == "s"
            and (len(line) < 5 or _is_space(line[4]) or _is_punct(line[4]))):
        return subs["apostrophe"]  # '90s
    if line[1:2] in ("t", "e", "n", "l") and (_is_unicode_punct(before) or _is_space(before)):
        return subs["apostrophe"]  # 'twas, 'em, 'n'
    if len(line) > 1 and (before.isdigit() or before.isalpha()) and line[1].isalpha():
        return subs["apostrophe"]  # don't
    if can_open and not can_close:
        short = line[1:2] in ("s", "m", "t", "d") and (
            len(line) < 3 or _ascii_space_or_punct(line[2]))
        longer = line[1:3] in ("ve", "ll", "re") and (
            len(line) < 4 or _ascii_space_or_punct(line[3]))
        if short or longer:  # a contraction: Alice 's, I 've
            return subs["rightsinglequote"]
        counts.single += 1
        return subs["leftsinglequote"]
    if len(line) > 2 and not line[1].isdigit():
        return subs["rightsinglequote"]  # Smiths', doin'
    if counts.single > 0 and _closes(line, can_open, can_close):
        counts.single -= 1
        return subs["rightsinglequote"]
    return None


def _double(line: str, before: str, counts: _Open, subs: Mapping[str, str]) -> str | None:
    """What the `"` starting `line` becomes, or None to leave it as written."""
    after = line[1] if len(line) > 1 else " "
    can_open, can_close = _flanking(before, after)
    if can_open and not can_close:
        counts.double += 1
        return subs["leftdoublequote"]
    if counts.double > 0 and _closes(line, can_open, can_close):
        if line[1:2] == '"' and before.isdigit():
            return None  # 21"": inches, then the closing quote
        counts.double -= 1
        return subs["rightdoublequote"]
    return None


_RUNS = (("---", "emdash"), ("...", "ellipsis"), ("<<", "leftanglequote"),
         (">>", "rightanglequote"), ("--", "endash"))


REPLACED = "figdown-replaced"  # env key: (text, position) right after the last replacement


def _push(state: StateInline, text: str, end: int) -> None:
    """The replacement added to the text, its end remembered: as in Goldmark, a bare URL
    may start right after it (see autolinks.py)."""
    state.append_pending(text)
    state.env[REPLACED] = (state.src, end)


def _rule(subs: Mapping[str, str]) -> Callable[[StateInline, bool], bool]:
    def typographer(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        char = src[pos]
        if char not in _TRIGGERS:
            return False
        for run, name in _RUNS:
            if src.startswith(run, pos):
                if not silent:
                    _push(state, subs[name], pos + len(run))
                state.pos += len(run)
                return True
        if char == "<":
            return False  # a tag, an autolink, or text: not this rule's
        made = None
        if char in "'\"" and not silent:
            before = src[pos - 1] if pos > 0 else "\n"
            decide = _single if char == "'" else _double
            made = decide(_line_at(src, pos), before, _open_quotes(state.env), subs)
        # No other rule takes these characters: one left as it is, is text, taken here at
        # once rather than after every other rule has looked at it.
        if made is None:
            if not silent:
                state.append_pending(char)
        else:
            _push(state, made, pos + 1)
        state.pos += 1
        return True
    return typographer


def typographer_plugin(md: MarkdownIt, settings: Typographer) -> None:
    """Goldmark's typographer in place of markdown-it's `replacements` and `smartquotes`."""
    md.disable(["replacements", "smartquotes"], ignoreInvalid=True)
    if settings.disable:
        return
    for char in _TRIGGERS:  # the text rule stops there, so that this rule sees them
        md.inline.add_terminator_char(char)
    # Right after the text rule: Goldmark tries its typographer after every other inline
    # parser, but no other rule takes these characters (`<<` starts no tag or autolink).
    md.inline.ruler.after("text", "goldmark_typographer", _rule(dict(settings.substitutions)))
