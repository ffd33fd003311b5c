"""The commands besides `build`: serve, new, list, publish."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def run(command: str, argv: Sequence[str]) -> int:
    """Dispatch one command; each has its own `--help`."""
    print(f"figdown: `{command}` is not available yet", file=sys.stderr)
    return 2
