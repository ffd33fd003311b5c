"""`figdown [build]`: build the site into its output folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from figdown import __version__
from figdown.commands.args import (
    EXIT_CONTENT,
    EXIT_OK,
    Parser,
    add_build_flags,
    add_site_flags,
    options_from,
    usage,
)
from figdown.commands.report import print_problems, print_summary
from figdown.pipeline import build


def make_parser() -> argparse.ArgumentParser:
    """The parser for `figdown build` (also used when no command is given)."""
    parser = Parser(
        prog="figdown",
        description="Build a Hugo-style blog whose Python blocks draw their own figures.",
        epilog="Commands: build (default), serve, new, list, publish, figures. "
               "Run `figdown COMMAND --help` for each.")
    parser.add_argument("--version", action="version", version=f"figdown {__version__}")
    add_site_flags(parser)
    add_build_flags(parser)
    return parser


def run_build(args: argparse.Namespace) -> int:
    if not args.source.is_dir():
        return usage(f"-s {args.source}: no such folder")
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




def run_build_command(argv: Sequence[str]) -> int:
    """`figdown [build] …`."""
    return run_build(make_parser().parse_args(argv))
