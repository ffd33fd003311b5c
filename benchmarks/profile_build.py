"""Where a figdown build spends its time: wall time per stage, and optionally a cProfile.

    python benchmarks/profile_build.py SITE [--profile out.prof] [--top 25]

Stages are timed by wrapping the functions that do them (no profiler overhead), so the
numbers add up to the real build time; nested stages (Markdown inside the page bodies,
Pygments and MathML inside the render, templates and the link check inside the write)
are shown indented. The build runs with `-j 1` unless `--jobs` says otherwise, so that the
Markdown stages are timed in this process; `--cold` removes the site's build cache first.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CLOCK = "2026-11-26T00:00:00Z"
# (label, module, attribute, depth): module attributes to wrap, as the caller looks them up
STAGES = (
    ("load pages (read + front matter)", "figdown.stages", "load_pages", 0),
    ("page bodies (shortcodes, cache look-up, Markdown, blocks, store)", "figdown.stages",
     "render_bodies", 0),
    ("Markdown parse", "figdown.markdown.firstpass", "parse_body", 1),
    ("Markdown render", "figdown.markdown.firstpass", "render_tokens", 1),
    ("Pygments highlighting", "figdown.markdown.engine", "highlight_code", 2),
    ("MathML (latex2mathml)", "figdown.markdown.math", "tex_to_mathml", 2),
    ("taxonomies", "figdown.stages", "build_taxonomies", 0),
    ("assemble site", "figdown.stages", "assemble_site", 0),
    ("write (render templates, write files, check, swap)", "figdown.stages", "write_site", 0),
    ("Jinja2 templates", "figdown.output.render.Renderer", "render", 1),
    ("link check", "figdown.stages", "check_links", 1),
    ("site snapshot (for quick rebuilds)", "figdown.cache.snapshot", "save_snapshot", 0),
)


def _wrap(totals: dict[str, float], label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - started
    return timed


def stage_times(argv: list[str]) -> tuple[dict[str, float], float]:
    """Run one build in this process with every stage wrapped; seconds per stage, total."""
    import importlib

    from figdown.cli import main
    from figdown.output import render
    totals: dict[str, float] = {}
    for label, module_name, attr, _ in STAGES:
        if module_name == "figdown.output.render.Renderer":
            setattr(render.Renderer, attr, _wrap(totals, label, getattr(render.Renderer, attr)))
            continue
        module = importlib.import_module(module_name)
        setattr(module, attr, _wrap(totals, label, getattr(module, attr)))
    started = time.perf_counter()
    code = main(argv)
    total = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"build failed ({code})")
    return totals, total


def stage_table(totals: dict[str, float], total: float) -> str:
    lines = ["| stage | seconds | share |", "| --- | ---: | ---: |"]
    for label, _, _, depth in STAGES:
        seconds = totals.get(label, 0.0)
        name = ("  " * depth + "↳ " if depth else "") + label
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    counted = sum(totals.get(label, 0.0) for label, _, _, depth in STAGES if depth == 0)
    lines.append(f"| other (imports, config, block bookkeeping) | {total - counted:.2f} | "
                 f"{(total - counted) / total:.0%} |")
    lines.append(f"| **total** | {total:.2f} | 100% |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--profile", type=Path, help="also run under cProfile, stats to here")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cold", action="store_true", help="remove the build cache first")
    parser.add_argument("--out", type=Path, help="output folder (default: a new one)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="figdown -j; above 1 the Markdown sub-stages run in workers "
                             "and show as 0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="figdown-profile-") as scratch:
        out = args.out or Path(scratch) / "out"
        argv = ["-s", str(args.site), "-d", str(out), "--clock", CLOCK, "-q",
                "-j", str(args.jobs)]
        if args.cold:
            shutil.rmtree(args.site / ".figdown-cache", ignore_errors=True)
        if args.profile:
            from figdown.cli import main as build_main
            profiler = cProfile.Profile()
            profiler.runcall(build_main, argv)
            profiler.dump_stats(str(args.profile))
            out = io.StringIO()
            stats = pstats.Stats(str(args.profile), stream=out)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
            return 0
        totals, total = stage_times(argv)
    print(stage_table(totals, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
