"""What one build is asked to do, and what it reports back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from figdown.problems import Problem

if TYPE_CHECKING:
    from figdown.load.taxonomy import Taxonomy


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
    refresh_figures: bool = False  # run every block again
    refresh_posts: tuple[str, ...] = ()  # run these posts' blocks again (paths or slugs)
    keep_going: bool = False
    warn_links: bool = False
    check_links: bool = True
    progress: bool = False
    # Told what runs while blocks run ("relu-gradient-flow in content/posts/relu.md, 12 s"),
    # at least once a second: the preview's overlay. Not an input of the build.
    on_progress: Callable[[str], None] | None = field(default=None, compare=False,
                                                      repr=False)
    # Keep the record that lets the next build stop early when nothing changed. `serve`
    # does not: it builds only after a change, and its preview is not the site's output.
    no_op_record: bool = True


@dataclass(frozen=True)
class BuildReport:
    """What a build did, or why it did not."""

    output: Path | None
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    terms: int = 0
    blocks_ran: int = 0
    blocks_reused: int = 0
    block_seconds: float = 0.0
    seconds: float = 0.0
    taxonomies: tuple[Taxonomy, ...] = ()  # the terms built, for tests and tools
    encoders: tuple[str, ...] = ()  # what encoded the animations made in this build
    edited: tuple[str, ...] = ()  # a quick rebuild (quick.py): the pages it made again
    # Reused figures drawn with other library versions, and how the versions differ.
    drawn_elsewhere: int = 0
    elsewhere_versions: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)
