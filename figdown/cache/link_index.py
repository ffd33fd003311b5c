"""What the previous link check found, so that a rebuild reads again only what changed.

Kept in the output folder's records (folders.py: `links.json`): for every HTML page,
the sha256 of its bytes, its ids, the files its links point to and its broken links. A page
with the same bytes, no broken link, and no link to a file that is gone or whose ids
changed, needs no new look.
The record carries a sha256 of itself and of the code that made it: a damaged, foreign or
stale record is ignored, and the check then reads every page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from figdown.cache.filememo import RecordFiles, record_payload
from figdown.output.linkstate import LinkIndex, PageLinks

INDEX_FORMAT = 1


def _code_digest() -> str:
    digest = hashlib.sha256(str(INDEX_FORMAT).encode())
    package = Path(__file__).resolve().parents[1]
    for name in ("output/links.py", "output/linkstate.py", "cache/link_index.py",
                 "output/pagescan.py"):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


class LinkIndexFile:
    """The link check's record of one output folder (`links.json` in its records)."""

    def __init__(self, path: Path, files: RecordFiles) -> None:
        self.path = path
        self.files = files

    def read(self, base_path: str) -> LinkIndex | None:
        """The record, or None when there is none or it cannot be trusted."""
        try:
            found = self.files.parsed(self.path, _parse)
        except OSError:
            return None
        if found is None or found[0] != base_path:
            return None
        return found[1]

    def write(self, base_path: str, files: set[str], pages: Mapping[str, PageLinks]) -> None:
        """Keep what this check found; a record that cannot be written only costs speed."""
        ordered = sorted(files)
        number = {name: n for n, name in enumerate(ordered)}
        data = {"code": _code_digest(), "base_path": base_path, "files": ordered,
                "pages": {page: [found.digest, sorted(found.ids),
                                 sorted(number[t] for t in found.targets if t in number),
                                 [list(m) for m in found.missing]]
                          for page, found in sorted(pages.items())}}
        payload = json.dumps(data, separators=(",", ":")).encode()
        self.files.write_record(self.path, payload,
                                (base_path, LinkIndex(frozenset(files), dict(pages))))


def _parse(raw: bytes) -> tuple[str, LinkIndex] | None:
    try:
        payload = record_payload(raw)
        if payload is None:
            return None
        data = json.loads(payload)
        if data["code"] != _code_digest():
            return None
        files = [str(f) for f in data["files"]]
        pages = {}
        for page, (digest, ids, targets, missing) in data["pages"].items():
            pages[str(page)] = PageLinks(
                str(digest), {str(i) for i in ids}, frozenset(files[int(n)] for n in targets),
                tuple((str(r), str(t), bool(e)) for r, t, e in missing))
        return str(data["base_path"]), LinkIndex(frozenset(files), pages)
    except Exception:  # unreadable, damaged: check every page
        return None


__all__ = ["LinkIndexFile"]
