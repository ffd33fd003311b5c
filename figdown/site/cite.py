"""How to cite a post: a BibTeX entry and a line of plain text, from its author, title, date
and address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from figdown.load.urls import urlize

_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True, slots=True)
class PostCitation:
    """A post as others cite it."""

    bibtex: str
    text: str


def wants_citation(page_params: Mapping[str, Any], site_params: Mapping[str, Any]) -> bool:
    """`citation: false` in a post's front matter, or `params.citation: false` in the config,
    turns the "Cite this post" block off (the post's setting wins)."""
    value = page_params.get("citation", site_params.get("citation", True))
    return value is not False


def author_of(page_params: Mapping[str, Any], site_params: Mapping[str, Any],
              site_title: str) -> str:
    """The post's `author` (or `authors`), else the site's `params.author`, else its title."""
    for params in (page_params, site_params):
        for key in ("author", "authors"):
            value = params.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
                return " and ".join(v.strip() for v in value)
            if isinstance(value, Mapping) and isinstance(value.get("name"), str):
                return str(value["name"]).strip()
    return site_title


def cite_post(title: str, author: str, date: datetime | None, url: str, site_title: str,
              slug: str) -> PostCitation:
    """The BibTeX entry (`@misc`, with `url`) and the plain-text citation of one post."""
    year = str(date.year) if date else ""
    key = (urlize(author.split(" and ")[0].split()[-1] if author.split() else "post")
           .replace("-", "") + year + (urlize(slug).replace("-", "") or "post"))
    fields = [("author", f"{{{_bibtex(author)}}}"), ("title", f"{{{{{_bibtex(title)}}}}}"),
              ("howpublished", f"{{{_bibtex(site_title)}}}")]
    if date:
        fields += [("year", f"{{{year}}}"), ("month", _MONTHS[date.month - 1])]
    fields += [("url", f"{{{url}}}")]
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {value}" for name, value in fields)
    when = f", {date.strftime('%B')} {date.day}, {date.year}" if date else ""
    text = f"{author}. “{title}.” {site_title}{when}. {url}"
    return PostCitation(f"@misc{{{key},\n{body},\n}}", text)


def _bibtex(text: str) -> str:
    """Text with BibTeX's special characters escaped."""
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


__all__ = ["PostCitation", "author_of", "cite_post", "wants_citation"]
