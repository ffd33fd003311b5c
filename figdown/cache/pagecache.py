"""Content files as the last build read them, keyed by their bytes.

A rebuild reads every content file (that is cheap) but parses the front matter of, and
makes a `Page` for, only the files whose bytes changed. Kept in the build cache
(`.figdown-cache/pages.pickle`) with a sha256 of itself, and tied to the config and to
figdown's code: a damaged, foreign or stale file is ignored, and every page is read afresh.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from figdown.cache.filememo import RecordFiles, record_payload
from figdown.cache.lastbuild import code_fingerprint
from figdown.load.config import SiteConfig, content_key
from figdown.load.content import Page, read_page
from figdown.problems import Problem

CACHE_NAME = "pages.pickle"
Entry = tuple[str, Page | None, list[Problem]]  # sha256 of the file, what read_page made


class PageCache:
    """`read_page`, answered from the last build's pages when a file's bytes are the same."""

    def __init__(self, folder: Path, config: SiteConfig, files: RecordFiles) -> None:
        self.path = folder / CACHE_NAME
        self.files = files
        self.tag = hashlib.sha256(f"{code_fingerprint()}\0{content_key(config)}".encode(
            "utf-8", "surrogatepass")).hexdigest()
        self.previous = self._load()
        self.current: dict[str, Entry] = {}

    def read(self, source: Path, config: SiteConfig) -> tuple[Page | None, list[Problem]]:
        try:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
        except OSError:
            return read_page(source, config)  # says what is wrong with it
        rel = source.relative_to(config.content_dir).as_posix()
        known = self.previous.get(rel)
        if known is not None and known[0] == digest:
            self.current[rel] = known
            return known[1], list(known[2])
        page, problems = read_page(source, config)
        self.current[rel] = (digest, page, problems)
        return page, problems

    def save(self) -> None:
        """Keep the pages of this build (only when any differs from the last)."""
        if self.current.keys() == self.previous.keys() and all(
                self.current[rel][0] == self.previous[rel][0] for rel in self.current):
            return
        payload = pickle.dumps((self.tag, self.current), protocol=pickle.HIGHEST_PROTOCOL)
        self.files.write_record(self.path, payload, (self.tag, self.current))

    def _load(self) -> dict[str, Entry]:
        try:
            tag, entries = self.files.parsed(self.path, _unpickle)
        except OSError:
            return {}
        return entries if tag == self.tag else {}


def _unpickle(raw: bytes) -> tuple[str, dict[str, Entry]]:
    try:
        payload = record_payload(raw)
        if payload is not None:
            tag, entries = pickle.loads(payload)
            if isinstance(tag, str) and isinstance(entries, dict):
                return tag, entries
    except Exception:  # damaged, or from another version: read every page
        pass
    return "", {}


__all__ = ["PageCache"]
