"""The preview in a real headless Chromium: edits on disk show up in the open tab."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import close_tab
from serve_support import Preview

from figdown.serve.server import PreviewServer

pytestmark = pytest.mark.browser

WAIT_MS = 5000





@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Preview]:
    running = Preview(tmp_path, watch=True)
    running.server.start()
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    opened = browser.new_context()
    opened.set_default_timeout(WAIT_MS)
    try:
        yield opened
    finally:
        for page in opened.pages:
            close_tab(page)
        opened.close()


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url)
    # The page is live once its shared worker has handed it the server's hello.
    page.wait_for_function("window.__figdownLiveReload === true")
    time.sleep(0.3)
    return page


def text_of(page: Any) -> str:
    return str(page.locator("#text").inner_text())


def test_prose_edit_shows_up_in_the_same_tab(watched: Preview, context: Any) -> None:
    page = open_page(context, watched.server.url + "about/")
    assert text_of(page) == "About this site"
    saved = time.monotonic()
    (watched.site.content_dir / "about.md").write_text("About this site, edited\n")
    page.wait_for_function("document.getElementById('text').textContent.includes('edited')")
    elapsed = time.monotonic() - saved
    assert page.url == watched.server.url + "about/"
    assert elapsed < 2.0, f"the edit took {elapsed:.2f} s to show"


def test_stylesheet_edit_is_swapped_without_a_reload(watched: Preview, context: Any) -> None:
    page = open_page(context, watched.server.url)
    color = "getComputedStyle(document.getElementById('text')).color"
    assert page.evaluate(color) == "rgb(0, 0, 255)"
    page.evaluate("window.__marker = 1")
    (watched.site.static_dir / "style.css").write_text("main { color: rgb(255, 0, 0); }\n")
    page.wait_for_function(f"{color} === 'rgb(255, 0, 0)'")
    assert page.evaluate("window.__marker") == 1  # a reload would have cleared it
    assert page.locator('link[rel="stylesheet"]').count() == 1


def test_error_overlay_appears_and_goes(watched: Preview, context: Any) -> None:
    page = open_page(context, watched.server.url + "about/")
    page_file = watched.site.content_dir / "about.md"
    page_file.write_text("BROKEN: 'unclosed\n")
    overlay = page.locator("#figdown-overlay[role=alert]")
    overlay.wait_for(state="visible")
    assert "content/about.md:1: front matter is not valid YAML" in overlay.inner_text()
    assert text_of(page) == "About this site"  # the last good page stays underneath
    page_file.write_text("About this site, fixed\n")
    overlay.wait_for(state="detached")
    page.wait_for_function("document.getElementById('text').textContent.includes('fixed')")
    assert page.url == watched.server.url + "about/"


def test_tab_opened_on_a_broken_site_shows_the_overlay(watched: Preview, context: Any) -> None:
    (watched.site.content_dir / "about.md").write_text("BROKEN\n")
    deadline = time.monotonic() + 5
    while not watched.server.broadcaster.state.problems and time.monotonic() < deadline:
        time.sleep(0.05)
    page = context.new_page()
    page.goto(watched.server.url)
    page.locator("#figdown-overlay").wait_for(state="visible")
    page.evaluate("window.__broken = true")
    (watched.site.content_dir / "about.md").write_text("About again\n")
    page.locator("#figdown-overlay").wait_for(state="detached")
    # then the page reloads itself, and is live again
    page.wait_for_function("window.__broken === undefined && window.__figdownLiveReload")


def test_tab_opened_on_a_broken_site_beside_an_open_tab_shows_the_overlay(
    watched: Preview, context: Any
) -> None:
    """The second tab learns the problems from the worker the first tab already shares."""
    first = open_page(context, watched.server.url)
    (watched.site.content_dir / "about.md").write_text("BROKEN\n")
    first.locator("#figdown-overlay").wait_for(state="visible")
    second = context.new_page()
    second.goto(watched.server.url + "about/")
    overlay = second.locator("#figdown-overlay")
    overlay.wait_for(state="visible")
    assert "content/about.md:1: front matter is not valid YAML" in overlay.inner_text()
    (watched.site.content_dir / "about.md").write_text("About again\n")
    for page in (first, second):
        page.locator("#figdown-overlay").wait_for(state="detached")


def test_many_tabs_all_follow_the_edits(watched: Preview, context: Any) -> None:
    pages = [open_page(context, watched.server.url) for _ in range(10)]
    # One shared event stream for all of them: browsers allow only six connections per host.
    assert watched.server.broadcaster.client_count == 1
    (watched.site.content_dir / "_index.md").write_text("Hello, every tab\n")
    for page in pages:
        page.wait_for_function("document.getElementById('text').textContent.includes('every')")
    # Fresh navigation still works while ten tabs hold the live connection.
    extra = context.new_page()
    extra.goto(watched.server.url + "about/")
    assert text_of(extra) == "About this site"


def test_tab_reloads_after_the_server_restarts(tmp_path: Path, context: Any) -> None:
    first = Preview(tmp_path, watch=False)
    first.server.start()
    port = first.port
    try:
        page = open_page(context, first.server.url)
    finally:
        first.server.stop()
    (first.site.content_dir / "_index.md").write_text("Hello after a restart\n")
    second = PreviewServer(
        first.build, first.preview, first.site, port=port, watch=False, echo=first.lines.append
    )
    second.start()
    try:
        assert second.port == port
        page.wait_for_function("document.getElementById('text').textContent.includes('restart')")
    finally:
        second.stop()


def test_pages_in_the_browser_carry_the_script_but_files_do_not(
    watched: Preview, context: Any
) -> None:
    page = open_page(context, watched.server.url)
    assert page.locator('script[src="/__figdown/reload.js"]').count() == 1
    for path in watched.preview.rglob("*.html"):
        assert "__figdown" not in path.read_text()


def test_browsers_without_shared_workers_connect_directly(watched: Preview, context: Any) -> None:
    context.add_init_script("delete window.SharedWorker;")
    page = open_page(context, watched.server.url)
    assert page.evaluate("typeof window.SharedWorker") == "undefined"
    (watched.site.content_dir / "_index.md").write_text("Hello without a worker\n")
    page.wait_for_function("document.getElementById('text').textContent.includes('without')")
    (watched.site.static_dir / "style.css").write_text("main { color: rgb(0, 128, 0); }\n")
    page.wait_for_function(
        "getComputedStyle(document.getElementById('text')).color === 'rgb(0, 128, 0)'"
    )
