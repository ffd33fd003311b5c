"""The only module that writes the output folder: staged, checked, then swapped in whole."""

from __future__ import annotations

import filecmp
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from figdown.config import CONFIG_NAMES
from figdown.problems import ContentError, Problem
from figdown.render import OutputFile

MARKER = ".figdown-output"
_WRITERS = 2
_QUEUED = 64  # outputs rendered but not yet written, at most


@dataclass(frozen=True)
class WriteResult:
    files: int
    destination: Path


def destination_problem(destination: Path, site_root: Path,
                        config_file: Path | None) -> Problem | None:
    """Why a folder must not be replaced by a build, or None when it is safe."""
    dest = destination.resolve()
    root = site_root.resolve()
    display = str(destination)
    home = Path.home().resolve()
    config_names = {*CONFIG_NAMES, *([config_file.name] if config_file else [])}
    reason = None
    if dest == Path(dest.anchor):
        reason = "is the file system root"
    elif dest == home:
        reason = "is your home folder"
    elif dest == root or dest in root.parents:
        reason = "holds the site itself"
    elif any(dest == (root / name).resolve() or (root / name).resolve() in dest.parents
             for name in ("content", "layouts", "static", "archetypes", "lib", "figures",
                          "assets", "data", "i18n", "themes", "config")):
        reason = "is inside the site's sources"
    elif dest.is_dir() and ((dest / "content").exists() or any(
            (dest / name).exists() for name in config_names)):
        reason = "looks like a site (it has content/ or a config file)"
    elif dest.exists() and not dest.is_dir():
        reason = "is a file"
    elif dest.is_dir() and any(dest.iterdir()) and not (dest / MARKER).exists():
        reason = f"is not empty and was not made by figdown (no {MARKER} file in it)"
    if reason is None:
        return None
    return Problem(display, None, f"refusing to write the site into {display}: it {reason}",
                   "choose another folder with -d/--destination")


def write_site(outputs: Iterable[OutputFile], destination: Path, site_root: Path,
               config_file: Path | None,
               check: Callable[[Path], list[Problem]] | None = None) -> WriteResult:
    """Write every output into a new folder, check it, then swap it in for the old one."""
    refusal = destination_problem(destination, site_root, config_file)
    if refusal is not None:
        raise ContentError([refusal])
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(destination)
    staging = destination.parent / f".{destination.name}.new-{os.getpid()}"
    staging.mkdir()
    try:
        # the marker goes first, so that a build killed halfway leaves a folder known as ours
        (staging / MARKER).write_text("This folder is written by figdown; a build replaces it "
                                      "whole.\n", encoding="utf-8")
        count = _write_all(outputs, staging, destination if destination.is_dir() else None)
        problems = check(staging) if check else []
        if any(p.severity == "error" for p in problems):
            raise ContentError(problems)
        _swap(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(count, destination)


def remove_leftovers(destination: Path) -> None:
    """Staging and old folders of builds that were killed before they could clean up."""
    for pattern in (f".{destination.name}.new-*", f".{destination.name}.old-*"):
        for folder in sorted(destination.parent.glob(pattern)):
            if folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file():
                shutil.rmtree(folder)


def _write_all(outputs: Iterable[OutputFile], staging: Path, previous: Path | None) -> int:
    origins: dict[str, OutputFile] = {}
    count = 0
    # Files are written by threads while this one renders the next output: making folders
    # and files is mostly time in the kernel, which runs without the GIL.
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        pending: deque[Future[None]] = deque()
        for output in outputs:
            first = origins.get(output.path)
            if first is not None:
                # name the content file (and its line) when one of the two is a page
                blamed = min((first, output), key=lambda o: (
                    o.line is None, not o.origin.startswith("content/")))
                raise ContentError([Problem(blamed.origin or blamed.path, blamed.line,
                                            f"two outputs would be written to /{output.path}: "
                                            f"{first.origin} and {output.origin}",
                                            "give one of them another slug, url or alias")])
            # keep who made each path, not its bytes: outputs stream through
            origins[output.path] = OutputFile(output.path, origin=output.origin, line=output.line)
            target = staging / output.path
            if any(len(part.encode("utf-8")) > 255 for part in output.path.split("/")):
                raise ContentError([Problem(output.origin, output.line,
                                            f"output path /{output.path[:80]}… has a folder or "
                                            "file name longer than 255 bytes",
                                            "use a shorter slug, url or file name")])
            if staging not in target.resolve().parents:
                raise ContentError([Problem(output.origin, None,
                                            f"output path {output.path!r} leaves the output "
                                            "folder", "fix the slug or url")])
            pending.append(pool.submit(_write_one, output, target, previous))
            while len(pending) > _QUEUED or (pending and pending[0].done()):
                pending.popleft().result()  # raises a writer's error here, early
            count += 1
        for future in pending:
            future.result()
    return count


def _write_one(output: OutputFile, target: Path, previous: Path | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if previous is not None and _keep_unchanged(previous / output.path, output, target):
        return
    if output.data is not None:
        target.write_bytes(output.data)
    elif output.source is not None:
        shutil.copyfile(output.source, target)


def _keep_unchanged(old: Path, output: OutputFile, target: Path) -> bool:
    """Link the previous build's file into the staged site when its bytes are the same.

    An unchanged file then keeps its mtime (and inode), so rsync, browsers' caches and
    `make`-style tools see that it did not change.
    """
    try:
        size = old.stat().st_size
        if output.data is not None:
            same = size == len(output.data) and old.read_bytes() == output.data
        elif output.source is not None:
            same = size == output.source.stat().st_size and filecmp.cmp(
                old, output.source, shallow=False)
        else:
            return False
        if not same or old.is_symlink():
            return False
        try:
            os.link(old, target)
        except OSError:  # a file system without hard links
            shutil.copy2(old, target)
    except OSError:
        return False
    return True


def _swap(staging: Path, destination: Path) -> None:
    """Replace the destination by the staged folder; the old one is kept until that worked."""
    if not destination.exists():
        staging.rename(destination)
        return
    old = destination.parent / f".{destination.name}.old-{os.getpid()}"
    destination.rename(old)
    try:
        staging.rename(destination)
    except OSError:
        old.rename(destination)
        raise
    shutil.rmtree(old, ignore_errors=True)
