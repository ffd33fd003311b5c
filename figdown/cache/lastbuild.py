"""The record of the last successful build: what it read, what it wrote, what it reported.

A build whose inputs (every file of the site folders, figdown's code, the options) and whose
output folder are exactly as the last successful build left them would write the same
bytes again; `pipeline.build` then stops early and repeats that build's report. The record
lives in the build cache (`.figdown-cache/last-build.json`): deleting it, or any damage to
it, only makes the next build a full one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from figdown import __version__
from figdown.load.walk import walk_site_folder
from figdown.problems import Problem

RECORD_FORMAT = 1
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "Pygments", "latex2mathml", "linkify-it-py",
              "pybtex", "citeproc-py")
RECORD_NAME = "last-build.json"
# The folders of a Hugo-style site a build may read (besides its config files).
SITE_FOLDERS = ("content", "layouts", "static", "assets", "data", "i18n", "config")
_HASH_LIMIT = 1 << 20  # files larger than this are compared by size and mtime only


@dataclass(frozen=True)
class LastBuild:
    """What a successful build read and wrote, and the report it gave."""

    inputs: str  # digest of every input file and of the options
    outputs: str  # digest of the output folder's listing (paths, sizes, mtimes)
    horizon: str | None  # ISO time when a future or expiring page changes the site
    counts: Mapping[str, int]
    blocks: int  # blocks the build ran or reused
    problems: tuple[Problem, ...]

    def still_valid(self, inputs: str, destination: Path, now: datetime) -> bool:
        if inputs != self.inputs:
            return False
        if self.horizon is not None and now >= datetime.fromisoformat(self.horizon):
            return False
        return listing_digest(destination) == self.outputs


def input_digest(folders: Iterable[Path], files: Iterable[Path], extra: str,
                 site_root: Path | None = None) -> str:
    """A digest of file contents (size and mtime for large ones) under folders, and `extra`.

    Symbolic links are followed as a build follows them (walk.py), inside `site_root`.
    """
    digests = {str(f): _file_digest(str(f)) for f in files if f.is_file()}
    for folder in folders:
        if folder.is_dir():
            digests.update(_site_digests(str(folder), str(site_root or folder)))
    return combined_digest(extra, digests)


def listing_digest(folder: Path) -> str:
    """A digest of every file's path, size and mtime under `folder` ('' when it is missing)."""
    found = listing(folder)
    return "" if found is None else digest_of_listing(found)


def listing(folder: Path) -> dict[str, tuple[int, int]] | None:
    """Every file under `folder` (relative posix path) → its size and mtime; None when the
    folder is missing or changes while it is read."""
    if not folder.is_dir():
        return None
    root = str(folder)
    found: dict[str, tuple[int, int]] = {}
    for path in _walk(root, skip_hidden=False):
        try:
            stat = os.stat(path)
        except OSError:
            return None
        found[path[len(root) + 1:].replace(os.sep, "/")] = (stat.st_size, stat.st_mtime_ns)
    return found


def digest_of_listing(files: Mapping[str, tuple[int, int]]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(files):
        size, mtime = files[rel]
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def file_digests(folder: Path, site_root: Path) -> dict[str, str]:
    """Each file under `folder` (relative posix path, through the symbolic links a build
    follows) → `_file_digest`; hidden folders are left out."""
    root = str(folder)
    found = _site_digests(root, str(site_root)) if folder.is_dir() else {}
    return {path[len(root) + 1:].replace(os.sep, "/"): digest for path, digest in found.items()}


def _site_digests(folder: str, site_root: str) -> dict[str, str]:
    """Each file's digest, and for each link a build refuses, where it points: adding or
    changing such a link makes the next build a full one, which reports it."""
    walked = walk_site_folder(folder, site_root)
    digests = {path: _file_digest(path) for path in walked.files}
    digests.update({r.path: f"link {r.reason} {r.target}" for r in walked.refused})
    return digests


def _file_digest(path: str) -> str:
    """A digest of a file's bytes, or of its size and mtime when larger than a megabyte."""
    try:
        stat = os.stat(path)
        if stat.st_size > _HASH_LIMIT:
            return f"{stat.st_size}:{stat.st_mtime_ns}"
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return "unreadable"


def combined_digest(others: str, files: Mapping[str, str]) -> str:
    """One digest of `others` and every file's digest."""
    digest = hashlib.sha256(others.encode())
    for rel in sorted(files):
        digest.update(f"\0{rel}\0{files[rel]}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _walk(folder: str, skip_hidden: bool = True) -> list[str]:
    """Every file under `folder` (symlinks to folders not followed), as paths."""
    found: list[str] = []
    stack = [folder]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if not skip_hidden or not (entry.name.startswith(".")
                                                   or entry.name == "__pycache__"):
                            stack.append(entry.path)
                    elif not entry.is_dir():  # a symlink to a folder is not followed
                        found.append(entry.path)
        except OSError:
            continue
    return found


def make_cache_folder(folder: Path) -> None:
    """The build cache folder, with a `.gitignore` that keeps it out of the site's repository."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# figdown's build cache: safe to delete\n*\n", encoding="utf-8")


def read_last_build(cache_dir: Path) -> LastBuild | None:
    """The record, or None when there is none or it cannot be trusted."""
    try:
        data = json.loads((cache_dir / RECORD_NAME).read_text(encoding="utf-8"))
        if data.get("format") != RECORD_FORMAT:
            return None
        return LastBuild(inputs=str(data["inputs"]), outputs=str(data["outputs"]),
                         horizon=data["horizon"], counts=dict(data["counts"]),
                         blocks=int(data["blocks"]),
                         problems=tuple(Problem(**p) for p in data["problems"]))
    except Exception:  # missing, unreadable or from another version: build in full
        return None


def write_last_build(cache_dir: Path, record: LastBuild) -> None:
    data = {"format": RECORD_FORMAT, **asdict(record),
            "problems": [asdict(p) for p in record.problems]}
    target = cache_dir / RECORD_NAME
    temporary = cache_dir / f".{RECORD_NAME}.{os.getpid()}.tmp"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, target)
    except (OSError, TypeError, ValueError):  # no record: the next build is a full one
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def horizon_of(dates: Sequence[datetime | None], now: datetime) -> str | None:
    """The first of `dates` after now: when the set of published pages changes."""
    later = [d for d in dates if d is not None and d > now]
    return min(later).isoformat() if later else None


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """What else a body's HTML depends on: figdown's code and the libraries it renders with."""
    digest = hashlib.sha256(f"{__version__} {sys.version}".encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted([*package.rglob("*.py"), *package.rglob("*.csl")]):  # .csl: styles
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    for name, version in library_versions(_LIBRARIES).items():
        digest.update(f"{name}={version}".encode())
    return digest.hexdigest()


def library_versions(names: Sequence[str]) -> dict[str, str]:
    """The installed version of each distribution, '?' when it is not installed.

    Read from the names of the `.dist-info` folders on sys.path (pip writes
    `markdown_it_py-3.0.0.dist-info`), which costs one folder listing; importlib.metadata
    answers the rest, but importing it takes longer than a whole no-op build's other work.
    """
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            folders = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in folders:
            if folder.endswith(".dist-info"):
                dist, _, version = folder.removesuffix(".dist-info").partition("-")
                name = wanted.get(_normal(dist))
                if name is not None and name not in found:
                    found[name] = version
    for name in names:
        if name not in found:
            from importlib import metadata

            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[name] = "?"
    return {name: found[name] for name in names}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def store_digest(figure_store: Path, site_root: Path) -> str:
    """The figure store, read after the blocks ran (a build writes into it), and the files
    its results say blocks read: a result is used only while they hold the same bytes."""
    read: set[str] = set()
    for entry in figure_store.rglob("entry.json") if figure_store.is_dir() else ():
        try:
            reads = json.loads(entry.read_text(encoding="utf-8")).get("reads", {})
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(reads, dict):
            read.update(str(site_root / path) for path in reads)
    extra = {path: _file_digest(path) for path in sorted(read)}
    return input_digest([figure_store], [], combined_digest("reads", extra))


__all__ = ["SITE_FOLDERS", "LastBuild", "code_fingerprint", "combined_digest",
           "digest_of_listing", "file_digests", "horizon_of", "input_digest",
           "library_versions", "listing", "listing_digest", "make_cache_folder",
           "read_last_build", "store_digest", "write_last_build"]
