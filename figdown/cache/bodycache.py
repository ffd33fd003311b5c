"""Page bodies to HTML: reused from an on-disk cache keyed by content hash, else rendered,
spread over worker processes when there are enough of them to pay for it.

The cache lives in `.figdown-cache/bodies.sqlite` next to the figure store. It is safe to delete;
an entry that is unreadable, truncated, altered or from another version is ignored and
rendered again, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from figdown.cache.lastbuild import CACHE_FOLDER, code_fingerprint, make_cache_folder
from figdown.execute.blocks import BlockResult, CodeBlock
from figdown.load.markup import MarkupSettings
from figdown.markdown.engine import (
    RenderContext,
    RenderedBody,
    create_markdown,
    parse_body,
    render_tokens,
)
from figdown.output.forked import can_fork

CACHE_FORMAT = 1
_MIN_PARALLEL = 64  # below this many bodies, starting workers costs more than it saves
_DIGEST = 32
_QUERY_SIZE = 500  # keys per query (SQLite allows 999 parameters at the least)


@dataclass(frozen=True)
class BodySettings:
    """The site settings a body's HTML depends on."""

    unsafe_html: bool
    base_path: str
    summary_length: int
    enable_emoji: bool = False
    markup: MarkupSettings = field(default_factory=MarkupSettings)
    # The whole config, so that a setting a later Markdown feature reads is never missed.
    config_digest: str = ""


@dataclass(frozen=True, slots=True)
class BodyJob:
    """One page body to render: everything its HTML depends on, besides block results."""

    path: str
    line_offset: int
    page_url: str
    body: str
    summary: str | None


@dataclass(frozen=True, slots=True)
class FirstPass:
    """A body rendered, or, when it has executable blocks, the blocks to run first."""

    body: RenderedBody | None
    blocks: tuple[CodeBlock, ...] = ()


# The entries the last build of this process used, kept in memory: `figdown serve` builds
# again and again in one process, and reads them back from here rather than from the file.
_RECENT: dict[str, object] = {}


def _decode(key: str, data: bytes) -> object | None:
    """The value a cache entry holds for `key`, or None when it is damaged or foreign."""
    try:
        if hashlib.sha256(data[_DIGEST:]).digest() != data[:_DIGEST]:
            return None
        form, stored_key, value = pickle.loads(data[_DIGEST:])
    except Exception:  # unreadable or corrupt: render again
        return None
    if form != CACHE_FORMAT or stored_key != key:
        return None
    stored: object = value
    return stored


def cache_entry(key: str, value: object) -> bytes:
    """What the cache file holds for one key: a sha256 of the pickle, then the pickle."""
    payload = pickle.dumps((CACHE_FORMAT, key, value), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).digest() + payload


def forget_recent() -> None:
    """Drop the bodies kept in memory, as a new process starts without them."""
    _RECENT.clear()


class BodyCache:
    """Rendered bodies in one SQLite file, keyed by content hash; `path=None` keeps nothing.

    One database rather than a file per body: creating a thousand small files costs more
    than rendering some of them. Writes are batched and committed by `save`.
    """

    def __init__(self, path: Path | None, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.used: set[str] = set()
        self.remembered: set[str] = set()  # answered from memory: written to the file on save
        self.hits = 0
        self.db = _open_database(path) if path is not None else None

    @classmethod
    def beside(cls, figure_store: Path) -> BodyCache:
        return cls(figure_store.parent / CACHE_FOLDER / "bodies.sqlite", code_fingerprint())

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
            if key in _RECENT:  # a key names its value: what this process made or read holds
                self.remembered.add(key)
                found[key] = _RECENT[key]
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
                    value = _decode(str(key), bytes(data))
                    if value is not None:
                        found[str(key)] = _RECENT[str(key)] = value
        self.hits += len(found)
        return found

    def put(self, key: str, value: object, entry: bytes | None = None) -> None:
        """Keep `value` under `key`; `entry` is `cache_entry(key, value)` if already made."""
        self.used.add(key)
        _RECENT[key] = value
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
                    self.put(key, _RECENT[key])
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
        for key in [k for k in _RECENT if k not in self.used]:
            del _RECENT[key]


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


def render_first_pass(jobs: Sequence[BodyJob], settings: BodySettings, cache: BodyCache,
                      workers: int) -> dict[str, FirstPass]:
    """Every job's body (or its blocks), from the cache or rendered; keyed by page path."""
    found: dict[str, FirstPass] = {}
    keys = {job.path: cache.key("first", job, settings) for job in jobs}
    hits = cache.get_many(list(keys.values()))
    missing: list[BodyJob] = []
    for job in jobs:
        hit = hits.get(keys[job.path])
        if isinstance(hit, FirstPass):
            found[job.path] = hit
        else:
            missing.append(job)
    for job, (result, entry) in zip(missing, _render_all(missing, settings, workers, keys),
                                    strict=True):
        found[job.path] = result
        cache.put(keys[job.path], result, entry)
    cache.save()
    return found


def second_pass_key(cache: BodyCache, job: BodyJob, settings: BodySettings,
                    results: Mapping[int, BlockResult], keep_going: bool) -> str:
    """The cache key of a body with executable blocks, once their results are known."""
    return cache.key("second", job, settings, sorted(results.items()), keep_going)


def _render_all(jobs: Sequence[BodyJob], settings: BodySettings, workers: int,
                keys: Mapping[str, str]) -> Iterable[tuple[FirstPass, bytes | None]]:
    """Each job's first pass, with its cache entry when a worker made it (the worker pickles
    it once, for the cache, and this process only unpickles it)."""
    if workers < 2 or len(jobs) < _MIN_PARALLEL:
        return [(result, None) for result in render_chunk(settings, jobs)]
    # A few chunks per worker: even load, and few enough to keep pickling cheap.
    size = max(8, -(-len(jobs) // (workers * 4)))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    # Forking a process that runs other threads (the preview server) can leave a lock held
    # in the child: start clean interpreters then, at the cost of importing figdown again.
    method = "fork" if can_fork() else "spawn"
    return _streamed(chunks, settings, workers, keys, method)


def _streamed(chunks: Sequence[Sequence[BodyJob]], settings: BodySettings, workers: int,
              keys: Mapping[str, str], method: str) -> Iterator[tuple[FirstPass, bytes]]:
    """The workers' results as they come: each entry is stored and let go before the next
    arrives, rather than all of them held at once."""
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context(method)) as pool:
        chunk_keys = [[keys[job.path] for job in chunk] for chunk in chunks]
        for chunk in pool.map(_render_entries, [settings] * len(chunks), chunks, chunk_keys):
            for entry in chunk:
                yield _value(entry), entry


def _render_entries(settings: BodySettings, jobs: Sequence[BodyJob],
                    keys: Sequence[str]) -> list[bytes]:
    return [cache_entry(key, result)
            for key, result in zip(keys, render_chunk(settings, jobs), strict=True)]


def _value(entry: bytes) -> FirstPass:
    """The first pass in an entry `_render_entries` made."""
    _, _, value = pickle.loads(entry[_DIGEST:])
    return cast(FirstPass, value)


def render_chunk(settings: BodySettings, jobs: Sequence[BodyJob]) -> list[FirstPass]:
    """Parse each body; render it unless it has executable blocks (they must run first)."""
    md = create_markdown(settings.unsafe_html, settings.enable_emoji, settings.markup)
    results: list[FirstPass] = []
    for job in jobs:
        context = RenderContext(path=job.path, line_offset=job.line_offset,
                                base_path=settings.base_path, page_url=job.page_url)
        tokens, env = parse_body(md, job.body, context)
        blocks = env.get("blocks", [])
        if blocks:
            results.append(FirstPass(None, tuple(blocks)))
        else:
            results.append(FirstPass(render_tokens(md, tokens, env, job.body, job.summary,
                                                   settings.summary_length)))
    return results
