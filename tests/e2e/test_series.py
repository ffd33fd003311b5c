"""Series: the `series` taxonomy, a "Part N of M" box on each post, the series page in order."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SiteWriter, run_build

CONFIG = ("baseURL: https://example.org/\ntitle: T\ntaxonomies:\n  tag: tags\n"
          "  series: series\n")


def post(title: str, date: str, series: str = '["From scratch"]') -> str:
    return f"---\ntitle: {title}\ndate: {date}\nseries: {series}\n---\n\nText of {title}.\n"


def build(make_site: SiteWriter) -> Path:
    root = make_site({
        "config.yaml": CONFIG,
        # written out of order: the series is read by date
        "content/posts/second.md": post("Second", "2024-02-01"),
        "content/posts/first.md": post("First", "2024-01-01"),
        "content/posts/third.md": post("Third", "2024-03-01"),
        "content/posts/alone.md": post("Alone", "2024-04-01", "[]"),
    })
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 0, result.stderr
    return root / "output"


def series_box(html: str) -> str:
    found = re.search(r'<nav class="series".*?</nav>', html, re.DOTALL)
    assert found, "no series box"
    return found.group(0)


def test_each_part_says_where_it_stands_and_lists_the_parts_in_order(
        make_site: SiteWriter) -> None:
    out = build(make_site)
    box = series_box((out / "posts/second/index.html").read_text())
    assert ('Part 2 of 3 in the series <a href="/series/from-scratch/">From scratch</a>'
            in box)
    assert re.findall(r"<li>(.*?)</li>", box) == [
        '<a href="/posts/first/">First</a>', '<span aria-current="page">Second</span>',
        '<a href="/posts/third/">Third</a>']
    assert "Part 1 of 3" in series_box((out / "posts/first/index.html").read_text())
    assert "Part 3 of 3" in series_box((out / "posts/third/index.html").read_text())
    assert 'class="series"' not in (out / "posts/alone/index.html").read_text()


def test_the_series_page_lists_its_parts_first_to_last(make_site: SiteWriter) -> None:
    out = build(make_site)
    page = (out / "series/from-scratch/index.html").read_text()
    titles = re.findall(r'<h2[^>]*><a href="/posts/(\w+)/"', page)
    assert titles == ["first", "second", "third"]
    assert "From scratch" in (out / "series/index.html").read_text()


def test_retitling_a_part_updates_the_box_of_every_other_part(make_site: SiteWriter) -> None:
    # eight parts: the last one's neighbours and five related posts leave the first out
    root = make_site({"config.yaml": CONFIG, **{
        f"content/posts/part{n}.md": post(f"Part {n}", f"2024-0{n}-01") for n in range(1, 9)}})
    out = root / "output"
    # twice: the first rebuild after a build from scratch renders every page anyway
    for title in ("Part one", "The first part"):
        assert run_build("-s", root, "-d", out).returncode == 0
        (root / "content/posts/part1.md").write_text(post(title, "2024-01-01"))
    result = run_build("-s", root, "-d", out)
    assert result.returncode == 0, result.stderr
    for n in range(2, 9):
        box = series_box((out / f"posts/part{n}/index.html").read_text())
        assert '<a href="/posts/part1/">The first part</a>' in box, n
