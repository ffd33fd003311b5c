"""What the previous link check found, so that a rebuild reads again only what changed.

Kept in the output folder's records (outputcache.py: `links.json`): for every HTML page,
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
from dataclasses import dataclass
from pathlib import Path

from figdown.cache.filememo import parsed, record_payload, write_record

INDEX_FORMAT = 1


@dataclass(frozen=True)
class PageLinks:
    """One page, as the link check saw it."""

    digest: str  # sha256 of the page's bytes
    ids: set[str]
    targets: frozenset[str]  # files its links point to: their presence and ids decided them
    missing: tuple[tuple[str, str, bool], ...]  # (link, missing target, leaves the base path)


@dataclass(frozen=True)
class LinkIndex:
    files: frozenset[str]  # every file of the checked site
    pages: Mapping[str, PageLinks]

    def reusable(self, digests: Mapping[str, str]) -> dict[str, PageLinks]:
        """Pages with the same bytes as at the last check, which then had no broken link."""
        found: dict[str, PageLinks] = {}
        for page, digest in digests.items():
            known = self.pages.get(page)
            if known is not None and known.digest == digest and not known.missing:
                found[page] = known
        return found

    def dirty(self, files: set[str], ids: Mapping[str, set[str]]) -> set[str]:
        """Files gone since, or whose ids changed: links to them must be resolved again."""
        changed = {page for page, known in self.pages.items()
                   if page in ids and ids[page] != known.ids}
        return changed | (self.files - files)


def _code_digest() -> str:
    digest = hashlib.sha256(str(INDEX_FORMAT).encode())
    package = Path(__file__).resolve().parents[1]
    for name in ("output/links.py", "cache/link_index.py", "output/pagescan.py"):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def read_link_index(path: Path, base_path: str) -> LinkIndex | None:
    """The record at `path`, or None when there is none or it cannot be trusted."""
    try:
        found = parsed(path, _parse)
    except OSError:
        return None
    if found is None or found[0] != base_path:
        return None
    return found[1]


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


def write_link_index(path: Path, base_path: str, files: set[str],
                     pages: Mapping[str, PageLinks]) -> None:
    """Keep what this check found; a record that cannot be written only costs speed."""
    ordered = sorted(files)
    number = {name: n for n, name in enumerate(ordered)}
    data = {"code": _code_digest(), "base_path": base_path, "files": ordered,
            "pages": {page: [found.digest, sorted(found.ids),
                             sorted(number[t] for t in found.targets if t in number),
                             [list(m) for m in found.missing]]
                      for page, found in sorted(pages.items())}}
    payload = json.dumps(data, separators=(",", ":")).encode()
    write_record(path, payload, (base_path, LinkIndex(frozenset(files), dict(pages))))


__all__ = ["LinkIndex", "PageLinks", "read_link_index", "write_link_index"]
