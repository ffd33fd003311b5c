"""Messages between the build process and its workers (pickled over a socket)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from figdown.execute.blocks import Display


@dataclass(frozen=True)
class WorkerInit:
    """What every worker of a build needs before its first post."""

    site_root: str
    helpers: str | None
    style: dict[str, Any]
    style_file: str | None
    # Folders whose files a block's reads are not recorded for: the figure store, the build
    # cache, the output folder; helper modules are part of the key already.
    unrecorded: tuple[str, ...] = ()
    output_limit: int = 1_000_000  # characters of printed output kept per block


@dataclass(frozen=True)
class BlockTask:
    """One block to run, with the options the worker needs."""

    index: int
    block_id: str
    code: str
    line: int  # Markdown line of the block's first line of code
    save: bool  # False: run for the namespace only, the store already has its figures
    format: str
    dpi: int
    width: float | None
    height: float | None
    timeout: float
    animation_format: str = "mp4"  # format of the animations the block leaves in its namespace
    fps: int | None = None  # None: the animation's own interval decides
    frames: int | None = None  # at most this many frames of each animation


@dataclass(frozen=True)
class PostTask:
    """The blocks of one post, run in order in one namespace."""

    path: str
    source_dir: str
    watch: tuple[tuple[str, bool], ...]  # (folder, recursive) that blocks must not write to
    blocks: tuple[BlockTask, ...]


@dataclass(frozen=True)
class TraceFrame:
    """One frame of a traceback inside the user's code."""

    path: str  # the Markdown file or the helper module, relative to the site root
    line: int
    name: str
    source: str


@dataclass(frozen=True)
class BlockFailure:
    """Why a block failed."""

    kind: str  # "exception", "timeout", "outside", "crash"
    message: str  # one line
    line: int | None  # Markdown line, when known
    frames: tuple[TraceFrame, ...] = ()


@dataclass(frozen=True)
class RenderedFigure:
    """A saved figure or animation: the file's bytes and its size on the page in CSS pixels."""

    data: bytes
    format: str
    width: int
    height: int
    kind: str = "image"  # "image" or "animation"
    poster: bytes = b""  # an animation's first frame, PNG
    encoder: str = ""  # what encoded an animation
    fallback: str = ""  # why an animation is not in the format the block asked for


@dataclass(frozen=True)
class BlockOutcome:
    """What running one block produced."""

    index: int
    figures: tuple[RenderedFigure, ...] = ()
    output: str = ""
    failure: BlockFailure | None = None
    # Files inside the site that the post's blocks read so far, this one included (site
    # relative, posix): the result is valid while they hold the same bytes.
    reads: tuple[str, ...] = ()
    output_dropped: int = 0  # characters of printed output left out (over the limit)
    displays: tuple[Display, ...] = ()  # values shown: last expression, display(obj)
