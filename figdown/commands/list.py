"""`figdown list drafts|future|expired`: what a production build leaves out."""

from __future__ import annotations

from collections.abc import Sequence

from figdown.commands.args import (
    EXIT_CONTENT,
    EXIT_OK,
    Parser,
    add_site_flags,
)
from figdown.commands.report import print_problems
from figdown.load.config import load_config
from figdown.pipeline import BuildOptions, build_clock, load_pages
from figdown.problems import ContentError


def run_list(argv: Sequence[str]) -> int:
    """`figdown list drafts|future|expired`: what a production build leaves out, as `hugo list`."""
    parser = Parser(prog="figdown list",
                     description="Print the pages a production build leaves out.")
    parser.add_argument("kind", choices=["drafts", "future", "expired"])
    add_site_flags(parser)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.source.resolve())
        loaded = load_pages(config, BuildOptions(source=args.source), build_clock())
    except ContentError as err:
        print_problems(err.problems, args.quiet, args.verbose)
        return EXIT_CONTENT
    for page in loaded.left_out[args.kind]:
        front = page.front
        when = {"drafts": front.date, "future": front.publish_date or front.date,
                "expired": front.expiry_date}[args.kind]
        print(f"{page.path}\t{when.isoformat() if when else '-'}\t{front.title}")
    return EXIT_OK
