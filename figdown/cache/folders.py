"""Where the build cache keeps the records of one output folder, and how many it keeps.

Each folder a build writes into (`output/`, a `-d` folder, a `serve` session's preview) has
its own sub-folder of the build cache, `.figdown-cache/output-<tag>/` (the tag is the start
of the sha256 of the folder's path). It holds the site as the last full build assembled it
and the edits since (snapshot.py), the keys of the outputs it holds (reuse.py), the index
of its link check (links.py) and the folder its last full build replaced (the spare,
write.py): all of them describe what is in that one folder. So a `serve` session does not
replace what the next build of `output/` reuses.

After each full build, those of the `KEPT` folders written last are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from pathlib import Path

KEPT = 3
PREFIX = "output-"
# Where these records were kept before each output folder had its own: shared by all.
_SHARED_BEFORE = ("rendered.json", "links.json", "spare-output", "site-*.pickle")


def output_records(cache_dir: Path, destination: Path | str) -> Path:
    """The build cache's folder for the records of the output folder `destination`."""
    where = str(Path(destination).resolve())
    tag = hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return cache_dir / f"{PREFIX}{tag}"


def keep_recent(cache_dir: Path) -> None:
    """Remove the records of all but the `KEPT` output folders whose records changed last
    (writing a record renames it into its folder, which updates the folder's mtime), anything
    else in their place, and those an earlier figdown kept for all output folders at once."""
    changed: dict[Path, float] = {}
    for folder in cache_dir.glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            if not folder.is_dir() or folder.is_symlink():  # damage: records could not go in
                folder.unlink()
                continue
            changed[folder] = folder.stat().st_mtime
    for stale in sorted(changed, key=lambda folder: changed[folder], reverse=True)[KEPT:]:
        shutil.rmtree(stale, ignore_errors=True)
    for pattern in _SHARED_BEFORE:
        for old in cache_dir.glob(pattern):
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    old.unlink()


__all__ = ["KEPT", "keep_recent", "output_records"]
