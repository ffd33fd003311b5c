"""The commands besides `build`: serve, new, list, publish; each parses its own flags."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from figdown.cli import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    _add_site_flags,
    _Parser,
    options_from,
    print_problems,
    print_summary,
)
from figdown.config import load_config
from figdown.pipeline import BuildOptions, build, build_clock, load_pages
from figdown.problems import ContentError


def run(command: str, argv: Sequence[str]) -> int:
    """Dispatch one command; each has its own `--help`."""
    handlers = {"list": run_list, "publish": run_publish}
    handler = handlers.get(command)
    if handler is None:
        print(f"figdown: `{command}` is not available", file=sys.stderr)
        return EXIT_USAGE
    return handler(argv)


def run_list(argv: Sequence[str]) -> int:
    """`figdown list drafts|future|expired`: what a production build leaves out, as `hugo list`."""
    parser = _Parser(prog="figdown list",
                     description="Print the pages a production build leaves out.")
    parser.add_argument("kind", choices=["drafts", "future", "expired"])
    _add_site_flags(parser)
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


def run_publish(argv: Sequence[str]) -> int:
    """`figdown publish`: a production build, committed to a branch and pushed."""
    from figdown.publish import (
        PublishError,
        check_publish_base_url,
        cname_from_config,
        publish_output,
    )

    parser = _Parser(prog="figdown publish",
                     description="Build for production and push output/ to a gh-pages branch.")
    _add_site_flags(parser)
    parser.add_argument("-d", "--destination", type=Path, metavar="DIR",
                        help="where the site is built before publishing; default: SITE/output")
    parser.add_argument("-b", "--base-url", dest="base_url", metavar="URL",
                        help="override baseURL (must be the public address)")
    parser.add_argument("--remote", default="origin", help="git remote name or URL")
    parser.add_argument("--branch", default="gh-pages", help="branch to publish to")
    parser.add_argument("--message", help="commit message")
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.source.resolve(), args.base_url)
    except ContentError as err:
        print_problems(err.problems, args.quiet, args.verbose)
        return EXIT_CONTENT
    refusal = check_publish_base_url(config.base_url)
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_CONTENT
    for name in ("drafts", "future", "expired", "refresh_figures", "keep_going",
                 "warn_links", "clock"):
        setattr(args, name, None if name == "clock" else False)
    report = build(options_from(args))
    print_problems(report.problems, args.quiet, args.verbose)
    if not report.ok or report.output is None:
        print("Build failed: nothing was published.", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print_summary(report)
    try:
        cname = cname_from_config(config.params)
        result = publish_output(report.output, args.source.resolve(), remote=args.remote,
                                branch=args.branch, message=args.message, cname=cname)
    except PublishError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONTENT
    if result.unchanged:
        print(f"{result.branch} is already up to date ({result.commit}); nothing pushed.")
    else:
        print(f"Published {result.commit} to {result.remote}/{result.branch}.")
    return EXIT_OK
