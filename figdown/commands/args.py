"""What the commands share: the parser, its common flags, exit codes, build options."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from figdown.options import BuildOptions

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class Parser(argparse.ArgumentParser):
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


def add_site_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-s", "--source", type=_site_path, default=Path("."), metavar="SITE",
                        help="the site folder (holds content/ and the config); default: .")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print notes too (merged terms, reused figures)")


def add_jobs_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=jobs_count, default=0, metavar="N",
                        help="processes for Markdown, templates and executable blocks: "
                             f"1 to {MAX_JOBS}; default: one per core")


def add_build_flags(parser: argparse.ArgumentParser) -> None:
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
    add_jobs_flag(parser)
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


def parse_clock(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(usage(f"--clock {value!r} is not a date; write 2026-11-26T00:00:00Z")
                         ) from None
    if parsed.tzinfo is None:
        raise SystemExit(usage(f"--clock {value!r} needs an offset such as Z or +01:00"))
    return parsed


def usage(message: str) -> int:
    print(f"figdown: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        source=args.source, destination=args.destination, base_url=args.base_url,
        drafts=args.drafts, future=args.future, expired=args.expired,
        now=parse_clock(args.clock), jobs=args.jobs,
        refresh_figures=ALL_POSTS in (args.refresh_figures or ()),
        refresh_posts=tuple(p for p in args.refresh_figures or () if p != ALL_POSTS),
        keep_going=args.keep_going, warn_links=args.warn_links,
        progress=not args.quiet)


