"""The only place URLs are made: slugs, permalinks, the base path."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

_ALLOWED_PUNCT = frozenset("./\\_#+~-@")


def _allowed(char: str) -> bool:
    if char == " ":
        return False
    category = unicodedata.category(char)
    return char.isalnum() or category[0] in {"L", "N", "M"} or char in _ALLOWED_PUNCT


def sanitize(text: str) -> str:
    """Hugo's path sanitising: letters, digits and a few marks kept; runs of spaces become `-`."""
    out: list[str] = []
    pending_hyphen = False
    was_hyphen = False
    for char in text:
        if _allowed(char):
            was_hyphen = char == "-"
            if pending_hyphen and not was_hyphen:
                out.append("-")
            pending_hyphen = False
            out.append(char)
        elif out and not was_hyphen and char.isspace():
            pending_hyphen = True
    return "".join(out)


def urlize(text: str, lower: bool = True) -> str:
    """Hugo's `urlize` for a path segment: sanitised, lower case, no slashes."""
    slug = sanitize(text.replace("/", " ").replace("\\", " ").replace("#", " ").strip())
    return slug.lower() if lower else slug


def path_name(text: str, lower: bool = True) -> str:
    """A content folder or file name, or a taxonomy term, as Hugo puts it in a path: each
    space a `-` (`two  spaces` is `two--spaces`), then sanitised; a `/` is kept, so a term
    `Career / work` is at `career-/-work/` and `Life/Work` at `life/work/`, with empty,
    `.` and `..` parts dropped (a backslash too, which Hugo keeps)."""
    slug = sanitize(text.replace(" ", "-").replace("\\", ""))
    slug = "/".join(part for part in slug.split("/") if part not in {"", ".", ".."})
    return slug.lower() if lower else slug


def fold(text: str) -> str:
    """The identity of a term: case and accents do not make two terms."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clean_path(path: str) -> str | None:
    """Normalise a site path to `/a/b/`; None when it would leave the site."""
    if "\\" in path or "\x00" in path:
        return None
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            return None
        parts.append(part)
    if not parts:
        return "/"
    joined = "/" + "/".join(parts)
    if "." in parts[-1] and not path.endswith("/"):
        return joined  # a file such as /feed.xml
    return joined + "/"


def expand_permalink(pattern: str, *, slug: str | None, title: str, filename: str,
                     section: str, sections: str, date: datetime | None,
                     lower: bool = True) -> str:
    """Fill a Hugo permalink pattern such as `/:year/:month/:slug/`."""
    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return urlize(slug, lower) if slug else urlize(title, lower)
        if name == "slugorfilename":
            return urlize(slug, lower) if slug else filename
        if name == "title":
            return urlize(title, lower)
        if name in {"filename", "contentbasename"}:
            return filename
        if name == "section":
            return section
        if name == "sections":
            return sections
        if date is None:
            return ""
        formats = {"year": "%Y", "month": "%m", "monthname": "%B", "day": "%d",
                   "weekday": "%w", "weekdayname": "%A", "yearday": "%j"}
        return date.strftime(formats[name]) if name in formats else match.group(0)

    expanded = re.sub(r":([a-z]+)", token, pattern)
    return expanded if expanded.startswith("/") else "/" + expanded


def expand_folder_permalink(pattern: str, **values: Any) -> str:
    """`expand_permalink`, always to a folder URL (`/posts/python-3.12-notes/`) unless the
    pattern itself names a file (`/:slug.html`): a dot that a slug or file name brings in
    (`release-v1.2`) does not make the page a file, as in Hugo."""
    url = expand_permalink(pattern, **values)
    last = re.sub(r":([a-z]+)", "", pattern.rstrip("/").rsplit("/", 1)[-1])
    return url if "." in last and not pattern.endswith("/") else url.rstrip("/") + "/"


def with_base(base_path: str, site_path: str) -> str:
    """A site path (`/posts/x/`) as a link under the base path (`/blog/posts/x/`)."""
    if not site_path.startswith("/"):
        return site_path
    return base_path.rstrip("/") + site_path


def absolute(base_url: str, site_path: str) -> str:
    """A site path as an absolute URL for feeds and sitemaps."""
    if "://" not in base_url:
        return with_base(base_url if base_url.startswith("/") else "/", site_path)
    scheme, _, rest = base_url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}" + with_base("/" + path, site_path)


def output_file(site_path: str) -> str:
    """Where a page's URL is written: `/posts/x/` → `posts/x/index.html`."""
    decoded = site_path.lstrip("/")
    if site_path.endswith("/"):
        return posixpath.join(decoded, "index.html")
    return decoded


def encode(site_path: str) -> str:
    """Percent-encode a site path for an href, leaving `/` and common marks. A `#` with a
    `/` after it is part of the path (a term `C#` is at `/tags/c#/`, as in Hugo), not the
    start of a fragment (`/about/#team`)."""
    path, hash_mark, rest = site_path.partition("#")
    while hash_mark and "/" in rest:
        more, hash_mark, rest = rest.partition("#")
        path += "%23" + more
    return quote(path, safe="/:?=&%@+~") + (quote("#" + rest, safe="/#:?=&%@+~")
                                             if hash_mark else "")


def pager_path(first: str, number: int) -> str:
    """Hugo's pagination scheme: page 1 is the list itself, page N is `<list>page/N/`."""
    return first if number == 1 else f"{first}page/{number}/"
