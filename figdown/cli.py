"""The command line: `figdown [build] | serve | new | list | publish`, with Hugo's flags."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from figdown import __version__
from figdown.pipeline import BuildOptions, BuildReport, build
from figdown.problems import Problem

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
COMMANDS = ("build", "serve", "new", "list", "publish", "figures")


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with 2 and one line on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} — see --help\n")


def _site_path(value: str) -> Path:
    """A site folder's path, for argparse: one that no file system call can even look at
    (a name too long, a symbolic link loop) is a usage error here, not a crash later."""
    path = Path(value)
    try:
        path.stat()
    except FileNotFoundError:
        pass  # each command says what a missing folder means to it
    except OSError as err:
        shown = value if len(value) < 100 else value[:99] + "…"
        raise argparse.ArgumentTypeError(f"{shown}: {err.strerror or err}") from None
    return path


def _add_site_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-s", "--source", type=_site_path, default=Path("."), metavar="SITE",
                        help="the site folder (holds content/ and the config); default: .")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print notes too (merged terms, reused figures)")


def _add_jobs_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=jobs_count, default=0, metavar="N",
                        help="processes for Markdown, templates and executable blocks: "
                             f"1 to {MAX_JOBS}; default: one per core")


def _add_build_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--destination", type=Path, metavar="DIR",
                        help="where the site is written; default: SITE/output")
    parser.add_argument("-b", "--base-url", "--baseURL", dest="base_url", metavar="URL",
                        help="override baseURL, e.g. https://user.github.io/blog/")
    parser.add_argument("-D", "--drafts", "--buildDrafts", dest="drafts", action="store_true",
                        help="include pages marked draft: true")
    parser.add_argument("-F", "--future", "--buildFuture", dest="future", action="store_true",
                        help="include pages dated in the future")
    parser.add_argument("-E", "--expired", "--buildExpired", dest="expired",
                        action="store_true", help="include pages past their expiryDate")
    _add_jobs_flag(parser)
    parser.add_argument("--refresh-figures", nargs="?", const=ALL_POSTS, action="append",
                        metavar="POST",
                        help="run executable blocks again, ignoring the figures/ store: "
                             "every block, or only those of POST (its path or slug; "
                             "may be given more than once)")
    parser.add_argument("--keep-going", action="store_true",
                        help="write the pages even when blocks fail, showing the error in place")
    parser.add_argument("--warn-links", action="store_true",
                        help="report broken internal links as warnings instead of errors")
    parser.add_argument("--clock", metavar="TIME",
                        help="build as if now were TIME (RFC 3339), as Hugo's --clock")


ALL_POSTS = "\0all"  # what a bare --refresh-figures stands for


MAX_JOBS = 64  # more processes than this only slow a build down, on any machine


def jobs_count(text: str) -> int:
    """`-j N`: 0 (one per core) to MAX_JOBS."""
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes") from None
    if not 0 <= jobs <= MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"{jobs} is out of range: use 1 to {MAX_JOBS}, or 0 for one per core")
    return jobs


def make_parser() -> argparse.ArgumentParser:
    """The parser for `figdown build` (also used when no command is given)."""
    parser = _Parser(
        prog="figdown",
        description="Build a Hugo-style blog whose Python blocks draw their own figures.",
        epilog="Commands: build (default), serve, new, list, publish, figures. "
               "Run `figdown COMMAND --help` for each.")
    parser.add_argument("--version", action="version", version=f"figdown {__version__}")
    _add_site_flags(parser)
    _add_build_flags(parser)
    return parser


def _parse_clock(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(_usage(f"--clock {value!r} is not a date; write 2026-11-26T00:00:00Z")
                         ) from None
    if parsed.tzinfo is None:
        raise SystemExit(_usage(f"--clock {value!r} needs an offset such as Z or +01:00"))
    return parsed


def _usage(message: str) -> int:
    print(f"figdown: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        source=args.source, destination=args.destination, base_url=args.base_url,
        drafts=args.drafts, future=args.future, expired=args.expired,
        now=_parse_clock(args.clock), jobs=args.jobs,
        refresh_figures=ALL_POSTS in (args.refresh_figures or ()),
        refresh_posts=tuple(p for p in args.refresh_figures or () if p != ALL_POSTS),
        keep_going=args.keep_going, warn_links=args.warn_links,
        progress=not args.quiet)


def print_problems(problems: Sequence[Problem], quiet: bool, verbose: bool) -> None:
    for problem in problems:
        if problem.severity == "note" and not verbose:
            continue
        if problem.severity != "error" and quiet:
            continue
        label = {"error": "error", "warning": "warning", "note": "note"}[problem.severity]
        print(f"{label}: {problem}", file=sys.stderr)


def print_summary(report: BuildReport) -> None:
    counts = report.counts
    print(f"Built {counts.get('pages', 0)} pages, {counts.get('sections', 0)} sections, "
          f"{counts.get('terms', 0)} terms, {counts.get('figures', 0)} figures "
          f"into {report.output}")
    drafts = counts.get("drafts_left_out", 0)
    if drafts:
        print(f"{drafts} draft{'s' if drafts != 1 else ''} left out "
              f"(build with -D to include {'them' if drafts != 1 else 'it'})")
    if report.edited:
        print(f"Only the edited pages were made again: {', '.join(report.edited)}")
    warnings = sum(1 for p in report.problems if p.severity == "warning")
    running = f" ({report.block_seconds:.1f} s running them)" if report.blocks_ran else ""
    print(f"Blocks: {report.blocks_ran} run, {report.blocks_reused} reused from the store"
          f"{running}. Warnings: {warnings}. Total: {report.seconds:.2f} s")
    for encoder in report.encoders:
        print(f"Animations encoded with {encoder}")
    if report.drawn_elsewhere:
        count = report.drawn_elsewhere
        print(f"{count} figure{'s were' if count != 1 else ' was'} drawn with other library "
              f"versions ({'; '.join(report.elsewhere_versions[:2])}): reused as they are; "
              "--refresh-figures redraws them here (or --refresh-figures=POST, one post)")


def run_build(args: argparse.Namespace) -> int:
    if not args.source.is_dir():
        return _usage(f"-s {args.source}: no such folder")
    report = build(options_from(args))
    print_problems(report.problems, args.quiet, args.verbose)
    if not report.ok:
        errors = sum(1 for p in report.problems if p.severity == "error")
        print(f"Build failed: {errors} error{'s' if errors != 1 else ''}; "
              "the previous output is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print_summary(report)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python build.py` and of the `figdown` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else "build"
    if argv and argv[0] in COMMANDS:
        argv = argv[1:]
    try:
        if command == "build":
            return run_build(make_parser().parse_args(argv))
        from figdown import commands
        return commands.run(command, argv)
    except KeyboardInterrupt:
        print("figdown: interrupted (Ctrl-C); no block or worker is left running",
              file=sys.stderr)
        return 130
    except ModuleNotFoundError as err:  # a library imported on first use (watchfiles)
        from figdown.missing import missing_library

        message = missing_library(err)
        if message is None:
            return _internal_error(err, argv)
        print(message, file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug in figdown, not in the user's site
        return _internal_error(err, argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE


def _internal_error(err: Exception, argv: Sequence[str]) -> int:
    if "-v" in argv or "--verbose" in argv:
        raise err
    print(f"figdown: internal error: {type(err).__name__}: {err} — this is a bug in "
          "figdown; run again with -v for the traceback and report it", file=sys.stderr)
    return EXIT_INTERNAL


def run() -> NoReturn:
    """`main`, then the end of the process: the command's work is done, and freeing every
    object of a large site one by one before exiting takes a fifth of a second."""
    os.environ.setdefault("PYTHONHASHSEED", "0")  # for the processes it starts
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its report at the normal exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
