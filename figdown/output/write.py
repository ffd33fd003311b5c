"""The only module that writes the output folder: staged, checked, then swapped in whole.

The folder a swap replaces is kept, as the *spare*, with the output folder's records in the
build cache (outputcache.py), and the next build of that folder stages into it instead of
into a new folder: making a folder per page and, after the swap, deleting the old tree file
by file cost more than everything else a one-post rebuild does. Nothing in the spare is
trusted: a file in it is kept only when it is the very file (same inode) of the previous
output and that file holds the new bytes; everything else is replaced, and what this build
did not write is removed before the swap.

A quick rebuild (quick.py), which changes only a few files, stages a copy of the output
folder made of hard links to its files, with those few files written anew (`replace_files`).

The staged folder takes the output folder's place in one step, `renameat2(RENAME_EXCHANGE)`
(Linux 3.15+, on the file systems that have it: ext4, xfs, btrfs, tmpfs, …): the output
folder is at every moment the old site or the new one, whenever the build is killed, and
stays a plain folder (a symlink flipped to a new folder would do the same, but every tool
that copies or serves `output/` would then have to follow it, and a repository made in
it would stay behind in one of its targets). Elsewhere it is two renames, and the next
build puts the old output back if a build was killed between them (outputlock.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import filecmp
import functools
import gc
import os
import posixpath
import shutil
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from figdown.load.config import CONFIG_NAMES
from figdown.output.outputlock import KEPT_NAMES, MARKER, carry_kept, old_name, staging_name
from figdown.output.pagescan import PageScan, scan_page
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem

_MARKER_TEXT = "This folder is written by figdown; a build replaces it whole.\n"
_WRITERS = 2
_QUEUED = 64  # outputs rendered but not yet written, at most
_FORK_FROM = 200  # outputs to make
_COLLECT_EVERY = 100  # outputs


@dataclass(frozen=True)
class WriteResult:
    files: int
    destination: Path
    keys: dict[str, str] = field(default_factory=dict)  # output path → its reuse key
    digests: dict[str, str] = field(default_factory=dict)  # HTML page path → sha256


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
               check: Callable[[Path, Mapping[str, PageScan], set[str]], list[Problem]]
               | None = None,
               spare: Path | None = None, workers: int = 1) -> WriteResult:
    """Write every output into a staging folder, check it, then swap it in for the old one.

    `spare` is where the replaced folder is kept for the next build to stage into (it must
    be on the destination's file system to be used; None: the old folder is deleted).
    `workers` processes make and write the outputs (see forked.py).
    """
    refusal = destination_problem(destination, site_root, config_file)
    if refusal is not None:
        raise ContentError([refusal])
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_name(destination, os.getpid())
    spare_files = _adopt_spare(spare, staging)
    claims = _Claims(recycled=spare_files is not None, spare_files=spare_files or {})
    if not claims.recycled:
        staging.mkdir()
    try:
        # the marker goes first, so that a build killed halfway leaves a folder known as ours
        (staging / MARKER).unlink(missing_ok=True)
        (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        keys, scans = _write_all(outputs, staging, destination if destination.is_dir()
                                 else None, claims, workers)
        if claims.recycled:
            _remove_unclaimed(staging, claims)
        # the staged folder now holds exactly the claimed files and the marker
        problems = check(staging, scans, claims.files | {MARKER}) if check else []
        if any(p.severity == "error" for p in problems):
            raise ContentError(problems)
        _swap(staging, destination, spare)
    except BaseException:
        _discard(staging, spare)
        raise
    return WriteResult(len(claims.files), destination, keys,
                       {path: scan.digest for path, scan in scans.items()})


@dataclass
class _Claims:
    """The paths this build writes, as the writer threads go (to tell stale from new)."""

    recycled: bool  # staging into a spare folder, which may hold anything
    spare_files: dict[str, int] = field(default_factory=dict)  # what it held: path → inode
    files: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)


def _adopt_spare(spare: Path | None, staging: Path) -> dict[str, int] | None:
    """Move the spare folder to `staging`, and say which files it holds (path → inode);
    None when there is none or it cannot be moved."""
    if not _take_spare(spare, staging):
        return None
    files: dict[str, int] = {}
    for prefix, entries in _entries(staging):
        for entry in entries:
            if entry.is_symlink():  # it could lead writes outside the folder: none is kept
                os.unlink(entry.path)
            elif not entry.is_dir(follow_symlinks=False):
                files[prefix + entry.name] = entry.inode()
    return files


def _take_spare(spare: Path | None, staging: Path) -> bool:
    """Move the spare folder to `staging`; False when there is none or it cannot move."""
    if spare is None:
        return False
    try:
        if spare.is_symlink() or not (spare / MARKER).is_file():
            return False
        spare.rename(staging)
    except OSError:  # none, or on another file system
        return False
    return True


def _entries(root: Path, skip: Iterable[str] = ()
             ) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
    """Each folder under `root` (as `a/b/`, the root as ``) with its entries, parents first;
    symlinks to folders are not followed, and `skip` names entries of the root left out.
    Faster than os.walk with relpath for a site."""
    stack = [("", str(root))]
    left_out = set(skip)
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as found:
            entries = [entry for entry in found if prefix or entry.name not in left_out]
        yield prefix, entries
        stack.extend((f"{prefix}{e.name}/", e.path) for e in entries
                     if e.is_dir(follow_symlinks=False))


def _remove_unclaimed(staging: Path, claims: _Claims) -> None:
    """Remove what the spare held that this build did not write."""
    stale_folders: list[str] = []
    for prefix, entries in _entries(staging):
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if name not in claims.folders:
                    stale_folders.append(entry.path)
            elif name not in claims.files and name != MARKER:
                os.unlink(entry.path)
    for folder in stale_folders:
        shutil.rmtree(folder, ignore_errors=True)


def _discard(staging: Path, spare: Path | None) -> None:
    """A staging folder that will not be swapped in: kept as the spare, or deleted."""
    if spare is not None and staging.is_dir():
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(spare)
            return
        except OSError:
            pass
    shutil.rmtree(staging, ignore_errors=True)


def replace_files(destination: Path, files: Mapping[str, bytes], spare: Path | None,
                  kept: Collection[str]) -> None:
    """Swap in a copy of the output folder in which these files (paths it already holds)
    have the new bytes, and which holds its files `kept` and no other (one a block wrote
    there is left out); the copy is the spare folder brought up to date when there is one
    (see the module's docstring)."""
    destination = destination.resolve()  # a symlink to the folder stays one
    staging = staging_name(destination, os.getpid())
    if not _take_spare(spare, staging):
        staging.mkdir()
    try:
        _mirror(destination, staging, kept)
        for path, data in files.items():
            target = staging / path
            target.unlink()  # a link to the live file: never written through
            target.write_bytes(data)
        _swap(staging, destination, spare)
    except BaseException:
        _discard(staging, spare)
        raise


def _mirror(source: Path, staging: Path, only: Collection[str] | None) -> None:
    """Make `staging` hold hard links to every file of `source` (those in `only`, when it is
    given) and nothing else, keeping what already is such a link; entries kept across builds
    (KEPT_NAMES) are left out, as they are moved, not copied."""
    allowed = None if only is None else {*only, *(folder for path in only
                                                   for folder in _folders_of(path))}
    folders: set[str] = set()
    files: dict[str, tuple[str, int]] = {}  # path → (where, inode)
    for prefix, entries in _entries(source, skip=KEPT_NAMES):
        for entry in entries:
            name = prefix + entry.name
            if allowed is not None and name not in allowed:
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.add(name)
            else:
                files[name] = (entry.path, entry.inode())
    present: set[str] = set()
    stale: list[str] = []
    stale_folders: list[str] = []
    for prefix, entries in _entries(staging):
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if name in folders:
                    present.add(name)
                else:
                    stale_folders.append(entry.path)
            elif name in files and files[name][1] == entry.inode():
                present.add(name)
            else:
                stale.append(entry.path)
    for path in stale:
        os.unlink(path)
    for path in stale_folders:
        shutil.rmtree(path, ignore_errors=True)
    for name in sorted(folders - present):
        (staging / name).mkdir(exist_ok=True)
    for name, (where, _) in files.items():
        if name not in present:
            os.link(where, staging / name, follow_symlinks=False)


def _write_all(outputs: Iterable[OutputFile], staging: Path, previous: Path | None,
               claims: _Claims, workers: int) -> tuple[dict[str, str], dict[str, PageScan]]:
    """Check every output's path, then make and write them, shared between `workers`
    processes; the reuse key of each output that has one (see reuse.py), and what the
    link check needs of each HTML page."""
    # imported here: a no-op or quick rebuild (quick.py) writes without processes or threads
    from concurrent.futures import Future, ThreadPoolExecutor

    from figdown.output.forked import map_shares

    origins: dict[str, OutputFile] = {}
    planned: list[OutputFile] = []
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
        origins[output.path] = output
        if any(len(part.encode("utf-8")) > 255 for part in output.path.split("/")):
            raise ContentError([Problem(output.origin, output.line,
                                        f"output path /{output.path[:80]}… has a folder or "
                                        "file name longer than 255 bytes",
                                        "use a shorter slug, url or file name")])
        if _leaves(output.path):
            raise ContentError([Problem(output.origin, None,
                                        f"output path {output.path!r} leaves the output "
                                        "folder", "fix the slug or url")])
        claims.files.add(output.path)
        claims.folders.update(_folders_of(output.path))
        planned.append(output)

    def write_share(share: Iterable[OutputFile],
                    found: Callable[[tuple[str, str | None, PageScan | None]], None]) -> None:
        """Make and write these outputs; for each, hand `found` its path, reuse key and
        what the link check needs of it."""
        # Files are written by threads while this one renders the next output: making
        # folders and files is mostly time in the kernel, which runs without the GIL.
        threads = True
        with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
            pending: deque[Future[None]] = deque()
            for count, output in enumerate(share, start=1):
                if count % _COLLECT_EVERY == 0:
                    # each render leaves reference cycles, and the automatic collector is
                    # off during a build (pipeline.py): the youngest objects only, cheap
                    gc.collect(0)
                made = output.made()  # made one at a time: outputs stream through
                scan = None
                if made.path.endswith(".html"):
                    # the previous build's page: the link check knows it by its digest
                    scan = PageScan(made.digest) if made.unchanged and made.digest \
                        else scan_page(made.data if made.data is not None else
                                       made.source.read_bytes() if made.source else b"",
                                       links=not made.unchanged)
                found((made.path, made.key, scan))
                if made.unchanged or not threads:  # a link or nothing: write it here
                    _write_one(made, staging / made.path, previous, claims)
                    continue
                try:
                    pending.append(pool.submit(_write_one, made, staging / made.path,
                                               previous, claims))
                except RuntimeError:  # no thread can start (a process limit): write here
                    threads = False
                    _write_one(made, staging / made.path, previous, claims)
                    continue
                while len(pending) > _QUEUED or (pending and pending[0].done()):
                    pending.popleft().result()  # raises a writer's error here, early
            for future in pending:
                future.result()

    keys: dict[str, str] = {}
    scans: dict[str, PageScan] = {}
    # below this many outputs to make, starting processes costs more than it saves
    processes = workers if sum(o.make is not None for o in planned) >= _FORK_FROM else 1
    for path, key, scan in map_shares(_in_order(planned), write_share, processes):
        if key is not None:
            keys[path] = key
        if scan is not None:
            scans[path] = scan
    return keys, scans


def _in_order(planned: Sequence[OutputFile]) -> list[OutputFile]:
    """What reads every page (sitemap, search index) first, then lists, feeds and files,
    the pages' own outputs last: this process takes from the front, forked ones from the
    back (see forked.py), so that the pages' content is mostly read in one process and the
    lists' summaries in the other, and no forked process reads every page."""
    return ([o for o in planned if o.whole]
            + [o for o in planned if not o.single and not o.whole]
            + [o for o in planned if o.single])


def _leaves(path: str) -> bool:
    """Whether a path is not inside the folder it is relative to.

    Decided on the text alone: the staging folder holds no symlink (figdown makes none,
    and those of a spare are removed), so no folder in it leads elsewhere.
    """
    norm = posixpath.normpath(path)
    return norm.startswith("/") or norm in {".", ".."} or norm.startswith("../")


def _folders_of(path: str) -> list[str]:
    """`a/b/c.html` → `a`, `a/b`."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _write_one(output: OutputFile, target: Path, previous: Path | None,
               claims: _Claims) -> None:
    if output.unchanged and output.source is not None and output.path in claims.spare_files:
        try:  # the spare already holds this very file (hard-linked two builds ago)
            if os.stat(output.source).st_ino == claims.spare_files[output.path]:
                return
        except OSError:
            pass
    _make_parent(target, output.path, claims)
    if previous is not None and _keep_unchanged(previous / output.path, output, target,
                                                claims):
        return
    if claims.recycled:
        _clear(target, output.path, claims)
    if output.data is not None:
        target.write_bytes(output.data)
    elif output.source is not None:
        shutil.copyfile(output.source, target)


def _make_parent(target: Path, path: str, claims: _Claims) -> None:
    """Make the target's folders; in a spare folder, stale files in their way go first."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        if not claims.recycled:
            raise
        staging = target.parents[path.count("/")]
        for folder in _folders_of(path):
            where = staging / folder
            if where.is_dir():
                continue
            if folder in claims.files:  # written by this build: two outputs disagree
                raise
            where.unlink(missing_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)


def _clear(target: Path, path: str, claims: _Claims) -> None:
    """Remove a stale entry of the spare folder where `target` goes."""
    if target.is_dir():
        if path in claims.folders:  # a folder of this build: let the write fail
            return
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)  # never written into: it may share the inode of a kept file


def _keep_unchanged(old: Path, output: OutputFile, target: Path, claims: _Claims) -> bool:
    """Link the previous build's file into the staged site when its bytes are the same.

    An unchanged file then keeps its mtime (and inode), so rsync, browsers' caches and
    `make`-style tools see that it did not change.
    """
    try:
        stat = old.stat()
        if output.unchanged:
            same = True
        elif output.data is not None:
            same = stat.st_size == len(output.data) and old.read_bytes() == output.data
        elif output.source is not None:
            same = stat.st_size == output.source.stat().st_size and filecmp.cmp(
                old, output.source, shallow=False)
        else:
            return False
        if not same or old.is_symlink():
            return False
        if claims.recycled:
            try:
                if os.path.samestat(os.lstat(target), stat):
                    return True  # the spare already holds this very file
            except OSError:
                pass
            _clear(target, output.path, claims)
        try:
            os.link(old, target)
        except OSError:  # a file system without hard links
            shutil.copy2(old, target)
    except OSError:
        return False
    return True


def _swap(staging: Path, destination: Path, spare: Path | None) -> None:
    """Replace the destination by the staged folder in one step where the system can; the
    old one then becomes the spare (or is deleted), once what is kept across builds
    (KEPT_NAMES) has moved into the new one."""
    if not destination.exists():
        staging.rename(destination)
        return
    if exchange(staging, destination):
        old = staging
    else:
        old = old_name(destination, os.getpid())
        destination.rename(old)
        try:
            staging.rename(destination)
        except OSError:
            old.rename(destination)
            raise
    if not carry_kept(old, destination):
        return  # left beside the output folder, for the next build to carry over
    _discard(old, spare)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (nothing is changed)."""
    call = _renameat2()
    if call is None:
        return False
    if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
            _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False  # no such call, or a file system without it
    raise OSError(code, os.strerror(code), str(second))


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    """glibc's renameat2 (2.28+), or None."""
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                     ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


@dataclass(frozen=True)
class OutputState:
    """The output folder as a build found it, before any of its blocks ran."""

    inode: int | None  # the folder's own (a swap replaces it); None: there was none
    entries: frozenset[str]  # every file and folder in it, as `a/b`


def output_state(destination: Path) -> OutputState:
    """Note what the output folder holds, so that what a build's blocks write into it can
    be taken out again."""
    if not destination.is_dir():
        return OutputState(None, frozenset())
    entries = {prefix + entry.name for prefix, found in _entries(destination, skip=KEPT_NAMES)
               for entry in found}
    return OutputState(destination.stat().st_ino, frozenset(entries))


def restore_output(destination: Path, state: OutputState) -> None:
    """At the end of a build that did not swap a new folder in (it failed, or it had no
    file to change): remove what appeared in the output folder since `state` was taken
    (files a block wrote there), and the folder itself if a block made it."""
    try:
        if destination.is_symlink() or not destination.is_dir():
            return
        if state.inode is None:
            if not (destination / MARKER).exists():  # else swapped in: a site, not a block's
                shutil.rmtree(destination, ignore_errors=True)
            return
        if destination.stat().st_ino != state.inode:
            return  # swapped in already, or replaced by hand: not the folder noted
    except OSError:
        return
    added = [entry for prefix, found in _entries(destination, skip=KEPT_NAMES)
             for entry in found if prefix + entry.name not in state.entries]
    for entry in added:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
