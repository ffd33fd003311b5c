"""The page cache: a rebuild parses only the content files whose bytes changed, and a damaged
or stale cache is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from figdown.cache.filememo import RecordFiles
from figdown.cache.pagecache import CACHE_NAME, PageCache
from figdown.load import content
from figdown.load.config import load_config


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "config.yaml").write_text("title: T\n", encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / "content" / "posts" / f"{name}.md").write_text(
            f"---\ntitle: {name}\n---\nText {name}.\n", encoding="utf-8")
    return tmp_path


def read_all(site: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Titles read through a new cache, and the files parsed to get them."""
    parsed: list[str] = []
    real = content.read_page

    def counted(source: Path, config: object) -> object:
        parsed.append(source.name)
        return real(source, config)  # type: ignore[arg-type]
    monkeypatch.setattr("figdown.cache.pagecache.read_page", counted)
    config = load_config(site, None)
    cache = PageCache(site / ".figdown-cache", config, RecordFiles())
    titles = []
    for source in sorted((site / "content" / "posts").glob("*.md")):
        page, problems = cache.read(source, config)
        assert page is not None and not problems
        titles.append(page.front.title)
    cache.save()
    return titles, parsed


def test_only_changed_files_are_parsed_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_all(site, monkeypatch) == (["a", "b"], ["a.md", "b.md"])
    assert read_all(site, monkeypatch) == (["a", "b"], [])
    (site / "content" / "posts" / "b.md").write_text("---\ntitle: B2\n---\nNew.\n",
                                                     encoding="utf-8")
    assert read_all(site, monkeypatch) == (["a", "B2"], ["b.md"])


def test_a_damaged_cache_is_ignored(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read_all(site, monkeypatch)
    path = site / ".figdown-cache" / CACHE_NAME
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    assert read_all(site, monkeypatch) == (["a", "b"], ["a.md", "b.md"])
    path.write_bytes(b"not a cache")
    assert read_all(site, monkeypatch) == (["a", "b"], ["a.md", "b.md"])


def test_a_config_change_reads_every_page_again(site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    read_all(site, monkeypatch)
    (site / "config.yaml").write_text("title: T\ntimeZone: Europe/Paris\n", encoding="utf-8")
    assert read_all(site, monkeypatch)[1] == ["a.md", "b.md"]


def test_the_cache_folder_keeps_itself_out_of_git(site: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    read_all(site, monkeypatch)
    assert (site / ".figdown-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
