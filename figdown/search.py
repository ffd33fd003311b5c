"""The offline search index: one small JSON file of every listed page, written at build time."""

from __future__ import annotations

import json

from figdown.site import Site

INDEX_PATH = "index.json"


def search_index(site: Site) -> bytes:
    """Title, link, date, terms and plain text of each listed page, for `/js/search.js`."""
    entries = []
    for view in site.listed:
        if not view.content.strip():
            continue  # archive, search and other pages made by their layout alone
        entries.append({
            "title": view.title,
            "url": view.rel_url,
            "date": view.date.strftime("%Y-%m-%d") if view.date else "",
            "section": view.section,
            "tags": [ref.name for ref in view.tags],
            "categories": [ref.name for ref in view.categories],
            "summary": view.description,
            "text": view.text,
        })
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["INDEX_PATH", "search_index"]
