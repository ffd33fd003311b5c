"""One file of the built site, as the stages hand it to the writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: bytes to write, a file to copy, or how to make either.

    A rendered output is handed over unmade (`make`), so that the writer knows every path
    first and can share the rendering between processes (see write.py).
    """

    path: str  # relative to the output folder, posix
    data: bytes | None = None
    source: Path | None = None
    origin: str = ""  # what made it, for collision messages
    line: int | None = None  # the line of `origin` that chose this path, if it is a file
    unchanged: bool = False  # `source` is the previous output's file, with these very bytes
    make: Callable[[], OutputFile] | None = None  # renders it: data or source, same path
    key: str | None = None  # of what it was made from, when it can be reused (reuse.py)
    digest: str | None = None  # sha256 of its bytes, when known without reading them
    single: bool = False  # a page's own output (single.html), not a list, feed or file
    whole: bool = False  # made from every page at once (sitemap, search index)

    def made(self) -> OutputFile:
        """This output with its bytes or its source file."""
        return self if self.make is None else self.make()
