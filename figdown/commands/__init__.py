"""The commands: one module each (build, serve, new, list, figures, publish), and what they
share (args.py: the parser and flags; report.py: what they print)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from figdown.commands.args import EXIT_USAGE

# command → (module, function); a command's module is imported only when it runs
HANDLERS = {
    "build": ("build", "run_build_command"),
    "serve": ("serve", "run_serve"),
    "new": ("new", "run_new"),
    "list": ("list", "run_list"),
    "figures": ("figures", "run_figures"),
    "publish": ("publish", "run_publish"),
}


def run(command: str, argv: Sequence[str]) -> int:
    """Dispatch one command; each has its own `--help`."""
    if command not in HANDLERS:
        print(f"figdown: `{command}` is not available", file=sys.stderr)
        return EXIT_USAGE
    module, function = HANDLERS[command]
    handler = getattr(importlib.import_module(f"figdown.commands.{module}"), function)
    return int(handler(argv))
