"""Check every internal link and anchor of a written site."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from figdown.load.pages import LeftOut
from figdown.load.urls import with_base
from figdown.markdown.engine import Link
from figdown.output.guesses import GuessIndex, nearest_id
from figdown.output.linkstate import LinkRecord, PageLinks
from figdown.output.pagescan import PageScan, scan_page
from figdown.problems import Problem, Severity

_SKIP_SCHEMES = ("mailto:", "tel:", "data:", "javascript:", "#")

def _page_url(path: str) -> str:
    """`posts/x/index.html` → `/posts/x/`."""
    if path.endswith("index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def check_links(root: Path, base_path: str, sources: Mapping[str, tuple[str, Sequence[Link]]],
                severity: Severity = "error", index: LinkRecord | None = None,
                scanned: Mapping[str, PageScan] | None = None,
                files: set[str] | None = None, save_index: bool = True,
                left_out: Mapping[str, LeftOut] | None = None) -> list[Problem]:
    """Every href/src inside the site resolves to a file, every #fragment to an id.

    `sources` maps a page URL (`/posts/x/`) to its Markdown file and the links written in it,
    so that a broken link is reported at the line where the user wrote it. `index` is where
    the previous check's findings are kept (see `linkstate.py`): pages whose bytes and
    whose links' targets did not change since are not read again. `scanned` holds pages
    already scanned by the process that wrote them; the others are read here. `files` is
    every file under `root` (as `a/b.html`), when the caller knows them. Without
    `save_index`, the index is read but not written again: the next check then scans again
    the pages whose bytes changed since it was written. `left_out` maps the site path of
    each page the build leaves out (`/posts/x/`) to why: a link to one, or close to one,
    says so.
    """
    files = _listing(root) if files is None else files
    pages = sorted(f for f in files if f.endswith(".html"))
    scans = dict(scanned or {})
    for page in pages:
        if page not in scans:
            scans[page] = scan_page((root / page).read_bytes())
    digests = {page: scans[page].digest for page in pages}
    last = index.read(base_path) if index is not None else None
    reusable = last.reusable(digests) if last is not None else {}
    ids: dict[str, set[str]] = {}
    refs: dict[str, Sequence[str]] = {}
    for page in pages:
        if page in reusable:
            ids[page] = reusable[page].ids
            continue
        scan = scans[page]
        if scan.ids is None or scan.refs is None:
            scan = scans[page] = scan_page((root / page).read_bytes())
        ids[page], refs[page] = set(scan.ids or ()), scan.refs or ()
    known_urls = sorted({_page_url(f) for f in files})
    dirty = last.dirty(files, ids) if last is not None else set()
    rooted: dict[str, tuple[tuple[str, bool] | None, str | None]] = {}  # resolves alike
    found: dict[str, PageLinks] = {}
    for page in pages:
        kept = reusable.get(page)
        if kept is not None and kept.targets.isdisjoint(dirty):
            found[page] = kept
            continue
        url = base_path.rstrip("/") + _page_url(page)
        if page not in refs:
            scans[page] = scan_page((root / page).read_bytes())
        page_refs = refs[page] if page in refs else scans[page].refs or ()
        targets: set[str] = set()
        missing: list[tuple[str, str, bool]] = []
        for ref in page_refs:
            if ref.startswith("/") and not ref.startswith("//"):
                if ref not in rooted:
                    rooted[ref] = _resolve(ref, url, base_path, files, ids)
                result, target = rooted[ref]
            else:
                result, target = _resolve(ref, url, base_path, files, ids)
            if target is not None:
                targets.add(target)
            if result is not None:
                missing.append((ref, *result))
        found[page] = PageLinks(digests[page], ids[page], frozenset(targets), tuple(missing))
    if index is not None and save_index:
        index.write(base_path, files, found)
    return _report(pages, found, sources, base_path, severity, known_urls, files, ids,
                   left_out or {})


def _listing(root: Path) -> set[str]:
    files: set[str] = set()
    for top, _, names in os.walk(root):
        rel = os.path.relpath(top, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        files.update(prefix + name for name in names)
    return files


def _report(pages: Sequence[str], found: Mapping[str, PageLinks],
            sources: Mapping[str, tuple[str, Sequence[Link]]], base_path: str,
            severity: Severity, known_urls: Sequence[str], files: set[str],
            ids: Mapping[str, set[str]], left_out: Mapping[str, LeftOut]) -> list[Problem]:
    """One problem per broken link, at the line that wrote it, each reported once."""
    # a link shown on several pages (a summary in lists) is reported where it was written
    writers: dict[str, tuple[str, Link]] = {}
    for page_url, (source_path, links) in sorted(sources.items()):
        for writer in links:
            written_as = writer.href or writer.url
            if not urlsplit(written_as).scheme and not written_as.startswith("/"):
                # summaries on list pages show relative links joined to their page's URL
                written_as = urljoin(base_path.rstrip("/") + page_url, written_as)
            writers.setdefault(written_as, (source_path, writer))
    problems: list[Problem] = []
    reported: set[tuple[str, int | None, str]] = set()
    index: GuessIndex | None = None
    for page in pages:
        source, written = sources.get(_page_url(page), (f"output/{page}", ()))
        for ref, target, escaped in found[page].missing:
            link: Link | None = next((w for w in written if (w.href or w.url) == ref), None)
            where = source
            if link is None and ref in writers and not ref.startswith("#"):
                where, link = writers[ref]
            # not written in any Markdown file: it comes from a template, shown on many pages
            key = (where, link.line, link.url) if link is not None else (
                "", None, f"{_page_url(page)}{ref}" if ref.startswith("#") else ref)
            if link is None:
                where = f"output/{page}"
            if key in reported:
                continue
            reported.add(key)
            shown = link.url if link else ref  # as the user wrote it
            message = f"broken link {shown}"
            hint = "fix the link or add the page"
            meant = left_out.get(target) if not escaped else None
            if index is None:  # made once, and only for a check that found a broken link
                index = GuessIndex.of(known_urls, left_out)
            guess = None if meant else _guess(target, index, files, ids)
            if meant is not None:
                message += f": {meant.what()}"
                hint = f"{meant.how()}, or link it once it is published"
            elif guess and (guess != target or escaped):
                why = (f"{left_out[guess].what()}: {left_out[guess].how()}"
                       if guess in left_out else "")
                if shown.startswith("#"):
                    guess = "#" + guess.partition("#")[2]
                elif base_path != "/" and (link is None or link.url == ref):
                    guess = with_base(base_path, guess)  # not rewritten: needs the base path
                message += f" (did you mean {guess}?{' ' + why if why else ''})"
            problems.append(Problem(where, link.line if link else None, message, hint, severity))
    return problems


def _guess(target: str, index: GuessIndex, files: set[str],
           ids: Mapping[str, set[str]]) -> str | None:
    """The nearest page (or, for a missing #fragment, the nearest id on that page), if one is
    close enough to be a slip of the keyboard."""
    path, _, fragment = target.partition("#")
    page_file = _file_for(path, files) if fragment else None
    if page_file is not None:
        close = nearest_id(fragment, ids.get(page_file, ()))
        return f"{path}#{close}" if close else None
    return index.nearest(path)


def _resolve(ref: str, page_url: str, base_path: str, files: set[str],
             ids: Mapping[str, set[str]]) -> tuple[tuple[str, bool] | None, str | None]:
    """Whether `ref` is broken and which file of the site it points to.

    The first is None when `ref` is fine or external; else the missing site path, and whether
    the link leaves the base path (then the path is as written, without the base). The second
    is the file whose presence (and ids) the answer depends on, if any.
    """
    ref = ref.strip()
    if not ref or ref.startswith(_SKIP_SCHEMES):
        if ref.startswith("#") and len(ref) > 1:
            page_file = _file_for(page_url[len(base_path.rstrip("/")):] or "/", files)
            if page_file and unquote(ref[1:]) not in ids.get(page_file, set()):
                return ((page_url[len(base_path.rstrip("/")):] or "/") + ref, False), page_file
            return None, page_file
        return None, None
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None, None
    absolute = _join(page_url, parts.path) if parts.path else page_url
    if not absolute.startswith(base_path):
        return (absolute, True), None
    site_path = "/" + unquote(absolute[len(base_path):])
    target = _file_for(site_path, files)
    if target is None:
        return (site_path, False), None
    if parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in ids.get(
            target, set()):
        return (f"{site_path}#{parts.fragment}", False), target
    return None, target


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
