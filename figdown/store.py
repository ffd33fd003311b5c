"""The figure store: one folder per post, holding each block's images and a JSON manifest.

Layout: `<store>/<slug>/<block-id>.json` and `<block-id>.svg`, `<block-id>-2.svg`, …;
an animation is `<block-id>.mp4` (or `.webp`, `.gif`) with its poster `<block-id>.poster.png`
(a block id has no `.`, so a poster's name is never another block's file).
A manifest is written after its files, so a manifest whose key matches and whose files
are all present with the recorded hashes is a complete, valid result.

Schema 2 added animations (`kind`, `poster`, `poster_sha256`, `encoder`); a schema 1
manifest (images only) is still read, and a figdown that knows only schema 1 ignores a
schema 2 manifest and runs the block again, so it never serves a file it cannot show.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from figdown.blocks import FigureFile
from figdown.messages import RenderedFigure

MANIFEST_SCHEMA = 2
READABLE_SCHEMAS = (1, 2)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class StoredResult:
    """A block's result as kept in the store."""

    figures: tuple[FigureFile, ...]
    output: str


def is_safe_slug(slug: str) -> bool:
    """A slug usable as a folder inside the store: one or more plain names joined by `/`."""
    parts = slug.split("/")
    return all(_SAFE_NAME.fullmatch(part) and part not in (".", "..") for part in parts)


def manifest_path(slug: str, block_id: str) -> str:
    """The manifest's path relative to the store."""
    return f"{slug}/{block_id}.json"


def figure_name(block_id: str, number: int, fmt: str) -> str:
    """The file name of a block's n-th figure (from 1)."""
    suffix = "" if number == 1 else f"-{number}"
    return f"{block_id}{suffix}.{fmt}"


def poster_name(block_id: str, number: int) -> str:
    """The file name of the poster of a block's n-th figure, an animation."""
    suffix = "" if number == 1 else f"-{number}"
    return f"{block_id}{suffix}.poster.png"


def read_result(store: Path, slug: str, block_id: str, key: str) -> StoredResult | None:
    """The stored result of a block if it is complete and made with this key; else None."""
    path = store / manifest_path(slug, block_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") not in READABLE_SCHEMAS or data.get("key") != key:
            return None
        figures = []
        for item in data["figures"]:
            name = str(item["file"])
            if not _SAFE_NAME.fullmatch(name):
                return None
            content = (store / slug / name).read_bytes()
            if hashlib.sha256(content).hexdigest() != item["sha256"]:
                return None
            kind = str(item.get("kind", "image"))
            poster = ""
            if kind == "animation":
                poster = str(item["poster"])
                if not _SAFE_NAME.fullmatch(poster):
                    return None
                digest = hashlib.sha256((store / slug / poster).read_bytes()).hexdigest()
                if digest != item["poster_sha256"]:
                    return None
                poster = f"{slug}/{poster}"
            elif kind != "image":
                return None
            figures.append(
                FigureFile(
                    store_path=f"{slug}/{name}",
                    format=str(item["format"]),
                    width=int(item["width"]),
                    height=int(item["height"]),
                    kind=kind,
                    poster=poster,
                    size=len(content),
                )
            )
        output = data["output"]
        if not isinstance(output, str):
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return StoredResult(tuple(figures), output)


def listed_files(store: Path, slug: str, block_id: str) -> list[str]:
    """The store paths a block's current manifest names (itself included), if readable."""
    manifest = manifest_path(slug, block_id)
    owned = [manifest]
    try:
        data = json.loads((store / manifest).read_text(encoding="utf-8"))
        for item in data["figures"]:
            owned.append(f"{slug}/{item['file']}")
            if item.get("poster"):
                owned.append(f"{slug}/{item['poster']}")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return owned


def write_result(
    store: Path,
    slug: str,
    block_id: str,
    key: str,
    figures: Sequence[RenderedFigure],
    output: str,
) -> StoredResult:
    """Store a block's figures and animations and its output; the files first."""
    folder = store / slug
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    entries: list[dict[str, object]] = []
    for number, figure in enumerate(figures, start=1):
        name = figure_name(block_id, number, figure.format)
        _write_if_changed(folder / name, figure.data)
        entry: dict[str, object] = {
            "file": name,
            "format": figure.format,
            "width": figure.width,
            "height": figure.height,
            "sha256": hashlib.sha256(figure.data).hexdigest(),
        }
        poster = ""
        if figure.kind == "animation":
            poster_file = poster_name(block_id, number)
            _write_if_changed(folder / poster_file, figure.poster)
            poster = f"{slug}/{poster_file}"
            entry.update(
                kind="animation",
                poster=poster_file,
                poster_sha256=hashlib.sha256(figure.poster).hexdigest(),
                encoder=figure.encoder,
            )
        files.append(
            FigureFile(
                f"{slug}/{name}",
                figure.format,
                figure.width,
                figure.height,
                kind=figure.kind,
                poster=poster,
                size=len(figure.data),
            )
        )
        entries.append(entry)
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "block": block_id,
        "key": key,
        "figures": entries,
        "output": output,
    }
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    _write_if_changed(store / manifest_path(slug, block_id), text.encode("utf-8"))
    return StoredResult(tuple(files), output)


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write a file atomically, leaving it untouched when it already holds these bytes."""
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return
    except OSError:
        pass
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644 & ~_umask())  # mkstemp makes 0600; store files are ordinary files
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def can_prune(store: Path, protected: Iterable[Path]) -> bool:
    """Pruning is safe: the store is a real folder, and no source folder (the site root,
    posts' folders, helpers) is the store or lies inside it."""
    if store.is_symlink() or not store.is_dir():
        return False
    root = store.resolve()
    return not any(path.resolve().is_relative_to(root) for path in protected)


def prune_store(store: Path, owned: set[str]) -> list[str]:
    """Delete the files in the store's folders that no block owns; return them.

    Files at the store's top level (a README) and hidden top-level entries stay; symbolic
    links are removed, never followed; folders left empty are removed.
    """
    removed: list[str] = []
    folders: list[Path] = []
    for current, dirs, files in os.walk(store, topdown=True, followlinks=False):
        base = Path(current)
        if base == store:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files = []
        else:
            folders.append(base)
        for name in [*files, *(d for d in dirs if (base / d).is_symlink())]:
            path = base / name
            relative = path.relative_to(store).as_posix()
            if relative not in owned:
                path.unlink()
                removed.append(relative)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return sorted(removed)
