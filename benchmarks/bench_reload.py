"""Time from saving a source file to the browser being told to reload.

    python benchmarks/bench_reload.py                  # the example site and 1,000 posts
    python benchmarks/bench_reload.py --posts 5000     # another generated size
    python benchmarks/bench_reload.py --stand-in       # the server alone: a trivial builder

The real build is the one `figdown serve` runs (`commands.preview_builder`), into a
preview folder outside the site, with the site's build cache as a preview leaves it. Each
edit appends a line of prose to one post; the time is from the save to the event the tab
receives (`reload`), so it includes the watcher's settling time (50 ms) and the build.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from figdown.commands.serve import preview_builder  # noqa: E402
from figdown.serve.changes import BuildOutcome, RebuildPlan, SiteLayout  # noqa: E402
from figdown.serve.server import Builder, PreviewServer  # noqa: E402

LIVE_EVENTS = ("reload", "css", "error", "ok")


def _events(port: int, timeout: float) -> Iterator[str]:
    """Event names from the preview's event stream, as a tab would receive them."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"GET /__figdown/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        with sock.makefile("rb") as stream:
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("event: "):
                    yield line[len("event: ") :]


def measure_reload(
    build: Builder,
    layout: SiteLayout,
    preview_dir: Path,
    source: Path,
    edits: int = 5,
    timeout: float = 30.0,
    on_bind: Callable[[str], None] | None = None,
) -> list[float]:
    """Seconds from each save of `source` to the tab's event; `source` is restored after."""
    original = source.read_bytes()
    server = PreviewServer(build, preview_dir, layout, port=0, echo=lambda line: None,
                           on_bind=on_bind)
    server.start()
    timings: list[float] = []
    try:
        events = _events(server.port, timeout)
        if next(events) != "hello":
            raise RuntimeError("the event stream did not start with hello")
        for edit in range(edits):
            time.sleep(0.3)  # let the watcher settle, so each save is its own burst
            saved = time.perf_counter()
            source.write_bytes(original + f"\nEdit {edit} for the benchmark.\n".encode())
            for name in events:
                if name in LIVE_EVENTS:
                    timings.append(time.perf_counter() - saved)
                    break
    finally:
        source.write_bytes(original)
        server.stop()
    return timings


def _scratch_site(root: Path) -> tuple[SiteLayout, Builder]:
    """A one-post site and a builder that turns each Markdown file into a page."""
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "posts" / "relu.md").write_text("ReLU keeps the positive part.\n")
    layout = SiteLayout.for_site(root, ignored=[root / "preview"])

    def build(plan: RebuildPlan | None) -> BuildOutcome:
        for page in layout.content_dir.rglob("*.md"):
            target = root / "preview" / page.relative_to(layout.content_dir).with_suffix("")
            target.mkdir(parents=True, exist_ok=True)
            (target / "index.html").write_text(f"<body>{page.read_text()}</body>")
        return BuildOutcome(ok=True)

    return layout, build


def real_site(root: Path, source: Path, edits: int) -> list[float]:
    """Save-to-reload times of `figdown serve`'s own build on the site at `root`."""
    with tempfile.TemporaryDirectory(prefix="figdown-reload-") as folder:
        preview = Path(folder).resolve() / "site"
        build, on_bind, _ = preview_builder(root, preview)
        layout = SiteLayout.for_site(root, ignored=[preview.parent])
        return measure_reload(build, layout, preview, source, edits=edits, timeout=120.0,
                              on_bind=on_bind)


def _summary(label: str, timings: list[float]) -> str:
    return (f"| {label} | {len(timings)} | {statistics.median(timings) * 1000:.0f} | "
            f"{min(timings) * 1000:.0f}–{max(timings) * 1000:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="generated site size")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--stand-in", action="store_true",
                        help="time the server with a trivial builder only")
    args = parser.parse_args()
    rows = ["| site | edits | save → reload, median ms | min–max ms |",
            "| --- | ---: | ---: | ---: |"]
    if args.stand_in:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder).resolve()
            layout, build = _scratch_site(root)
            source = layout.content_dir / "posts" / "relu.md"
            rows.append(_summary("stand-in builder", measure_reload(
                build, layout, root / "preview", source, edits=args.edits)))
        print("\n".join(rows))
        return 0
    example = HERE.parent
    posts = sorted((example / "content" / "posts").glob("*.md"))
    rows.append(_summary("example site (this repository)",
                         real_site(example, posts[len(posts) // 2], args.edits)))
    print(rows[-1], file=sys.stderr, flush=True)
    from gen_site import generate

    with tempfile.TemporaryDirectory(prefix="figdown-reload-site-") as folder:
        site = Path(folder) / "site"
        generate(site, args.posts)
        generated = sorted((site / "content" / "posts").glob("post-*.md"))
        rows.append(_summary(f"generated, {args.posts:,} posts",
                             real_site(site, generated[len(generated) // 2], args.edits)))
        shutil.rmtree(site, ignore_errors=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
