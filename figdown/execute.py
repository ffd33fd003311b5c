"""Run executable blocks in worker processes and keep their results in the figure store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from figdown.blocks import BlockResult, PostBlocks
from figdown.problems import Problem


@dataclass(frozen=True)
class ExecOptions:
    """How blocks are run for one build."""

    store: Path  # the figure store, `<site>/figures`
    site_root: Path
    helpers: Path | None = None  # site folder of importable helper modules (`lib/`)
    style: Mapping[str, object] = field(default_factory=dict)  # rcParams from the config
    style_file: Path | None = None  # a matplotlib style file from the config
    jobs: int = 0  # 0: one worker per core
    refresh: bool = False  # run every block, ignoring the store
    prune: bool = True  # remove store entries no post uses any more
    progress: bool = False  # draw a progress bar (only on a terminal)


@dataclass(frozen=True)
class ExecReport:
    """Every block's result, keyed by (post path, block index)."""

    results: Mapping[tuple[str, int], BlockResult]
    ran: int = 0
    reused: int = 0
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()


def execute_posts(posts: Sequence[PostBlocks], options: ExecOptions) -> ExecReport:
    """Run (or reuse from the store) every block of every post; never raises for user code."""
    results = {
        (post.path, block.index): BlockResult(block=block)
        for post in posts
        for block in post.blocks
    }
    return ExecReport(results=results)
