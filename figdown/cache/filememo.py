"""Build-cache records: written whole with a checksum, parsed once per process, and again
only when the file changed.

`figdown serve` builds many times in one process; each build would read back the records
the last one wrote (pages, link index, output keys). A record is kept in memory with the
size, mtime and inode its file had when this process wrote or read it; any change to the
file, or its removal, and it is read from the file again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

from figdown.cache.lastbuild import make_cache_folder

T = TypeVar("T")
_CHECK = 64  # hex digits of a record's sha256, on its first line


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class RecordFiles:
    """The records this process wrote or read, with the size, mtime and inode each file had
    then: one per process, kept by the build cache's memory (buildcache.Memory)."""

    def __init__(self) -> None:
        self._parsed: dict[Path, tuple[tuple[int, int, int], object]] = {}

    def parsed(self, path: Path, parse: Callable[[bytes], T]) -> T:
        """`parse(path.read_bytes())`, or what it gave last time if the file is the same.

        Raises OSError as reading does; `parse` should not raise for a damaged file. What it
        returns is shared between builds: never change it.
        """
        signature = _signature(path)
        known = self._parsed.get(path)
        if known is not None and signature is not None and known[0] == signature:
            return cast(T, known[1])
        value = parse(path.read_bytes())
        if signature is not None and _signature(path) == signature:  # not changed meanwhile
            self._parsed[path] = (signature, value)
        return value

    def remember(self, path: Path, value: object) -> None:
        """What was just written to `path`, as `parsed` would read it back."""
        signature = _signature(path)
        if signature is None:
            self._parsed.pop(path, None)
        else:
            self._parsed[path] = (signature, value)

    def write_record(self, path: Path, payload: bytes, value: object) -> None:
        """Write a record whole (a line with the sha256 of `payload`, then `payload`, through
        a temporary file), and remember `value` as what parsing it back gives. A record that
        cannot be written only costs speed: the next build does without it."""
        temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
        try:
            make_cache_folder(path.parent)
            temporary.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(temporary, path)
            self.remember(path, value)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def write_record_from(self, path: Path, dump: Callable[[BinaryIO], None],
                          value: object) -> None:
        """`write_record` for a large payload, which `dump` writes to a file as it makes it
        (never held whole in memory); the checksum goes in front once it is known."""
        temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
        try:
            make_cache_folder(path.parent)
            with open(temporary, "wb") as file:
                file.write(b"0" * _CHECK + b"\n")
                hashing = _Hashing(file)
                dump(cast(BinaryIO, hashing))
                file.seek(0)
                file.write(hashing.digest.hexdigest().encode())
            os.replace(temporary, path)
            self.remember(path, value)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def record_payload(raw: bytes) -> bytes | None:
    """The payload of a record `write_record` wrote, or None when it is damaged."""
    check, _, payload = raw.partition(b"\n")
    return payload if hashlib.sha256(payload).hexdigest().encode() == check else None


def record_view(raw: bytes) -> memoryview | None:
    """`record_payload` without copying it, for large records."""
    payload = memoryview(raw)[_CHECK + 1:]
    return payload if hashlib.sha256(payload).hexdigest().encode() == raw[:_CHECK] else None


__all__ = ["RecordFiles", "record_payload", "record_view"]
