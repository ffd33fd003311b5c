"""Time `build.py` on one post made of a single delimiter repeated (1 MB of `\\(` by default).

    python benchmarks/bench_inline.py                 # every kind, 1 MB each
    python benchmarks/bench_inline.py --kb 256 '\\(' '['

Each run is a cold build (no output, no build cache) of a site whose only post is the
delimiter repeated to the given size, in a paragraph of its own: no closing delimiter is
ever found, the case that made a rule scan the rest of the paragraph from every opener.
With `--in-paragraph` the run follows a word on its line, so that a run that alone on its
line is a block (`***` a rule, `$$$` display math, ``` a fence) is read by the inline rules.
A Markdown rule in linear time builds a megabyte in seconds; one in quadratic time takes
minutes (1 MB of unclosed `\\(` took about half an hour). Prints a Markdown table: kind,
size, seconds, exit status; the time at half the size too (`--scaling`), whose ratio is
about 2 for linear time and 4 for quadratic.
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
KINDS = ["$", "$$", "\\(", "\\[", "`", "*", "_", "**", "~~", "[", "![", "[^", "^[", "](",
         "<", "</", "<!--", "&", "&#", "\\", "http://", "www.", "{{<", "{{%", "$x", "a$"]


def build_once(kind: str, kb: int, work: Path, prefix: str = "") -> tuple[float, int]:
    """Seconds and exit status of a cold build of a post of `kb` KB of `kind`, after
    `prefix` on the same line."""
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\n", encoding="utf-8")
    body = (kind * (kb * 1024 // len(kind) + 1))[:kb * 1024]
    (site / "content" / "posts" / "a.md").write_text(
        f"---\ntitle: A\ndate: 2024-03-01\n---\n\nIntro.\n\n{prefix}{body}\n",
        encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "-s", str(site),
                           "--warn-links"], capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=KINDS, help="delimiters to repeat")
    parser.add_argument("--kb", type=int, default=1024, help="size of the post's body")
    parser.add_argument("--in-paragraph", action="store_true",
                        help="start the run's line with a word")
    parser.add_argument("--scaling", action="store_true",
                        help="also time half the size, and print the ratio")
    args = parser.parse_args()
    print("| delimiter | size | seconds | exit |" + (" half size | ratio |" if args.scaling
                                                    else ""))
    print("| --- | --- | --- | --- |" + (" --- | --- |" if args.scaling else ""))
    with tempfile.TemporaryDirectory(prefix="figdown-inline-") as folder:
        for kind in args.kinds:
            prefix = "Text " if args.in_paragraph else ""
            seconds, code = build_once(kind, args.kb, Path(folder), prefix)
            row = f"| `{kind}` | {args.kb} KB | {seconds:.1f} | {code} |"
            if args.scaling:
                half, _ = build_once(kind, args.kb // 2, Path(folder), prefix)
                row += f" {half:.1f} | {seconds / half:.1f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
