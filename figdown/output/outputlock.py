"""One build per output folder at a time, and the clean-up of what a killed build left.

A build holds an `fcntl` lock on `.<name>.lock` beside its output folder from before it
reads the folder until its records are written: a second build of the same folder (a second
terminal, an editor's build-on-save) waits for it, saying so, instead of deleting the first
one's staging folder while it is being swapped in. POSIX record locks (`lockf`) belong to
the process: the kernel releases one the moment its build dies, however it dies, and the
processes a build forks never hold it.

The lock file also says which folders its build may leave beside the output folder (its
staging folder and the old output, both named with its PID). A build that ends removes the
file; one that is killed leaves it, and the next build, once it holds the lock, removes
those folders, and only those: a folder that merely looks like a leftover
(`mv output .output.old-2024`) was never named by a build and is kept.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from figdown.problems import Problem

MARKER = ".figdown-output"  # in every folder a build makes
# What a build carries over from the output folder it replaces (see carry_kept).
KEPT_NAMES = (".git",)


def lock_path(destination: Path) -> Path:
    return destination.parent / f".{destination.name}.lock"


def staging_name(destination: Path, pid: int) -> Path:
    return destination.parent / f".{destination.name}.new-{pid}"


def old_name(destination: Path, pid: int) -> Path:
    return destination.parent / f".{destination.name}.old-{pid}"


@dataclass(frozen=True)
class HeldOutput:
    """The lock of one output folder, held by this process."""

    destination: Path
    notes: tuple[Problem, ...]  # what the clean-up of a killed build's folders did


@contextlib.contextmanager
def hold_output(destination: Path, on_wait: Callable[[str], None]) -> Iterator[HeldOutput]:
    """Hold the output folder's lock for the `with` body (waiting for another build of it,
    after telling `on_wait` why), having cleared what a killed build left beside it."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd = _lock(destination, on_wait)
    try:
        notes = _clear_killed(destination, _read_record(fd))
        pid = os.getpid()
        _write_record(fd, {"pid": pid, "folders": [
            staging_name(destination, pid).name, old_name(destination, pid).name]})
        try:
            yield HeldOutput(destination, tuple(notes))
        finally:
            if not any(folder.exists() for folder in (staging_name(destination, pid),
                                                      old_name(destination, pid))):
                # unlinked while still locked: a build waiting on this file finds it gone
                # once it gets the lock, and starts again on a new one (see _lock)
                with contextlib.suppress(OSError):
                    os.unlink(lock_path(destination))
    finally:
        os.close(fd)


def _lock(destination: Path, on_wait: Callable[[str], None]) -> int:
    """Open and lock the lock file: the one at its path once it is locked (a build that
    ended unlinks it, so the one this process waited on may be a file no longer there)."""
    path = lock_path(destination)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not told:
                    holder = _read_record(fd).get("pid", "?")
                    on_wait(f"waiting for another build of {destination} (process {holder}) "
                            "to finish")
                    told = True
                fcntl.lockf(fd, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _read_record(fd: int) -> dict[str, object]:
    try:
        data = os.pread(fd, 4096, 0)
        found = json.loads(data.decode("utf-8")) if data.strip() else {}
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):  # damaged: nothing is known to be a leftover
        return {}


def _write_record(fd: int, record: dict[str, object]) -> None:
    data = json.dumps(record).encode("utf-8") + b"\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _clear_killed(destination: Path, record: dict[str, object]) -> list[Problem]:
    """Put back the old output a build killed mid-swap had moved aside, carry the folders
    kept across builds (KEPT_NAMES) into the output folder, and remove the rest of the
    folders the record names."""
    folders = record.get("folders")
    if not isinstance(folders, list):
        return []
    notes: list[Problem] = []
    named = [destination.parent / str(name) for name in folders
             if isinstance(name, str) and "/" not in name
             and name.startswith(f".{destination.name}.")]
    found = [folder for folder in named if folder.is_dir() and not folder.is_symlink()
             and (folder / MARKER).is_file()]
    old = [folder for folder in found if ".old-" in folder.name]
    if old and not destination.exists():
        # killed between the two renames of a swap (where the system cannot exchange two
        # folders in one step): the old output is put back, never a staging folder (it
        # may be half written)
        old[0].rename(destination)
        found.remove(old[0])
    for folder in found:
        if not carry_kept(folder, destination):
            notes.append(Problem(str(folder), None,
                                 f"kept {folder.name}: it holds a {', '.join(KEPT_NAMES)} "
                                 "the output folder already has one of",
                                 "move what you need out of it and delete it",
                                 severity="warning"))
            continue
        shutil.rmtree(folder, ignore_errors=True)
    return notes


def carry_kept(old: Path, new: Path) -> bool:
    """Move the entries named KEPT_NAMES (a git repository made in the output folder) from
    the output folder a build replaced into the new one; False when one could not move."""
    moved = True
    for name in KEPT_NAMES:
        source = old / name
        if not source.exists() and not source.is_symlink():
            continue
        target = new / name
        if target.exists() or target.is_symlink():
            moved = False
            continue
        try:
            source.rename(target)
        except OSError:
            moved = False
    return moved


__all__ = ["KEPT_NAMES", "MARKER", "HeldOutput", "carry_kept", "hold_output", "lock_path",
           "old_name", "staging_name"]
