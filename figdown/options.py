"""What one build is asked to do: the options the command line gathers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked of one build."""

    source: Path = Path(".")
    destination: Path | None = None  # default: <source>/output
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    expired: bool = False
    now: datetime | None = None  # the build's clock; default: now
    jobs: int = 0
    refresh_figures: bool = False
    keep_going: bool = False
    warn_links: bool = False
    check_links: bool = True
    progress: bool = False
