"""Build-cache files parsed once per process, and again only when the file changed.

`figdown serve` builds many times in one process; each build would read back the records
the last one wrote (pages, link index, output keys). A record is kept in memory with the
size, mtime and inode its file had when this process wrote or read it; any change to the
file, or its removal, and it is read from the file again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

T = TypeVar("T")
_PARSED: dict[Path, tuple[tuple[int, int, int], object]] = {}


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def parsed(path: Path, parse: Callable[[bytes], T]) -> T:
    """`parse(path.read_bytes())`, or what it gave last time if the file is the same.

    Raises OSError as reading does; `parse` should not raise for a damaged file. What it
    returns is shared between builds: never change it.
    """
    signature = _signature(path)
    known = _PARSED.get(path)
    if known is not None and signature is not None and known[0] == signature:
        return cast(T, known[1])
    value = parse(path.read_bytes())
    if signature is not None and _signature(path) == signature:  # not changed meanwhile
        _PARSED[path] = (signature, value)
    return value


def remember(path: Path, value: object) -> None:
    """What was just written to `path`, as `parsed` would read it back."""
    signature = _signature(path)
    if signature is None:
        _PARSED.pop(path, None)
    else:
        _PARSED[path] = (signature, value)


__all__ = ["parsed", "remember"]
