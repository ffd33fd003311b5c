"""The figure store: every result a block had, kept by key, so that undoing an edit finds
the earlier result again.

Layout: `<store>/<slug>/<block-id>/<key16>/` holds one result of a block: `entry.json` and
its files, named as they are published (`<block-id>.svg`, `<block-id>-2.svg`, …; an
animation `<block-id>.mp4`, or `.webp`, `.gif`, with its poster `<block-id>.poster.png`).
`<key16>` is the first 16 hex digits of the block's key (the entry holds the whole key).
An entry is written after its files, so an entry whose key matches, whose files are all
present with the recorded hashes, and whose recorded reads (files inside the site the
post's blocks read while they ran) still hold the same bytes is a complete, valid result.

Each entry also records the environment that drew it (Python and library versions) and a
generation number, one more than the newest other result of the same block when it was
written: what "most recent" means when a build trims a block's history.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from figdown.execute.blocks import Display, FigureFile
from figdown.execute.messages import RenderedFigure

ENTRY_SCHEMA = 3
ENTRY_NAME = "entry.json"
KEY_FOLDER_LENGTH = 16
# Earlier results of a block a build keeps besides the one in use.
HISTORY = 3
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_KEY_FOLDER = re.compile(r"[0-9a-f]{16}")

DigestOf = Callable[[str], str | None]  # site-relative path → sha256, None when missing


@dataclass(frozen=True)
class StoredResult:
    """A block's result as kept in the store."""

    figures: tuple[FigureFile, ...]
    output: str
    environment: Mapping[str, str] = field(default_factory=dict)
    reads: tuple[str, ...] = ()
    displays: tuple[Display, ...] = ()


def is_safe_slug(slug: str) -> bool:
    """A slug usable as a folder inside the store: one or more plain names joined by `/`."""
    parts = slug.split("/")
    return all(_SAFE_NAME.fullmatch(part) and part not in (".", "..") for part in parts)


def entry_folder(slug: str, block_id: str, key: str) -> str:
    """The folder of one result, relative to the store."""
    return f"{slug}/{block_id}/{key[:KEY_FOLDER_LENGTH]}"


def figure_name(block_id: str, number: int, fmt: str) -> str:
    """The file name of a block's n-th figure (from 1)."""
    suffix = "" if number == 1 else f"-{number}"
    return f"{block_id}{suffix}.{fmt}"


def poster_name(block_id: str, number: int) -> str:
    """The file name of the poster of a block's n-th figure, an animation."""
    suffix = "" if number == 1 else f"-{number}"
    return f"{block_id}{suffix}.poster.png"


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def read_result(store: Path, slug: str, block_id: str, key: str,
                digest_of: DigestOf) -> StoredResult | None:
    """The stored result of a block if it is complete, made with this key, and every file
    it read still holds the bytes it read; else None."""
    folder_name = entry_folder(slug, block_id, key)
    folder = store / folder_name
    try:
        data = json.loads((folder / ENTRY_NAME).read_text(encoding="utf-8"))
        if data.get("schema") != ENTRY_SCHEMA or data.get("key") != key:
            return None
        reads = data.get("reads", {})
        if any(digest_of(str(path)) != digest for path, digest in reads.items()):
            return None
        figures = []
        for item in data["figures"]:
            name = str(item["file"])
            if not _SAFE_NAME.fullmatch(name):
                return None
            content = (folder / name).read_bytes()
            if hashlib.sha256(content).hexdigest() != item["sha256"]:
                return None
            kind = str(item.get("kind", "image"))
            poster = ""
            if kind == "animation":
                poster = str(item["poster"])
                if not _SAFE_NAME.fullmatch(poster):
                    return None
                if file_sha256(folder / poster) != item["poster_sha256"]:
                    return None
                poster = f"{folder_name}/{poster}"
            elif kind != "image":
                return None
            figures.append(
                FigureFile(
                    store_path=f"{folder_name}/{name}",
                    format=str(item["format"]),
                    width=int(item["width"]),
                    height=int(item["height"]),
                    kind=kind,
                    poster=poster,
                    size=len(content),
                )
            )
        output = data["output"]
        environment = {str(k): str(v) for k, v in data.get("environment", {}).items()}
        if not isinstance(output, str):
            return None
        displays = tuple(Display(str(d["mime"]), str(d["data"]), str(d.get("kind", "")))
                         for d in data.get("displays", []))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return StoredResult(tuple(figures), output, environment, tuple(sorted(reads)), displays)


def write_result(
    store: Path,
    slug: str,
    block_id: str,
    key: str,
    figures: Sequence[RenderedFigure],
    output: str,
    reads: Mapping[str, str],
    environment: Mapping[str, str],
    displays: Sequence[Display] = (),
) -> StoredResult:
    """Store one result of a block: its figures and animations, its output, the files it
    read and the environment that drew it; the files first, the entry last."""
    folder_name = entry_folder(slug, block_id, key)
    folder = store / folder_name
    generation = 1 + max((g for k, g in _generations(store / slug / block_id).items()
                          if k != key[:KEY_FOLDER_LENGTH]), default=0)
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
            poster = f"{folder_name}/{poster_file}"
            entry.update(
                kind="animation",
                poster=poster_file,
                poster_sha256=hashlib.sha256(figure.poster).hexdigest(),
                encoder=figure.encoder,
            )
        files.append(
            FigureFile(
                f"{folder_name}/{name}",
                figure.format,
                figure.width,
                figure.height,
                kind=figure.kind,
                poster=poster,
                size=len(figure.data),
            )
        )
        entries.append(entry)
    record = {
        "schema": ENTRY_SCHEMA,
        "block": block_id,
        "key": key,
        "generation": generation,
        "figures": entries,
        "output": output,
        "reads": dict(sorted(reads.items())),
        "environment": dict(sorted(environment.items())),
    }
    if displays:  # left out when there are none: entries written before keep their bytes
        record["displays"] = [{"mime": d.mime, "data": d.data, "kind": d.kind} for d in displays]
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    _write_if_changed(folder / ENTRY_NAME, text.encode("utf-8"))
    return StoredResult(tuple(files), output, dict(environment), tuple(sorted(reads)),
                        tuple(displays))


def _generations(block_folder: Path) -> dict[str, int]:
    """Each result folder of a block → its entry's generation (0 when unreadable)."""
    found: dict[str, int] = {}
    try:
        names = [e.name for e in os.scandir(block_folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return found
    for name in names:
        if not _KEY_FOLDER.fullmatch(name):
            continue
        try:
            data = json.loads((block_folder / name / ENTRY_NAME).read_text(encoding="utf-8"))
            found[name] = int(data.get("generation", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            found[name] = 0
    return found


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


def trim_history(store: Path, slug: str, block_id: str, key: str,
                 keep: int = HISTORY) -> list[str]:
    """Remove a block's results beyond the one in use and the `keep` most recent others,
    and what an earlier figdown stored for the block (`<slug>/<block-id>.json` and its
    files); return the store paths removed. Only folders that hold an entry are removed."""
    block_folder = store / slug / block_id
    current = key[:KEY_FOLDER_LENGTH]
    others = sorted(((g, k) for k, g in _generations(block_folder).items() if k != current),
                    reverse=True)
    removed = []
    for _, name in others[keep:]:
        shutil.rmtree(block_folder / name, ignore_errors=True)
        removed.append(f"{slug}/{block_id}/{name}")
    return removed + _remove_earlier_format(store, slug, block_id)


def _remove_earlier_format(store: Path, slug: str, block_id: str) -> list[str]:
    """Remove the manifest an earlier figdown kept at `<slug>/<block-id>.json`, and the
    files it names."""
    manifest = store / slug / f"{block_id}.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        names = [str(item["file"]) for item in data["figures"]]
        names += [str(item["poster"]) for item in data["figures"] if item.get("poster")]
        if data.get("block") != block_id:
            return []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    removed = []
    for name in names:
        if _SAFE_NAME.fullmatch(name) and (store / slug / name).is_file():
            (store / slug / name).unlink()
            removed.append(f"{slug}/{name}")
    manifest.unlink()
    return [*removed, f"{slug}/{block_id}.json"]


def stored_results(store: Path) -> list[str]:
    """Every result folder in the store (relative posix paths), and every manifest an
    earlier figdown left (`<slug>/<block-id>.json`)."""
    found = []
    for entry in sorted(store.rglob(ENTRY_NAME)):
        folder = entry.parent
        if _KEY_FOLDER.fullmatch(folder.name) and not entry.is_symlink():
            found.append(folder.relative_to(store).as_posix())
    for manifest in sorted(store.rglob("*.json")):
        if manifest.name == ENTRY_NAME or manifest.is_symlink():
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("block") == manifest.stem and "key" in data:
            found.append(manifest.relative_to(store).as_posix())
    return found


def remove_results(store: Path, results: Iterable[str]) -> None:
    """Remove results listed by `stored_results`, and the folders left empty."""
    for result in results:
        path = store / result
        if path.suffix == ".json":
            slug, block_id = result.rsplit("/", 1)[0], path.stem
            _remove_earlier_format(store, slug, block_id)
        else:
            shutil.rmtree(path, ignore_errors=True)
        for parent in path.parents:
            if parent == store or not parent.is_relative_to(store):
                break
            try:
                parent.rmdir()
            except OSError:
                break
