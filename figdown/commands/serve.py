"""`figdown serve`: the preview, built on every save."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from figdown.commands.args import (
    EXIT_USAGE,
    Parser,
    add_jobs_flag,
    add_site_flags,
)
from figdown.commands.report import print_problems
from figdown.pipeline import BuildOptions, Memory, build, forget_output
from figdown.problems import Problem

if TYPE_CHECKING:
    from figdown.serve.changes import RebuildPlan
    from figdown.serve.server import Builder


def run_serve(argv: Sequence[str]) -> int:
    """`figdown serve`: build into a preview folder, serve it, rebuild on every save."""
    import tempfile

    from figdown.serve.changes import SiteLayout
    from figdown.serve.server import DEFAULT_PORT, serve

    parser = Parser(prog="figdown serve",
                     description="Preview the site with live reload (drafts and future posts "
                                 "included). Never writes to output/.")
    add_site_flags(parser)
    parser.add_argument("-p", "--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}, else the next free one)")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--no-drafts", action="store_true",
                        help="leave out drafts and future posts, as a production build does")
    add_jobs_flag(parser)
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
    from figdown.serve.changes import BuildOutcome

    address: dict[str, str] = {"url": "/"}
    tell: list[Callable[[str], None]] = []
    memory = Memory()  # what each build keeps in memory for the next: most of a site stays

    def progress(running: str) -> None:
        for sink in tell:
            sink(running)

    def build_preview(plan: RebuildPlan | None) -> BuildOutcome:
        done = build(BuildOptions(
            source=root, destination=preview, base_url=address["url"],
            drafts=drafts, future=drafts, jobs=jobs, warn_links=True, no_op_record=False,
            on_progress=progress), memory)
        # The server prints the errors with the build's timing; the rest is printed here.
        report([p for p in done.problems if p.severity != "error"])
        errors = tuple(str(p) for p in done.problems if p.severity == "error")
        return BuildOutcome(ok=done.ok, problems=errors,
                            css_only=bool(plan is not None and plan.css_only))

    def remember(url: str) -> None:
        address["url"] = url

    return build_preview, remember, tell.append


def _port(value: str) -> int:
    """A TCP port number, for argparse."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port {value!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port
