""""Did you mean …?" for a broken link: the nearest page, found in an index made once per
check, so that a site with hundreds of broken links pays for each in time bounded by
the pages of one folder, not by the whole site.

A page is offered when it is in the same folder as the link's target and its last path
segment is a slip of the keyboard away (one letter in a short name, up to three in a long
one), or when it has the very same last segment in another folder (`/post/tanh/` for
`/posts/tanh/`). Pages of the site come before pages the build leaves out.
"""

from __future__ import annotations

import bisect
import difflib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

# Each guess compares with at most this many names of its folder, and all the guesses of one
# check stop after this many seconds: a report with fewer guesses beats a slow build.
MAX_COMPARED = 400
TIME_BUDGET = 0.5


def split_path(path: str) -> tuple[str, str]:
    """`/posts/tanh/` → (`/posts`, `tanh`); `/x/p.png` → (`/x`, `p.png`)."""
    folder, _, name = path.rstrip("/").rpartition("/")
    return folder, name


def allowed_slips(name: str) -> int:
    """Letters that may differ: one in a short name, three in a long one."""
    return max(1, min(3, len(name) // 4))


def typing_distance(a: str, b: str, limit: int) -> int:
    """Letters added, dropped, changed or swapped with a neighbour to make `b` of `a` (the
    optimal string alignment distance); any value above `limit` is returned as `limit + 1`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


@dataclass
class GuessIndex:
    """Every page a link may have meant, by folder (names sorted by length) and by name."""

    folders: dict[str, list[tuple[int, str, str]]]  # folder → (len(name), name, path)
    names: dict[str, list[str]]  # last segment → paths
    left_out: frozenset[str]
    deadline: float = field(default_factory=lambda: time.monotonic() + TIME_BUDGET)

    @classmethod
    def of(cls, paths: Iterable[str], left_out: Iterable[str]) -> GuessIndex:
        folders: dict[str, list[tuple[int, str, str]]] = {}
        names: dict[str, list[str]] = {}
        left = frozenset(left_out)
        for path in sorted({*paths, *left}):
            folder, name = split_path(path)
            folders.setdefault(folder, []).append((len(name), name, path))
            names.setdefault(name, []).append(path)
        for entries in folders.values():
            entries.sort()
        return cls(folders, names, left)

    def nearest(self, path: str) -> str | None:
        """The page `path` most likely meant, or None when none is close enough (or the
        check has spent its time on guesses already)."""
        if time.monotonic() > self.deadline:
            return None
        folder, name = split_path(path)
        allowed = allowed_slips(name)
        ranked: list[tuple[int, bool, str]] = []
        entries = self.folders.get(folder, [])
        low = bisect.bisect_left(entries, (len(name) - allowed, "", ""))
        for length, other, candidate in entries[low:low + MAX_COMPARED]:
            if length > len(name) + allowed:
                break
            if not other:
                continue  # the home page is no slip of the keyboard away from a page
            distance = typing_distance(name, other, allowed)
            if distance <= allowed:
                ranked.append((distance, candidate in self.left_out, candidate))
        if name:
            for candidate in self.names.get(name, [])[:MAX_COMPARED]:
                distance = typing_distance(path, candidate, len(path) + len(candidate))
                ranked.append((distance, candidate in self.left_out, candidate))
        return min(ranked)[2] if ranked else None


def nearest_id(fragment: str, ids: Iterable[str]) -> str | None:
    """The id of a page a missing `#fragment` most likely meant."""
    close = difflib.get_close_matches(fragment, sorted(ids), n=1)
    return close[0] if close else None


__all__ = ["GuessIndex", "nearest_id", "typing_distance"]
