"""Share a list of work between this process and forked copies of it.

The write stage renders templates and writes files: pure Python, so one process uses one
core. Forked after the site is assembled, each copy already holds the site, the compiled
templates and the outputs to make, and nothing needs to be sent to it; it sends back only
what it found (a few small values per output).

Only where `fork` exists and this process runs no other thread (a fork copies one thread
and any lock another thread held, as under `serve`, whose builds are small anyway).
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import ForkProcess
from typing import TypeVar

from figdown.problems import ContentError, Problem

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def map_shares(items: Sequence[T], work: Callable[[Sequence[T]], R], workers: int) -> list[R]:
    """`work(share)` for each of `workers` interleaved shares of `items`, in share order.

    Share 0 runs here, the others in forked children. A `ContentError` in any share is raised
    here once every share has ended (the one of the lowest share wins: shares are interleaved,
    so it is, nearly always, the first failing item's); a child's crash is a RuntimeError.
    """
    workers = max(1, min(workers, len(items)))
    if workers == 1 or not can_fork():
        return [work(items)]
    context = multiprocessing.get_context("fork")
    gc.freeze()  # what exists now is never collected in a child: its pages stay shared
    children: list[tuple[ForkProcess, Connection]] = []
    for index in range(1, workers):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(work, items[index::workers], send),
                                daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    gc.unfreeze()
    outcomes: list[tuple[str, object]] = []
    try:
        outcomes.append(("ok", work(items[0::workers])))
    except ContentError as err:
        outcomes.append(("content", err.problems))
    for child, receive in children:
        try:
            outcomes.append(receive.recv())
        except EOFError:
            outcomes.append(("crash", f"a build process ended (exit code {child.exitcode})"))
        finally:
            receive.close()
            child.join()
    results: list[R] = []
    for status, value in outcomes:
        if status == "content":
            problems: tuple[Problem, ...] = value  # type: ignore[assignment]
            raise ContentError(problems)
        if status == "crash":
            raise RuntimeError(str(value))
        results.append(value)  # type: ignore[arg-type]
    return results


def _child(work: Callable[[Sequence[T]], R], share: Sequence[T], send: Connection) -> None:
    try:
        outcome: tuple[str, object] = ("ok", work(share))
    except ContentError as err:
        outcome = ("content", err.problems)
    except BaseException:  # sent to the parent, which raises it
        outcome = ("crash", traceback.format_exc())
    send.send(outcome)
    send.close()


__all__ = ["can_fork", "map_shares"]
