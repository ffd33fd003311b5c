"""Rebuilds: nothing changed → nothing done; any change → a full, correct build."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SiteWriter

from figdown import stages
from figdown.load.pages import Loaded
from figdown.markdown import firstpass as bodies
from figdown.pipeline import BuildOptions, BuildReport, build

NOW = datetime(2026, 11, 26, tzinfo=UTC)
SITE = {
    "config.yaml": "baseURL: https://example.org/\ntitle: T\n",
    "content/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\n\nFirst post.\n",
    "content/posts/b.md": "---\ntitle: B\ndate: 2024-02-01\n---\n\nSee [A](/posts/a/).\n",
    "content/posts/later.md": "---\ntitle: Later\ndate: 2027-01-01\n---\n\nNot yet.\n",
}


def run(root: Path, now: datetime = NOW, **options: object) -> BuildReport:
    report = build(BuildOptions(source=root, destination=root.parent / "out", now=now,
                                **options))  # type: ignore[arg-type]
    assert report.ok, report.problems
    return report


@pytest.fixture
def site(make_site: SiteWriter) -> Path:
    root = make_site(SITE)
    run(root)
    return root


@pytest.fixture
def no_full_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full build ran")
    monkeypatch.setattr(stages, "load_pages", fail)


def test_an_unchanged_site_is_not_built_again(site: Path, no_full_build: None) -> None:
    out = site.parent / "out"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    report = run(site)
    assert report.counts["pages"] == 2 and report.output == out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_an_edit_builds_again_and_unchanged_pages_keep_their_mtime(site: Path) -> None:
    out = site.parent / "out"
    a_page = out / "posts" / "a" / "index.html"
    a_mtime = a_page.stat().st_mtime_ns
    (site / "content/posts/b.md").write_text(
        "---\ntitle: B\ndate: 2024-02-01\n---\n\nEdited text.\n")
    run(site)
    assert "Edited text." in (out / "posts" / "b" / "index.html").read_text()
    assert a_page.stat().st_mtime_ns == a_mtime


@pytest.mark.parametrize("change", ["delete", "edit"])
def test_a_changed_output_folder_is_built_again(site: Path, change: str) -> None:
    page = site.parent / "out" / "posts" / "a" / "index.html"
    if change == "delete":
        page.unlink()
    else:
        page.write_text("vandalised")
    run(site)
    assert "First post." in page.read_text()


def test_a_page_whose_date_comes_is_published_then(site: Path) -> None:
    later = site.parent / "out" / "posts" / "later" / "index.html"
    assert not later.exists()
    run(site, now=datetime(2027, 2, 1, tzinfo=UTC))
    assert later.is_file()


def test_other_options_build_again(site: Path) -> None:
    run(site, base_url="https://example.org/blog/")
    assert 'href="/blog/posts/a/"' in (site.parent / "out" / "index.html").read_text()


@pytest.mark.parametrize("damage", ["garbage", "other format", "missing key"])
def test_a_damaged_record_means_a_full_build(site: Path, damage: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    record = site / ".figdown-cache" / "last-build.json"
    data = json.loads(record.read_text())
    if damage == "garbage":
        record.write_text("{not json")
    elif damage == "other format":
        record.write_text(json.dumps({**data, "format": 999}))
    else:
        del data["outputs"]
        record.write_text(json.dumps(data))
    calls: list[int] = []
    real = stages.load_pages

    def counted(*args: object, **kwargs: object) -> Loaded:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(stages, "load_pages", counted)
    run(site)
    assert calls == [1]


def test_warnings_are_reported_again_when_nothing_changed(make_site: SiteWriter) -> None:
    root = make_site({**SITE, "content/posts/b.md":
                      "---\ntitle: B\ndate: 2024-02-01\n---\n\nSee [gone](/posts/gone/).\n"})
    first = run(root, warn_links=True)
    again = run(root, warn_links=True)
    assert [str(p) for p in first.problems if p.severity == "warning"]
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bodies rendered (not taken from the cache) from now on, by page path."""
    paths: list[str] = []
    real = bodies.render_chunk

    def counted(settings: bodies.BodySettings,
                jobs: list[bodies.BodyJob]) -> list[bodies.FirstPass]:
        paths.extend(job.path for job in jobs)
        return real(settings, jobs)
    monkeypatch.setattr(bodies, "render_chunk", counted)
    return paths


def test_a_config_change_renders_the_bodies_again(site: Path, rendered: list[str]) -> None:
    (site / "content/posts/a.md").write_text(
        "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\n\nFirst post, edited.\n")
    run(site, jobs=1)
    assert rendered == ["content/posts/a.md"]  # b came from the cache
    rendered.clear()
    (site / "config.yaml").write_text("baseURL: https://example.org/\ntitle: T\n"
                                      "params:\n  mood: new\n")
    run(site, jobs=1)
    assert sorted(rendered) == ["content/posts/a.md", "content/posts/b.md"]


def test_another_host_reuses_the_bodies_another_base_path_does_not(
        site: Path, rendered: list[str]) -> None:
    """The preview (a local base URL) and the published site share their cached bodies
    when their base paths are the same, as their HTML then is."""
    run(site, jobs=1, base_url="http://127.0.0.1:1313/")
    assert rendered == []
    run(site, jobs=1, base_url="https://user.github.io/blog/")
    assert sorted(rendered) == ["content/posts/a.md", "content/posts/b.md"]
