"""The worker process: it imports numpy and matplotlib once, then runs each post it is given
in a forked copy of itself (see pool.py for the build's side).

Only the standard library is imported at module level; the runner, which imports numpy and
matplotlib, is imported when the worker starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, NoReturn

from figdown.execute.messages import PostTask, WorkerInit

if TYPE_CHECKING:
    from figdown.execute.runner import Runner


def main(fd: int) -> None:
    """Entry point of a worker process, talking to the build over the socket `fd`."""
    _die_with_parent()
    conn = Connection(fd)
    try:
        init = conn.recv()
        serve(conn, init)
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the build has gone: there is nobody left to tell
    finally:
        conn.close()


def serve(conn: Connection, init: WorkerInit) -> None:
    """The worker's main loop: import the libraries once, announce readiness, then run each
    post in a forked copy of this process, so that nothing one post's blocks do (imports,
    monkeypatches, rcParams, threads, files they leave open) reaches another post."""
    from figdown.execute.runner import Runner

    runner = Runner(init)
    conn.send(("ready", runner.style_errors))
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            gate_read, gate_write = os.pipe()
            pid = os.fork()
        except OSError as exc:
            conn.send(("exited", f"could not fork a process for the post: {exc.strerror}"))
            continue
        if pid == 0:  # the post's own process
            os.close(gate_write)
            _run_forked(conn, runner, task, gate_read)
        os.close(gate_read)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also done in the child: whichever runs first
        # The build learns the post's process before any block reports, so that it can end
        # the post's whole process group when a block runs past its time.
        conn.send(("started", pid))
        os.write(gate_write, b"go")
        os.close(gate_write)
        _, status = os.waitpid(pid, 0)
        # Processes a block started and left running end with the post.
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        _empty_folder(tempfile.gettempdir())
        conn.send(("exited", _status_text(status)))


def _run_forked(conn: Connection, runner: Runner, task: PostTask, gate: int) -> NoReturn:
    """Run one post in the forked process and end it; never returns into the worker loop."""
    code = 0
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        _die_with_parent()
        os.read(gate, 2)
        os.close(gate)
        runner.run_post(task, lambda outcome: conn.send(("block", outcome)))
    except BaseException:  # the build sees the post end without its outcomes: a crash
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
        os._exit(code)


def _status_text(status: int) -> str:
    """'' for a post process that ended normally, else how it ended."""
    if os.WIFSIGNALED(status):
        try:
            name = signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            name = f"signal {os.WTERMSIG(status)}"
        return f"the post's process was killed by {name}"
    code = os.WEXITSTATUS(status)
    return "" if code == 0 else f"the post's process exited (exit code {code})"


def _empty_folder(folder: str) -> None:
    """Remove what a post left in the worker's own temporary folder."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent ends (a build killed with -9, or the
    worker of a post): nothing keeps running a block nobody waits for."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1
