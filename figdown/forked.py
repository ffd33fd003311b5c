"""Share a list of work between this process and forked copies of it.

The write stage renders templates and writes files: pure Python, so one process uses one
core. Forked after the site is assembled, each copy already holds the site, the compiled
templates and the outputs to make, and nothing needs to be sent to it; it hands back only
what it found (a few small values per output).

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


def map_shares(items: Sequence[T], work: Callable[[Iterable[T]], R],
               processes: int) -> list[R]:
    """`work(items it takes)` in this process and in `processes - 1` forked ones; their
    results, this process's first. Every item is given to exactly one `work`.

    A `ContentError` in any process is raised here once all have ended (this process's
    first); a forked process's crash is a RuntimeError.
    """
    if processes < 2 or len(items) < 2 or not can_fork():
        return [work(items)]
    # What exists now is set aside from the cycle collector: if it runs in a child, it does
    # not touch (and so copy) the pages of the objects the child shares with this process.
    gc.freeze()
    try:
        return _forked(items, work, processes)
    finally:
        gc.unfreeze()


def _forked(items: Sequence[T], work: Callable[[Iterable[T]], R], processes: int) -> list[R]:
    context = multiprocessing.get_context("fork")
    ends = context.Array("q", [0, len(items)])  # next item from the front; end of the back
    outcomes: list[tuple[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="figdown-shares-") as scratch:
        children: list[tuple[ForkProcess, Path]] = []
        for n in range(processes - 1):
            result = Path(scratch) / f"{n}.pickle"
            child = context.Process(target=_child, args=(work, _back(items, ends), result),
                                    daemon=True)
            child.start()
            children.append((child, result))
        try:
            outcomes.append(("ok", work(_front(items, ends))))
        except ContentError as err:
            outcomes.append(("content", err.problems))
        for child, result in children:
            # A child hands its result over in a file, and has ended (and freed its memory)
            # before this process reads it: through a pipe, both would hold it at once.
            child.join()
            try:
                with result.open("rb") as file:
                    outcomes.append(pickle.load(file))
            except (OSError, EOFError, pickle.UnpicklingError):
                outcomes.append(("crash",
                                 f"a build process ended (exit code {child.exitcode})"))
    results: list[R] = []
    for status, value in outcomes:
        if status == "content":
            problems: tuple[Problem, ...] = value  # type: ignore[assignment]
            raise ContentError(problems)
        if status == "crash":
            raise RuntimeError(str(value))
        results.append(value)  # type: ignore[arg-type]
    return results


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


def _child(work: Callable[[Iterable[T]], R], taken: Iterable[T], result: Path) -> None:
    try:
        outcome: tuple[str, object] = ("ok", work(taken))
    except ContentError as err:
        outcome = ("content", err.problems)
    except BaseException:  # handed to the parent, which raises it
        outcome = ("crash", traceback.format_exc())
    partial = result.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(result)  # whole, or not there at all


__all__ = ["can_fork", "map_shares"]
