"""Outputs whose template inputs did not change are linked from the last output, not
rendered; the result is always what a build from scratch writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from figdown.cache.folders import output_records
from figdown.cache.reuse import RECORD_NAME, OutputReuse
from figdown.cli import main

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\npagerSize: 2\n"


def post(n: int, title: str, text: str, tags: str = "[a, b]") -> str:
    return (f"---\ntitle: {title}\ndate: 2024-01-{n:02d}\ntags: {tags}\n---\n\n"
            f"Summary of {title}.\n\n<!--more-->\n\n{text}\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for n in range(1, 7):
        (root / "content" / "posts" / f"p{n}.md").write_text(
            post(n, f"Post {n}", f"Body {n}."), encoding="utf-8")
    return root


def build(site: Path, out: Path) -> None:
    assert main(["-q", "-s", str(site), "-d", str(out), "--clock",
                 "2026-01-01T00:00:00Z"]) == 0


def from_scratch(site: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(site / ".figdown-cache", ignore_errors=True)
    build(site, fresh)
    return tree(fresh)


EDITS = {
    "prose": ("p3.md", post(3, "Post 3", "Body 3, edited.")),
    "summary": ("p3.md", post(3, "Post 3", "Body 3.").replace("Summary of", "Now")),
    "title": ("p4.md", post(4, "Fourth post", "Body 4.")),
    "tags": ("p5.md", post(5, "Post 5", "Body 5.", tags="[c]")),
    "date": ("p2.md", post(9, "Post 2", "Body 2.")),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_rebuild_writes_what_a_build_from_scratch_writes(
        site: Path, tmp_path: Path, edit: str) -> None:
    out = tmp_path / "out"
    build(site, out)
    build(site, tmp_path / "elsewhere")  # another destination: its record is not used here
    name, text = EDITS[edit]
    (site / "content" / "posts" / name).write_text(text, encoding="utf-8")
    untouched = (out / "posts" / "p1" / "index.html").stat().st_ino
    build(site, out)
    incremental = tree(out)
    if edit == "prose":  # neither its summary nor its list entries changed
        assert (out / "posts" / "p1" / "index.html").stat().st_ino == untouched
    assert incremental == from_scratch(site, tmp_path)


def reused_outputs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The outputs the next builds take from their last output instead of rendering (in
    this process: build with `-j 1`)."""
    taken: list[str] = []
    unchanged = OutputReuse.unchanged

    def spy(self: OutputReuse, path: str, key: str) -> tuple[Path, str | None] | None:
        found = unchanged(self, path, key)
        if found is not None:
            taken.append(path)
        return found
    monkeypatch.setattr(OutputReuse, "unchanged", spy)
    return taken


def test_a_build_elsewhere_leaves_this_output_its_record(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `serve` session's preview builds do not make the next build of `output/` render
    what it could have kept."""
    taken = reused_outputs(monkeypatch)
    results = []
    for other in (None, tmp_path / "preview"):
        out = tmp_path / f"out-{len(results)}"
        # tagged apart from the others: their pages and tags/a/, tags/b/ do not show it
        (site / "content" / "posts" / "p4.md").write_text(
            post(4, "Post 4", "Body 4.", tags="[c]"), encoding="utf-8")
        build(site, out)
        if other is not None:
            build(site, other)
        (site / "content" / "posts" / "p4.md").write_text(
            post(4, "Fourth post", "Body 4.", tags="[c]"), encoding="utf-8")
        taken.clear()
        assert main(["-q", "-j", "1", "-s", str(site), "-d", str(out), "--clock",
                     "2026-01-01T00:00:00Z"]) == 0
        results.append(sorted(taken))
    assert {"posts/p1/index.html", "tags/a/index.html"} <= set(results[0])
    assert results[1] == results[0]


def test_an_output_file_edited_by_hand_is_rendered_again(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    page = out / "posts" / "p1" / "index.html"
    page.write_bytes(page.read_bytes() + b"<!-- by hand -->")
    (site / "content" / "posts" / "p3.md").write_text(post(3, "Post 3", "New."),
                                                      encoding="utf-8")
    build(site, out)
    assert b"by hand" not in page.read_bytes()


def test_a_damaged_record_is_ignored(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    record = output_records(site / ".figdown-cache", out) / RECORD_NAME
    assert record.is_file()
    record.write_bytes(record.read_bytes()[:-20])
    (site / "content" / "posts" / "p4.md").write_text(post(4, "Fourth", "B."),
                                                      encoding="utf-8")
    build(site, out)
    assert tree(out) == from_scratch(site, tmp_path)


def test_damaged_compiled_templates_are_compiled_again(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site, out)
    compiled = sorted((site / ".figdown-cache" / "templates").iterdir())
    assert compiled
    for path in compiled:
        path.write_bytes(path.read_bytes()[:40])
    (site / "content" / "posts" / "p4.md").write_text(post(4, "Fourth", "B."),
                                                      encoding="utf-8")
    build(site, out)
    assert tree(out) == from_scratch(site, tmp_path)


def test_after_a_prose_edit_only_that_page_is_written_again(site: Path, tmp_path: Path) -> None:
    """Separate processes with different hash seeds: the keys do not depend on either."""
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "out"

    def build_in_process(seed: str) -> None:
        subprocess.run([sys.executable, str(root / "build.py"), "-q", "-s", str(site), "-d",
                        str(out), "--clock", "2026-01-01T00:00:00Z"], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})

    build_in_process("1")
    before = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}
    name, text = EDITS["prose"]
    (site / "content" / "posts" / name).write_text(text, encoding="utf-8")
    build_in_process("2")
    after = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}
    assert after.keys() == before.keys()
    assert sorted(p for p in after if after[p] != before[p]) == ["posts/p3/index.html"]


def test_text_below_the_summary_shows_only_on_its_page(site: Path, tmp_path: Path) -> None:
    """What `reuse.listed_fields` relies on: no list, feed or neighbour link of the default
    theme shows a listed page's content (if one does, add what it shows there)."""
    build(site, tmp_path / "before")
    (site / "content" / "posts" / "p3.md").write_text(
        post(3, "Post 3", "Body 3, with more words, a [link](/posts/p1/) and\n\n## A heading"),
        encoding="utf-8")
    shutil.rmtree(site / ".figdown-cache")
    build(site, tmp_path / "after")
    before, after = tree(tmp_path / "before"), tree(tmp_path / "after")
    assert before.keys() == after.keys()
    assert sorted(p for p in after if after[p] != before[p]) == [
        "index.json", "posts/p3/index.html"]
