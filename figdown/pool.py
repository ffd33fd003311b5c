"""A pool of worker processes that run posts, with per-block timeouts and crash recovery.

Each worker is a dedicated spawned process, fed one post at a time over a pipe, so a
worker that hangs or dies can be killed and replaced without touching the others.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import figdown
from figdown.messages import BlockFailure, BlockOutcome, PostTask, WorkerInit

# A block that ignores its soft timeout is killed this many seconds later.
KILL_GRACE = 1.0
# A worker not ready this long after its start is stuck (the first run on a machine
# builds matplotlib's font cache, which can take a while).
STARTUP_TIMEOUT = 300.0
# Give up starting workers after this many die before becoming ready.
MAX_START_FAILURES = 3

OutcomeHandler = Callable[[PostTask, BlockOutcome], None]
PostHandler = Callable[[PostTask], None]


# The worker is a fresh interpreter that imports only figdown.worker: unlike
# multiprocessing's spawn, it never re-runs the build's main script.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "import figdown.worker as w; w.main(int(sys.argv[2]))"
)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    ready: bool = False
    task: PostTask | None = None
    position: int = 0  # index into task.blocks of the block now running
    deadline: float = field(default_factory=lambda: time.monotonic() + STARTUP_TIMEOUT)


@dataclass
class PoolRun:
    """The state of one run of tasks over the pool."""

    init: WorkerInit
    jobs: int
    on_outcome: OutcomeHandler
    on_start: PostHandler
    on_done: PostHandler
    style_errors: list[str] = field(default_factory=list)
    start_failures: int = 0


def run_tasks(
    tasks: Sequence[PostTask],
    init: WorkerInit,
    jobs: int,
    on_outcome: OutcomeHandler,
    on_start: PostHandler,
    on_done: PostHandler,
) -> list[str]:
    """Run every task, reporting each block's outcome; return the style errors seen."""
    run = PoolRun(init, max(1, min(jobs, len(tasks))), on_outcome, on_start, on_done)
    pending = deque(tasks)
    workers = [_start(init) for _ in range(run.jobs)] if tasks else []
    try:
        while pending or any(w.task is not None for w in workers):
            for w in workers:
                if w.ready and w.task is None and pending:
                    _assign(run, w, pending.popleft())
            if not workers:  # every start failed
                for task in pending:
                    _fail_post(run, task, 0, "crash", "could not start a worker process")
                pending.clear()
                break
            _step(run, workers, pending)
    finally:
        _stop(workers)
    return run.style_errors


def _start(init: WorkerInit) -> _Worker:
    parent, child = socket.socketpair()
    package_parent = str(Path(figdown.__file__).resolve().parent.parent)
    process = subprocess.Popen(
        [sys.executable, "-c", _BOOT, package_parent, str(child.fileno())],
        pass_fds=[child.fileno()],
        stdin=subprocess.DEVNULL,
        close_fds=True,
    )
    child.close()
    conn = Connection(parent.detach())
    conn.send(init)
    return _Worker(process, conn)


def _assign(run: PoolRun, w: _Worker, task: PostTask) -> None:
    w.task, w.position = task, 0
    w.deadline = time.monotonic() + task.blocks[0].timeout + KILL_GRACE
    run.on_start(task)
    w.conn.send(task)


def _step(run: PoolRun, workers: list[_Worker], pending: deque[PostTask]) -> None:
    """Wait for the next message, death or deadline, and handle it."""
    busy = [w.deadline for w in workers if w.task is not None or not w.ready]
    timeout = max(0.0, min(busy) - time.monotonic()) if busy else None
    ready = wait([w.conn for w in workers], timeout)
    for w in list(workers):
        if w.conn in ready:
            try:
                while w.conn.poll():
                    _receive(run, w, w.conn.recv())
            except (EOFError, OSError):
                _replace(run, workers, w, pending, _death_message(w))
                continue
        if time.monotonic() <= w.deadline:
            continue
        if w.task is not None:
            block = w.task.blocks[w.position]
            _replace(run, workers, w, pending, f"timed out after {block.timeout:g} s", "timeout")
        elif not w.ready:
            _replace(run, workers, w, pending, "the worker process did not start")


def _receive(run: PoolRun, w: _Worker, message: tuple[str, object]) -> None:
    kind, payload = message
    if kind == "ready":
        w.ready = True
        run.start_failures = 0
        for error in payload:  # type: ignore[attr-defined]
            if error not in run.style_errors:
                run.style_errors.append(error)
        return
    assert isinstance(payload, BlockOutcome) and w.task is not None
    task = w.task
    run.on_outcome(task, payload)
    w.position += 1
    if payload.failure is not None or w.position >= len(task.blocks):
        w.task = None
        run.on_done(task)
    else:
        w.deadline = time.monotonic() + task.blocks[w.position].timeout + KILL_GRACE


def _death_message(w: _Worker) -> str:
    try:
        code: int | None = w.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        code = None
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed by {name}"
    return f"the worker process exited (exit code {code})"


def _replace(
    run: PoolRun,
    workers: list[_Worker],
    w: _Worker,
    pending: deque[PostTask],
    message: str,
    kind: str = "crash",
) -> None:
    """Kill a worker, fail the block it was running, and start another if work remains."""
    _kill(w)
    workers.remove(w)
    if w.task is not None:
        _fail_post(run, w.task, w.position, kind, message)
    elif not w.ready:
        run.start_failures += 1
    if pending and run.start_failures < MAX_START_FAILURES:
        workers.append(_start(run.init))


def _fail_post(run: PoolRun, task: PostTask, position: int, kind: str, message: str) -> None:
    index = task.blocks[position].index
    run.on_outcome(task, BlockOutcome(index, failure=BlockFailure(kind, message, None)))
    run.on_done(task)


def _kill(w: _Worker) -> None:
    if w.process.poll() is None:
        w.process.kill()
    w.process.wait()
    w.conn.close()


def _stop(workers: list[_Worker]) -> None:
    """End the workers: they hold nothing to save, so there is no need to wait for an
    orderly interpreter shutdown."""
    for w in workers:
        _kill(w)
