"""Code that runs inside a dedicated worker process: it runs posts' blocks and draws figures.

Only the standard library is imported at module level, so that the build process can
import the message types cheaply; numpy and matplotlib are imported once per worker.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import io
import linecache
import os
import random
import shutil
import signal
import site
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NoReturn

from figdown.messages import (
    BlockFailure,
    BlockOutcome,
    BlockTask,
    PostTask,
    RenderedFigure,
    TraceFrame,
    WorkerInit,
)

SVG_HASHSALT = "figdown"


class BlockTimeout(BaseException):
    """Raised inside a block that runs past its timeout (not an Exception: user code
    with a bare `except Exception` must not swallow it)."""


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
    runner = _Runner(init)
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


def _run_forked(conn: Connection, runner: _Runner, task: PostTask, gate: int) -> NoReturn:
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


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise BlockTimeout


class _Runner:
    """The worker's state for one build: imported libraries and the site's settings."""

    def __init__(self, init: WorkerInit) -> None:
        sys.dont_write_bytecode = True  # no __pycache__ folders in the user's site
        os.environ["MPLBACKEND"] = "Agg"
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        plt.show = _show_nothing
        self.mpl: Any = matplotlib
        self.plt: Any = plt
        self.np: Any = np
        self.init = init
        self.site_root = Path(init.site_root)
        self.helpers = Path(init.helpers).resolve() if init.helpers else None
        if self.helpers is not None:
            # Both `import acts` and `from lib import acts` reach the helpers.
            sys.path[:0] = [str(self.helpers), str(self.helpers.parent)]
        self.style_errors = self._apply_style()
        self.ffmpeg: tuple[str | None, str] | None = None  # found at the first animation
        signal.signal(signal.SIGALRM, _raise_timeout)
        # Ctrl-C is the build's to handle: it stops the workers itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _apply_style(self) -> list[str]:
        """Reset rcParams to matplotlib's defaults plus the site style; return what failed."""
        errors: list[str] = []
        self.mpl.rcdefaults()
        if self.init.style_file:
            try:
                self.plt.style.use(self.init.style_file)
            except Exception as exc:
                errors.append(f"style file {self.init.style_file}: {_one_line(exc)}")
        for key, value in self.init.style.items():
            try:
                self.mpl.rcParams[key] = value
            except Exception as exc:
                errors.append(f"rcParams {key}={value!r}: {_one_line(exc)}")
        self.mpl.rcParams["svg.hashsalt"] = SVG_HASHSALT
        return errors

    def run_post(self, task: PostTask, send: Callable[[BlockOutcome], None]) -> None:
        """Run a post's blocks in one fresh namespace, sending each block's outcome as soon as
        it ends and stopping at the first failure. Runs in the post's own process."""
        os.chdir(task.source_dir)
        # Seeded, so that a post drawing random data draws the same figure on every build.
        random.seed(0)
        self.np.random.seed(0)
        reads = _ReadRecorder(self.site_root, self.init.unrecorded, self.helpers)
        sys.addaudithook(reads.hook)
        namespace: dict[str, Any] = {
            "__name__": "__main__",
            "__builtins__": builtins,
            "np": self.np,
            "plt": self.plt,
        }
        filenames = {
            _block_filename(task.path, block): (task.path, block.line) for block in task.blocks
        }
        # Animations already taken by an earlier block, by id; holding them keeps their ids
        # from being reused by a new animation.
        animations: dict[int, Any] = {}
        with warnings.catch_warnings():
            for block in task.blocks:
                outcome = self._run_block(task, block, namespace, filenames, animations)
                send(replace(outcome, reads=reads.paths()))
                if outcome.failure is not None:
                    break

    def _run_block(
        self,
        task: PostTask,
        block: BlockTask,
        namespace: dict[str, Any],
        filenames: dict[str, tuple[str, int]],
        animations: dict[int, Any],
    ) -> BlockOutcome:
        filename = _block_filename(task.path, block)
        lines = block.code.splitlines(keepends=True)
        linecache.cache[filename] = (len(block.code), None, lines, filename)
        before = _snapshot(task.watch, task.source_dir)
        rc = self.mpl.rcParams
        saved_size = rc["figure.figsize"]
        if block.width or block.height:
            rc["figure.figsize"] = (block.width or saved_size[0], block.height or saved_size[1])
        captured = _Capture(self.init.output_limit)
        failure: BlockFailure | None = None
        figures: tuple[RenderedFigure, ...] = ()
        try:
            code = compile(block.code, filename, "exec", dont_inherit=True)
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                # Saving is timed with the block: encoding an animation draws every frame,
                # which runs the block's own code again.
                signal.setitimer(signal.ITIMER_REAL, block.timeout)
                try:
                    exec(code, namespace)
                    figures = self._save_results(block, namespace, animations)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        except BlockTimeout as exc:
            failure = self._failure(exc, "timeout", filenames, block, task.path)
        except BaseException as exc:  # SystemExit, GeneratorExit, a class of the block's own
            failure = self._failure(exc, "exception", filenames, block, task.path)
        finally:
            if block.width or block.height:
                rc["figure.figsize"] = saved_size
        if failure is not None:
            figures = ()
        self.plt.close("all")
        changed = _changes(before, _snapshot(task.watch, task.source_dir), self.site_root)
        if failure is None and changed:
            shown = ", ".join(changed[:3]) + (", …" if len(changed) > 3 else "")
            failure = BlockFailure("outside", f"wrote outside its post's folder: {shown}", None)
        output, dropped = captured.text()
        return BlockOutcome(block.index, figures, output, failure, output_dropped=dropped)

    def _save_results(
        self, block: BlockTask, namespace: dict[str, Any], taken: dict[int, Any]
    ) -> tuple[RenderedFigure, ...]:
        """Save every open figure and encode every new animation in the namespace, in the
        order their figures were made; an animation's figure is not also saved as a still."""
        animations: list[Any] = []
        if "matplotlib.animation" in sys.modules:  # else no block can have made one
            from figdown.animate import find_animations, mark_unrendered

            seen = set(taken)
            animations = find_animations(namespace, seen)
            taken.update((id(a), a) for a in animations)
            if not block.save:
                for anim in animations:
                    mark_unrendered(anim)
        if not block.save:
            return ()
        animated = {id(a._fig) for a in animations}
        order: list[tuple[float, int, Any]] = [
            (number, 0, self.plt.figure(number))
            for number in self.plt.get_fignums()
            if id(self.plt.figure(number)) not in animated
        ]
        # An animation whose figure was closed (`plt.close()` after making it) comes last.
        order += [
            (getattr(a._fig, "number", float("inf")), 1 + i, a) for i, a in enumerate(animations)
        ]
        results = []
        for _, position, item in sorted(order, key=lambda entry: entry[:2]):
            if position == 0:
                results.append(self._save_figure(block, item))
            else:
                results.append(self._encode(block, item))
        return tuple(results)

    def _encode(self, block: BlockTask, anim: Any) -> RenderedFigure:
        from figdown.animate import encode_animation, ffmpeg_executable

        if self.ffmpeg is None:
            self.ffmpeg = ffmpeg_executable()
        encoded = encode_animation(
            anim, block.animation_format, block.fps, block.frames, block.dpi, self.ffmpeg
        )
        self.plt.close(anim._fig)
        return RenderedFigure(
            encoded.data,
            encoded.format,
            encoded.width,
            encoded.height,
            kind="animation",
            poster=encoded.poster,
            encoder=encoded.encoder,
            fallback=encoded.fallback,
        )

    def _save_figure(self, block: BlockTask, fig: Any) -> RenderedFigure:
        """Save one figure in the block's image format."""
        width_in, height_in = fig.get_size_inches()
        buffer = io.BytesIO()
        if block.format == "png":
            fig.savefig(buffer, format="png", dpi=2 * block.dpi, metadata={"Software": None})
            width, height = round(width_in * block.dpi), round(height_in * block.dpi)
        else:
            fig.savefig(
                buffer,
                format="svg",
                dpi=2 * block.dpi,
                metadata={"Date": None, "Creator": None},
                # the theme recolours SVGs for dark pages; a transparent background
                # lets the page show through instead of a white rectangle
                transparent=True,
            )
            width, height = round(width_in * 96), round(height_in * 96)
        return RenderedFigure(buffer.getvalue(), block.format, width, height)

    def _failure(
        self,
        exc: BaseException,
        kind: str,
        filenames: dict[str, tuple[str, int]],
        block: BlockTask,
        post_path: str,
    ) -> BlockFailure:
        frames = _user_frames(exc.__traceback__, filenames, self.helpers, self.site_root)
        if isinstance(exc, SyntaxError) and exc.filename in filenames and exc.lineno:
            path, start = filenames[exc.filename]
            text = (exc.text or "").strip()
            frames = (*frames, TraceFrame(path, start + exc.lineno - 1, "<block>", text))
        in_post = [f for f in frames if f.path == post_path]
        line = in_post[-1].line if in_post else None
        message = f"timed out after {block.timeout:g} s" if kind == "timeout" else _one_line(exc)
        frames = tuple(replace(f, source=clean_text(f.source), name=clean_text(f.name))
                       for f in frames)
        return BlockFailure(kind, clean_text(message), line, frames)


class _Capture(io.StringIO):
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


class _ReadRecorder:
    """The files inside the site a post's blocks open for reading, seen by an audit hook
    (`open` events of builtins.open, io.open_code and os.open)."""

    def __init__(self, site_root: Path, unrecorded: tuple[str, ...],
                 helpers: Path | None) -> None:
        self.root = str(site_root.resolve()) + os.sep
        # Python's own files are no data of the site's, even in a virtual environment
        # inside it (`.venv/`, or `venv/`).
        installed = {sys.prefix, sys.exec_prefix, sys.base_prefix, *site.getsitepackages(),
                     str(Path(__file__).parent)}
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


def _block_filename(path: str, block: BlockTask) -> str:
    return f"<figdown:{path}:{block.line}>"


def _show_nothing(*args: object, **kwargs: object) -> None:
    """plt.show() at build time: figures are saved when the block ends."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError):
        text = exc.msg
    name = type(exc).__name__
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{name}: {text}" if text else name


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(folder)
    except ValueError:
        return False
    return True


def _user_frames(
    tb: TracebackType | None,
    filenames: dict[str, tuple[str, int]],
    helpers: Path | None,
    site_root: Path,
) -> tuple[TraceFrame, ...]:
    """The traceback frames inside the post's blocks and the site's helpers, mapped to
    Markdown lines; library and worker frames are left out."""
    frames = []
    for summary in traceback.extract_tb(tb):
        lineno = summary.lineno or 0
        if summary.filename in filenames:
            path, start = filenames[summary.filename]
            name = "<block>" if summary.name == "<module>" else summary.name
            frames.append(TraceFrame(path, start + lineno - 1, name, summary.line or ""))
        elif helpers is not None and _is_inside(Path(summary.filename), helpers):
            absolute = Path(os.path.abspath(summary.filename))
            try:
                shown = absolute.relative_to(site_root.resolve()).as_posix()
            except ValueError:
                shown = str(absolute)
            frames.append(TraceFrame(shown, lineno, summary.name, summary.line or ""))
    return tuple(frames)


Snapshot = dict[str, tuple[int, int] | None]


def _snapshot(watch: tuple[tuple[str, bool], ...], post_dir: str) -> Snapshot:
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


def _changes(before: Snapshot, after: Snapshot, site_root: Path) -> list[str]:
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
