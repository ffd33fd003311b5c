"""Social cards: every example post with a figure gets an `og:image`, the 1200 × 630 PNG its
first figure was drawn as in the same run, published beside it, with its size declared."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from theme_support import ROOT, build_site_with

BASE = "https://example.org/blog/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cards") / "public"
    build_site_with(out, "--baseURL", BASE)
    return out


def meta(page: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    return html.unescape(found.group(1)) if found else None


def test_every_example_post_has_a_card_of_its_first_figure(built: Path) -> None:
    posts = [p for p in sorted((ROOT / "content" / "posts").glob("*.md"))
             if p.name != "_index.md"]
    assert len(posts) >= 10
    for post in posts:
        page = (built / "posts" / post.stem / "index.html").read_text(encoding="utf-8")
        image = meta(page, "og:image")
        assert image and image.startswith(BASE), f"{post.name}: og:image {image}"
        card = built / urlsplit(image).path.removeprefix(urlsplit(BASE).path)
        assert card.is_file(), f"{post.name}: {card} is not in the output"
        with Image.open(card) as picture:
            declared = (int(meta(page, "og:image:width") or 0),
                        int(meta(page, "og:image:height") or 0))
            assert picture.size == declared == (1200, 630), post.name
        assert meta(page, "og:image:type") == "image/png"
        assert meta(page, "twitter:card") == "summary_large_image"
        assert meta(page, "twitter:image") == image
        first = re.search(r'<figure id="([^"]+)" class="block-figure', page)
        assert first and card.name == f"{first.group(1)}.card.png", post.name


def test_a_page_without_a_figure_gets_a_text_card(built: Path) -> None:
    page = (built / "posts" / "index.html").read_text(encoding="utf-8")
    assert meta(page, "og:image") is None
    assert meta(page, "twitter:card") == "summary"
