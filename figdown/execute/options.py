"""Block options: Quarto `#|` lines, and the typed options of one executable block."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from figdown.execute.blocks import CodeBlock, OptionValue
from figdown.problems import Problem
from figdown.values import MAX_TIMEOUT

V = TypeVar("V")
DEFAULT_TIMEOUT = 60.0
DEFAULT_DPI = 96
FORMATS = ("svg", "png")
ANIMATION_FORMATS = ("mp4", "webp", "gif")

# Quarto's spelling of the options figdown understands.
ALIASES = {
    "label": "id",
    "fig-cap": "caption",
    "fig-alt": "alt",
    "fig-width": "width",
    "fig-height": "height",
    "fig-format": "format",
    "fig-dpi": "dpi",
    "tbl-cap": "caption",
}

# Options that only change how the page shows a result, never what the code produces.
PRESENTATION_OPTIONS = frozenset({"exec", "caption", "alt", "echo", "output", "code-fold",
                                  "code-summary", "layout", "layout-ncol", "fig-subcap"})

_ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_QUARTO_LINE = re.compile(r"#\|\s?(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class BlockOptions:
    """The options that decide how a block runs and how its figures are saved."""

    block_id: str
    caption: str = ""
    format: str = "svg"
    width: float | None = None  # inches; None: the style's figure size
    height: float | None = None
    dpi: int = DEFAULT_DPI  # CSS pixels per inch of a PNG; the file is saved at twice this
    timeout: float = DEFAULT_TIMEOUT  # seconds
    animation_format: str = "mp4"  # format of the block's animations
    fps: int | None = None  # frames per second of its animations; None: their interval's
    frames: int | None = None  # at most this many frames of each animation


def parse_option_value(text: str) -> OptionValue:
    """A `#|` value as YAML would type it: true/false, numbers, quoted or bare strings."""
    text = text.strip()
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        if text[0] == '"':
            return inner.replace('\\"', '"').replace("\\\\", "\\")
        return inner.replace("''", "'")
    return text


def split_quarto_options(code: str) -> tuple[dict[str, OptionValue], str, int]:
    """Split leading `#| key: value` lines off a block: (options, remaining code, lines removed)."""
    lines = code.splitlines(keepends=True)
    options: dict[str, OptionValue] = {}
    removed = 0
    for line in lines:
        match = _QUARTO_LINE.match(line.strip())
        if not line.lstrip().startswith("#|") or match is None:
            break
        options[match["key"]] = parse_option_value(match["value"])
        removed += 1
    return options, "".join(lines[removed:]), removed


def canonical_options(options: Mapping[str, V]) -> dict[str, V]:
    """The options with Quarto names mapped to figdown's (figdown's own spelling wins)."""
    result: dict[str, V] = {}
    for key, value in options.items():
        name = ALIASES.get(key, key)
        if name != key and name in options:
            continue
        result[name] = value
    return result


def key_options(options: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    """The options that can change what a block produces, for its cache key."""
    canon = canonical_options(options)
    kept = {k: v for k, v in canon.items() if k not in PRESENTATION_OPTIONS}
    kept["has-caption"] = bool(canon.get("caption"))
    return kept


def coerce_options(
    block: CodeBlock, default_format: str = "svg", default_timeout: float = DEFAULT_TIMEOUT
) -> tuple[BlockOptions, list[Problem]]:
    """Check and type a block's options; bad values are reported and replaced by defaults."""
    opts = canonical_options(block.options)
    problems: list[Problem] = []
    block_id = block.block_id

    def bad(name: str, value: OptionValue, expected: str) -> None:
        problems.append(
            Problem(
                block.path,
                block.line,
                f"block {block_id}: option {name}={value!r} is not {expected}",
                f"write {name} as {expected}",
            )
        )

    if opts.get("id") and not _ID_PATTERN.fullmatch(str(opts["id"])):
        bad("id", opts["id"], "a name of letters, digits, '-' and '_'")
        block_id = f"fig-{block.index + 1}"
    caption = opts.get("caption", "")
    fmt = str(opts.get("format", default_format)).lower()
    animation_format = "mp4"
    if fmt in ANIMATION_FORMATS:  # the block's animations; its still figures keep the default
        animation_format, fmt = fmt, default_format
    elif fmt not in FORMATS:
        bad("format", opts.get("format", default_format), "svg, png, mp4, webp or gif")
        fmt = "svg"

    def positive(name: str, integer: bool = False, most: float = math.inf) -> float | None:
        value = opts.get(name)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not value > 0  # NaN too
            or not math.isfinite(float(value))
            or value > most
            or (integer and not float(value).is_integer())
        ):
            kind = "a positive whole number" if integer else "a positive number"
            bad(name, value, kind if most == math.inf else f"{kind} up to {most:g}")
            return None
        return float(value)

    width = positive("width")
    height = positive("height")
    dpi = positive("dpi", integer=True)
    timeout = positive("timeout", most=MAX_TIMEOUT)
    fps = positive("fps", integer=True)
    frames = positive("frames", integer=True)
    options = BlockOptions(
        block_id=block_id,
        caption=str(caption) if caption else "",
        format=fmt,
        width=width,
        height=height,
        dpi=int(dpi) if dpi else DEFAULT_DPI,
        timeout=timeout if timeout else default_timeout,
        animation_format=animation_format,
        fps=int(fps) if fps else None,
        frames=int(frames) if frames else None,
    )
    return options, problems


def check_block_ids(blocks: tuple[CodeBlock, ...], ids: list[str]) -> list[Problem]:
    """Block ids of one post must differ, and none may name another block's later figure."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for block, block_id in zip(blocks, ids, strict=True):
        if block_id in seen:
            problems.append(
                Problem(
                    block.path,
                    block.line,
                    f"block {block_id}: another block of this post has the same id",
                    "give each block of a post its own id",
                )
            )
        seen.add(block_id)
    for block, block_id in zip(blocks, ids, strict=True):
        stem, _, number = block_id.rpartition("-")
        if stem in seen and number.isdigit() and int(number) >= 2:
            problems.append(
                Problem(
                    block.path,
                    block.line,
                    f"block {block_id}: this id is the file name of figure {number} "
                    f"of block {stem}",
                    "rename one of the two blocks",
                )
            )
    return problems
