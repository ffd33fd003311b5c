"""What a built site holds, in the terms of a Hugo reference: pages, alias redirects, terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

_REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')


@dataclass(frozen=True)
class SiteShape:
    """The parts of a site a Hugo user would notice changing."""

    pages: frozenset[str]  # /posts/x/index.html
    aliases: dict[str, str]  # /old/index.html → site path of the target
    terms: dict[str, dict[str, int]]  # taxonomy → term slug → page count


def site_path(url: str, base_path: str) -> str:
    """`https://host/base/posts/x/` or `/base/posts/x/` → `/posts/x/`, decoded."""
    path = unquote(urlsplit(url).path)
    base = base_path.rstrip("/")
    if base and path.startswith(base + "/"):
        path = path[len(base):]
    return path


def scan_output(folder: Path, base_path: str) -> tuple[frozenset[str], dict[str, str]]:
    """Every page and every alias redirect written under `folder`."""
    pages: set[str] = set()
    aliases: dict[str, str] = {}
    for path in folder.rglob("index.html"):
        rel = "/" + path.relative_to(folder).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        match = _REFRESH.search(text)
        if match and "<body" not in text:
            aliases[rel] = site_path(match.group(1), base_path)
        else:
            pages.add(rel)
    return frozenset(pages), aliases


def reference_shape(reference: dict, language: str, other_languages: set[str],
                    base_path: str) -> SiteShape:
    """The default language's part of a corpus `reference.json`."""
    prefixes = tuple(f"/{lang}/" for lang in other_languages)
    pages = frozenset(p for p in reference["pages"] if not p.startswith(prefixes))
    aliases = {a["path"]: site_path(a["target"], base_path) for a in reference["alias_redirects"]
               if not a["path"].startswith(prefixes)}
    terms = {
        taxonomy: {site_path(term["relPermalink"], base_path).strip("/").split("/")[-1]:
                   term["count"] for term in entries}
        for taxonomy, entries in reference["taxonomies"].get(language, {}).items()}
    return SiteShape(pages, aliases, terms)
