"""One file of the built site, as the stages hand it to the writer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: bytes to write, or a file to copy."""

    path: str  # relative to the output folder, posix
    data: bytes | None = None
    source: Path | None = None
    origin: str = ""  # what made it, for collision messages
    line: int | None = None  # the line of `origin` that chose this path, if it is a file
    unchanged: bool = False  # `source` is the previous output's file, with these very bytes
