"""Values the last build of this process made, handed out again when made from the same
inputs: `figdown serve` builds again and again, and most of a site does not change.

A key may hold `id()`s of the objects the value was made from; the entry keeps those
objects alive, so an id is never reused for another object while its entry exists. Each
build starts with `rotate()` (buildcache.Memory.new_build): what the build before the last
did not use is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Recall(Generic[V]):
    def __init__(self) -> None:
        self._last: dict[Hashable, tuple[object, V]] = {}
        self._now: dict[Hashable, tuple[object, V]] = {}

    def get(self, key: Hashable, keep: object, make: Callable[[], V]) -> V:
        """The value for `key`, made by `make()` unless a recent build made it; `keep` is
        what must stay alive for the key to stay true (the objects whose ids it holds)."""
        found = self._now.get(key)
        if found is None:
            found = self._last.get(key)
            if found is None:
                found = (keep, make())
            self._now[key] = found
        return found[1]

    def rotate(self) -> None:
        self._last, self._now = self._now, {}


__all__ = ["Recall"]
