"""The site the last build assembled, kept for a rebuild after prose edits (see quick.py).

A full build with the default theme's layouts saves its `Site` (every page's view, the lists,
neighbours and related posts) in the output folder's records (outputcache.py), `site.pickle`,
with what it was built from: a digest of every input but the content files, a digest of
each content file, the figure store's digest, and a digest of the listing of the output
folder it left. A quick rebuild does not save the whole site again: the views it replaced
go into a small second record, `edits.pickle`, read on top of the first. Each output
folder has its own pair: a `serve` session, with its preview folder, leaves the snapshot of
`output/` as it was, so the `build` after it can still be a quick one.

Both records carry a checksum (`filememo.write_record`) and the same random token: a
damaged record, an edits record of another snapshot, or a snapshot whose inputs or output
folder differ from what a build finds, is not used, and that build is a full one. A full
build removes both before it writes anything.
"""

from __future__ import annotations

import contextlib
import pickle
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from figdown.cache.filememo import RecordFiles, record_view
from figdown.load.pages import LeftOut
from figdown.markdown.engine import Link
from figdown.markdown.shortcodes import PageRef
from figdown.outputfile import OutputFile
from figdown.problems import Problem
from figdown.site.model import PageView, Site

Sources = Mapping[str, tuple[str, tuple[Link, ...]]]  # page URL → its file and its links


@dataclass(frozen=True)
class Inputs:
    """What a build read, and what it left in the output folder."""

    others: str  # digest of every input but the content files (BuildCache.inputs)
    content: Mapping[str, str]  # content file, relative to content/ → digest of its bytes
    store: str  # the figure store, after the blocks ran
    listing: str  # manifest.listing_digest of the output folder it left
    horizon: str | None  # when a future or expiring page changes the site


@dataclass(frozen=True)
class Report:
    """What the build reported, to be reported again by a rebuild that keeps most of it."""

    counts: Mapping[str, int]
    blocks: int  # blocks run or reused
    blocks_of: Mapping[str, int]  # page path → its executable blocks
    problems: tuple[Problem, ...]  # warnings about the content, besides links
    link_problems: tuple[Problem, ...]  # what the link check found (warnings)


@dataclass(frozen=True)
class Snapshot:
    token: str  # ties an edits record to the snapshot it edits
    destination: str
    inputs: Inputs
    report: Report
    site: Site
    refs: tuple[PageRef, ...]  # every page, for shortcodes' ref and relref
    sources: Sources
    figures: Mapping[str, tuple[OutputFile, ...]]  # page path → the figures its blocks made
    search: Mapping[str, bytes]  # page path → its entry in the search index
    # what quick rebuilds changed since `site` was saved: page path → view, URL → source
    edited: Mapping[str, PageView] = field(default_factory=dict)
    edited_sources: Sources = field(default_factory=dict)
    edited_figures: Mapping[str, tuple[OutputFile, ...]] = field(default_factory=dict)
    edited_search: Mapping[str, bytes] = field(default_factory=dict)
    left_out: Mapping[str, LeftOut] = field(default_factory=dict)  # see links.check_links


@dataclass(frozen=True)
class Edits:
    """What quick rebuilds changed since the snapshot with the same token was saved."""

    token: str
    inputs: Inputs
    report: Report
    views: Mapping[str, PageView]
    sources: Sources
    figures: Mapping[str, tuple[OutputFile, ...]]
    search: Mapping[str, bytes]


def new_token() -> str:
    return secrets.token_hex(16)


def snapshot_records(records: Path) -> tuple[Path, Path]:
    """The site record and the edits record in one output folder's records."""
    return records / "site.pickle", records / "edits.pickle"


def save_snapshot(files: RecordFiles, records: Path, snapshot: Snapshot) -> None:
    """Keep the site of a full build (and no edits record: they were of another one)."""
    site_record, edits_record = snapshot_records(records)
    with contextlib.suppress(OSError):
        edits_record.unlink(missing_ok=True)
    files.write_record_from(site_record, lambda file: pickle.dump(
        snapshot, file, protocol=pickle.HIGHEST_PROTOCOL), snapshot)


def save_edits(files: RecordFiles, records: Path, snapshot: Snapshot) -> None:
    """Keep what a quick rebuild changed, for the next one to read on top of the site."""
    edits = Edits(snapshot.token, snapshot.inputs, snapshot.report, dict(snapshot.edited),
                  dict(snapshot.edited_sources), dict(snapshot.edited_figures),
                  dict(snapshot.edited_search))
    files.write_record(snapshot_records(records)[1],
                       pickle.dumps(edits, protocol=pickle.HIGHEST_PROTOCOL), edits)


def load_snapshot(files: RecordFiles, records: Path, destination: Path) -> Snapshot | None:
    """The last build's site with the edits since applied, or None (no usable record)."""
    site_record, edits_record = snapshot_records(records)
    try:
        base = files.parsed(site_record, _unpickle)
    except OSError:
        return None
    if not isinstance(base, Snapshot) or base.destination != str(destination):
        return None
    try:
        edits = files.parsed(edits_record, _unpickle)
    except OSError:
        return base
    if not isinstance(edits, Edits) or edits.token != base.token:
        return None  # an edits record without its site: the site is stale
    return replace(base, inputs=edits.inputs, report=edits.report,
                   site=base.site.with_views(edits.views),
                   sources={**base.sources, **edits.sources},
                   figures={**base.figures, **edits.figures},
                   search={**base.search, **edits.search}, edited=edits.views,
                   edited_sources=edits.sources, edited_figures=edits.figures,
                   edited_search=edits.search)


def forget_snapshot(records: Path) -> None:
    """Remove an output folder's snapshot before a full build writes anything into it."""
    for record in reversed(snapshot_records(records)):
        with contextlib.suppress(OSError):
            record.unlink(missing_ok=True)


def _unpickle(raw: bytes) -> object:
    try:
        payload = record_view(raw)
        return None if payload is None else pickle.loads(payload)
    except Exception:  # damaged, or from another version of figdown: a full build
        return None


__all__ = ["Edits", "Inputs", "Report", "Snapshot", "forget_snapshot", "load_snapshot", "new_token",
           "save_edits", "save_snapshot", "snapshot_records"]
