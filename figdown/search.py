"""The offline search index: one small JSON file of every listed page, written at build time."""

from __future__ import annotations

import html
import json
import re

from figdown.site import Site

INDEX_PATH = "index.json"
_DROP = re.compile(r'<pre\b.*?</pre>|<a class="anchor"[^>]*>#</a>|<(script|style)\b.*?</\1>',
                   re.DOTALL)
_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def index_text(content: str) -> str:
    """A page's words for searching: prose and math as text; code blocks and anchors left out."""
    text = _DROP.sub(" ", content)
    text = _MATH.sub(lambda m: " " + _TAGS.sub(" ", m.group(0)) + " ", text)
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", text))).strip()


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
            "text": index_text(view.content),
        })
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["INDEX_PATH", "index_text", "search_index"]
