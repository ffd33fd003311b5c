"""Figures in dark mode, in Chromium: an SVG's ink follows the colour scheme while its data
keeps the colours it was drawn in; raster figures and videos sit on a paper frame."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from figure_site import write_figure_site
from theme_support import build_site, serve

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark", "dark-toggle"]
DARK_PAGE = (22, 22, 22)  # --bg of the dark scheme, #161616


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("figures")
    build_site(folder / "public", write_figure_site(folder / "site"))
    with serve(folder / "public") as url:
        yield url


def open_post(browser: Any, origin: str, scheme: str) -> tuple[Any, Any]:
    context = browser.new_context(color_scheme="dark" if scheme == "dark" else "light",
                                  viewport={"width": 1440, "height": 900},
                                  device_scale_factor=1, reduced_motion="reduce")
    if scheme == "dark-toggle":
        context.add_init_script("localStorage.setItem('theme', 'dark')")
    page = context.new_page()
    page.goto(origin + "/posts/figures/")
    return context, page


def mean_colour(png: bytes) -> tuple[float, float, float]:
    from PIL import Image, ImageStat

    red, green, blue = ImageStat.Stat(Image.open(io.BytesIO(png)).convert("RGB")).mean
    return red, green, blue


def data_area(page: Any) -> tuple[float, float, float]:
    """The mean colour of the heat map's pixels, the colour bar and axes left out."""
    image = page.locator("#heat svg image").first
    image.scroll_into_view_if_needed()
    box = image.bounding_box()
    inset = 4  # clear of the spines drawn over the image's edge
    clip = {"x": box["x"] + inset, "y": box["y"] + inset,
            "width": box["width"] - 2 * inset, "height": box["height"] - 2 * inset}
    return mean_colour(page.screenshot(clip=clip))


def rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css)[:3])
    return red, green, blue


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def luminance(colour: tuple[int, int, int]) -> float:
        channels = [c / 255 for c in colour]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The paint of each ink element of a figure (by the role its style gives it) and of each
# data line, as the browser computes it.
PAINTS_JS = """(selector) => {
  const svg = document.querySelector(selector + ' svg');
  const result = {text: [], axis: [], data: []};
  for (const el of svg.querySelectorAll('text, use, path')) {
    const style = el.getAttribute('style') || '';
    const own = getComputedStyle(el);
    if (el.tagName === 'text' || el.tagName === 'use') result.text.push(own.fill);
    else if (/stroke: var\\(--fig-(axis|text)/.test(style)) result.axis.push(own.stroke);
    else if (/stroke: #/.test(style)) result.data.push(own.stroke);
  }
  return result;
}"""


@pytest.mark.parametrize("scheme", ["dark", "dark-toggle"])
def test_a_heat_map_keeps_its_colours_in_dark_mode(browser: Any, origin: str,
                                                   scheme: str) -> None:
    context, page = open_post(browser, origin, "light")
    light = data_area(page)
    context.close()
    context, page = open_post(browser, origin, scheme)
    dark = data_area(page)
    context.close()
    difference = sum(abs(a - b) for a, b in zip(light, dark, strict=True)) / 3
    assert difference < 2, f"data area light {light}, dark {dark}"
    assert dark[1] > dark[0] and dark[1] > dark[2] * 0.8, f"not viridis any more: {dark}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axis_labels_are_legible_on_the_page(browser: Any, origin: str, scheme: str) -> None:
    context, page = open_post(browser, origin, scheme)
    paints = page.evaluate(PAINTS_JS, "#heat")
    background = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    context.close()
    assert paints["text"], "the figure has no text"
    if scheme != "light":
        assert background == DARK_PAGE
    worst = min(contrast(rgb(fill), background) for fill in paints["text"])
    assert worst >= 4.5, f"figure text at {worst:.1f}:1 on {background} ({scheme})"


def test_a_line_plot_ink_follows_the_theme_and_its_data_does_not(browser: Any,
                                                                 origin: str) -> None:
    found = {}
    for scheme in ("light", "dark"):
        context, page = open_post(browser, origin, scheme)
        found[scheme] = page.evaluate(PAINTS_JS, "#line")
        context.close()
    light, dark = found["light"], found["dark"]
    assert light["axis"] and light["data"]
    assert set(light["axis"]) != set(dark["axis"]), "the spines and ticks did not change"
    assert all(rgb(paint)[0] > 120 for paint in dark["axis"]), dark["axis"]
    assert light["data"] == dark["data"]  # the lines keep their colours
    assert "rgb(47, 119, 201)" in dark["data"]  # the palette's blue


def test_a_video_sits_on_a_paper_frame_in_dark_mode(browser: Any, origin: str) -> None:
    frames = {}
    for scheme in ("light", "dark"):
        context, page = open_post(browser, origin, scheme)
        frames[scheme] = page.evaluate("""() => {
          const video = document.querySelector('#dot video');
          const style = getComputedStyle(video);
          return {padding: parseFloat(style.paddingTop), background: style.backgroundColor,
                  radius: parseFloat(style.borderTopLeftRadius)};
        }""")
        context.close()
    assert frames["light"]["padding"] == 0
    assert frames["dark"]["padding"] >= 6 and frames["dark"]["radius"] > 0
    assert frames["dark"]["background"] == "rgb(255, 255, 255)"
