"""`figdown new`: start a content file from an archetype."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from figdown.commands.args import (
    EXIT_CONTENT,
    EXIT_OK,
    Parser,
    add_site_flags,
)
from figdown.problems import one_line


def run_new(argv: Sequence[str]) -> int:
    """`figdown new posts/my-post.md`: a new page from the site's archetype, as `hugo new`."""
    from datetime import datetime

    from figdown.commands.archetype import ArchetypeError, ContentExistsError, new_content

    parser = Parser(prog="figdown new",
                     description="Create a content file from archetypes/ (draft: true).")
    parser.add_argument("path", help="path under content/, e.g. posts/my-post.md")
    add_site_flags(parser)
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
