"""Share a list of work between this process and forked copies of it.

The write stage renders templates and writes files: pure Python, so one process uses one
core. Forked after the site is assembled, each copy already holds the site, the compiled
templates and the outputs to make, and nothing needs to be sent to it; it sends back only
what it found (a few small values per output).

Only where `fork` exists and this process runs no other thread (a fork copies one thread
and any lock another thread held, as under `serve`, whose builds are small anyway).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.context import ForkProcess
from pathlib import Path
from typing import TypeVar

from figdown.problems import ContentError, Problem

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def map_shares(shares: Sequence[Sequence[T]], work: Callable[[Sequence[T]], R]) -> list[R]:
    """`work(share)` for each share, results in share order: the first share runs here,
    the others in forked children (all here when this process cannot fork).

    A `ContentError` in any share is raised here once every share has ended (the one of
    the first share that had one wins); a child's crash is a RuntimeError.
    """
    # What exists now is set aside for the cycle collector, which then runs during the
    # shares over what they make only: it is cheap, it frees the reference cycles each
    # template render leaves, and in a child it does not touch (and so copy) the pages of
    # the objects it shares with this process.
    gc.freeze()
    try:
        if len(shares) < 2 or not can_fork():
            with _collecting():
                return [work([item for share in shares for item in share])]
        return _forked(shares, work)
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _collecting() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


def _forked(shares: Sequence[Sequence[T]], work: Callable[[Sequence[T]], R]) -> list[R]:
    context = multiprocessing.get_context("fork")
    outcomes: list[tuple[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="figdown-shares-") as scratch:
        children: list[tuple[ForkProcess, Path]] = []
        for n, share in enumerate(shares[1:]):
            result = Path(scratch) / f"{n}.pickle"
            child = context.Process(target=_child, args=(work, share, result), daemon=True)
            child.start()
            children.append((child, result))
        try:
            with _collecting():
                outcomes.append(("ok", work(shares[0])))
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


def _child(work: Callable[[Sequence[T]], R], share: Sequence[T], result: Path) -> None:
    gc.enable()
    try:
        outcome: tuple[str, object] = ("ok", work(share))
    except ContentError as err:
        outcome = ("content", err.problems)
    except BaseException:  # handed to the parent, which raises it
        outcome = ("crash", traceback.format_exc())
    partial = result.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(result)  # whole, or not there at all


__all__ = ["can_fork", "map_shares"]
