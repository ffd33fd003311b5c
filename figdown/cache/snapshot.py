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

from figdown.cache.filememo import parsed, record_view, write_record, write_record_from
from figdown.cache.folders import output_records
from figdown.markdown.engine import Link
from figdown.markdown.shortcodes import PageRef
from figdown.output.links import LeftOut
from figdown.outputfile import OutputFile
from figdown.problems import Problem
from figdown.site.model import PageView, Site

Sources = Mapping[str, tuple[str, tuple[Link, ...]]]  # page URL → its file and its links


@dataclass(frozen=True)
class Inputs:
    """What a build read, and what it left in the output folder."""

    others: str  # digest of every input but the content files (pipeline.input_parts)
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


def new_token() -> str:
    return secrets.token_hex(16)


def snapshot_records(cache_dir: Path, destination: Path | str) -> tuple[Path, Path]:
    """The site record and the edits record of one output folder."""
    folder = output_records(cache_dir, destination)
    return folder / "site.pickle", folder / "edits.pickle"


def save_snapshot(cache_dir: Path, snapshot: Snapshot) -> None:
    """Keep the site of a full build (and no edits record: they were of another one)."""
    site_record, edits_record = snapshot_records(cache_dir, snapshot.destination)
    with contextlib.suppress(OSError):
        edits_record.unlink(missing_ok=True)
    write_record_from(site_record, lambda file: pickle.dump(
        snapshot, file, protocol=pickle.HIGHEST_PROTOCOL), snapshot)


def save_edits(cache_dir: Path, snapshot: Snapshot) -> None:
    """Keep what a quick rebuild changed, for the next one to read on top of the site."""
    edits = (snapshot.token, snapshot.inputs, snapshot.report, dict(snapshot.edited),
             dict(snapshot.edited_sources), dict(snapshot.edited_figures),
             dict(snapshot.edited_search))
    write_record(snapshot_records(cache_dir, snapshot.destination)[1],
                 pickle.dumps(edits, protocol=pickle.HIGHEST_PROTOCOL), edits)


def load_snapshot(cache_dir: Path, destination: Path) -> Snapshot | None:
    """The last build's site with the edits since applied, or None (no usable record)."""
    site_record, edits_record = snapshot_records(cache_dir, destination)
    try:
        base = parsed(site_record, _unpickle)
    except OSError:
        return None
    if not isinstance(base, Snapshot) or base.destination != str(destination):
        return None
    try:
        edits = parsed(edits_record, _unpickle)
    except OSError:
        return base
    if not isinstance(edits, tuple) or len(edits) != 7 or edits[0] != base.token:
        return None  # an edits record without its site: the site is stale
    _, inputs, report, edited, edited_sources, edited_figures, edited_search = edits
    return replace(base, inputs=inputs, report=report, site=base.site.with_views(edited),
                   sources={**base.sources, **edited_sources},
                   figures={**base.figures, **edited_figures},
                   search={**base.search, **edited_search}, edited=edited,
                   edited_sources=edited_sources, edited_figures=edited_figures,
                   edited_search=edited_search)


def forget_snapshot(cache_dir: Path, destination: Path) -> None:
    """Remove an output folder's records before a full build writes anything into it."""
    for record in reversed(snapshot_records(cache_dir, destination)):
        with contextlib.suppress(OSError):
            record.unlink(missing_ok=True)


def _unpickle(raw: bytes) -> object:
    try:
        payload = record_view(raw)
        return None if payload is None else pickle.loads(payload)
    except Exception:  # damaged, or from another version of figdown: a full build
        return None


__all__ = ["Inputs", "Report", "Snapshot", "forget_snapshot", "load_snapshot", "new_token",
           "save_edits", "save_snapshot", "snapshot_records"]
