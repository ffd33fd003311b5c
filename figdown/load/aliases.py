"""Aliases: the redirect pages Hugo writes for a page's old URLs."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from figdown.load.content import Page
from figdown.load.urls import clean_path
from figdown.problems import Problem


def alias_path(alias: str, page_url: str, ugly: bool = False) -> str | None:
    """Where an alias is written, Hugo's way; None when it would leave the site.

    An alias with a leading slash is from the site root; one without is beside the page
    (`legacy` on `/2024/03/post/` is `/2024/03/legacy/`). A path not ending in `.html`
    is a folder, as Hugo writes `<alias>/index.html` — or `<alias>.html` with `uglyURLs`.
    """
    alias = alias.strip()
    if not alias or "://" in alias:
        return None
    if not alias.startswith("/"):
        alias = posixpath.join(posixpath.dirname(page_url.rstrip("/")), alias)
    cleaned = clean_path(alias)
    if cleaned is None or cleaned == "/":
        return None
    if cleaned.endswith(".html"):
        return cleaned
    return cleaned.rstrip("/") + ".html" if ugly else cleaned.rstrip("/") + "/"


def resolve_aliases(pages: Sequence[Page], extra: Mapping[str, str] | None = None,
                    ugly: bool = False) -> tuple[dict[str, str], list[Problem]]:
    """Alias path → target URL for pages in display order, and a warning per lost alias.

    As in Hugo's output, a page's own URL wins over another page's alias, and when two
    pages claim one alias the first in Hugo's default order (weight, then newest) keeps it.
    """
    problems: list[Problem] = []
    urls = {page.url: page for page in pages}
    owners: dict[str, Page] = {}
    result: dict[str, str] = dict(extra or {})
    for page in pages:
        for alias in page.front.aliases:
            path = alias_path(alias, page.url, ugly)
            line = page.line_of("aliases")
            if "?" in alias or "#" in alias:
                problems.append(Problem(page.path, line, f"alias {alias!r} holds a query or "
                                        "fragment (? or #), which no redirect file can have",
                                        "write a plain path, such as /old-name/"))
                continue
            if path is None:
                where = ("is the home page's URL" if clean_path(alias.strip() or "/") == "/"
                         else "leaves the site's output folder")
                problems.append(Problem(page.path, line, f"alias {alias!r} {where}",
                                        "write a path inside the site, such as /old-name/"))
                continue
            if path in urls:
                if urls[path] is not page:
                    problems.append(Problem(
                        page.path, line, f"alias {alias!r} is the URL of {urls[path].path}; "
                        "no redirect is written there", "remove the alias", "warning"))
                continue
            if path in owners and owners[path] is not page:
                problems.append(Problem(
                    page.path, line, f"alias {alias!r} is also an alias of {owners[path].path},"
                    " which keeps it", "remove the alias from one of the two pages", "warning"))
                continue
            owners[path] = page
            result[path] = page.url
    return result, problems
