"""The example site's animations in a real headless Chromium: they load and play, and stay
still for a reader who asked for reduced motion."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import run_build
from theme_support import serve

pytestmark = pytest.mark.browser

PAGES = {"/posts/relu/": "relu-gradient-flow", "/posts/leaky-relu/": "dead-units"}



@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("example") / "output"
    result = run_build("-d", out)
    assert result.returncode == 0, result.stderr
    assert "Animations encoded" not in result.stdout  # the committed store has them
    with serve(out) as url:
        yield url




def _video_state(page: Any, block_id: str) -> dict[str, Any]:
    return dict(page.evaluate(
        """id => { const v = document.querySelector(`#${id} video`);
                   return {ready: v.readyState, time: v.currentTime, paused: v.paused,
                           error: v.error && v.error.code}; }""",
        block_id,
    ))


@pytest.mark.parametrize("path", sorted(PAGES))
def test_the_animation_plays(browser: Any, site_url: str, path: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_url + path)
        block_id = PAGES[path]
        page.wait_for_function(
            f"document.querySelector('#{block_id} video').readyState === 4", timeout=10000
        )
        first = _video_state(page, block_id)["time"]
        time.sleep(1.0)
        state = _video_state(page, block_id)
        assert state["error"] is None and not state["paused"]
        assert state["ready"] == 4 and state["time"] > first
    finally:
        context.close()


@pytest.mark.parametrize("path", sorted(PAGES))
def test_the_animation_stays_still_for_reduced_motion(browser: Any, site_url: str,
                                                      path: str) -> None:
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(site_url + path)
        page.wait_for_load_state("load")
        time.sleep(1.0)
        state = _video_state(page, PAGES[path])
        assert state["paused"] and state["time"] == 0
        # The reader can still play it with the controls.
        page.evaluate(f"document.querySelector('#{PAGES[path]} video').play()")
        page.wait_for_function(
            f"document.querySelector('#{PAGES[path]} video').currentTime > 0", timeout=10000
        )
    finally:
        context.close()


def test_a_reader_who_turns_on_reduced_motion_stops_the_animation(browser: Any,
                                                                  site_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_url + "/posts/relu/")
        page.wait_for_function("!document.querySelector('#relu-gradient-flow video').paused")
        page.emulate_media(reduced_motion="reduce")
        page.wait_for_function("document.querySelector('#relu-gradient-flow video').paused")
    finally:
        context.close()
