"""What the build shows while blocks run: on a terminal, one line redrawn in place with
the blocks running and for how long; elsewhere (CI, a pipe), one line per finished block."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO


class ProgressBar:
    """Blocks done of total, and each running post's current block with its seconds."""

    def __init__(self, total: int, stream: TextIO, enabled: bool,
                 sink: Callable[[str], None] | None = None) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 0
        self.live = self.enabled and stream.isatty()
        self.sink = sink  # told the running blocks in words, whatever the stream is
        self.done = 0
        self.running: dict[str, tuple[str, float]] = {}  # post → (block id, started at)
        self.drawn_at = 0.0

    def start(self, path: str, block_id: str) -> None:
        """A post began running, with its first block."""
        self.running[path] = (block_id, time.monotonic())
        self._draw()

    def block_done(self, path: str, block_id: str, next_id: str | None) -> None:
        """A block of a running post ended; `next_id` runs now (None: the post is done)."""
        self.done += 1
        now = time.monotonic()
        started = self.running.get(path, (block_id, now))[1]
        if self.enabled and not self.live:
            self.stream.write(f"ran {path} {block_id} ({now - started:.1f} s)\n")
            self.stream.flush()
        if next_id is not None:
            self.running[path] = (next_id, now)
        else:
            self.running.pop(path, None)
        self._draw()

    def finish(self, path: str) -> None:
        """A post finished running (its last block, or the first that failed)."""
        self.running.pop(path, None)
        self._draw()

    def tick(self) -> None:
        """Called while waiting: redraw the seconds, at most once a second."""
        if (self.live or self.sink) and time.monotonic() - self.drawn_at >= 1.0:
            self._draw()

    def describe(self) -> str:
        """The blocks running now, in words."""
        now = time.monotonic()
        running = ", ".join(f"{block} in {path}, {now - started:.0f} s"
                            for path, (block, started) in self.running.items())
        return f"running {running} ({self.done} of {self.total} blocks done)"

    def close(self) -> None:
        """Erase the line."""
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self) -> None:
        now = time.monotonic()
        if self.sink is not None and self.running:
            self.drawn_at = now
            self.sink(self.describe())
        if not self.live:
            return
        self.drawn_at = now
        columns = shutil.get_terminal_size((80, 24)).columns
        running = ", ".join(f"{path} {block} {now - started:.0f} s"
                            for path, (block, started) in self.running.items())
        text = f"running blocks {self.done}/{self.total}  {running}"
        self.stream.write("\r\x1b[K" + text[: columns - 1])
        self.stream.flush()
