"""A one-line progress bar on a terminal, for posts whose blocks are running."""

from __future__ import annotations

import shutil
from typing import TextIO


class ProgressBar:
    """Posts done of total and the posts now running, redrawn in place on one line."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 0 and stream.isatty()
        self.done = 0
        self.running: list[str] = []

    def start(self, name: str) -> None:
        """A post began running."""
        self.running.append(name)
        self._draw()

    def finish(self, name: str) -> None:
        """A post finished running."""
        if name in self.running:
            self.running.remove(name)
        self.done += 1
        self._draw()

    def close(self) -> None:
        """Erase the bar."""
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        width = 20
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        text = f"running blocks [{bar}] {self.done}/{self.total} posts  {', '.join(self.running)}"
        self.stream.write("\r\x1b[K" + text[: columns - 1])
        self.stream.flush()
