"""The commands besides `build`: serve, new, list, publish; each parses its own flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from figdown.cli import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    _add_jobs_flag,
    _add_site_flags,
    _Parser,
    options_from,
    print_problems,
    print_summary,
)
from figdown.config import load_config
from figdown.pipeline import BuildOptions, build, build_clock, forget_output, load_pages
from figdown.problems import ContentError, Problem, one_line

if TYPE_CHECKING:
    from figdown.changes import RebuildPlan
    from figdown.serve import Builder


def run(command: str, argv: Sequence[str]) -> int:
    """Dispatch one command; each has its own `--help`."""
    handlers = {"list": run_list, "publish": run_publish, "serve": run_serve, "new": run_new,
                "figures": run_figures}
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


def run_figures(argv: Sequence[str]) -> int:
    """`figdown figures prune`: remove the stored results no page's blocks have now."""
    from figdown.bodystage import exec_options, site_blocks
    from figdown.execute import used_results
    from figdown.shortcodes import PageRef
    from figdown.store import can_prune, remove_results, stored_results

    parser = _Parser(prog="figdown figures",
                     description="Manage the figure store. `prune` removes every stored "
                                 "result that no page (drafts, future and expired pages "
                                 "included) has now: earlier results of edited blocks, and "
                                 "those of removed posts and blocks.")
    parser.add_argument("action", choices=["prune"])
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help="list what would be removed, and remove nothing")
    _add_site_flags(parser)
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"figdown: error: -s {args.source}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    every_page = BuildOptions(source=args.source, drafts=True, future=True, expired=True)
    problems: list[Problem] = []
    try:
        config = load_config(args.source.resolve())
        loaded = load_pages(config, every_page, build_clock())
        problems.extend(loaded.problems)
        if any(p.severity == "error" for p in problems):
            raise ContentError(tuple(problems))
        refs = [PageRef(p.rel, p.url) for p in loaded.pages]
        posts = site_blocks(config, every_page, loaded.pages, refs, problems)
    except ContentError as err:
        print_problems(err.problems, args.quiet, args.verbose)
        print("Nothing was removed: every page must read without errors first.",
              file=sys.stderr)
        return EXIT_CONTENT
    store = config.figure_store
    protected = [config.root, config.helpers_dir, *(p.source_dir for p in posts)]
    if not store.is_dir() or not can_prune(store, protected):
        print(f"{store}: no figure store to prune here")
        return EXIT_OK
    used = used_results(posts, exec_options(config, every_page))
    stored = stored_results(store)
    unused = [r for r in stored if r not in used]
    for result in unused:
        print(f"{'would remove' if args.dry_run else 'removed'} {result}")
    if not args.dry_run:
        remove_results(store, unused)
    if not args.quiet:
        kept = len(stored) - len(unused)
        print(f"{len(unused)} stored result{'s' if len(unused) != 1 else ''} "
              f"{'would be ' if args.dry_run else ''}removed, {kept} in use kept.")
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
    parser.add_argument("--remote", default="origin",
                        help="git remote name or URL to push to; default: origin")
    parser.add_argument("--branch", default="gh-pages",
                        help="branch to publish to; default: gh-pages")
    parser.add_argument("--message", help="commit message")
    parser.add_argument("--force", action="store_true",
                        help="publish even to a branch that holds commits of its own "
                             "(its files are all replaced by the site)")
    _add_jobs_flag(parser)
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


def run_new(argv: Sequence[str]) -> int:
    """`figdown new posts/my-post.md`: a new page from the site's archetype, as `hugo new`."""
    from datetime import datetime

    from figdown.archetype import ArchetypeError, ContentExistsError, new_content

    parser = _Parser(prog="figdown new",
                     description="Create a content file from archetypes/ (draft: true).")
    parser.add_argument("path", help="path under content/, e.g. posts/my-post.md")
    _add_site_flags(parser)
    args = parser.parse_args(argv)
    root = args.source.resolve()
    try:
        created = new_content(root, args.path, datetime.now().astimezone())
    except (ArchetypeError, ContentExistsError) as err:
        print(one_line(f"error: {err}"), file=sys.stderr)
        return EXIT_CONTENT
    except OSError as err:  # a name too long, a folder that is a file, no permission
        shown = f"content/{args.path}" if len(args.path) < 100 else f"content/{args.path[:99]}…"
        print(one_line(f"error: {shown}: cannot create it: {err.strerror or err} — "
                       "choose another name or check the folder's permissions"),
              file=sys.stderr)
        return EXIT_CONTENT
    print(f"Created {created.relative_to(root).as_posix()}")
    return EXIT_OK


def run_serve(argv: Sequence[str]) -> int:
    """`figdown serve`: build into a preview folder, serve it, rebuild on every save."""
    import tempfile

    from figdown.changes import SiteLayout
    from figdown.serve import DEFAULT_PORT, serve

    parser = _Parser(prog="figdown serve",
                     description="Preview the site with live reload (drafts and future posts "
                                 "included). Never writes to output/.")
    _add_site_flags(parser)
    parser.add_argument("-p", "--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}, else the next free one)")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--no-drafts", action="store_true",
                        help="leave out drafts and future posts, as a production build does")
    _add_jobs_flag(parser)
    args = parser.parse_args(argv)
    root = args.source.resolve()
    if not root.is_dir():
        print(f"figdown: error: -s {args.source}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    # The preview lives outside the site: it can never be published or committed by mistake.
    preview = Path(tempfile.mkdtemp(prefix="figdown-preview-")) / "site"
    build_preview, remember, attach = preview_builder(
        root, preview, drafts=not args.no_drafts, jobs=args.jobs,
        report=lambda problems: print_problems(problems, args.quiet, args.verbose))
    layout = SiteLayout.for_site(root, ignored=[preview.parent])
    return serve(build_preview, preview, layout, host=args.bind, port=args.port,
                 cleanup=lambda: _remove_preview(root, preview),
                 on_bind=remember, on_progress=attach)


def _port(value: str) -> int:
    """A TCP port number, for argparse."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port {value!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _remove_preview(root: Path, preview: Path) -> None:
    """The preview folder, and what the build cache kept for it: no later session uses it."""
    import shutil

    shutil.rmtree(preview.parent, ignore_errors=True)
    forget_output(root, preview)


def preview_builder(root: Path, preview: Path, drafts: bool = True, jobs: int = 0,
                    report: Callable[[Sequence[Problem]], None] = lambda problems: None,
                    ) -> tuple[Builder, Callable[[str], None],
                               Callable[[Callable[[str], None]], None]]:
    """The build `figdown serve` runs on every save, the `on_bind` that tells it the
    server's address (the preview's links point at it), and the `on_progress` that hands it
    the function telling the tabs which blocks run."""
    from figdown.changes import BuildOutcome

    address: dict[str, str] = {"url": "/"}
    tell: list[Callable[[str], None]] = []

    def progress(running: str) -> None:
        for sink in tell:
            sink(running)

    def build_preview(plan: RebuildPlan | None) -> BuildOutcome:
        done = build(BuildOptions(
            source=root, destination=preview, base_url=address["url"],
            drafts=drafts, future=drafts, jobs=jobs, warn_links=True, no_op_record=False,
            on_progress=progress))
        # The server prints the errors with the build's timing; the rest is printed here.
        report([p for p in done.problems if p.severity != "error"])
        errors = tuple(str(p) for p in done.problems if p.severity == "error")
        return BuildOutcome(ok=done.ok, problems=errors,
                            css_only=bool(plan is not None and plan.css_only))

    def remember(url: str) -> None:
        address["url"] = url

    return build_preview, remember, tell.append
