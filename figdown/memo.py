"""A memo a stage can be handed: what a recent build of this process made from the same
inputs, or, with `NoMemo`, nothing (the stage then makes every value itself).

The build cache owns the memos (cache/buildcache.py); a stage only calls `get`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


class Memo(Protocol[V]):
    def get(self, key: Hashable, keep: object, make: Callable[[], V]) -> V:
        """The value for `key`, made by `make()` unless a recent build made it; `keep` is
        what must stay alive for the key to stay true (the objects whose ids it holds)."""
        ...


class NoMemo(Generic[V]):
    """Remembers nothing: for a build without a cache, and for tests of one stage."""

    def get(self, key: Hashable, keep: object, make: Callable[[], V]) -> V:
        return make()


__all__ = ["Memo", "NoMemo"]
