"""How a cold build grows with one post's tags and with one post's size.

    python benchmarks/bench_scale.py                       # 1,000 to 10,000 tags; 2 to 8 MB
    python benchmarks/bench_scale.py --tags 500 1000 --megabytes 1 2

For each size, one cold `build.py` of a site whose only post has that many tags (or that
many megabytes of prose: headings, paragraphs with links, emphasis and inline math, lists,
code blocks). Prints seconds, the bytes written to output/ and the peak resident memory of
the largest process of the build (getrusage of the children), and each one's ratio to the
previous row: about the size ratio (2) when it grows linearly.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHUNK = ("## Part {n}\n\nSome *prose* with a [link](/posts/a/), `code` and $x^2$ math, "
         "written out at some length so that the paragraph is like one of a real post.\n\n"
         "- one item\n- another item\n\n```python\nprint({n})\n```\n\n")
# Runs one build and prints the largest resident size (KB) of the processes it waited for.
MEASURE = ("import resource, subprocess, sys; "
           "code = subprocess.run(sys.argv[1:]).returncode; "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


def write_site(site: Path, front: str, body: str) -> None:
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\n", encoding="utf-8")
    (site / "content" / "posts" / "a.md").write_text(
        f"---\ntitle: A\ndate: 2024-03-01\n{front}---\n\n{body}", encoding="utf-8")


def prose(megabytes: float) -> str:
    parts: list[str] = []
    size = 0
    while size < megabytes * 1024 * 1024:
        part = CHUNK.format(n=len(parts))
        parts.append(part)
        size += len(part)
    return "".join(parts)


def measure(site: Path) -> tuple[float, int, int]:
    """Seconds, bytes written, peak KB of one cold build of `site`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable,
                           str(REPO / "build.py"), "-q", "-s", str(site), "--warn-links"],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"the build failed: {done.stderr}")
    written = sum(p.stat().st_size for p in (site / "output").rglob("*") if p.is_file())
    return seconds, written, int(peak)


def report(label: str, rows: list[tuple[str, float, int, int]]) -> None:
    print(f"| {label} | seconds | output bytes | peak memory | ratios (time, bytes, memory) |")
    print("| --- | --- | --- | --- | --- |")
    previous: tuple[str, float, int, int] | None = None
    for row in rows:
        name, seconds, written, peak = row
        ratios = "" if previous is None else (
            f"{seconds / previous[1]:.1f}, {written / previous[2]:.1f}, {peak / previous[3]:.1f}")
        print(f"| {name} | {seconds:.1f} | {written:,} | {peak / 1024:.0f} MB | {ratios} |")
        previous = row
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, nargs="*", default=[1000, 2000, 4000, 10000])
    parser.add_argument("--megabytes", type=float, nargs="*", default=[2, 4, 8])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="figdown-scale-") as folder:
        site = Path(folder) / "site"
        rows = []
        for count in args.tags:
            tags = ", ".join(f"tag-{n}" for n in range(count))
            write_site(site, f"tags: [{tags}]\n", "Text.\n")
            rows.append((f"{count:,} tags", *measure(site)))
        report("one post with", rows)
        rows = []
        for megabytes in args.megabytes:
            write_site(site, "", prose(megabytes))
            rows.append((f"{megabytes:g} MB", *measure(site)))
        report("one post of", rows)


if __name__ == "__main__":
    main()
