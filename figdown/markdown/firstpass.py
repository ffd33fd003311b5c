"""Page bodies to HTML, the first pass: every body parsed, and rendered unless it has
executable blocks (they run first). Bodies already rendered come from a store handed in
(the build cache's, cache/bodycache.py); the others are spread over worker processes when
there are enough of them to pay for it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import pickle
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, cast

from figdown.execute.blocks import BlockResult, CodeBlock
from figdown.load.bibliography import Bibliography
from figdown.load.markup import MarkupSettings
from figdown.markdown.engine import (
    RenderContext,
    RenderedBody,
    create_markdown,
    parse_body,
    render_tokens,
)

ENTRY_FORMAT = 1
_MIN_PARALLEL = 64  # below this many bodies, starting workers costs more than it saves
_DIGEST = 32


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
    bibliography: Bibliography | None = None  # its path and digest are in the key


@dataclass(frozen=True, slots=True)
class FirstPass:
    """A body rendered, or, when it has executable blocks, the blocks to run first."""

    body: RenderedBody | None
    blocks: tuple[CodeBlock, ...] = ()


class BodyStore(Protocol):
    """Rendered bodies by key: what an earlier build rendered from the same inputs."""

    def key(self, *parts: object) -> str: ...

    def get_many(self, keys: Sequence[str]) -> dict[str, object]: ...

    def put(self, key: str, value: object, entry: bytes | None = None) -> None: ...

    def save(self, prune: bool = False) -> None: ...

    def prune(self) -> None:
        """Save, and drop the entries this build did not use."""
        ...


class NoBodyStore:
    """Keeps nothing: every body is rendered."""

    def key(self, *parts: object) -> str:
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        return {}

    def put(self, key: str, value: object, entry: bytes | None = None) -> None:
        pass

    def save(self, prune: bool = False) -> None:
        pass

    def prune(self) -> None:
        pass


def cache_entry(key: str, value: object) -> bytes:
    """What the cache file holds for one key: a sha256 of the pickle, then the pickle."""
    payload = pickle.dumps((ENTRY_FORMAT, key, value), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).digest() + payload


def decode_entry(key: str, data: bytes) -> object | None:
    """The value a cache entry holds for `key`, or None when it is damaged or foreign."""
    try:
        if hashlib.sha256(data[_DIGEST:]).digest() != data[:_DIGEST]:
            return None
        form, stored_key, value = pickle.loads(data[_DIGEST:])
    except Exception:  # unreadable or corrupt: render again
        return None
    if form != ENTRY_FORMAT or stored_key != key:
        return None
    stored: object = value
    return stored


def render_first_pass(jobs: Sequence[BodyJob], settings: BodySettings, cache: BodyStore,
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


def second_pass_key(cache: BodyStore, job: BodyJob, settings: BodySettings,
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
    single = threading.active_count() == 1
    method = "fork" if single and "fork" in multiprocessing.get_all_start_methods() else "spawn"
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
                                base_path=settings.base_path, page_url=job.page_url,
                                bibliography=job.bibliography)
        tokens, env = parse_body(md, job.body, context)
        blocks = env.get("blocks", [])
        if blocks:
            results.append(FirstPass(None, tuple(blocks)))
        else:
            results.append(FirstPass(render_tokens(md, tokens, env, job.body, job.summary,
                                                   settings.summary_length)))
    return results


__all__ = ["BodyJob", "BodySettings", "BodyStore", "FirstPass", "NoBodyStore", "cache_entry",
           "decode_entry", "render_first_pass", "second_pass_key"]
