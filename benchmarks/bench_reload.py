"""Time from saving a source file to the browser being told to reload.

    python benchmarks/bench_reload.py            # with a stand-in builder on a scratch site

`measure_reload` takes any builder callable, so the real one can be measured the same way.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from figdown.changes import BuildOutcome, RebuildPlan, SiteLayout
from figdown.serve import Builder, PreviewServer

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
) -> list[float]:
    """Seconds from each save of `source` to the tab's event; `source` is restored after."""
    original = source.read_bytes()
    server = PreviewServer(build, preview_dir, layout, port=0, echo=lambda line: None)
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


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        layout, build = _scratch_site(root)
        source = layout.content_dir / "posts" / "relu.md"
        timings = measure_reload(build, layout, root / "preview", source, edits=10)
    print(
        f"save → reload event over {len(timings)} edits: "
        f"median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
