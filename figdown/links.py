"""Check every internal link and anchor of a written site."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from figdown.markdown import Link
from figdown.problems import Problem, Severity

_ATTR = re.compile(r"""\s(href|src|id|srcset|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SKIP_SCHEMES = ("mailto:", "tel:", "data:", "javascript:", "#")


def _page_url(path: str) -> str:
    """`posts/x/index.html` → `/posts/x/`."""
    if path.endswith("index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def check_links(root: Path, base_path: str, sources: Mapping[str, tuple[str, Sequence[Link]]],
                severity: Severity = "error") -> list[Problem]:
    """Every href/src inside the site resolves to a file, every #fragment to an id.

    `sources` maps a page URL (`/posts/x/`) to its Markdown file and the links written in it,
    so that a broken link is reported at the line where the user wrote it.
    """
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    pages = sorted(f for f in files if f.endswith(".html"))
    ids: dict[str, set[str]] = {}
    refs: dict[str, list[str]] = {}
    for page in pages:
        text = (root / page).read_text(encoding="utf-8", errors="replace")
        page_ids: set[str] = set()
        page_refs: list[str] = []
        for match in _ATTR.finditer(text):
            name, value = match.group(1).lower(), html.unescape(match.group(2) or match.group(3))
            if name == "id":
                page_ids.add(value)
            elif name == "srcset":
                page_refs.extend(part.strip().split(" ")[0] for part in value.split(",") if
                                 part.strip())
            else:
                page_refs.append(value)
        ids[page] = page_ids
        refs[page] = page_refs
    known_urls = sorted({_page_url(f) for f in files})
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    rooted: dict[str, str | None] = {}  # a root-relative link resolves the same on every page
    for page in pages:
        url = base_path.rstrip("/") + _page_url(page)
        source, written = sources.get(_page_url(page), (f"output/{page}", ()))
        for ref in refs[page]:
            if ref.startswith("/") and not ref.startswith("//"):
                if ref not in rooted:
                    rooted[ref] = _resolve(ref, url, base_path, files, ids)
                target = rooted[ref]
            else:
                target = _resolve(ref, url, base_path, files, ids)
            if target is None or (source, ref) in reported:
                continue
            reported.add((source, ref))
            line = next((link.line for link in written if link.url == ref or
                         base_path.rstrip("/") + link.url == ref), None)
            guess = difflib.get_close_matches(target, known_urls, n=1)
            hint = f"did you mean {guess[0]}?" if guess and guess[0] != target else (
                "fix the link or add the page")
            problems.append(Problem(source, line, f"broken link {ref}", hint, severity))
    return problems


def _resolve(ref: str, page_url: str, base_path: str, files: set[str],
             ids: Mapping[str, set[str]]) -> str | None:
    """None when `ref` is fine or external; else the site path that is missing."""
    ref = ref.strip()
    if not ref or ref.startswith(_SKIP_SCHEMES):
        if ref.startswith("#") and len(ref) > 1:
            page_file = _file_for(page_url[len(base_path.rstrip("/")):] or "/", files)
            if page_file and unquote(ref[1:]) not in ids.get(page_file, set()):
                return page_url + ref
        return None
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None
    absolute = _join(page_url, parts.path) if parts.path else page_url
    if not absolute.startswith(base_path):
        return absolute
    site_path = "/" + unquote(absolute[len(base_path):])
    target = _file_for(site_path, files)
    if target is None:
        return site_path
    if parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in ids.get(
            target, set()):
        return f"{site_path}#{parts.fragment}"
    return None


def _join(page_url: str, path: str) -> str:
    """`urljoin` for a path, skipping it for the common root-relative link (it is slow)."""
    if path.startswith("/") and not path.startswith("//") and "/." not in path:
        return path
    return urljoin(page_url, path)


def _file_for(site_path: str, files: set[str]) -> str | None:
    relative = site_path.lstrip("/")
    candidates = [relative] if relative and not relative.endswith("/") else []
    candidates.append((relative.rstrip("/") + "/index.html").lstrip("/"))
    for candidate in candidates:
        if candidate in files:
            return candidate
    return None
