"""What a command prints of a build: its problems, one line each, and its summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from figdown.options import BuildReport
from figdown.problems import Problem


def print_problems(problems: Sequence[Problem], quiet: bool, verbose: bool) -> None:
    for problem in problems:
        if problem.severity == "note" and not verbose:
            continue
        if problem.severity != "error" and quiet:
            continue
        label = {"error": "error", "warning": "warning", "note": "note"}[problem.severity]
        print(f"{label}: {problem}", file=sys.stderr)


def print_summary(report: BuildReport) -> None:
    counts = report.counts
    print(f"Built {counts.get('pages', 0)} pages, {counts.get('sections', 0)} sections, "
          f"{counts.get('terms', 0)} terms, {counts.get('figures', 0)} figures "
          f"into {report.output}")
    drafts = counts.get("drafts_left_out", 0)
    if drafts:
        print(f"{drafts} draft{'s' if drafts != 1 else ''} left out "
              f"(build with -D to include {'them' if drafts != 1 else 'it'})")
    if report.edited:
        print(f"Only the edited pages were made again: {', '.join(report.edited)}")
    warnings = sum(1 for p in report.problems if p.severity == "warning")
    running = f" ({report.block_seconds:.1f} s running them)" if report.blocks_ran else ""
    print(f"Blocks: {report.blocks_ran} run, {report.blocks_reused} reused from the store"
          f"{running}. Warnings: {warnings}. Total: {report.seconds:.2f} s")
    for encoder in report.encoders:
        print(f"Animations encoded with {encoder}")
    if report.drawn_elsewhere:
        count = report.drawn_elsewhere
        print(f"{count} figure{'s were' if count != 1 else ' was'} drawn with other library "
              f"versions ({'; '.join(report.elsewhere_versions[:2])}): reused as they are; "
              "--refresh-figures redraws them here (or --refresh-figures=POST, one post)")


