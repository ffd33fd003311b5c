"""The offline search index: one small JSON file of every listed page, written at build time."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from figdown.memo import Memo
from figdown.site.model import PageView, Site

INDEX_PATH = "index.json"


def search_index(site: Site, known: Mapping[str, bytes] | None = None) -> bytes:
    """Title, link, date, terms and plain text of each listed page, for `/js/search.js`;
    `known`: entries already made (`search_entries`), by page source."""
    # each entry as UTF-8 bytes, joined as bytes: for a large site the index is tens of
    # megabytes, and a str of it with one curly quote takes two bytes per character
    known = known or {}
    entries = [known.get(view.source) or search_entry(view) for view in _indexed(site)]
    return b"[" + b",".join(entries) + b"]"


def search_entries(site: Site, memo: Memo[bytes] | None = None) -> dict[str, bytes]:
    """Each indexed page's entry, by page source; `memo`: entries of the same views made
    by a recent build."""
    return {view.source: search_entry(view, memo) for view in _indexed(site)}


def _indexed(site: Site) -> list[PageView]:
    # not archive, search and other layout-only pages
    return [view for view in site.listed if view.content.strip()]


def search_entry(view: PageView, memo: Memo[bytes] | None = None) -> bytes:
    """One page's entry in the index."""
    return _entry(view) if memo is None else memo.get(id(view), view, lambda: _entry(view))


def _entry(view: PageView) -> bytes:
    fields = json.dumps({
        "title": view.title,
        "url": view.rel_url,
        "date": view.date.strftime("%Y-%m-%d") if view.date else "",
        "section": view.section,
        "tags": [ref.name for ref in view.tags],
        "categories": [ref.name for ref in view.categories],
        "summary": view.description,
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # the text goes in as the bytes it is kept as: a JSON string of UTF-8 needs only its
    # quotes, backslashes and control characters escaped
    return fields[:-1] + b',"text":"' + _escape(view.text) + b'"}'


def _escape(text: bytes) -> bytes:
    return _JSON_SPECIAL.sub(lambda m: _JSON_ESCAPES.get(m.group(0)) or
                             b"\\u%04x" % m.group(0)[0], text)


_JSON_SPECIAL = re.compile(rb'["\\\x00-\x1f]')
_JSON_ESCAPES = {b'"': b'\\"', b"\\": b"\\\\", b"\n": b"\\n", b"\r": b"\\r", b"\t": b"\\t",
                 b"\b": b"\\b", b"\f": b"\\f"}  # as json.dumps writes them


__all__ = ["INDEX_PATH", "search_entries", "search_entry", "search_index"]
