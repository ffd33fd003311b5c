"""Bare URLs made links as Goldmark's Linkify extension makes them, and so Hugo.

What is a URL: `http://`, `https://` or `ftp://` and a host whose last label is lower-case
letters (so `http://localhost:6060/` and `http://go/x` stay text), a `www.` address (linked
with `https://`, Hugo's `linkifyProtocol`), or an e-mail address with a dot in its domain.
Where one may start: at the start of a line, after a space, `*`, `_`, `~` or `(`, or right
after other markup (a code span, a tag, a typographic quote) — not after a letter, a tab or
other punctuation. Where it ends: its last `.`, an unbalanced `)`, an entity such as `&gt;`
and then any `?!.,:*_~` are left out of it. Nothing inside a link's text is linked.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from figdown.markdown.typographer import REPLACED

_PATH = r"""(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=();,'">^{}\[\]`]*)?"""
_URL = re.compile(r"(?:http|https|ftp)://[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-z]+(?::\d+)?"
                  + _PATH)
_WWW = re.compile(r"www\.[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-z]+" + _PATH.replace("$", ""))
_EMAIL_LOCAL = re.compile(r"[-!#$%&'*+./0-9=?A-Z^_`a-z{|}~]+")
_EMAIL_DOMAIN = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                           r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*")
_TRAILING = "?!.,:*_~"
_ENTITY_END = re.compile(r"&[a-zA-Z0-9]+;$")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Where a link may start after one of Goldmark's trigger characters (a candidate only: the
# rule decides). Found once per text, so that the text rule can stop there.
_MAY_LINK = re.compile(r"://|www\.|@")
_URL_START = re.compile(r"(?<=[ *_~(])(?=https?://|ftp://|www\.)")
_LOCAL_CHARS = frozenset("-!#$%&'*+./0123456789=?ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`"
                         "abcdefghijklmnopqrstuvwxyz{|}~")
_TRIGGERS = frozenset(" *_~(")


def _email_starts(src: str) -> dict[int, int]:
    """Places after a trigger character from which an e-mail address's local part runs up
    to an `@`, each with that `@`: each `@` is walked back from once, no further than the
    `@` before it."""
    starts: dict[int, int] = {}
    floor = 0
    at = src.find("@")
    while at >= 0:
        index = at
        while index > floor and src[index - 1] in _LOCAL_CHARS:
            index -= 1
        starts.update((i, at) for i in range(max(index, 1), at) if src[i - 1] in _TRIGGERS)
        floor = at + 1
        at = src.find("@", floor)
    return starts


@dataclass(frozen=True)
class _Starts:
    """Where links may start in one text, and where its lines end."""

    src: str
    positions: list[int]
    emails: dict[int, int]  # a place an address may start → its `@`
    line_ends: list[int]
    possible: bool = True  # the text holds `://`, `www.` or `@`: it may hold a link at all
    domains: dict[int, int] = field(default_factory=dict)  # `@` → end of its address, or 0
    runs: list[tuple[int, int]] = field(default_factory=list)  # local-part characters

    def line_end(self, pos: int) -> int:
        index = bisect.bisect_left(self.line_ends, pos)
        return self.line_ends[index] if index < len(self.line_ends) else len(self.src)

    def is_candidate(self, pos: int) -> bool:
        index = bisect.bisect_left(self.positions, pos)
        return index < len(self.positions) and self.positions[index] == pos

    def next_after(self, pos: int) -> int:
        index = bisect.bisect_right(self.positions, pos)
        return self.positions[index] if index < len(self.positions) else len(self.src)


def _starts(env: MutableMapping[str, Any], src: str) -> _Starts:
    """Where links may start in `src`, found once per text (markdown-it parses each
    paragraph's text with the same env)."""
    cached = env.get("figdown-linkify")
    if cached is not None and cached.src is src:
        return cached  # type: ignore[no-any-return]
    if _MAY_LINK.search(src) is None:  # most paragraphs: no rule needs to look closer
        cached = env["figdown-linkify"] = _Starts(src, [], {}, [], possible=False)
    else:
        emails = _email_starts(src) if "@" in src else {}
        found = {m.start() for m in _URL_START.finditer(src)} | set(emails)
        cached = env["figdown-linkify"] = _Starts(
            src, sorted(found), emails, [m.start() for m in re.finditer("\n", src)])
    return cached


def _url_end(src: str, pos: int, stop: int) -> int:
    """Where the URL or `www.` address starting at `pos` ends, or `pos` when none does."""
    match = _URL.match(src, pos, stop) if src.startswith(("http:", "https:", "ftp:"),
                                                          pos) else None
    if match is None and src.startswith("www.", pos):
        match = _WWW.match(src, pos, stop)
    return match.end() if match is not None else pos


def _email_end(starts: _Starts, pos: int, stop: int) -> int:
    """Where the e-mail address starting at `pos` ends, or `pos` when none does."""
    src = starts.src
    at = starts.emails.get(pos, -1)
    if at < 0 or src[pos] in _ASCII_PUNCT or at >= stop:
        return pos
    end = starts.domains.get(at)
    if end is None:
        domain = _EMAIL_DOMAIN.match(src, at + 1, stop)
        end = domain.end() if domain is not None and domain.end() > at + 1 else 0
        if end and "." not in src[at:end - 1]:
            end = 0
        if end and src[end - 1] == ".":
            end -= 1
        if end and src[end:end + 1] in ("-", "_"):
            end = 0
        starts.domains[at] = end
    return end or pos


def _trimmed(src: str, start: int, end: int) -> int:
    """`end` with what Goldmark leaves out of a link's end: any `?!.,:*_~`, a `)` with no
    `(` to match it, an entity such as `&gt;`."""
    unmatched = src.count(")", start, end) - src.count("(", start, end)
    while True:
        before = end
        while end > start + 1 and src[end - 1] in _TRAILING:
            end -= 1
        if src[end - 1] == ")" and unmatched > 0:
            end -= 1
            unmatched -= 1
        elif src[end - 1] == ";":
            entity = _ENTITY_END.search(src, max(start, end - 40), end)
            if entity is not None and entity.start() > start:
                end = entity.start()
                unmatched = src.count(")", start, end) - src.count("(", start, end)
        if end == before:
            return end


_LOCAL_RUN = re.compile(r"[-!#$%&'*+./0-9=?A-Z^_`a-z{|}~]+")


def _local_part_end(starts: _Starts, pos: int) -> int:
    """The `@` that ends a local part starting at `pos`, or -1 (the runs of local-part
    characters are found once per text: scanning from every place would be quadratic)."""
    if "@" not in starts.src:
        return -1
    if not starts.runs:
        starts.runs.extend((m.start(), m.end()) for m in _LOCAL_RUN.finditer(starts.src))
    index = bisect.bisect_right(starts.runs, (pos, len(starts.src) + 1)) - 1
    if index < 0 or not starts.runs[index][0] <= pos < starts.runs[index][1]:
        return -1
    end = starts.runs[index][1]
    return end if starts.src.startswith("@", end) else -1


def _after_markup(state: StateInline) -> bool:
    """At the start of the text, or right after a token that is not text (a code span, a
    tag, a line break) or a typographic replacement: Goldmark's line head."""
    replaced = state.env.get(REPLACED)
    if replaced is not None and replaced[0] is state.src and replaced[1] == state.pos:
        return True
    if state.pending:
        return False
    if not state.tokens:
        return True
    return state.tokens[-1].type != "text_special"  # an escape or an entity is text


def match_link(starts: _Starts, pos: int, protocol: str = "https") -> tuple[int, str] | None:
    """The end of a bare link starting at `pos` and its URL, or None."""
    src = starts.src
    stop = starts.line_end(pos)
    end = _url_end(src, pos, stop)
    email = end == pos
    if email:
        end = _email_end(starts, pos, stop)
    if end == pos:
        return None
    end = _trimmed(src, pos, end)
    raw = src[pos:end]  # Goldmark links the source as written, entities and all
    url = "mailto:" + raw if email else (f"{protocol}://" + raw if raw.startswith("www.")
                                              else raw)
    return end, url


def _text_rule(protocol: str) -> Callable[[StateInline, bool], bool]:
    """markdown-it's text rule, which first tries a bare link where one may start (every
    link starts with a letter or a digit, where this rule runs), and stops at such places."""
    def rule(state: StateInline, silent: bool) -> bool:
        starts = _starts(state.env, state.src)
        # Silent: a link's text being looked through; nothing in it is linked (Goldmark's
        # IsInLinkLabel), nor inside it once it is parsed (linkLevel).
        if starts.possible and not silent and state.linkLevel == 0 and _linkify(
                state, starts, protocol):
            return True
        pos = state.pos
        terminator = state.md.inline.terminator_re.search(state.src, pos)
        stop = terminator.start() if terminator else state.posMax
        if starts.positions:
            stop = min(stop, starts.next_after(pos))
        stop = min(stop, state.posMax)
        if stop <= pos:
            return False
        if not silent:
            state.append_pending(state.src[pos:stop])
        state.pos = stop
        return True
    return rule


def _linkify(state: StateInline, starts: _Starts, protocol: str) -> bool:
    """A bare link at the current place, pushed as a link, if one starts there."""
    pos = state.pos
    at_candidate = starts.is_candidate(pos)
    if not at_candidate and not _after_markup(state):
        return False
    if at_candidate and pos >= 2 and state.src[pos - 2] == "\\":
        return False  # an escaped `\*` or `\(` is no trigger
    if not at_candidate:  # right after markup: an address may start here too
        starts.emails.setdefault(pos, _local_part_end(starts, pos))
    found = match_link(starts, pos, protocol)
    if found is None:
        return False
    end, url = found
    href = state.md.normalizeLink(url)
    if not state.md.validateLink(href):
        return False
    opening = state.push("link_open", "a", 1)
    opening.attrs = {"href": href}
    opening.markup = "linkify"
    opening.info = "auto"
    state.push("text", "", 0).content = state.src[pos:end]
    closing = state.push("link_close", "a", -1)
    closing.markup = "linkify"
    closing.info = "auto"
    state.pos = end
    return True


def linkify_plugin(md: MarkdownIt, enabled: bool = True, protocol: str = "https") -> None:
    """Goldmark's Linkify in place of linkify-it's (none at all when not `enabled`)."""
    md.disable(["linkify"], ignoreInvalid=True)
    if enabled:
        md.inline.ruler.at("text", _text_rule(protocol))


__all__ = ["linkify_plugin", "match_link"]
