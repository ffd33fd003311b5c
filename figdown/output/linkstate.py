"""What one link check found, kept so that the next one reads again only what changed
(the build cache keeps it: cache/link_index.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


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


class LinkRecord(Protocol):
    """Where the previous check's findings are read from and this one's are kept."""

    def read(self, base_path: str) -> LinkIndex | None: ...

    def write(self, base_path: str, files: set[str], pages: Mapping[str, PageLinks]) -> None: ...


__all__ = ["LinkIndex", "LinkRecord", "PageLinks"]
