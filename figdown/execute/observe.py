"""What a running block does that the build must know: what it prints (capped), which files
of the site it reads, and which files it writes where it must not."""

from __future__ import annotations

import io
import os
import site
import sys
from pathlib import Path
from typing import Any


class Capture(io.StringIO):
    """What a block prints: the first and last halves of `limit` characters, and a count of
    what was left out between them. A block that closes sys.stdout does not close this."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.half = max(1, limit // 2)
        self.head = 0  # characters in the StringIO itself, at most `half`
        self.tail: list[str] = []
        self.tail_size = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.half - self.head
        if room > 0:
            super().write(text[:room])
            self.head += min(room, len(text))
            text = text[room:]
        if text:
            self.tail.append(text)
            self.tail_size += len(text)
            if self.tail_size > 2 * self.half:
                joined = "".join(self.tail)
                self.dropped += len(joined) - self.half
                self.tail, self.tail_size = [joined[-self.half:]], self.half
        return len(text)

    def close(self) -> None:
        """Left open: the build reads what was printed after the block ends."""

    def text(self) -> tuple[str, int]:
        """What to keep, and how many characters were left out."""
        tail = "".join(self.tail)
        if len(tail) > self.half:
            self.dropped += len(tail) - self.half
            tail = tail[-self.half:]
        head = self.getvalue()
        if self.dropped:
            head += f"\n[… {self.dropped:,} characters of output left out …]\n"
        return clean_text(head + tail), self.dropped


def clean_text(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (an undecodable file name from
    os.listdir, say) is written as its escape, `\\udcff`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class ReadRecorder:
    """The files inside the site a post's blocks open for reading, seen by an audit hook
    (`open` events of builtins.open, io.open_code and os.open)."""

    def __init__(self, site_root: Path, unrecorded: tuple[str, ...],
                 helpers: Path | None) -> None:
        self.root = str(site_root.resolve()) + os.sep
        # Python's own files are no data of the site's, even in a virtual environment
        # inside it (`.venv/`, or `venv/`).
        installed = {sys.prefix, sys.exec_prefix, sys.base_prefix, *site.getsitepackages(),
                     str(Path(__file__).resolve().parents[1])}
        self.skip = tuple(str(Path(folder).resolve()) + os.sep
                          for folder in (*unrecorded, *installed))
        self.helpers = str(helpers) + os.sep if helpers is not None else None
        self.found: set[str] = set()
        self.busy = False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or self.busy:
            return
        self.busy = True  # the checks below may open nothing, but never recurse
        try:
            self._seen(*args[:3])
        except Exception:
            pass  # an odd argument is no read the build needs to know about
        finally:
            self.busy = False

    def _seen(self, path: Any, mode: Any, flags: Any) -> None:
        if isinstance(path, int):
            return  # an open descriptor: its file was recorded when it was opened
        name = os.fsdecode(os.fspath(path))
        absolute = os.path.realpath(name)
        if not absolute.startswith(self.root) or absolute.startswith(self.skip):
            return
        if self.helpers is not None and absolute.startswith(self.helpers) and \
                absolute.endswith(".py"):
            return  # helper modules are in the key already
        if isinstance(mode, str):
            reading = "r" in mode or "+" in mode
        else:
            reading = isinstance(flags, int) and flags & os.O_ACCMODE != os.O_WRONLY
        relative = absolute[len(self.root):].replace(os.sep, "/")
        hidden = any(part.startswith(".") or part == "__pycache__"
                     for part in relative.split("/"))
        if reading and not hidden and os.path.isfile(absolute):
            self.found.add(relative)

    def paths(self) -> tuple[str, ...]:
        return tuple(sorted(self.found))


Snapshot = dict[str, tuple[int, int] | None]


def snapshot(watch: tuple[tuple[str, bool], ...], post_dir: str) -> Snapshot:
    """Files (mtime, size) and folders (None) in the watched folders, outside the post's."""
    seen: Snapshot = {}
    post = os.path.abspath(post_dir)

    def scan(folder: str, recursive: bool) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.path == post:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    seen[entry.path] = None
                    if recursive:
                        scan(entry.path, True)
                else:
                    st = entry.stat(follow_symlinks=False)
                    seen[entry.path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                continue

    for folder, recursive in watch:
        scan(folder, recursive)
    return seen


def changes(before: Snapshot, after: Snapshot, site_root: Path) -> list[str]:
    """The paths created, changed or removed between two snapshots, relative to the site."""
    paths = sorted(
        p
        for p in before.keys() | after.keys()
        if p not in before or p not in after or before[p] != after[p]
    )
    shown = []
    for path in paths:
        try:
            shown.append(Path(path).relative_to(site_root).as_posix())
        except ValueError:
            shown.append(path)
    return shown
