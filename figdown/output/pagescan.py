"""What the link check needs of one written HTML page: its digest, its ids, its links.

Taken by the process that writes the page, from the bytes it holds (see write.py), so that
the check does not read the site back.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from dataclasses import dataclass

_ATTR = re.compile(r"""\s(href|src|id|srcset|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


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
    """The ids a page defines and the URLs it refers to."""
    page_ids: set[str] = set()
    page_refs: list[str] = []
    for match in _ATTR.finditer(text):
        quoted = match.group(2) if match.group(2) is not None else match.group(3)
        # interned: a site's pages repeat the same links (menu, terms, styles) thousands of
        # times, and the check keeps every page's links until it ends
        name, value = match.group(1).lower(), sys.intern(html.unescape(quoted))
        if name == "id":
            page_ids.add(value)
        elif name == "srcset":
            page_refs.extend(sys.intern(part.strip().split(" ")[0])
                             for part in value.split(",") if part.strip())
        else:
            page_refs.append(value)
    return page_ids, page_refs


__all__ = ["PageScan", "scan_page", "scan_text"]
