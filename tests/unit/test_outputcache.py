"""The build cache keeps the records of the last few output folders, each in its own folder."""

from __future__ import annotations

import os
from pathlib import Path

from figdown.cache.folders import KEPT, keep_recent, output_records


def test_each_output_folder_has_its_own_records_folder(tmp_path: Path) -> None:
    cache = tmp_path / ".figdown-cache"
    out = output_records(cache, tmp_path / "output")
    assert out.parent == cache
    assert output_records(cache, tmp_path / "x" / ".." / "output") == out
    assert output_records(cache, tmp_path / "preview") != out


def test_only_the_last_folders_and_nothing_shared_of_before_are_kept(tmp_path: Path) -> None:
    cache = tmp_path / ".figdown-cache"
    folders = [output_records(cache, tmp_path / f"out-{n}") for n in range(KEPT + 2)]
    for age, folder in enumerate(folders):  # the first one written last
        (folder / "spare-output" / "posts").mkdir(parents=True)
        (folder / "site.pickle").write_bytes(b"x")
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))
    (cache / "templates").mkdir()
    for kept in ("bodies.sqlite", "pages.pickle", "last-build.json", "templates/t.py"):
        (cache / kept).write_text("kept")
    (cache / "spare-output" / "posts").mkdir(parents=True)
    for shared in ("rendered.json", "links.json", "site-0123456789abcdef.pickle",
                   "site-0123456789abcdef-edits.pickle"):
        (cache / shared).write_text("before")
    (cache / "output-0123456789abcdef").write_text("damaged: a file where a folder goes")
    keep_recent(cache)
    assert sorted(cache.iterdir()) == sorted([
        *folders[:KEPT], cache / "bodies.sqlite", cache / "pages.pickle",
        cache / "last-build.json", cache / "templates"])
    assert (folders[0] / "spare-output" / "posts").is_dir()


def test_a_site_with_its_own_layouts_keeps_only_the_last_folders_too(tmp_path: Path) -> None:
    """No snapshot is kept for it, but the link index and the spare are: they are pruned."""
    import shutil

    from figdown.cli import main
    from figdown.theme import theme_dir

    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: https://example.org/\ntitle: T\n")
    (site / "content" / "posts" / "a.md").write_text("---\ntitle: A\ndate: 2024-01-01\n---\n\nA.\n")
    shutil.copytree(theme_dir() / "layouts", site / "layouts")
    outs = [tmp_path / f"out-{n}" for n in range(KEPT + 2)]
    for out in outs:
        assert main(["-q", "-s", str(site), "-d", str(out)]) == 0
    cache = site / ".figdown-cache"
    assert sorted(cache.glob("output-*")) == sorted(
        output_records(cache, out) for out in outs[-KEPT:])
    assert (output_records(cache, outs[-1]) / "links.json").is_file()
    assert not (output_records(cache, outs[-1]) / "site.pickle").exists()
