"""Rendered page bodies kept between builds: `.figdown-cache/bodies.sqlite`, keyed by
content hash (markdown/firstpass.py makes the entries).

It is safe to delete; an entry that is unreadable, truncated, altered or from another
version is ignored and rendered again, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from figdown.cache.lastbuild import make_cache_folder
from figdown.markdown.firstpass import cache_entry, decode_entry

_QUERY_SIZE = 500  # keys per query (SQLite allows 999 parameters at the least)


class BodyCache:
    """Rendered bodies in one SQLite file, keyed by content hash; `path=None` keeps nothing.

    One database rather than a file per body: creating a thousand small files costs more
    than rendering some of them. Writes are batched and committed by `save`.
    """

    def __init__(self, path: Path | None, fingerprint: str,
                 recent: dict[str, object] | None = None) -> None:
        self.fingerprint = fingerprint
        # the entries the last build of this process used, kept in memory (by the build
        # cache's Memory): `figdown serve` builds again and again in one process, and reads
        # them back from there rather than from the file
        self.recent: dict[str, object] = {} if recent is None else recent
        self.used: set[str] = set()
        self.remembered: set[str] = set()  # answered from memory: written to the file on save
        self.hits = 0
        self.db = _open_database(path) if path is not None else None

    def key(self, *parts: object) -> str:
        text = repr((self.fingerprint, parts))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> object | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        """The values found for these keys (one query for many: a rebuild asks for every
        page's body at once)."""
        found: dict[str, object] = {}
        wanted: list[str] = []
        for key in keys:
            self.used.add(key)
            if key in self.recent:  # a key names its value: what this process made or read holds
                self.remembered.add(key)
                found[key] = self.recent[key]
            else:
                wanted.append(key)
        if self.db is not None:
            for start in range(0, len(wanted), _QUERY_SIZE):
                chunk = wanted[start:start + _QUERY_SIZE]
                try:
                    rows = self.db.execute(
                        f"SELECT key, data FROM bodies WHERE key IN ({','.join('?' * len(chunk))})",
                        chunk).fetchall()
                except sqlite3.Error:  # unreadable: render again
                    break
                for key, data in rows:
                    value = decode_entry(str(key), bytes(data))
                    if value is not None:
                        found[str(key)] = self.recent[str(key)] = value
        self.hits += len(found)
        return found

    def put(self, key: str, value: object, entry: bytes | None = None) -> None:
        """Keep `value` under `key`; `entry` is `cache_entry(key, value)` if already made."""
        self.used.add(key)
        self.recent[key] = value
        if self.db is None:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO bodies (key, data) VALUES (?, ?)",
                            (key, entry or cache_entry(key, value)))
        except sqlite3.Error:  # a read-only or full disk costs speed, not the build
            self.db = None

    def save(self, prune: bool = False) -> None:
        """Commit what was put; with `prune`, first drop the entries this build did not use."""
        if self.db is None:
            return
        try:
            if self.remembered:  # the file may have been deleted or replaced since
                stored = {row[0] for row in self.db.execute("SELECT key FROM bodies")}
                for key in sorted(self.remembered - stored):
                    self.put(key, self.recent[key])
                self.remembered.clear()
            if prune:
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM used")
                self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)",
                                    ((k,) for k in self.used))
                self.db.execute("DELETE FROM bodies WHERE key NOT IN (SELECT key FROM used)")
            self.db.commit()
        except sqlite3.Error:
            self.db = None

    def prune(self) -> None:
        """Remove the entries this build did not use, so the cache does not grow forever."""
        self.save(prune=True)
        for key in [k for k in self.recent if k not in self.used]:
            del self.recent[key]


def _open_database(path: Path) -> sqlite3.Connection | None:
    """The cache database, made if missing, replaced if it is not a database; else None."""
    for attempt in range(2):
        try:
            make_cache_folder(path.parent)
            db = sqlite3.connect(path, timeout=10)
            db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is a re-render
            db.execute("CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, data BLOB)")
            return db
        except sqlite3.DatabaseError:
            if attempt == 0:  # not a database (damaged, or something else): start afresh
                with contextlib.suppress(OSError):
                    path.unlink()
        except (OSError, sqlite3.Error):
            return None
    return None


__all__ = ["BodyCache"]
