"""Rendered outputs whose template inputs did not change: linked from the last output.

For each page, list and feed the default theme renders, a key is a sha256 of everything its
template reads: the site-wide part (figdown's code, the config, the theme's layouts, the
sections' URLs, the build date) and the values passed to it (the page's view, its
neighbours, a pager's items, the term) — the page's own view by the pickle of all its
fields, body included; the pages a list, feed or neighbour link shows by the fields it shows
of them (`listed_fields`). The last successful build's keys are kept in the output
folder's records (folders.py: `rendered.json`) with the size, mtime and inode of the
file each output became, and the sha256 of its bytes (for the link check, which then need
not read it); an output whose key and file are both unchanged is not rendered again but
hard-linked from the previous output into the staging folder.

Only the default theme's `single.html`, `list.html`, `term.html` and `rss.xml` are keyed:
what they read of `site` is listed in `site_key`. A site with its own layouts renders
everything, as a layout may read any part of the site.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from figdown.cache.filememo import RecordFiles, record_payload
from figdown.load.taxonomy import Taxonomy
from figdown.memo import Memo
from figdown.site.model import Neighbours, PageView, Site, TermRef

RECORD_NAME = "rendered.json"
RECORD_FORMAT = 2
KEYED_TEMPLATES = frozenset({"single.html", "list.html", "term.html", "rss.xml"})


def site_key(site: Site, code: str, layouts: Path) -> str:
    """What every keyed template may read besides its own arguments."""
    digest = hashlib.sha256(f"{RECORD_FORMAT}\0{code}\0{site.config!r}\0".encode(
        "utf-8", "surrogatepass"))
    for path in sorted(layouts.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(layouts)}\0".encode() + path.read_bytes())
    # site.section_url() in breadcrumbs; the rest of `site` they read is the config
    digest.update(repr(([(v.page.sections, v.url) for v in site.sections], site.build_date,
                        site.main_section)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class OutputEntry:
    """One output the last build wrote: the key it was made from, the file it became."""

    key: str
    size: int
    mtime_ns: int
    inode: int
    digest: str  # sha256 of its bytes, "" when not recorded


class OutputReuse:
    """Keys of this build's outputs, and which ones the previous output already holds.

    `records` are this output folder's records; `files` the process's memory of records;
    `pickled` remembers the digests of the views a recent build keyed (the same view, the
    same digest).
    """

    def __init__(self, site_key: str, destination: Path, records: Path, files: RecordFiles,
                 pickled: Memo[str]) -> None:
        self.site_key = site_key
        self.destination = destination
        self.record_path = records / RECORD_NAME
        self.files = files
        self.pickled = pickled
        self.previous = _read_record(files, self.record_path, destination)
        self._digests: dict[tuple[int, bool], tuple[object, str | None]] = {}

    def key(self, template: str, context: Mapping[str, Any]) -> str | None:
        """The key of one render, or None when a value cannot be keyed."""
        if template not in KEYED_TEMPLATES:
            return None
        digest = hashlib.sha256(f"{self.site_key}\0{template}".encode())
        for name in sorted(context):
            part = self._digest(context[name], listed=name != "page")
            if part is None:
                return None
            digest.update(f"\0{name}={part}".encode())
        return digest.hexdigest()

    def prime(self, views: Iterable[PageView]) -> None:
        """Digest these views now, in full and as listed: before the write stage forks, so
        that its processes share the digests instead of each reading every view again
        (reading a view from a forked process copies the memory pages it touches)."""
        for view in views:
            self._digest(view, listed=False)
            self._digest(view, listed=True)

    def unchanged(self, path: str, key: str) -> tuple[Path, str | None] | None:
        """The previous output's file at `path` when it was made from the same key and has
        not been touched since, with the sha256 of its bytes if it was recorded."""
        known = self.previous.get(path)
        if known is None or known.key != key:
            return None
        file = self.destination / path
        try:
            stat = os.lstat(file)
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != (known.size, known.mtime_ns,
                                                             known.inode):
            return None
        return file, known.digest or None

    def save(self, keys: Mapping[str, str], digests: Mapping[str, str]) -> None:
        """Record this build's keys (output path → key) and the digests of the bytes it
        wrote (path → sha256), after its output was swapped in."""
        entries: dict[str, OutputEntry] = {}
        for path, key in keys.items():
            try:
                stat = os.lstat(self.destination / path)
            except OSError:
                continue
            entries[path] = OutputEntry(key, stat.st_size, stat.st_mtime_ns, stat.st_ino,
                                        digests.get(path, ""))
        outputs = {path: [e.key, e.size, e.mtime_ns, e.inode, e.digest]
                   for path, e in entries.items()}
        payload = json.dumps({"format": RECORD_FORMAT, "destination": str(self.destination),
                              "outputs": outputs},
                             separators=(",", ":"), sort_keys=True).encode()
        self.files.write_record(self.record_path, payload, (str(self.destination), entries))

    def _digest(self, value: object, listed: bool) -> str | None:
        """A digest of one value passed to a template; `listed`: its pages are shown as
        lists, feeds and neighbours show them (see `listed_fields`), not in full."""
        if value is None or isinstance(value, str | int | bool):
            return repr(value)
        memo = (id(value), listed)
        if memo in self._digests:
            return self._digests[memo][1]
        part: str | None
        if isinstance(value, PageView | Taxonomy):
            # pickle writes every field, nested ones too, in a fixed order, at C speed: two
            # views with the same bytes are equal (a view whose objects are shared otherwise
            # than last time only gets another key, and is rendered again)
            shown = listed_fields(value) if listed and isinstance(value, PageView) else value
            part = self.pickled.get(memo, value, lambda: _pickle_digest(shown))
        elif isinstance(value, TermRef):  # plain strings and ints
            part = repr(value)
        elif isinstance(value, tuple) and all(v is None or isinstance(v, str | int | bool)
                                              for v in value):  # a pager's URLs
            part = hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
        elif isinstance(value, Neighbours):
            part = self._join([value.newer, value.older, *value.related], listed)
        elif isinstance(value, Sequence):
            part = self._join(list(value), listed)
        elif hasattr(value, "__dataclass_fields__"):  # a Pager or a TermRef: small values
            fields = [getattr(value, name) for name in value.__dataclass_fields__]
            part = self._join([type(value).__name__, *fields], listed)
        else:
            return None
        self._digests[memo] = (value, part)  # the value kept: its id stays its own
        return part

    def _join(self, values: Sequence[object], listed: bool) -> str | None:
        parts = [self._digest(v, listed) for v in values]
        if any(p is None for p in parts):
            return None
        return hashlib.sha256("\0".join(f"{len(p or '')}:{p}" for p in parts).encode(
            "utf-8", "surrogatepass")).hexdigest()


def _pickle_digest(value: object) -> str:
    """A sha256 of every field of `value`, nested ones too, whichever objects it shares:
    without pickle's memo, an equal value read back from the cache (whose objects are
    shared otherwise than those parsed afresh) has the same digest."""
    digest = hashlib.sha256()
    pickler = pickle.Pickler(_Hashing(digest), protocol=5)
    pickler.fast = True  # no memo: a value seen twice is written twice
    try:
        pickler.dump(value)
    except (RecursionError, ValueError):  # a value that holds itself: keyed with the memo
        return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()
    return digest.hexdigest()


class _Hashing:
    def __init__(self, digest: Any) -> None:
        self.write = digest.update


def listed_fields(view: PageView) -> tuple[object, ...]:
    """What the default theme shows of a page in a list, a feed or a neighbour link: not its
    content, words or table of contents (a test checks that editing a post below its summary
    changes no list or feed: a template showing more of a listed page must add it here).
    Lists show the reading time in minutes, not the number of words."""
    return (view.kind, view.title, view.url, view.rel_url, view.permalink, view.date,
            view.lastmod, view.summary, view.truncated, view.description, view.reading_time,
            view.terms, view.image, view.section, view.source, view.draft)


def _read_record(files: RecordFiles, path: Path, destination: Path) -> dict[str, OutputEntry]:
    try:
        found = files.parsed(path, _parse_record)
    except OSError:
        return {}
    return found[1] if found[0] == str(destination) else {}


def _parse_record(raw: bytes) -> tuple[str, dict[str, OutputEntry]]:
    try:
        payload = record_payload(raw)
        if payload is None:
            return "", {}
        data = json.loads(payload)
        if data.get("format") != RECORD_FORMAT:
            return "", {}
        return str(data["destination"]), {
            str(p): OutputEntry(str(e[0]), int(e[1]), int(e[2]), int(e[3]), str(e[4]))
            for p, e in data["outputs"].items()}
    except Exception:  # damaged, from elsewhere: render everything
        return "", {}


__all__ = ["KEYED_TEMPLATES", "OutputEntry", "OutputReuse", "listed_fields", "site_key"]
