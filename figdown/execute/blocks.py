"""The data exchanged between the Markdown stage and the block executor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from figdown.problems import Problem

OptionValue = str | bool | int | float


@dataclass(frozen=True)
class CodeBlock:
    """One executable block of a post, as written in the Markdown file."""

    path: str  # the Markdown file, relative to the site root, for messages
    line: int  # 1-based line of the block's first line of code in that file
    index: int  # position among the post's executable blocks, from 0
    code: str
    options: Mapping[str, OptionValue] = field(default_factory=dict)

    @property
    def block_id(self) -> str:
        """The block's `id` option (Quarto: `label`), or a name made from its position."""
        value = self.options.get("id") or self.options.get("label")
        return str(value) if value else f"fig-{self.index + 1}"

    @property
    def explicit_id(self) -> bool:
        """Whether the writer named the block (only a named block can be referred to)."""
        return bool(self.options.get("id") or self.options.get("label"))


@dataclass(frozen=True)
class PostBlocks:
    """The executable blocks of one post, run in order in one namespace."""

    path: str  # the Markdown file, relative to the site root
    slug: str  # the post's folder name inside the figure store
    source_dir: Path  # absolute folder of the Markdown file: the blocks' working directory
    blocks: tuple[CodeBlock, ...]


@dataclass(frozen=True)
class FigureFile:
    """One image or animation a block produced, stored in the figure store."""

    store_path: str  # relative to the store, posix: "relu/relu-plot.svg"
    format: str  # "svg" or "png"; an animation's "mp4", "webp" or "gif"
    width: int  # CSS pixels
    height: int
    kind: str = "image"  # "image" or "animation"
    poster: str = ""  # an animation's first frame (PNG), relative to the store
    size: int = 0  # bytes of the file

    @property
    def store_paths(self) -> tuple[str, ...]:
        """Every store file this figure needs: the file, and an animation's poster."""
        return (self.store_path, self.poster) if self.poster else (self.store_path,)


@dataclass(frozen=True)
class Display:
    """A value a block showed (its last expression, or `display(obj)`), as text."""

    mime: str  # text/plain, text/html, image/svg+xml (base64), text/markdown
    data: str
    kind: str = ""  # "table": an HTML table (from a DataFrame or a list of rows)


@dataclass(frozen=True)
class BlockResult:
    """What one block produced, fresh or reused from the store."""

    block: CodeBlock
    figures: tuple[FigureFile, ...] = ()
    output: str = ""
    error: Problem | None = None
    reused: bool = False
    displays: tuple[Display, ...] = ()
