"""Feeds, sitemap and pages are valid, and user text is escaped wherever it is written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import html5lib
import pytest
import xmlschema

from figdown.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]
NASTY = """<script>alert("x")</script> & 'single' "double" a<b"""

CONFIG = """\
baseURL: https://example.org/blog/
title: "Tom & Jerry's <blog>"
params:
  description: 'Cats & mice <script>alert(1)</script> "quoted"'
taxonomies:
  tag: tags
  category: categories
"""

POSTS = {
    "nasty.md": f"""---
title: '{NASTY.replace("'", "''")}'
date: 2024-03-01T10:00:00+01:00
tags: ["<b>bold</b>", "R&D", 'say "hi"', "C++"]
categories: ["Q&A <i>"]
description: "Desc & <script>x</script> \\"q\\""
summary: "A summary with a [link](/posts/plain/) & an <em>emphasis</em>."
author: '<img src=x onerror=alert(1)>'
---

Body with a [relative link](../plain/), an [absolute one](/posts/plain/#section),
an image ![alt "q" & <x>](/posts/plain/pic.svg) and control characters: \x01\x0b\x7f\x85.

## Section & more

Text with `<code>` & entities &amp; &lt;.
""",
    "plain.md": """---
title: "Plain \\u0001 control \\x0b char"
date: 2024-02-01
tags: [plain]
---

## Section

Plain text, see [nasty](/posts/nasty/).
""",
    "pictures.md": """---
title: Pictures
date: 2024-01-01
---

<img src="/blog/posts/plain/pic.svg" alt="p"
  srcset="/blog/posts/plain/pic.svg 1x, /blog/posts/plain/pic.svg 2x">
See [plain](../plain/#section) and [here](#more).

<!--more-->

## More
""",
    "plain/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validity")
    site = root / "site"
    (site / "content" / "posts" / "plain").mkdir(parents=True)
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for name, text in POSTS.items():
        target = site / "content" / "posts" / name
        if name == "plain.md":
            target = site / "content" / "posts" / "plain" / "index.md"
        target.write_text(text, encoding="utf-8")
    out = root / "out"
    assert main(["-q", "-s", str(site), "-d", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    assert main(["-q", "-s", str(REPO), "-d", str(out),
                 "--base-url", "https://example.org/activations/"]) == 0
    return out


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


@pytest.mark.parametrize("which", ["built", "example"])
def test_every_html_page_parses_strictly(which: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(which)
    failures = []
    for page in html_pages(out):
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as err:
            failures.append(f"{page.relative_to(out)}: {err}")
    assert failures == []
    assert len(html_pages(out)) > 5


@pytest.mark.parametrize("which", ["built", "example"])
def test_feeds_parse_and_validate(which: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(which)
    feeds = sorted(out.rglob("index.xml"))
    assert feeds
    for feed in feeds:
        ET.parse(feed)
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.bozo == 0, (feed, parsed.get("bozo_exception"))
        assert parsed.feed.link.startswith("https://example.org/")
        for entry in parsed.entries:
            assert entry.link.startswith("https://example.org/"), entry.link
            links = [*_attr_values(entry.get("summary", ""), "href"),
                     *_attr_values(entry.get("summary", ""), "src")]
            for link in links:
                assert urlsplit(link).scheme in {"https", "mailto"}, (feed, link)


def _attr_values(html: str, name: str) -> list[str]:
    import re
    return re.findall(rf'\s{name}="([^"]*)"', html)


def test_feed_namespaces_are_declared_and_dates_are_rfc822(built: Path) -> None:
    text = (built / "index.xml").read_text(encoding="utf-8")
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in text
    channel = ET.parse(built / "index.xml").getroot().find("channel")
    assert channel is not None
    parsed = feedparser.parse((built / "index.xml").read_bytes())
    assert parsed.feed.get("updated_parsed") is not None
    for entry in parsed.entries:
        assert entry.get("published_parsed") is not None


@pytest.mark.parametrize("which", ["built", "example"])
def test_sitemap_validates_against_the_schema(which: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(which)
    schema = xmlschema.XMLSchema(DATA / "sitemap.xsd")
    schema.validate(str(out / "sitemap.xml"))
    locs = [e.text or "" for e in ET.parse(out / "sitemap.xml").iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith("https://example.org/") for loc in locs)


def test_user_text_is_escaped_in_html(built: Path) -> None:
    page = (built / "posts" / "nasty" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "onerror=alert" not in page or "&lt;img src=x onerror" in page
    assert "&lt;script&gt;alert(" in page
    assert "<b>bold</b>" not in page
    for listing in ("index.html", "posts/index.html", "tags/index.html",
                    "categories/index.html"):
        text = (built / listing).read_text(encoding="utf-8")
        assert "<script>" not in text, listing
        assert "<b>bold</b>" not in text, listing


def test_user_text_is_escaped_in_attributes(built: Path) -> None:
    doc = html5lib.parse((built / "posts" / "nasty" / "index.html").read_bytes(),
                         namespaceHTMLElements=False)
    description = doc.find(".//meta[@name='description']")
    assert description is not None
    assert description.get("content") == 'Desc & <script>x</script> "q"'
    title = doc.find(".//title")
    assert title is not None and NASTY in (title.text or "")
    image = doc.find(".//img")
    # curly quotes in alt text too, as Hugo's typographer writes them
    assert image is not None and image.get("alt") == "alt \u201cq\u201d & <x>"


def test_user_text_is_escaped_in_xml(built: Path) -> None:
    feed = ET.parse(built / "index.xml").getroot()
    titles = [t.text for t in feed.iter("title")]
    assert "Tom & Jerry's <blog>" in titles
    assert NASTY in titles
    description = feed.find("channel/description")
    assert description is not None
    assert description.text == 'Cats & mice <script>alert(1)</script> "quoted"'
    # `<b>bold</b>` is at tags/bbold/b/: Hugo keeps the slash of a term as a folder
    term_feed = sorted(p for p in (built / "tags").rglob("index.xml") if p.parent != built / "tags")
    assert len(term_feed) == 5
    for path in term_feed:
        ET.parse(path)


def test_control_characters_never_reach_the_output(built: Path) -> None:
    bad = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]}
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".xml"}:
            text = path.read_text(encoding="utf-8")
            assert not bad & set(text), path


def test_links_in_feed_descriptions_are_absolute(built: Path) -> None:
    import re
    for feed in sorted(built.rglob("index.xml")):
        for description in ET.parse(feed).getroot().iter("description"):
            text = description.text or ""
            values = re.findall(r'\s(?:href|src|srcset)="([^"]*)"', text)
            for value in values:
                for candidate in value.split(","):
                    assert candidate.strip().startswith("https://example.org/blog/"), (
                        feed, candidate)
    home = ET.parse(built / "index.xml").getroot()
    assert any("srcset" in (d.text or "") for d in home.iter("description"))
