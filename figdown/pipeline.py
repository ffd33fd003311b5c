"""`build(options) -> BuildReport`: the whole build, in `build_site`.

A build checks where it writes, then decides how much to make: nothing, when its output is
up to date (the no-op record); only the edited pages' outputs, after a prose edit
(quick.py); else everything (stages.py). What it made is checked and written, and what it
did is recorded in the build cache (cache/buildcache.py) for the next build.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from figdown.cache.buildcache import BuildCache, BuildInputs, Memory
from figdown.cache.lastbuild import LastBuild
from figdown.load.config import SiteConfig, figure_store_problem, load_config
from figdown.load.pages import Loaded, load_pages
from figdown.options import BuildOptions, BuildReport
from figdown.output.outputlock import hold_output
from figdown.output.write import destination_problem, output_state, restore_output
from figdown.problems import ContentError, Problem

if TYPE_CHECKING:  # imported when a build makes something (see build_site)
    from figdown.stages import Made, Written


def build(options: BuildOptions, memory: Memory | None = None) -> BuildReport:
    """Build the site; a content error anywhere leaves the previous output untouched.
    `memory`: what this process's earlier builds keep in memory (`figdown serve`)."""
    started = time.perf_counter()
    root = options.source.resolve()
    try:
        config = load_config(root, options.base_url)
    except ContentError as err:
        return BuildReport(None, err.problems, seconds=time.perf_counter() - started)
    destination = (options.destination or root / "output")
    if not destination.is_absolute():
        destination = Path.cwd() / destination
    refusal = unusable_destination(destination) or destination_problem(
        destination, config.root, config.config_file) or figure_store_problem(config, destination)
    if refusal is not None:  # before any work: a refused build writes nothing anywhere
        return BuildReport(None, (*config.warnings, refusal),
                           seconds=time.perf_counter() - started)
    problems: list[Problem] = list(config.warnings)
    # A build makes many objects and few reference cycles: the cycle collector would scan
    # them again and again (a tenth of a rebuild under `serve`); it runs after the build.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # one build of an output folder at a time: another one's clean-up would delete this
        # one's staging folder as it is swapped in
        with hold_output(destination, _tell) as held:
            problems.extend(held.notes)
            report = build_site(config, options, BuildCache(config, destination, memory),
                                problems)
    except ContentError as err:
        problems.extend(err.problems)
        return BuildReport(None, tuple(problems), seconds=time.perf_counter() - started)
    except OSError as err:  # a folder that cannot be made, a full disk, no permission
        where = str(err.filename) if err.filename else str(destination)
        problems.append(Problem(where, None, f"cannot read or write: {err.strerror or err}",
                                "check that the folder exists, is writable and has space"))
        return BuildReport(None, tuple(problems), seconds=time.perf_counter() - started)
    finally:
        if collecting:
            gc.enable()
    return replace(report, problems=tuple(problems), seconds=time.perf_counter() - started)


def build_site(config: SiteConfig, options: BuildOptions, cache: BuildCache,
               problems: list[Problem]) -> BuildReport:
    """The pipeline: decide how much of the site to make (nothing, the edited pages, or
    everything), make it, check and write it, and record what was done for the next build.
    Problems are added to `problems`; a content error raises ContentError before anything
    is written."""
    now = options.now or build_clock()
    inputs = cache.inputs(options)
    refreshing = options.refresh_figures or bool(options.refresh_posts)
    if options.no_op_record and not refreshing:
        last = cache.unchanged_build(inputs, now)
        if last is not None:  # its output is what this build would write
            problems.extend(last.problems)
            return BuildReport(cache.destination, counts=last.counts,
                               terms=last.counts.get("terms", 0), blocks_reused=last.blocks)
    # What blocks write into the output folder must not outlive the build, nor, when they
    # made the folder, leave it looking like one figdown did not make.
    state = output_state(cache.destination.resolve())
    try:
        # Imported only when something changed: a no-op build needs none of the Markdown,
        # template or block machinery, whose import is most of a no-op build's time.
        from figdown.quick import remake_edited, write_edits
        from figdown.stages import make_site, write_all

        made = None if refreshing else remake_edited(config, options, cache, inputs, now)
        if made is None:
            made = make_site(config, options, cache, now, problems)
        else:
            problems.extend(made.problems)
        written = (write_all if made.whole else write_edits)(made, config, options, cache,
                                                             problems)
        _record(made, written, cache, inputs, options)
    finally:
        restore_output(cache.destination.resolve(), state)
    executed = made.executed
    return BuildReport(cache.destination, counts=made.counts,
                       terms=made.counts.get("terms", 0), blocks_ran=executed.ran,
                       blocks_reused=made.blocks - executed.ran,
                       block_seconds=executed.seconds, taxonomies=made.site.taxonomies,
                       encoders=executed.encoders, drawn_elsewhere=executed.elsewhere,
                       elsewhere_versions=executed.elsewhere_versions,
                       edited=() if made.whole else tuple(sorted(made.edited)))


def _record(made: Made, written: Written, cache: BuildCache, inputs: BuildInputs,
            options: BuildOptions) -> None:
    """Keep what the next build needs to do less: the no-op record, and the site snapshot
    (with the theme's layouts only: what a quick rebuild can redo)."""
    from figdown.cache.snapshot import Inputs as SnapshotInputs
    from figdown.cache.snapshot import Report, Snapshot, new_token

    store = cache.store_digest()
    problems = (*made.problems, *written.link_problems)
    last = LastBuild(inputs.digest + store, written.listing, made.horizon, made.counts,
                     made.blocks, problems) if options.no_op_record else None
    snapshot: Snapshot | None = None
    if made.reuse is not None:
        report = Report(made.counts, made.blocks, made.blocks_of, made.problems,
                        written.link_problems)
        snapshot_inputs = SnapshotInputs(inputs.others, dict(inputs.content), store,
                                         written.listing, made.horizon)
        if made.last is None:
            snapshot = Snapshot(new_token(), str(cache.destination), snapshot_inputs, report,
                                made.site, made.refs, made.sources, made.figures, made.search,
                                left_out=made.left_out)
        else:
            last_snapshot = made.last
            sources = {url: made.sources[url] for url in made.sources
                       if made.sources[url][0] in made.edited}
            edited_figures = {path: found for path, found in made.figures.items()
                              if path in made.edited}
            edited_search = {path: made.search[path] for path in made.edited
                             if path in made.search}
            snapshot = replace(
                last_snapshot, inputs=snapshot_inputs, report=report, site=made.site,
                sources=made.sources, figures=made.figures, search=made.search,
                edited={**last_snapshot.edited, **made.edited},
                edited_sources={**last_snapshot.edited_sources, **sources},
                edited_figures={**last_snapshot.edited_figures, **edited_figures},
                edited_search={**last_snapshot.edited_search, **edited_search})
    cache.record(last, snapshot, edits=made.last is not None)


def _tell(message: str) -> None:
    """A note on why the build pauses, shown even with -q: the wait would be unexplained."""
    print(f"figdown: {message}…", file=sys.stderr, flush=True)


def unusable_destination(destination: Path) -> Problem | None:
    """Why no folder can be made or looked at at `destination` at all (a symbolic link loop,
    a name too long for the file system), or None; the other errors are met, and reported,
    where the folder is made."""
    for check in (os.stat, lambda path: os.path.realpath(path, strict=True)):
        try:
            check(destination)
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENAMETOOLONG):
                return _path_problem(destination, err)
    return None


def _path_problem(destination: Path, err: OSError) -> Problem:
    display = str(destination)
    if err.errno == errno.ELOOP:
        return Problem(display, None, "the output folder is a symbolic link that leads back "
                       "to itself", "remove the link or choose another folder "
                       "with -d/--destination")
    return Problem(display[:120] + "…", None, "the output folder's name is too long for "
                   "the file system", "choose a shorter name with -d/--destination")


def forget_output(source: Path, destination: Path) -> None:
    """Remove what the build cache keeps for an output folder that is gone for good: a
    `serve` session's preview folder, which is a new one each session."""
    try:
        config = load_config(source.resolve())
    except ContentError:  # broken just now: its records go when newer ones replace them
        return
    shutil.rmtree(BuildCache(config, destination).records, ignore_errors=True)


def build_clock() -> datetime:
    """Now, or `SOURCE_DATE_EPOCH` when it is set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


__all__ = ["BuildOptions", "BuildReport", "Loaded", "Memory", "build", "build_clock",
           "build_site", "forget_output", "load_pages"]
