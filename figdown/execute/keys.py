"""Cache keys of blocks: what a block's result depends on, hashed."""

from __future__ import annotations

import ast
import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from figdown.execute.blocks import CodeBlock
from figdown.execute.options import BlockOptions, key_options
from figdown.execute.theme_style import THEME_STYLE

KEY_SCHEMA = 2


@dataclass(frozen=True)
class KeyContext:
    """What every block key of a build shares: style, helper folder, and (only when the
    site asks for `figures.environment: strict`) the library versions."""

    versions: Mapping[str, str]  # the environment this build runs blocks in
    style: str  # canonical JSON of the rcParams from the config
    style_file: str  # sha256 of the style file, or "" without one
    helpers: Path | None
    strict: bool = False  # the versions are part of every key


# Part of every key: bump it when the way results are saved changes (format, metadata,
# transparency, ink colours, the default style), so that stored results made the old way
# are run again, never served.
SAVE_FORMAT = "3"
# The default figure style is part of every key too: editing it redraws every figure.
THEME_STYLE_KEY = json.dumps(dict(THEME_STYLE), sort_keys=True, default=repr)


LIBRARIES = ("numpy", "matplotlib", "pillow", "imageio-ffmpeg")


def library_versions() -> dict[str, str]:
    """Python, numpy, matplotlib, Pillow (which writes PNG, WebP and GIF) and imageio-ffmpeg
    (whose ffmpeg encodes MP4) versions, read without importing the libraries: what a
    store entry records of the environment that drew it."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def make_key_context(
    style: Mapping[str, object], style_file: Path | None, helpers: Path | None,
    strict: bool = False,
) -> KeyContext:
    """The shared part of every block key for one build."""
    file_hash = ""
    if style_file is not None:
        try:
            file_hash = hashlib.sha256(style_file.read_bytes()).hexdigest()
        except OSError:
            file_hash = f"unreadable:{style_file}"
    return KeyContext(
        versions=library_versions(),
        style=json.dumps(dict(style), sort_keys=True, default=repr),
        style_file=file_hash,
        helpers=helpers,
        strict=strict,
    )


def imported_names(code: str) -> set[str]:
    """Top-level names of the modules a piece of code imports (absolute imports only)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def helper_files(names: set[str], helpers: Path) -> dict[str, Path]:
    """The helper source files reached from module names, following imports between helpers.

    A package is taken whole (all its `.py` files), which also covers its relative imports.
    """
    found: dict[str, Path] = {}
    queue = sorted(names)
    done: set[str] = set()
    while queue:
        name = queue.pop()
        if name in done:
            continue
        done.add(name)
        parts = name.split(".")
        if parts[0] == helpers.name:  # `from lib import acts`: the whole folder
            candidates = sorted(helpers.rglob("*.py"))
        else:
            candidates = _module_files(helpers, parts)
        for file in candidates:
            relative = file.relative_to(helpers).as_posix()
            if relative in found or "__pycache__" in file.parts:
                continue
            found[relative] = file
            try:
                queue.extend(imported_names(file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return found


def _module_files(helpers: Path, parts: list[str]) -> list[Path]:
    module = helpers.joinpath(*parts[:1])
    if module.with_suffix(".py").is_file():
        return [module.with_suffix(".py")]
    if module.is_dir():
        return sorted(module.rglob("*.py"))
    return []


def helper_hashes(codes: Sequence[str], helpers: Path | None) -> dict[str, str]:
    """sha256 of each site helper module the given code imports, directly or not."""
    if helpers is None or not helpers.is_dir():
        return {}
    names: set[str] = set()
    for code in codes:
        names |= imported_names(code)
    files = helper_files(names, helpers)
    hashes = {}
    for relative, file in sorted(files.items()):
        try:
            hashes[relative] = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            hashes[relative] = "unreadable"
    return hashes


def block_keys(
    blocks: Sequence[CodeBlock], effective: Sequence[BlockOptions], context: KeyContext
) -> list[str]:
    """The key of each block of a post: its code and all code before it, its options
    (with the site defaults it gets), the style, the helpers it (or earlier code)
    imports, and how results are saved; the library versions only in strict mode. The
    files a block reads are not known before it runs: the store entry lists them."""
    keys = []
    for position, (block, opts) in enumerate(zip(blocks, effective, strict=True)):
        codes = [b.code for b in blocks[: position + 1]]
        options = key_options(block.options)
        options.update(format=opts.format, dpi=opts.dpi, timeout=opts.timeout,
                       animation_format=opts.animation_format)
        payload = {
            "schema": KEY_SCHEMA,
            "code": codes,
            "options": options,
            "style": context.style,
            "style_file": context.style_file,
            "helpers": helper_hashes(codes, context.helpers),
            "save-format": SAVE_FORMAT,
            "theme-style": THEME_STYLE_KEY,
        }
        if context.strict:
            payload["versions"] = dict(context.versions)
        text = json.dumps(payload, sort_keys=True, default=repr, ensure_ascii=False)
        keys.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return keys
