"""What `build.py` says about a broken link: where it was written, and a guess only when close."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteWriter, run_build

from figdown.output.guesses import typing_distance


def post(title: str, body: str = "Text.\n", front: str = "") -> str:
    return f'---\ntitle: "{title}"\ndate: 2024-03-01\n{front}---\n\n{body}'


@pytest.fixture
def site(make_site: SiteWriter) -> Path:
    return make_site({
        "config.yaml": "baseURL: /\ntitle: T\n",
        "content/posts/tanh.md": post("tanh"),
        "content/posts/sigmoid.md": post("sigmoid"),
        "content/posts/mish.md": post("Mish", front="draft: true\n"),
        "content/posts/later.md": post("Later", front="publishDate: 2999-01-01\n"),
    })


def errors_of(site: Path, *args: str) -> list[str]:
    result = run_build("-s", site, *args)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def links_post(site: Path, body: str) -> None:
    (site / "content" / "posts" / "a.md").write_text(post("A", body), encoding="utf-8")


def test_a_link_is_reported_at_its_own_line_of_a_paragraph(site: Path) -> None:
    links_post(site, "First line of a paragraph,\nsecond,\nthird [x](/posts/nope-nope/)\n"
                     "and <a href=\"/posts/raw-html/\">fourth</a>\nand ![an\nimage](/no.png)\n"
                     "[y](/posts/after-the-image/).\n")
    found = errors_of(site)
    assert any(line.startswith("error: content/posts/a.md:8: broken link /posts/nope-nope/")
               for line in found), found
    assert any(line.startswith("error: content/posts/a.md:9: broken link /posts/raw-html/")
               for line in found), found
    assert any(line.startswith("error: content/posts/a.md:10: broken link /no.png")
               for line in found), found
    assert any(line.startswith("error: content/posts/a.md:12: broken link /posts/after-the-image/")
               for line in found), found


def test_a_link_close_to_a_draft_says_it_is_a_draft(site: Path) -> None:
    links_post(site, "See [mish](/posts/mihs/).\n")
    assert errors_of(site) == [
        "error: content/posts/a.md:6: broken link /posts/mihs/ (did you mean /posts/mish/? "
        "content/posts/mish.md is a draft: build with -D to include it) — fix the link or add "
        "the page"]


def test_a_link_to_a_page_left_out_says_why_and_how_to_include_it(site: Path) -> None:
    links_post(site, "See [mish](/posts/mish/)\nand [later](/posts/later/).\n")
    assert errors_of(site) == [
        "error: content/posts/a.md:6: broken link /posts/mish/: content/posts/mish.md is a "
        "draft — build with -D to include it, or link it once it is published",
        "error: content/posts/a.md:7: broken link /posts/later/: content/posts/later.md is "
        "dated in the future — build with -F to include it, or link it once it is published"]
    assert run_build("-s", site, "-D", "-F").returncode == 0


def test_guesses_that_are_not_close_are_not_offered(site: Path) -> None:
    links_post(site, "[a](../nothing-here/) [b](/posts/sigmoid-function/) [c](/post/tanh/)\n"
                     "[d](/posts/sigmod/)\n")
    assert errors_of(site) == [
        "error: content/posts/a.md:6: broken link ../nothing-here/ — fix the link or add the page",
        "error: content/posts/a.md:6: broken link /posts/sigmoid-function/ — fix the link or add "
        "the page",
        "error: content/posts/a.md:6: broken link /post/tanh/ (did you mean /posts/tanh/?) — fix "
        "the link or add the page",
        "error: content/posts/a.md:7: broken link /posts/sigmod/ (did you mean /posts/sigmoid/?) "
        "— fix the link or add the page"]


def test_a_failing_block_and_a_broken_link_are_reported_by_one_build(site: Path) -> None:
    assert run_build("-s", site).returncode == 0
    before = sorted(p.relative_to(site / "output").as_posix()
                    for p in (site / "output").rglob("*"))
    links_post(site, "A [link](/posts/nope/).\n\n```python {exec=true}\n"
                     "raise ValueError('boom')\n```\n")
    found = errors_of(site)
    assert found[0].startswith("error: content/posts/a.md:9: block fig-1: ValueError: boom")
    assert "error: content/posts/a.md:6: broken link /posts/nope/ — fix the link or add the " \
           "page" in found
    after = sorted(p.relative_to(site / "output").as_posix() for p in (site / "output").rglob("*"))
    assert after == before  # nothing of the failed build was written


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("mihs", "mish", 1), ("sigmod", "sigmoid", 1), ("relu", "relu", 0), ("tanh", "mish", 3),
    ("nothing-here", "tanh", 4),
])
def test_typing_distance(a: str, b: str, distance: int) -> None:
    assert typing_distance(a, b, limit=3) == min(distance, 4)
