"""`build(options) -> BuildReport`: check the destination, skip a build whose output is up to
date, make only the edited pages again after a prose edit (quick.py), else run the stages
(stages.py)."""

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

from figdown.cache.folders import output_records
from figdown.cache.lastbuild import (
    CACHE_FOLDER,
    SITE_FOLDERS,
    code_fingerprint,
    combined_digest,
    file_digests,
    input_digest,
    read_last_build,
    store_digest,
)
from figdown.load.config import CONFIG_NAMES, SiteConfig, figure_store_problem, load_config
from figdown.load.pages import Loaded, load_pages
from figdown.options import BuildOptions, BuildReport
from figdown.output.outputlock import hold_output
from figdown.output.write import destination_problem, output_state, restore_output
from figdown.problems import ContentError, Problem
from figdown.theme import theme_dir


def build(options: BuildOptions) -> BuildReport:
    """Run every stage; a content error anywhere leaves the previous output untouched."""
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
            report = _build(config, options, destination, problems)
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


def _build(config: SiteConfig, options: BuildOptions, destination: Path,
           problems: list[Problem]) -> BuildReport:
    now = options.now or build_clock()
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    others, content = input_parts(config, options, destination)
    refreshing = options.refresh_figures or bool(options.refresh_posts)
    if options.no_op_record and not refreshing:
        # Nothing changed since the last successful build: its output is what this one
        # would write.
        last = read_last_build(cache_dir)
        current = (combined_digest(others, content)
                   + store_digest(config.figure_store, config.root))
        if last is not None and last.still_valid(current, destination, now):
            problems.extend(last.problems)
            return BuildReport(destination, counts=last.counts,
                               terms=last.counts.get("terms", 0), blocks_reused=last.blocks)
    # What blocks write into the output folder must not outlive the build, nor, when they
    # made the folder, leave it looking like one figdown did not make.
    state = output_state(destination.resolve())
    try:
        # Imported only when something changed: a no-op build needs none of the Markdown,
        # template or block machinery, whose import is most of a no-op build's time.
        if not refreshing:
            from figdown.quick import quick_rebuild

            report = quick_rebuild(config, options, destination, problems, now, others,
                                   content)
            if report is not None:
                return report
        from figdown.stages import run_stages

        return run_stages(config, options, destination, problems, now, (others, content))
    finally:
        restore_output(destination.resolve(), state)


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
    shutil.rmtree(output_records(config.figure_store.parent / CACHE_FOLDER, destination),
                  ignore_errors=True)


def input_parts(config: SiteConfig, options: BuildOptions, destination: Path
                ) -> tuple[str, dict[str, str]]:
    """What the site's output depends on, besides the clock and the figure store: a digest
    of everything but the content files, and a digest of each content file."""
    theme = theme_dir()
    folders = [config.root / name for name in SITE_FOLDERS if name != "content"]
    folders += [config.helpers_dir, theme / "layouts", theme / "static"]
    settings = replace(options, now=None, jobs=0, progress=False)
    others = input_digest(folders, [config.root / name for name in CONFIG_NAMES],
                          repr((code_fingerprint(), settings, destination)), config.root)
    return others, file_digests(config.content_dir, config.root)


def build_clock() -> datetime:
    """Now, or `SOURCE_DATE_EPOCH` when it is set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


__all__ = ["BuildOptions", "BuildReport", "Loaded", "build", "build_clock", "forget_output",
           "load_pages"]
