"""`figdown publish`: a production build, committed to a branch and pushed."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from figdown.commands.args import (
    EXIT_CONTENT,
    EXIT_OK,
    Parser,
    add_jobs_flag,
    add_site_flags,
    options_from,
)
from figdown.commands.report import print_problems, print_summary
from figdown.load.config import load_config
from figdown.pipeline import build
from figdown.problems import ContentError


def run_publish(argv: Sequence[str]) -> int:
    """`figdown publish`: a production build, committed to a branch and pushed."""
    from figdown.commands.gh_pages import (
        PublishError,
        check_publish_base_url,
        cname_from_config,
        publish_output,
    )

    parser = Parser(prog="figdown publish",
                     description="Build for production and push output/ to a gh-pages branch.")
    add_site_flags(parser)
    parser.add_argument("-d", "--destination", type=Path, metavar="DIR",
                        help="where the site is built before publishing; default: SITE/output")
    parser.add_argument("-b", "--base-url", dest="base_url", metavar="URL",
                        help="override baseURL (must be the public address)")
    parser.add_argument("--remote", default="origin",
                        help="git remote name or URL to push to; default: origin")
    parser.add_argument("--branch", default="gh-pages",
                        help="branch to publish to; default: gh-pages")
    parser.add_argument("--message", help="commit message")
    parser.add_argument("--force", action="store_true",
                        help="publish even to a branch that holds commits of its own "
                             "(its files are all replaced by the site)")
    add_jobs_flag(parser)
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
        setattr(args, name, None if name in ("clock", "refresh_figures") else False)
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
                                branch=args.branch, message=args.message, cname=cname,
                                force=args.force)
    except PublishError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONTENT
    if result.unchanged:
        print(f"{result.branch} is already up to date ({result.commit}); nothing pushed.")
    else:
        print(f"Published {result.commit} to {result.remote}/{result.branch}.")
    return EXIT_OK
