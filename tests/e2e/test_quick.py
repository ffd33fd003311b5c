"""Quick rebuilds (figdown/quick.py): after a prose edit only that page's outputs are made
again, and what they write is always what a build from scratch writes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from figdown import quick
from figdown.cache.folders import KEPT, output_records
from figdown.cache.snapshot import snapshot_records
from figdown.options import BuildOptions, BuildReport
from figdown.pipeline import build
from figdown.theme import theme_dir

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = "baseURL: https://example.org/blog/\ntitle: Test blog\npagination:\n  pagerSize: 2\n"
PLOT = ('```python {exec=true, id="curve", caption="A curve", alt="A rising line"}\n'
        "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, HEIGHT])\n```\n")


def plot(height: object, block_id: str = "curve") -> str:
    return PLOT.replace("HEIGHT", str(height)).replace("curve", block_id)


def post(n: int, body: str, title: str = "", tags: str = "[a, b]") -> str:
    return (f"---\ntitle: {title or f'Post {n}'}\ndate: 2024-01-{n:02d}\ntags: {tags}\n---\n\n"
            f"Summary of post {n}.\n\n<!--more-->\n\n{body}\n")


BODIES = {
    1: "## First heading\n\nText with $x^2$ and `code`.\n\n```python\nprint(1)\n```\n",
    2: "See [the heading](/posts/p1/#first-heading) and [p3](/posts/p3/).\n",
    3: "Plain words.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    4: "A figure:\n\n" + plot(1),
    5: "Last words.\n",
}


def write_site(root: Path, bodies: dict[int, str] | None = None) -> None:
    (root / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for n, body in (bodies or BODIES).items():
        (root / "content" / "posts" / f"p{n}.md").write_text(post(n, body), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(site: Path, out: Path, **options: object) -> BuildReport:
    report = build(BuildOptions(source=site, destination=out, now=NOW,
                                **options))  # type: ignore[arg-type]
    assert report.ok, report.problems
    return report


def from_scratch(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a first build of the same sources writes (another copy, no build cache)."""
    copy = tmp_path / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".figdown-cache"))
    shutil.rmtree(copy / "figures", ignore_errors=True)
    run(copy, tmp_path / "fresh-out")
    return tree(tmp_path / "fresh-out")


def edit(site: Path, n: int, body: str, **front: str) -> None:
    (site / "content" / "posts" / f"p{n}.md").write_text(post(n, body, **front),
                                                          encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_site(root)
    run(root, tmp_path / "out")
    return root


QUICK_EDITS = {
    "a word": (3, BODIES[3].replace("Plain", "Simple")),
    "a heading no link points to": (5, "## New heading\n\nLast words.\n"),
    "a new link to another page": (5, "Last words, and [p1](/posts/p1/).\n"),
    "the figure's code": (4, "A figure:\n\n" + plot(2)),
    "math": (1, BODIES[1].replace("x^2", r"\frac{a}{b}")),
}


@pytest.mark.parametrize("change", sorted(QUICK_EDITS))
def test_a_prose_edit_makes_only_that_page_again(site: Path, tmp_path: Path,
                                                 change: str) -> None:
    out = tmp_path / "out"
    n, body = QUICK_EDITS[change]
    before = {path: (out / path).stat().st_mtime_ns for path in tree(out)}
    edit(site, n, body)
    report = run(site, out)
    assert report.edited == (f"content/posts/p{n}.md",)
    after = tree(out)
    assert after == from_scratch(site, tmp_path)
    rewritten = sorted(path for path in after if (out / path).stat().st_mtime_ns != before[path])
    allowed = {f"posts/p{n}/index.html", "index.json", "posts/p4/curve.svg",
               "posts/p4/curve.card.png"}
    assert rewritten and set(rewritten) <= allowed


def write(site: Path, rel: str, text: str) -> None:
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    (site / rel).write_text(text, encoding="utf-8")


FULL_EDITS: dict[str, Callable[[Path], None]] = {
    "the summary": lambda site: write(
        site, "content/posts/p3.md", post(3, BODIES[3]).replace("Summary of", "Now")),
    "the title": lambda site: edit(site, 3, BODIES[3], title="Third"),
    "the tags": lambda site: edit(site, 3, BODIES[3], tags="[c]"),
    "a new post": lambda site: write(site, "content/posts/p6.md", post(6, "New.")),
    "a removed post": lambda site: (site / "content/posts/p5.md").unlink(),
    "the config": lambda site: write(site, "config.yaml", CONFIG.replace("Test blog", "Other")),
    "a static file": lambda site: write(site, "static/x.txt", "x"),
    "the reading time": lambda site: edit(site, 3, "word " * 400),
    "a second figure": lambda site: edit(site, 4, "Two:\n\n" + plot(1) + "\n"
                                         + plot(3, "other")),
    "a block that draws nothing": lambda site: edit(
        site, 4, "A figure:\n\n" + plot(1) + "\n```python {exec=true}\nx = 1\n```\n"),
}


@pytest.mark.parametrize("change", sorted(FULL_EDITS))
def test_other_changes_build_in_full_and_write_the_same(site: Path, tmp_path: Path,
                                                        change: str) -> None:
    FULL_EDITS[change](site)
    report = run(site, tmp_path / "out")
    assert report.edited == ()
    assert tree(tmp_path / "out") == from_scratch(site, tmp_path)


def test_edit_after_edit_keeps_writing_what_a_full_build_writes(site: Path,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    for round_, n in enumerate([3, 5, 3, 1, 4, 5]):
        body = BODIES[n] + f"\nMore words, round {round_}.\n"
        if n == 4:
            body = "A figure:\n\n" + plot(round_ + 5)
        edit(site, n, body)
        assert run(site, out).edited == (f"content/posts/p{n}.md",)
    assert tree(out) == from_scratch(site, tmp_path)
    # and a build with nothing changed since is a no-op
    assert run(site, out).edited == ()


def test_a_broken_link_stops_a_quick_rebuild_and_keeps_the_output(site: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = tree(out)
    # p2 links to p1's heading: renaming the heading breaks p2, which was not edited
    edit(site, 1, BODIES[1].replace("First heading", "Renamed"))
    report = build(BuildOptions(source=site, destination=out, now=NOW))
    assert not report.ok
    errors = [str(p) for p in report.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith("content/posts/p2.md:") \
        and "#first-heading" in errors[0]
    said = [str(p) for p in report.problems]
    assert len(said) == len(set(said)), "a problem reported twice"
    assert tree(out) == before


def test_with_warn_links_a_link_an_edit_broke_is_said_until_fixed(site: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(site, out, warn_links=True)
    edit(site, 1, BODIES[1].replace("First heading", "Renamed"))
    report = run(site, out, warn_links=True)
    assert report.edited == ("content/posts/p1.md",)
    assert [p.path for p in report.problems if "#first-heading" in p.message] == [
        "content/posts/p2.md"]
    edit(site, 5, "Other words.\n")
    report = run(site, out, warn_links=True)
    assert report.edited == ("content/posts/p5.md",)
    assert [p.path for p in report.problems if "#first-heading" in p.message] == [
        "content/posts/p2.md"]
    edit(site, 1, BODIES[1])
    report = run(site, out, warn_links=True)
    assert report.edited == ("content/posts/p1.md",)
    assert not report.problems
    assert tree(out) == from_scratch(site, tmp_path)


def test_a_failing_block_stops_a_quick_rebuild_and_keeps_the_output(site: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = tree(out)
    edit(site, 4, "A figure:\n\n" + plot("1 / 0"))
    report = build(BuildOptions(source=site, destination=out, now=NOW))
    assert not report.ok
    errors = [str(p) for p in report.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith("content/posts/p4.md:")
    assert "ZeroDivisionError" in errors[0]
    assert tree(out) == before


def test_warnings_of_other_pages_are_reported_again(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, {**BODIES, 5: "{{< unknown >}}\n"})
    first = run(root, tmp_path / "out")
    warned = sorted(str(p) for p in first.problems)
    assert any("unknown" in w for w in warned)
    edit(root, 3, "Changed words.\n")
    again = run(root, tmp_path / "out")
    assert again.edited == ("content/posts/p3.md",)
    assert sorted(str(p) for p in again.problems) == warned


@pytest.mark.parametrize("damage", ["site record", "edits record", "edits of another site",
                                    "output changed by hand"])
def test_what_cannot_be_trusted_means_a_full_build(site: Path, tmp_path: Path,
                                                   damage: str) -> None:
    out = tmp_path / "out"
    site_record, edits_record = snapshot_records(output_records(site / ".figdown-cache", out))
    edit(site, 3, "A first edit.\n")
    assert run(site, out).edited  # the edits record exists now
    if damage == "site record":
        site_record.write_bytes(site_record.read_bytes()[:-100] + b"x" * 100)
    elif damage == "edits record":
        data = bytearray(edits_record.read_bytes())
        data[-10] ^= 1
        edits_record.write_bytes(bytes(data))
    elif damage == "edits of another site":
        kept = edits_record.read_bytes()
        edit(site, 3, BODIES[3], title="Retitled")  # a full build: a new site record
        run(site, out)
        edits_record.write_bytes(kept)
    else:
        (out / "posts" / "p5" / "index.html").write_text("by hand", encoding="utf-8")
    edit(site, 3, "A second edit.\n")
    assert run(site, out).edited == ()
    assert tree(out) == from_scratch(site, tmp_path)


def test_more_edits_than_a_handful_build_in_full(site: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quick, "MOST_EDITS", 1)
    edit(site, 3, "One.\n")
    edit(site, 5, "Two.\n")
    assert run(site, tmp_path / "out").edited == ()
    assert tree(tmp_path / "out") == from_scratch(site, tmp_path)


def test_a_site_with_its_own_layouts_always_builds_in_full(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    root = tmp_path / "site"
    write_site(root)
    theme = theme_dir() / "layouts"
    shutil.copytree(theme, root / "layouts")
    run(root, tmp_path / "out")
    edit(root, 3, "Changed.\n")
    assert run(root, tmp_path / "out").edited == ()
    records = output_records(root / ".figdown-cache", tmp_path / "out")
    assert not snapshot_records(records)[0].exists()


def test_a_quick_rebuild_writes_each_file_whole(site: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills up halfway: no file is left half written, none replaced."""
    out = tmp_path / "out"
    before = tree(out)
    edit(site, 3, "Changed words.\n")
    real = Path.write_bytes
    written: list[Path] = []

    def full_disk(path: Path, data: bytes) -> int:
        if path.is_relative_to(tmp_path) and path.relative_to(tmp_path).parts[0].startswith(
                ".out.new-"):  # the copy of the output folder it stages
            written.append(path)
            if len(written) == 2:
                raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    report = build(BuildOptions(source=site, destination=out, now=NOW))
    assert not report.ok and "cannot read or write" in str(report.problems[-1])
    monkeypatch.undo()
    assert len(written) == 2
    assert tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert os.listdir(out)  # the output is still there


def test_each_output_folder_keeps_its_own_snapshot(site: Path, tmp_path: Path) -> None:
    """A preview build elsewhere (as `serve` makes) leaves the next build of `out` quick."""
    out, preview = tmp_path / "out", tmp_path / "preview"
    edit(site, 3, "Seen in the preview.\n")
    assert run(site, preview, drafts=True).edited == ()  # its own first build: a full one
    edit(site, 5, "Seen in the preview too.\n")
    assert run(site, preview, drafts=True).edited == ("content/posts/p5.md",)
    assert run(site, out).edited == ("content/posts/p3.md", "content/posts/p5.md")
    assert tree(out) == from_scratch(site, tmp_path)
    # only the output folders built last keep theirs
    for n in range(KEPT):
        run(site, tmp_path / f"other-{n}")
    cache = site / ".figdown-cache"
    assert len(list(cache.glob("output-*"))) == KEPT
    assert not output_records(cache, out).exists()
    assert output_records(cache, tmp_path / f"other-{KEPT - 1}").is_dir()


def test_a_long_session_of_mixed_edits_always_matches_a_build_from_scratch(
        site: Path, tmp_path: Path) -> None:
    """Quick and full rebuilds in any order, each one checked against a fresh build."""
    import random

    chooser = random.Random(7)
    out = tmp_path / "out"
    quick_ones = 0
    for step in range(14):
        n = chooser.choice([1, 2, 3, 5])
        kind = chooser.choice(["prose", "prose", "prose", "heading", "title", "new", "remove"])
        if kind == "prose":
            edit(site, n, BODIES[n] + f"\nStep {step} adds a sentence.\n")
        elif kind == "heading":
            edit(site, n, BODIES[n] + f"\n## Step {step}\n\nText.\n")
        elif kind == "title":
            edit(site, n, BODIES[n], title=f"Post {n}, step {step}")
        elif kind == "new":
            write(site, f"content/posts/extra-{step}.md", post(20, f"Extra {step}."))
        else:
            for extra in sorted((site / "content" / "posts").glob("extra-*.md"))[:1]:
                extra.unlink()
        report = run(site, out)
        quick_ones += bool(report.edited)
        assert tree(out) == from_scratch(site, tmp_path), (step, kind, n)
    assert 3 <= quick_ones < 14  # both kinds of rebuild were exercised


def test_a_content_error_in_a_full_build_keeps_the_snapshot(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = site / "content" / "posts" / "p3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Post 3", "title: [x"),
                    encoding="utf-8")
    assert not build(BuildOptions(source=site, destination=out, now=NOW)).ok
    edit(site, 3, "Fixed, and new words.\n")
    assert run(site, out).edited == ("content/posts/p3.md",)
    assert tree(out) == from_scratch(site, tmp_path)
