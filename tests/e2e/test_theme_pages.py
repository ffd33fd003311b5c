"""The built example site's HTML: metadata, one h1, alt text, nothing loaded from elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from theme_support import ROOT, build_site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "public"
    build_site(out)
    return out


def pages(built: Path) -> dict[str, str]:
    """Every HTML page that is not a redirect, by its path in the site."""
    found = {}
    for file in sorted(built.rglob("*.html")):
        text = file.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' not in text:
            found[file.relative_to(built).as_posix()] = text
    return found


def test_every_page_has_one_h1_landmarks_and_a_skip_link(built: Path) -> None:
    for path, html in pages(built).items():
        assert len(re.findall(r"<h1\b", html)) == 1, path
        for landmark in ('<header class="site-header">', '<main id="main"', "<footer",
                         'aria-label="Main"', 'class="skip-link" href="#main"'):
            assert landmark in html, f"{path}: {landmark}"
        assert re.search(r'<html lang="[a-z]{2}', html), path


def test_every_image_has_alt_text(built: Path) -> None:
    for path, html in pages(built).items():
        for img in re.findall(r"<img\b[^>]*>", html):
            assert re.search(r'\balt="[^"]+"', img), f"{path}: {img}"


def test_pages_carry_sharing_metadata(built: Path) -> None:
    html = pages(built)["posts/relu/index.html"]
    for needle in ('<meta name="description" content="ReLU passes',
                   '<link rel="canonical" href="/posts/relu/">',
                   '<meta property="og:title" content="ReLU: the simplest nonlinearity',
                   '<meta property="og:type" content="article">',
                   '<meta property="article:published_time" content="2024-11-20',
                   '<meta name="twitter:card" content="summary',
                   '<link rel="alternate" type="application/rss+xml"',
                   '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'):
        assert needle in html, needle


def test_nothing_is_loaded_from_another_host(built: Path) -> None:
    resource = re.compile(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="([^"]+)"')
    for path, html in pages(built).items():
        for url in resource.findall(html):
            if 'rel="canonical"' in url:
                continue
            assert not re.match(r"(https?:)?//", url), f"{path}: {url}"
    css = (built / "css" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(http" not in css and "url(//" not in css


def test_menu_comes_from_the_config(built: Path) -> None:
    html = pages(built)["index.html"]
    menu = re.search(r'<nav class="menu" aria-label="Main">(.*?)</nav>', html, re.DOTALL)
    assert menu is not None
    names = re.findall(r">([^<]+)</a>", menu.group(1))
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    entries = sorted(config["menu"]["main"], key=lambda entry: entry.get("weight", 0))
    assert names == [entry["name"] for entry in entries]
    assert {"Archive", "Search"} <= set(names)


def test_archive_groups_every_post_by_year(built: Path) -> None:
    html = pages(built)["archives/index.html"]
    years = re.findall(r'<h2 id="year-(\d{4})">', html)
    assert years == sorted(years, reverse=True) and len(years) >= 2
    posts = [p for p in pages(built) if p.startswith("posts/") and p.count("/") == 2]
    assert html.count('<li><time datetime=') == len(posts)


def test_search_index_lists_every_post_with_its_text(built: Path) -> None:
    index = json.loads((built / "index.json").read_text(encoding="utf-8"))
    urls = {entry["url"] for entry in index}
    assert "/posts/relu/" in urls and "/archives/" not in urls and "/search/" not in urls
    relu = next(entry for entry in index if entry["url"] == "/posts/relu/")
    assert "relu" in relu["tags"] and "dying" in relu["text"].lower()
    assert 'class="anchor"' not in relu["text"] and "<a " not in relu["text"]
    assert "x < 0" in relu["text"]  # math is searchable as text


def test_headings_in_posts_link_to_themselves(built: Path) -> None:
    html = pages(built)["posts/relu/index.html"]
    assert ('<h2 id="definition">Definition <a class="anchor" href="#definition" '
            'aria-label="Link to this section">#</a></h2>') in html
