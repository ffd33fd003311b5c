"""`figdown figures prune`: the figure store's results that no page has now."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from figdown.commands.args import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    add_site_flags,
)
from figdown.commands.report import print_problems
from figdown.load.config import load_config
from figdown.pipeline import BuildOptions, build_clock, load_pages
from figdown.problems import ContentError, Problem


def run_figures(argv: Sequence[str]) -> int:
    """`figdown figures prune`: remove the stored results no page's blocks have now."""
    from figdown.cache.buildcache import BuildCache
    from figdown.execute.executor import used_results
    from figdown.execute.store import can_prune, remove_results, stored_results
    from figdown.markdown.bodies import exec_options, site_blocks
    from figdown.markdown.shortcodes import PageRef

    parser = Parser(prog="figdown figures",
                     description="Manage the figure store. `prune` removes every stored "
                                 "result that no page (drafts, future and expired pages "
                                 "included) has now: earlier results of edited blocks, and "
                                 "those of removed posts and blocks.")
    parser.add_argument("action", choices=["prune"])
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help="list what would be removed, and remove nothing")
    add_site_flags(parser)
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
        bodies = BuildCache(config, config.root / "output").body_store()
        posts = site_blocks(config, every_page, loaded.pages, refs, problems, bodies)
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
