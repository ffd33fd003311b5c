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
from figdown.urls import with_base

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
            quoted = match.group(2) if match.group(2) is not None else match.group(3)
            name, value = match.group(1).lower(), html.unescape(quoted)
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
    # a link shown on several pages (a summary in lists) is reported where it was written
    writers: dict[str, tuple[str, Link]] = {}
    for page_url, (source_path, links) in sorted(sources.items()):
        for link in links:
            written_as = link.href or link.url
            if not urlsplit(written_as).scheme and not written_as.startswith("/"):
                # summaries on list pages show relative links joined to their page's URL
                written_as = urljoin(base_path.rstrip("/") + page_url, written_as)
            writers.setdefault(written_as, (source_path, link))
    problems: list[Problem] = []
    reported: set[tuple[str, int | None, str]] = set()
    rooted: dict[str, tuple[str, bool] | None] = {}  # a root-relative link resolves alike
    for page in pages:
        url = base_path.rstrip("/") + _page_url(page)
        source, written = sources.get(_page_url(page), (f"output/{page}", ()))
        for ref in refs[page]:
            if ref.startswith("/") and not ref.startswith("//"):
                if ref not in rooted:
                    rooted[ref] = _resolve(ref, url, base_path, files, ids)
                missing = rooted[ref]
            else:
                missing = _resolve(ref, url, base_path, files, ids)
            if missing is None:
                continue
            target, escaped = missing
            found = next((link for link in written if (link.href or link.url) == ref), None)
            where = source
            if found is None and ref in writers and not ref.startswith("#"):
                where, found = writers[ref]
            # not written in any Markdown file: it comes from a template, shown on many pages
            key = (where, found.line, found.url) if found is not None else (
                "", None, f"{_page_url(page)}{ref}" if ref.startswith("#") else ref)
            if found is None:
                where = f"output/{page}"
            if key in reported:
                continue
            reported.add(key)
            shown = found.url if found else ref  # as the user wrote it
            message = f"broken link {shown}"
            guess = _guess(target, known_urls, files, ids)
            if guess and (guess != target or escaped):
                if shown.startswith("#"):
                    guess = "#" + guess.partition("#")[2]
                elif base_path != "/" and (found is None or found.url == ref):
                    guess = with_base(base_path, guess)  # not rewritten: needs the base path
                message += f" (did you mean {guess}?)"
            problems.append(Problem(where, found.line if found else None, message,
                                    "fix the link or add the page", severity))
    return problems


def _guess(target: str, known_urls: Sequence[str], files: set[str],
           ids: Mapping[str, set[str]]) -> str | None:
    """The nearest page (or, for a missing #fragment, the nearest id on that page)."""
    path, _, fragment = target.partition("#")
    page_file = _file_for(path, files) if fragment else None
    if page_file is not None:
        close = difflib.get_close_matches(fragment, sorted(ids.get(page_file, ())), n=1)
        return f"{path}#{close[0]}" if close else None
    close = difflib.get_close_matches(path, known_urls, n=1)
    return close[0] if close else None


def _resolve(ref: str, page_url: str, base_path: str, files: set[str],
             ids: Mapping[str, set[str]]) -> tuple[str, bool] | None:
    """None when `ref` is fine or external; else the missing site path, and whether the link
    leaves the base path (then the path is as written, without the base)."""
    ref = ref.strip()
    if not ref or ref.startswith(_SKIP_SCHEMES):
        if ref.startswith("#") and len(ref) > 1:
            page_file = _file_for(page_url[len(base_path.rstrip("/")):] or "/", files)
            if page_file and unquote(ref[1:]) not in ids.get(page_file, set()):
                return (page_url[len(base_path.rstrip("/")):] or "/") + ref, False
        return None
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None
    absolute = _join(page_url, parts.path) if parts.path else page_url
    if not absolute.startswith(base_path):
        return absolute, True
    site_path = "/" + unquote(absolute[len(base_path):])
    target = _file_for(site_path, files)
    if target is None:
        return site_path, False
    if parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in ids.get(
            target, set()):
        return f"{site_path}#{parts.fragment}", False
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
