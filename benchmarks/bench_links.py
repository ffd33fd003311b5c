"""What broken links cost a build: the link check with and without 500 of them.

    python benchmarks/bench_links.py                    # 1,000 posts, 500 broken links
    python benchmarks/bench_links.py --posts 2000 --broken 1000 --runs 5

Generates the synthetic blog (gen_site.py) twice, once with one near-miss link
(`/posts/post-00012x/`, a slip of the keyboard away from a real page, so that every one gets
a "did you mean") in each of `--broken` posts, builds both with `--warn-links`, then times
the link check of each output alone, `--runs` times. Prints the median seconds of each and
the difference, which the check's guess index keeps under a second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_site import generate, post_name

from figdown.options import BuildOptions
from figdown.output.links import check_links
from figdown.pipeline import build


def add_broken_links(root: Path, posts: int, broken: int) -> None:
    """One near-miss link in each of the first `broken` posts."""
    for n in range(broken):
        path = root / "content" / "posts" / f"{post_name(n)}.md"
        target = post_name((n * 7 + 3) % posts)
        with path.open("a", encoding="utf-8") as post:
            post.write(f"\nSee also [the next one](/posts/{target}x/).\n")


def time_check(output: Path, runs: int) -> tuple[float, int]:
    """Median seconds of the link check over `output`, and how many problems it found."""
    times: list[float] = []
    found = 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(check_links(output, "/", {}, severity="warning"))
        times.append(time.perf_counter() - start)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--broken", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        results = {}
        for name, broken in (("clean", 0), ("broken", args.broken)):
            site = Path(work) / name
            generate(site, args.posts)
            add_broken_links(site, args.posts, broken)
            start = time.perf_counter()
            report = build(BuildOptions(source=site, warn_links=True))
            built = time.perf_counter() - start
            seconds, found = time_check(site / "output", args.runs)
            results[name] = seconds
            print(f"{name:>6}: build {built:.2f} s ({len(report.problems)} problems); "
                  f"link check alone {seconds:.3f} s, {found} broken links")
        cost = results["broken"] - results["clean"]
        print(f"{args.broken} broken links cost the check {cost:+.3f} s")


if __name__ == "__main__":
    main()
