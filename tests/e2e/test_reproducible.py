"""Two builds of the same input give byte-identical output trees."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def copy_example(target: Path) -> Path:
    """The repository's example site (content, helpers, any config) in a folder of its own."""
    target.mkdir()
    for name in ("content", "lib", "static", "figures"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name)
    for config in REPO.glob("*.toml"):
        if config.name != "pyproject.toml":
            shutil.copy(config, target / config.name)
    for config in [*REPO.glob("*.yaml"), *REPO.glob("*.yml"), *REPO.glob("*.json")]:
        shutil.copy(config, target / config.name)
    return target


def run_build(site: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "-s", str(site),
                             "-d", str(out)], capture_output=True, text=True, timeout=600,
                            env=environment)
    assert result.returncode == 0, result.stderr
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_two_builds_of_the_example_site_are_byte_identical(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    # different hash seeds and clocks: neither may change a byte
    run_build(site, tmp_path / "one", PYTHONHASHSEED="1", SOURCE_DATE_EPOCH="1900000000")
    run_build(site, tmp_path / "two", PYTHONHASHSEED="2", SOURCE_DATE_EPOCH="1950000000")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(one) == sorted(two)
    different = [name for name in one if one[name] != two[name]]
    assert different == []
    assert len(one) > 20


def test_feed_and_sitemap_dates_come_from_the_posts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: https://example.org/\ntitle: T\n")
    for day in (1, 3, 2):
        (site / "content" / "posts" / f"p{day}.md").write_text(
            f"---\ntitle: P{day}\ndate: 2024-05-0{day}T10:00:00Z\n---\n\nText.\n")
    run_build(site, tmp_path / "out", SOURCE_DATE_EPOCH="1900000000")
    feed = (tmp_path / "out" / "index.xml").read_text()
    assert "<lastBuildDate>Fri, 03 May 2024 10:00:00 +0000</lastBuildDate>" in feed
    sitemap = (tmp_path / "out" / "sitemap.xml").read_text()
    assert "2024-05-03T10:00:00+00:00" in sitemap
    assert "2030" not in feed + sitemap  # SOURCE_DATE_EPOCH 1900000000 is in 2030


def test_source_date_epoch_is_the_clock_for_future_posts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: https://example.org/\ntitle: T\n")
    (site / "content" / "posts" / "now.md").write_text(
        "---\ntitle: Now\ndate: 2020-01-01\n---\n\nText.\n")
    (site / "content" / "posts" / "later.md").write_text(
        "---\ntitle: Later\ndate: 2021-06-01\n---\n\nText.\n")
    # 2021-01-01T00:00:00Z: the second post is still in the future
    run_build(site, tmp_path / "early", SOURCE_DATE_EPOCH="1609459200")
    assert not (tmp_path / "early" / "posts" / "later").exists()
    assert (tmp_path / "early" / "posts" / "now" / "index.html").is_file()
    run_build(site, tmp_path / "late", SOURCE_DATE_EPOCH="1640995200")  # 2022
    assert (tmp_path / "late" / "posts" / "later" / "index.html").is_file()
