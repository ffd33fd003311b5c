"""Running one post's blocks, inside the post's own process: the namespace, the figure
style, timeouts, saving figures and animations, and errors mapped to the Markdown lines."""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import os
import random
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from figdown.execute.blocks import Display
from figdown.execute.messages import (
    BlockFailure,
    BlockOutcome,
    BlockTask,
    PostTask,
    RenderedFigure,
    TraceFrame,
    WorkerInit,
)
from figdown.execute.observe import Capture, ReadRecorder, changes, clean_text, snapshot
from figdown.execute.rich import Displayed, compile_cell, represent_all

SVG_HASHSALT = "figdown"


class BlockTimeout(BaseException):
    """Raised inside a block that runs past its timeout (not an Exception: user code
    with a bare `except Exception` must not swallow it)."""


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise BlockTimeout


class Runner:
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
        reads = ReadRecorder(self.site_root, self.init.unrecorded, self.helpers)
        sys.addaudithook(reads.hook)
        namespace: dict[str, Any] = {
            "__name__": "__main__",
            "__builtins__": builtins,
            "np": self.np,
            "plt": self.plt,
            "display": Displayed(),
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
        before = snapshot(task.watch, task.source_dir)
        rc = self.mpl.rcParams
        saved_size = rc["figure.figsize"]
        if block.width or block.height:
            rc["figure.figsize"] = (block.width or saved_size[0], block.height or saved_size[1])
        captured = Capture(self.init.output_limit)
        failure: BlockFailure | None = None
        figures: tuple[RenderedFigure, ...] = ()
        displays: tuple[Display, ...] = ()
        shown = namespace["display"] if isinstance(namespace.get("display"), Displayed) \
            else Displayed()
        try:
            code, last = compile_cell(block.code, filename)
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                # Saving is timed with the block: encoding an animation draws every frame,
                # which runs the block's own code again.
                signal.setitimer(signal.ITIMER_REAL, block.timeout)
                try:
                    exec(code, namespace)
                    if last is not None:
                        shown(eval(last, namespace))
                    displays = represent_all(shown.take())
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
            figures, displays = (), ()
            shown.take()
        self.plt.close("all")
        changed = changes(before, snapshot(task.watch, task.source_dir), self.site_root)
        if failure is None and changed:
            shown = ", ".join(changed[:3]) + (", …" if len(changed) > 3 else "")
            failure = BlockFailure("outside", f"wrote outside its post's folder: {shown}", None)
        output, dropped = captured.text()
        return BlockOutcome(block.index, figures, output, failure, output_dropped=dropped,
                            displays=displays)

    def _save_results(
        self, block: BlockTask, namespace: dict[str, Any], taken: dict[int, Any]
    ) -> tuple[RenderedFigure, ...]:
        """Save every open figure and encode every new animation in the namespace, in the
        order their figures were made; an animation's figure is not also saved as a still."""
        animations: list[Any] = []
        if "matplotlib.animation" in sys.modules:  # else no block can have made one
            from figdown.execute.animate import find_animations, mark_unrendered

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
        from figdown.execute.animate import encode_animation, ffmpeg_executable

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
