"""Cite this post: BibTeX and plain text at the end of each post; `citation: false` is off."""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import SiteWriter, run_build

POST = ("---\ntitle: \"GELU & friends: 100% smooth\"\ndate: 2025-03-18\n{extra}---\n\n"
        "Text.\n")


def build(make_site: SiteWriter, params: str = "", extra: str = "") -> Path:
    root = make_site({
        "config.yaml": ("baseURL: https://example.org/blog/\ntitle: Plotted\nparams:\n"
                        f"  author: Ada Lovelace\n{params}"),
        "content/posts/gelu.md": POST.format(extra=extra),
        "content/about.md": "---\ntitle: About\n---\n\nAbout.\n",
    })
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 0, result.stderr
    return root / "output"


def block(page: str, name: str) -> str:
    found = re.search(rf'<pre id="cite-{name}"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert found, f"no {name} citation"
    return html.unescape(found.group(1))


def test_a_post_ends_with_its_bibtex_and_plain_text_citation(make_site: SiteWriter) -> None:
    page = (build(make_site) / "posts/gelu/index.html").read_text()
    assert block(page, "bibtex") == (
        "@misc{lovelace2025gelu,\n"
        "  author       = {Ada Lovelace},\n"
        "  title        = {{GELU \\& friends: 100\\% smooth}},\n"
        "  howpublished = {Plotted},\n"
        "  year         = {2025},\n"
        "  month        = mar,\n"
        "  url          = {https://example.org/blog/posts/gelu/},\n"
        "}")
    assert block(page, "text") == ("Ada Lovelace. “GELU & friends: 100% smooth.” Plotted, "
                                   "March 18, 2025. https://example.org/blog/posts/gelu/")
    assert page.index('class="content"') < page.index('class="cite-post"')
    assert '<button type="button" class="copy-button" data-copy="cite-bibtex" hidden>' in page


def test_a_page_outside_the_posts_has_none(make_site: SiteWriter) -> None:
    assert 'class="cite-post"' not in (build(make_site) / "about/index.html").read_text()


def test_citation_false_in_the_config_turns_it_off(make_site: SiteWriter) -> None:
    off = build(make_site, params="  citation: false\n")
    assert 'class="cite-post"' not in (off / "posts/gelu/index.html").read_text()


def test_citation_false_in_a_post_turns_it_off_there(make_site: SiteWriter) -> None:
    off = build(make_site, extra="citation: false\n")
    assert 'class="cite-post"' not in (off / "posts/gelu/index.html").read_text()


def test_the_post_setting_and_author_win_over_the_site(make_site: SiteWriter) -> None:
    out = build(make_site, params="  citation: false\n",
                extra="citation: true\nauthor: Grace Hopper\n")
    page = (out / "posts/gelu/index.html").read_text()
    assert block(page, "text").startswith("Grace Hopper. “GELU")
    assert block(page, "bibtex").startswith("@misc{hopper2025gelu,")
