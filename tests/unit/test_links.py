"""Broken internal links fail the build, reported at the Markdown line that wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest

from figdown.cache.filememo import RecordFiles
from figdown.cache.link_index import LinkIndexFile
from figdown.cli import main
from figdown.markdown.engine import Link
from figdown.output.links import check_links

NOTE = "---\ntitle: Note\ndate: 2024-01-01\n---\n\n## Intro\n\nNote text.\n"


def make_site(root: Path, body: str, base_url: str = "https://example.org/") -> Path:
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text(f"baseURL: {base_url}\ntitle: T\n", encoding="utf-8")
    (site / "content" / "posts" / "note.md").write_text(NOTE, encoding="utf-8")
    # front matter is lines 1-5, a blank line 6: the body starts on line 7
    (site / "content" / "posts" / "a.md").write_text(
        "---\ntitle: A\ndate: 2024-01-02\ntags: [x]\n---\n\n" + body, encoding="utf-8")
    return site


def build(site: Path, out: Path, *flags: str) -> int:
    return main(["-s", str(site), "-d", str(out), *flags])


def errors_of(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines()
            if line.startswith(("error:", "warning:"))]


def test_missing_page_is_reported_once_at_its_line_with_a_guess(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, "Intro.\n\nSee [the note](/posts/nope/).\n")
    assert build(site, tmp_path / "out") == 1
    assert errors_of(capsys) == [
        "error: content/posts/a.md:9: broken link /posts/nope/ (did you mean /posts/note/?)"
        " — fix the link or add the page"]
    assert not (tmp_path / "out").exists()


def test_missing_fragment_on_another_page(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, "See [intro](/posts/note/#intro) and [x](/posts/note/#intra).\n")
    assert build(site, tmp_path / "out") == 1
    assert errors_of(capsys) == [
        "error: content/posts/a.md:7: broken link /posts/note/#intra "
        "(did you mean /posts/note/#intro?) — fix the link or add the page"]


def test_missing_fragment_on_the_same_page(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, "## Setup\n\nText.\n\nBack to [setup](#setup), [x](#setpu).\n")
    assert build(site, tmp_path / "out") == 1
    assert errors_of(capsys) == [
        "error: content/posts/a.md:11: broken link #setpu (did you mean #setup?)"
        " — fix the link or add the page"]


def test_missing_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, "Text.\n\n![plot](/images/plot.png)\n")
    assert build(site, tmp_path / "out") == 1
    assert "content/posts/a.md:9: broken link /images/plot.png" in errors_of(capsys)[0]


def test_good_links_relative_links_and_external_links_pass(tmp_path: Path) -> None:
    site = make_site(tmp_path, "[a](/posts/note/) [b](../note/#intro) [c](/tags/x/) "
                     "[d](https://nowhere.invalid/x) [e](mailto:a@b.c) [f](/index.xml)\n")
    assert build(site, tmp_path / "out") == 0


def test_raw_html_link_in_markdown_is_checked_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, 'Text.\n\n<div>\n<a href="/posts/nope/">x</a>\n</div>\n')
    assert build(site, tmp_path / "out") == 1
    assert errors_of(capsys)[0].startswith(
        "error: content/posts/a.md:10: broken link /posts/nope/ (did you mean /posts/note/?)")


def test_base_path_links_are_rewritten_and_escapes_caught(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("Markdown links get the base: [note](/posts/note/).\n\n"
            'Raw HTML does not: <a href="/posts/note/">note</a>.\n')
    site = make_site(tmp_path, body, base_url="https://example.org/blog/")
    assert build(site, tmp_path / "out") == 1
    assert errors_of(capsys) == [
        "error: content/posts/a.md:9: broken link /posts/note/ "
        "(did you mean /blog/posts/note/?) — fix the link or add the page"]


def test_base_path_site_with_good_links_builds(tmp_path: Path) -> None:
    body = '[note](/posts/note/) <a href="/blog/posts/note/#intro">raw</a> [up](../)\n'
    site = make_site(tmp_path, body, base_url="https://example.org/blog/")
    out = tmp_path / "out"
    assert build(site, out) == 0
    page = (out / "posts" / "a" / "index.html").read_text(encoding="utf-8")
    assert 'href="/blog/posts/note/"' in page


def test_warn_links_reports_and_builds(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, "See [the note](/posts/nope/).\n")
    out = tmp_path / "out"
    assert build(site, out, "--warn-links") == 0
    assert errors_of(capsys) == [
        "warning: content/posts/a.md:7: broken link /posts/nope/ (did you mean /posts/note/?)"
        " — fix the link or add the page"]
    assert (out / "posts" / "a" / "index.html").is_file()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_template_link_on_every_page_is_reported_once(tmp_path: Path) -> None:
    nav = '<a href="/abuot/">About</a>'
    tree = write_tree(tmp_path, {
        "index.html": f"<p>{nav}</p>", "about/index.html": f"<p>{nav}</p>",
        "posts/a/index.html": f'<p>{nav} <a href="/posts/b/">b</a></p>',
    })
    sources = {"/posts/a/": ("content/posts/a.md", (Link("/posts/b/", 12),))}
    found = [str(p) for p in check_links(tree, "/", sources)]
    assert found == [
        "output/about/index.html: broken link /abuot/ (did you mean /about/?)"
        " — fix the link or add the page",
        "content/posts/a.md:12: broken link /posts/b/ (did you mean /posts/a/?)"
        " — fix the link or add the page"]


def test_links_escaping_the_base_path(tmp_path: Path) -> None:
    tree = write_tree(tmp_path, {
        "index.html": '<a href="/blog/x/">in</a> <a href="/x/">out</a> <a href="x/">rel</a>'
                      ' <img src="/blog/x/p.png" srcset="/blog/x/p.png 1x, /p.png 2x">',
        "x/index.html": "x", "x/p.png": "png",
    })
    found = [p.message for p in check_links(tree, "/blog/", {})]
    assert found == ["broken link /x/ (did you mean /blog/x/?)",
                     "broken link /p.png (did you mean /blog/x/p.png?)"]


def test_footnotes_and_fragments_in_summaries_work_on_list_pages(tmp_path: Path) -> None:
    body = ("See [below](#details) and a note[^1].\n\n<!--more-->\n\n## Details\n\nMore.\n\n"
            "[^1]: The note.\n")
    site = make_site(tmp_path, body)
    out = tmp_path / "out"
    assert build(site, out) == 0
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/posts/a/#details"' in home
    assert "#fn:1" not in home  # the footnote marker does not point into the list page
    assert 'class="footnotes"' not in home and 'class="sidenote"' not in home


def test_a_recheck_with_the_index_finds_what_a_full_check_finds(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "out", {
        "index.html": '<a href="/a/#top">a</a> <a href="/b/">b</a>',
        "a/index.html": '<h1 id="top">A</h1> <a href="/">home</a>',
        "b/index.html": '<a href="/a/">a</a> <img src="/b/p.png">', "b/p.png": "png"})
    record = tmp_path / "cache" / "links.json"
    index = LinkIndexFile(record, RecordFiles())
    assert check_links(tree, "/", {}, index=index) == []
    assert record.is_file()
    assert check_links(tree, "/", {}, index=index) == []
    (tree / "a" / "index.html").write_text('<h1 id="start">A</h1>', encoding="utf-8")
    (tree / "b" / "p.png").unlink()
    full = [str(p) for p in check_links(tree, "/", {})]
    assert [str(p) for p in check_links(tree, "/", {}, index=index)] == full
    assert [str(p) for p in check_links(tree, "/", {}, index=index)] == full
    assert len(full) == 2
    (tree / "b" / "p.png").write_text("png", encoding="utf-8")
    (tree / "a" / "index.html").write_text('<h1 id="top">A</h1>', encoding="utf-8")
    assert check_links(tree, "/", {}, index=index) == []


def test_a_damaged_link_index_is_ignored(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "out", {"index.html": '<a href="/a/">a</a>',
                                         "a/index.html": "A"})
    record = tmp_path / "links.json"
    index = LinkIndexFile(record, RecordFiles())
    assert check_links(tree, "/", {}, index=index) == []
    (tree / "a" / "index.html").unlink()
    # a record that says every page is fine, edited without its checksum
    record.write_bytes(record.read_bytes().replace(b'"a/index.html"', b'"a/index.htm"'))
    assert [p.message for p in check_links(tree, "/", {}, index=index)] == [
        "broken link /a/"]
    record.write_bytes(b"garbage")
    assert [p.message for p in check_links(tree, "/", {}, index=index)] == [
        "broken link /a/"]
