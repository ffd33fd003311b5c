"""What the link check needs of one written HTML page: its digest, its ids, its links.

Taken by the process that writes the page, from the bytes it holds (see write.py), so that
the check does not read the site back.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import re
import sys
from dataclasses import dataclass

# A page is read as tags, not as text: an attribute counts only when it is one of a start
# tag's own, never in a comment, a script or style body, in text (`src="…"` shown in a code
# block) or inside another attribute's value (a description quoting `href="…"`). A name
# that may matter is found first; the tag around it (the last `<` before it, when that comes
# after the last `>`) is then read attribute by attribute, once. html.parser, which reads
# every tag, took 25 times as long on the example site, and every page of every build is
# read. (A `>` inside a quoted value, which the theme and Markdown write as `&gt;`, would
# hide the attributes after it.)
_CANDIDATE = re.compile(r"\s(?:href|src|id|srcset|poster|name)\s*=", re.IGNORECASE)
# Each alternative ends at its closing mark or at the end of the text: a tag with an
# unclosed quote is read in one pass.
_START_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9:-]*)((?:"[^"]*(?:"|$)|'[^']*(?:'|$)"""
                        r"""|[^'">]+)*)(?:>|$)""")
_TAG_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_OPAQUE = re.compile(r"<!--.*?(?:-->|$)|<(script|style)\b.*?(?:</\1\s*>|$)",
                     re.DOTALL | re.IGNORECASE)
_HAS_OPAQUE = re.compile(r"<!--|<script|<style", re.IGNORECASE)
_MARKS = re.compile(r"[<>]")
_WANTED = frozenset({"href", "src", "poster", "id", "srcset", "name"})
_LINKS = frozenset({"href", "src", "poster"})
_NEAR = 4096  # characters looked back for the `<` or `>` before an attribute, at first


def _opaque_spans(text: str) -> list[tuple[int, int]]:
    """Comments, and script and style bodies (a script's own start tag excluded)."""
    spans: list[tuple[int, int]] = []
    if _HAS_OPAQUE.search(text) is None:
        return spans
    for match in _OPAQUE.finditer(text):
        start = match.start()
        if match.group(1) is not None:  # keep the attributes of `<script src=…>` itself
            start = text.find(">", start) + 1 or match.end()
        spans.append((start, match.end()))
    return spans


def _tag_start(text: str, pos: int, marks: list[int]) -> int:
    """Where the start tag `pos` is inside begins, or -1 when it is in text. `marks`, every
    `<` and `>` of the text, is made only when neither is found near."""
    low = max(0, pos - _NEAR)
    start, end = text.rfind("<", low, pos), text.rfind(">", low, pos)
    if start < 0 and end < 0 and low > 0:
        if not marks:  # made once: a -1 first, so that a text with no marks is not rescanned
            marks.append(-1)
            marks.extend(m.start() for m in _MARKS.finditer(text))
        index = bisect.bisect_left(marks, pos) - 1
        return marks[index] if index > 0 and text[marks[index]] == "<" else -1
    return start if start > end else -1


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    index = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return index >= 0 and spans[index][0] <= pos < spans[index][1]


@dataclass(frozen=True, slots=True)
class PageScan:
    digest: str  # sha256 of the page's bytes
    ids: frozenset[str] | None = None  # None: not scanned (the page is the previous build's)
    refs: tuple[str, ...] | None = None  # every URL it refers to, in order


def scan_page(data: bytes, links: bool = True) -> PageScan:
    """The page's digest, and its ids and links unless `links` is false."""
    digest = hashlib.sha256(data).hexdigest()
    if not links:
        return PageScan(digest)
    ids, refs = scan_text(data.decode("utf-8", errors="replace"))
    return PageScan(digest, frozenset(ids), tuple(refs))


def scan_text(text: str) -> tuple[set[str], list[str]]:
    """The ids a page defines (`id` of any element, `name` of an `a`) and the URLs its
    elements refer to (`href`, `src`, `poster`, `srcset`)."""
    page_ids: set[str] = set()
    page_refs: list[str] = []
    marks: list[int] = []
    read: set[int] = set()
    spans = _opaque_spans(text)
    for candidate in _CANDIDATE.finditer(text):
        start = _tag_start(text, candidate.start(), marks)
        if start < 0 or start in read or (spans and _inside(spans, start)):
            continue
        read.add(start)
        tag = _START_TAG.match(text, start)
        if tag is not None:
            _read_attributes(tag.group(1).lower(), tag.group(2), page_ids, page_refs)
    return page_ids, page_refs


def _read_attributes(tag: str, attrs: str, page_ids: set[str], page_refs: list[str]) -> None:
    """A start tag's ids and links, added to the page's."""
    for name, double, single, bare in _TAG_ATTR.findall(attrs):
        key = name.lower()
        if key not in _WANTED:
            continue
        raw = double or single or bare
        # interned: a site's pages repeat the same links (menu, terms, styles) thousands of
        # times, and the check keeps every page's links until it ends
        value = sys.intern(html.unescape(raw) if "&" in raw else raw)
        if key in _LINKS:
            page_refs.append(value)
        elif key == "id" or (key == "name" and tag == "a"):
            page_ids.add(value)
        elif key == "srcset":
            page_refs.extend(sys.intern(part.strip().split(" ")[0])
                             for part in value.split(",") if part.strip())


__all__ = ["PageScan", "scan_page", "scan_text"]
