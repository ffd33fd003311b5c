"""The example site's numbered figures in a real headless Chromium: a reference jumps to its
figure, folded code opens, and panels sit side by side on a wide screen, stacked on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import run_build
from theme_support import serve

pytestmark = pytest.mark.browser

POST = "/posts/leaky-relu/"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("example") / "output"
    result = run_build("-d", out)
    assert result.returncode == 0, result.stderr
    with serve(out) as url:
        yield url


def _open(browser: Any, site_url: str, width: int) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site_url + POST)
    return context, page


def test_a_reference_jumps_to_its_figure(browser: Any, site_url: str) -> None:
    context, page = _open(browser, site_url, 1280)
    try:
        link = page.locator('a.figref[href="#relu-and-leaky-b"]')
        assert link.inner_text() == "Figure 3 (b)"
        link.click()
        page.wait_for_function("location.hash === '#relu-and-leaky-b'")
        page.wait_for_function(
            """() => { const r = document.getElementById('relu-and-leaky-b')
                                 .getBoundingClientRect();
                       return r.top >= -1 && r.top < innerHeight / 2; }""", timeout=5000)
    finally:
        context.close()


def test_folded_code_opens_on_a_click(browser: Any, site_url: str) -> None:
    context, page = _open(browser, site_url, 1280)
    try:
        fold = page.locator("details.code-fold").first
        code = fold.locator("pre")
        assert not code.is_visible()
        fold.locator("summary").click()
        assert code.is_visible()
        assert "plot_activation" in code.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize(("width", "side_by_side"), [(1280, True), (375, False)])
def test_panels_sit_side_by_side_on_a_wide_screen_and_stack_on_a_phone(
        browser: Any, site_url: str, width: int, side_by_side: bool) -> None:
    context, page = _open(browser, site_url, width)
    try:
        boxes = [page.locator(f"#relu-and-leaky-{letter}").bounding_box() for letter in "ab"]
        a, b = boxes
        assert a is not None and b is not None
        if side_by_side:
            assert abs(a["y"] - b["y"]) < 2 and b["x"] >= a["x"] + a["width"]
        else:
            assert b["y"] >= a["y"] + a["height"] and abs(a["x"] - b["x"]) < 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no overflow
    finally:
        context.close()
