"""Time N two-line SVG figures: a bare matplotlib loop vs figdown with 1 and 2 workers.

Each timing starts from a cold interpreter for matplotlib: the bare loop runs in a fresh
`python` process (interpreter start, pyplot import, N figures), and every figdown run
starts its workers (each imports pyplot once) and uses a fresh, empty store.

    python benchmarks/bench_figures.py [-n 40] [--per-post 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from figdown.execute.blocks import CodeBlock, PostBlocks
from figdown.execute.executor import ExecOptions, execute_posts

FIGURE_CODE = """\
x = np.linspace(-4, 4, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x, np.tanh(x), label="tanh")
ax.plot(x, 1 - np.tanh(x) ** 2, label="derivative")
ax.legend()
"""

BARE_SCRIPT = """\
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
plt.rcParams["svg.hashsalt"] = "figdown"
out = sys.argv[1]
meta = {{"Date": None, "Creator": None}}
for i in range(int(sys.argv[2])):
{body}    fig.savefig(f"{{out}}/fig-{{i}}.svg", format="svg", metadata=meta)
    plt.close("all")
"""


def time_bare(n: int, folder: Path, processes: int = 1) -> float:
    """Seconds for fresh interpreters to import pyplot and save n figures between them."""
    body = "".join(f"    {line}\n" for line in FIGURE_CODE.splitlines())
    script = BARE_SCRIPT.format(body=body)
    shares = [n // processes + (i < n % processes) for i in range(processes)]
    started = time.perf_counter()
    running = []
    for i, share in enumerate(shares):
        out = folder / str(i)
        out.mkdir()
        running.append(subprocess.Popen([sys.executable, "-c", script, str(out), str(share)]))
    if any(p.wait() != 0 for p in running):
        raise SystemExit("bare loop failed")
    return time.perf_counter() - started


def make_posts(site: Path, n: int, per_post: int) -> list[PostBlocks]:
    posts = []
    folder = site / "content" / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    for p in range((n + per_post - 1) // per_post):
        count = min(per_post, n - p * per_post)
        path = f"content/posts/post-{p}.md"
        blocks = tuple(
            CodeBlock(path, 10 + 10 * i, i, FIGURE_CODE, {"id": f"tanh-{i}"}) for i in range(count)
        )
        posts.append(PostBlocks(path, f"post-{p}", folder, blocks))
    return posts


def time_figdown(n: int, per_post: int, jobs: int, site: Path) -> float:
    """Seconds for execute_posts to run n figures into an empty store."""
    store = site / "figures"
    shutil.rmtree(store, ignore_errors=True)
    posts = make_posts(site, n, per_post)
    options = ExecOptions(store=store, site_root=site, jobs=jobs)
    started = time.perf_counter()
    report = execute_posts(posts, options)
    seconds = time.perf_counter() - started
    if report.problems or report.ran != n:
        raise SystemExit(f"benchmark run failed: {report.problems}")
    return seconds


def describe(name: str, times: list[float], n: int) -> str:
    med = statistics.median(times)
    return (
        f"{name:<19} median {med:6.3f} s  min {min(times):6.3f}  max {max(times):6.3f}"
        f"   per figure {1000 * med / n:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="figures per run (default 40)")
    parser.add_argument("--per-post", type=int, default=5, help="blocks per post (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each kind (default 5)")
    args = parser.parse_args()
    n = args.n
    timings: dict[str, list[float]] = {
        "bare": [],
        "bare, 2 processes": [],
        "figdown -j1": [],
        "figdown -j2": [],
    }
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        for _ in range(args.repeat):
            for name, processes in (("bare", 1), ("bare, 2 processes", 2)):
                bare_dir = root / "bare"
                shutil.rmtree(bare_dir, ignore_errors=True)
                bare_dir.mkdir()
                timings[name].append(time_bare(n, bare_dir, processes))
            timings["figdown -j1"].append(time_figdown(n, args.per_post, 1, root / "site"))
            timings["figdown -j2"].append(time_figdown(n, args.per_post, 2, root / "site"))
    print(f"{n} figures, {args.per_post} blocks per post, {args.repeat} runs each")
    for name, times in timings.items():
        print(describe(name, times, n))
    # The minimum is the run least disturbed by other work on the machine.
    for label, pick in (("median", statistics.median), ("min", min)):
        bare = pick(timings["bare"])
        one = pick(timings["figdown -j1"])
        two = pick(timings["figdown -j2"])
        ceiling = bare / pick(timings["bare, 2 processes"])
        print(
            f"by {label}: figdown -j1 / bare per figure {one / bare:.2f}x, "
            f"-j2 / bare {two / bare:.2f}x, speed-up 1 -> 2 workers {one / two:.2f}x "
            f"(bare loop, 1 -> 2 processes: {ceiling:.2f}x)"
        )


if __name__ == "__main__":
    main()
