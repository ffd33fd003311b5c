"""A pool of worker processes that run posts, with per-block timeouts and crash recovery.

Each worker is a spawned interpreter that imports numpy and matplotlib once, then runs each
post it is given in a forked copy of itself (the post's process, in a process group of its
own), so that no post's blocks change what another's see. The worker reports when the post's
process starts and ends, and the post's process reports each block as it ends: a block that
runs past its own timeout is the one named, and its process group (with whatever the block
started) is killed without touching the worker.

Workers run in a session of their own, so Ctrl-C in the terminal reaches only the build,
which ends them; they and the posts' processes also die with their parent.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import figdown
from figdown.execute.messages import BlockFailure, BlockOutcome, PostTask, WorkerInit

# A block that ignores its soft timeout is killed this many seconds later.
KILL_GRACE = 1.0
# A worker not ready this long after its start is stuck (the first run on a machine
# builds matplotlib's font cache, which can take a while).
STARTUP_TIMEOUT = 300.0
# A worker whose post's process was killed, or ended, reports so within this time.
EXIT_TIMEOUT = 10.0
# Give up starting workers after this many die before becoming ready.
MAX_START_FAILURES = 3
TEMP_PREFIX = "figdown-worker-"

OutcomeHandler = Callable[[PostTask, BlockOutcome], None]
PostHandler = Callable[[PostTask], None]


# The worker is a fresh interpreter that imports only figdown.execute.worker: unlike
# multiprocessing's spawn, it never re-runs the build's main script.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "import figdown.execute.worker as w; w.main(int(sys.argv[2]))"
)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    scratch: Path  # the worker's own folder: its TMPDIR and its log
    ready: bool = False
    task: PostTask | None = None  # the post whose outcomes are awaited
    post_pid: int | None = None  # the post's process, once the worker said so
    running: bool = False  # a post's process exists (until the worker says it ended)
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
    start_error: str = ""


def run_tasks(
    tasks: Sequence[PostTask],
    init: WorkerInit,
    jobs: int,
    on_outcome: OutcomeHandler,
    on_start: PostHandler,
    on_done: PostHandler,
    on_tick: Callable[[], None] = lambda: None,
) -> list[str]:
    """Run every task, reporting each block's outcome; return the style errors seen.
    `on_tick` is called at least once a second while blocks run."""
    run = PoolRun(init, max(1, min(jobs, len(tasks))), on_outcome, on_start, on_done)
    pending = deque(tasks)
    workers: list[_Worker] = []
    if tasks:
        remove_stale_folders()
    try:
        for _ in range(run.jobs):
            _add_worker(run, workers)
        while pending or any(w.running or w.task is not None for w in workers):
            for w in workers:
                if w.ready and not w.running and pending:
                    _assign(run, w, pending.popleft())
            if not workers:  # every start failed
                reason = run.start_error or "could not start a worker process"
                for task in pending:
                    _fail_post(run, task, 0, "start", reason)
                pending.clear()
                break
            _step(run, workers, pending)
            on_tick()
    finally:
        _stop(workers)
    return run.style_errors


def _add_worker(run: PoolRun, workers: list[_Worker]) -> None:
    """Start a worker; a start the system refuses (no process or memory left) is counted."""
    try:
        workers.append(_start(run.init))
    except OSError as exc:
        run.start_failures += 1
        run.start_error = f"could not start a worker process: {exc.strerror or exc}"


def _start(init: WorkerInit) -> _Worker:
    scratch = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    try:
        (scratch / "tmp").mkdir()
        parent, child = socket.socketpair()
        package_parent = str(Path(figdown.__file__).resolve().parent.parent)
        environment = dict(os.environ, TMPDIR=str(scratch / "tmp"))
        with open(scratch / "worker.log", "wb") as log:
            try:
                process = subprocess.Popen(
                    [sys.executable, "-c", _BOOT, package_parent, str(child.fileno())],
                    pass_fds=[child.fileno()],
                    stdin=subprocess.DEVNULL,
                    # Not the build's stdout: a process a block starts and leaves running
                    # must not hold the build's pipe (`build.py | cat`) open.
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    env=environment,
                    close_fds=True,
                    start_new_session=True,
                )
            finally:
                child.close()
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    conn = Connection(parent.detach())
    conn.send(init)
    return _Worker(process, conn, scratch)


def remove_stale_folders() -> None:
    """Remove the temporary folders of workers whose build has ended (killed with -9)."""
    pattern = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        if not _alive(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _assign(run: PoolRun, w: _Worker, task: PostTask) -> None:
    w.task, w.position, w.post_pid, w.running = task, 0, None, True
    w.deadline = time.monotonic() + task.blocks[0].timeout + KILL_GRACE
    run.on_start(task)
    w.conn.send(task)


def _step(run: PoolRun, workers: list[_Worker], pending: deque[PostTask]) -> None:
    """Wait for the next message, death or deadline, and handle it."""
    busy = [w.deadline for w in workers if w.running or not w.ready]
    timeout = min(1.0, max(0.0, min(busy) - time.monotonic())) if busy else 1.0
    ready = wait([w.conn for w in workers], timeout)
    for w in list(workers):
        if w.conn in ready:
            try:
                while w.conn.poll():
                    _receive(run, w, w.conn.recv())
            except (EOFError, OSError):
                _replace(run, workers, w, pending, _death_message(w))
                continue
        if not (w.running or not w.ready) or time.monotonic() <= w.deadline:
            continue
        if w.task is not None:
            block = w.task.blocks[w.position]
            message = f"timed out after {block.timeout:g} s"
            if w.post_pid is None:
                _replace(run, workers, w, pending, message, "timeout")
            else:
                _end_post_process(w)
                _fail_post(run, w.task, w.position, "timeout", message)
                w.task = None
                w.deadline = time.monotonic() + EXIT_TIMEOUT
        elif w.running:  # the post's process was ended, and the worker did not say so
            _replace(run, workers, w, pending, "")
        else:
            _replace(run, workers, w, pending, "the worker process did not start")


def _receive(run: PoolRun, w: _Worker, message: tuple[str, object]) -> None:
    kind, payload = message
    if kind == "ready":
        w.ready = True
        run.start_failures = 0
        for error in payload:  # type: ignore[attr-defined]
            if error not in run.style_errors:
                run.style_errors.append(error)
    elif kind == "started":
        assert isinstance(payload, int)
        w.post_pid = payload
    elif kind == "block":
        assert isinstance(payload, BlockOutcome)
        if w.task is None:  # sent before its post's process was killed: already failed
            return
        task = w.task
        run.on_outcome(task, payload)
        w.position += 1
        if payload.failure is not None or w.position >= len(task.blocks):
            w.task = None
            run.on_done(task)
            w.deadline = time.monotonic() + EXIT_TIMEOUT
        else:
            w.deadline = time.monotonic() + task.blocks[w.position].timeout + KILL_GRACE
    elif kind == "exited":
        assert isinstance(payload, str)
        w.running, w.post_pid = False, None
        if w.task is not None:  # the post's process ended before its last block did
            reason = payload or "the post's process ended before its blocks did"
            kind_of = "crash" if "fork" not in reason else "start"
            _fail_post(run, w.task, w.position, kind_of, reason)
            w.task = None


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
        _add_worker(run, workers)


def _fail_post(run: PoolRun, task: PostTask, position: int, kind: str, message: str) -> None:
    index = task.blocks[position].index
    run.on_outcome(task, BlockOutcome(index, failure=BlockFailure(kind, message, None)))
    run.on_done(task)


def _end_post_process(w: _Worker) -> None:
    """Kill a post's process and every process its blocks started (its process group)."""
    if w.post_pid is not None:
        with contextlib.suppress(OSError):
            os.killpg(w.post_pid, signal.SIGKILL)


def _kill(w: _Worker) -> None:
    _end_post_process(w)
    if w.process.poll() is None:
        w.process.kill()
    w.process.wait()
    w.conn.close()
    shutil.rmtree(w.scratch, ignore_errors=True)


def _stop(workers: list[_Worker]) -> None:
    """End the workers: they hold nothing to save, so there is no need to wait for an
    orderly interpreter shutdown."""
    for w in workers:
        _kill(w)
