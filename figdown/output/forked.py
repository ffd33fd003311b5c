"""Share a list of work between this process and forked copies of it.

The write stage renders templates and writes files: pure Python, so one process uses one
core. Forked after the site is assembled, each copy already holds the site, the compiled
templates and the outputs to make, and nothing needs to be sent to it; it hands back only
what it found (a few small values per output), in a file, as it finds them.

The items are taken from both ends of one list: this process from the front, the forked
ones from the back, one item at a time, until they meet. So the load balances itself, and
each end stays mostly with one kind of item (the caller orders them): a forked process
copies every memory page it writes to — reading an object writes its reference count —
so the fewer objects the processes share the reading of, the less memory the build takes.

Only where `fork` exists and this process runs no other thread (a fork copies one thread
and any lock another thread held, as under `serve`, whose builds are small anyway).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.context import ForkProcess
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path
from typing import TypeVar

from figdown.problems import ContentError, Problem

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def map_shares(items: Sequence[T], work: Callable[[Iterable[T], Callable[[R], None]], None],
               processes: int) -> list[R]:
    """Run `work(items it takes, found)` in this process and in `processes - 1` forked
    ones; every item is given to exactly one of them. Returns what they passed to `found`:
    this process's first, then each child's, in the order they passed it.

    A `ContentError` in any process is raised here once all have ended (this process's
    first); a forked process's crash is a RuntimeError.
    """
    if processes < 2 or len(items) < 2 or not can_fork():
        found: list[R] = []
        work(items, found.append)
        return found
    # What exists now is set aside from the cycle collector: if it runs in a child, it does
    # not touch (and so copy) the pages of the objects the child shares with this process.
    gc.freeze()
    try:
        return _forked(items, work, processes)
    finally:
        gc.unfreeze()


def _forked(items: Sequence[T], work: Callable[[Iterable[T], Callable[[R], None]], None],
            processes: int) -> list[R]:
    context = multiprocessing.get_context("fork")
    ends = context.Array("q", [0, len(items)])  # next item from the front; end of the back
    found: list[R] = []
    problems: tuple[Problem, ...] = ()
    with tempfile.TemporaryDirectory(prefix="figdown-shares-") as scratch:
        children: list[tuple[ForkProcess, Path]] = []
        for n in range(processes - 1):
            records = Path(scratch) / f"{n}.pickle"
            child = context.Process(target=_child, args=(work, _back(items, ends), records),
                                    daemon=True)
            try:
                child.start()
            except OSError:  # no more processes allowed (pids.max, ulimit -u): make do
                break
            children.append((child, records))
        try:
            work(_front(items, ends), found.append)
        except ContentError as err:
            problems = err.problems
        except BaseException:  # a disk error, Ctrl-C: the children stop with this process
            for child, _ in children:
                child.kill()
                child.join()
            raise
        for child, records in children:
            child.join()
            outcome = _read_records(records, found)
            if outcome is None:
                raise RuntimeError(f"a build process ended (exit code {child.exitcode})")
            if outcome[0] == "crash":
                raise RuntimeError(str(outcome[1]))
            if outcome[0] == "content" and not problems:
                problems = outcome[1]  # type: ignore[assignment]
    if problems:
        raise ContentError(problems)
    return found


def _read_records(path: Path, found: list[R]) -> tuple[str, object] | None:
    """Add a child's records to `found`; its outcome, or None when it did not end its file."""
    try:
        with path.open("rb") as file:
            while True:
                record = pickle.load(file)
                if isinstance(record, _End):
                    return record.outcome
                found.append(record)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None


class _End:
    """The last record of a child's file: how its work ended."""

    def __init__(self, outcome: tuple[str, object]) -> None:
        self.outcome = outcome


def _front(items: Sequence[T], ends: SynchronizedArray[int]) -> Iterator[T]:
    while True:
        with ends.get_lock():
            index = ends[0]
            if index >= ends[1]:
                return
            ends[0] = index + 1
        yield items[index]


def _back(items: Sequence[T], ends: SynchronizedArray[int]) -> Iterator[T]:
    while True:
        with ends.get_lock():
            index = ends[1] - 1
            if index < ends[0]:
                return
            ends[1] = index
        yield items[index]


def _child(work: Callable[[Iterable[T], Callable[[R], None]], None], taken: Iterable[T],
           records: Path) -> None:
    # Each record is written as soon as it is found, not held until the end: a child holds
    # little, and has ended (and freed its memory) before this process reads the file.
    with records.open("wb") as file:
        def found(record: R) -> None:
            pickle.dump(record, file, protocol=pickle.HIGHEST_PROTOCOL)
        outcome: tuple[str, object]
        try:
            work(taken, found)
            outcome = ("ok", None)
        except ContentError as err:
            outcome = ("content", err.problems)
        except BaseException:  # handed to the parent, which raises it
            outcome = ("crash", traceback.format_exc())
        pickle.dump(_End(outcome), file, protocol=pickle.HIGHEST_PROTOCOL)


__all__ = ["can_fork", "map_shares"]
