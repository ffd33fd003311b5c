"""`build.py serve` on a real site in a real browser: edit a post's Markdown, see it live."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, close_tab

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    for name in ("content", "lib", "figures"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "-s", str(site), "-p", "1400"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    url = None
    deadline = time.monotonic() + 120
    while url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        url = match.group(1) if match else None
        if not line and process.poll() is not None:
            break
    assert url, "the server did not print its address"
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


@pytest.fixture
def page(server: str, browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    tab.set_default_timeout(15000)
    tab.goto(server + "posts/relu/")
    tab.wait_for_function("window.__figdownLiveReload === true")
    yield tab
    close_tab(tab)


def test_a_saved_post_shows_up_in_the_open_tab(site: Path, page: Any) -> None:
    post = site / "content" / "posts" / "relu.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text + "\nA sentence added while the preview was open.\n",
                    encoding="utf-8")
    page.wait_for_function(
        "document.body.innerText.includes('A sentence added while the preview was open.')")
    assert page.url.endswith("/posts/relu/")
    assert not (site / "output").exists()  # the preview never writes output/


def test_a_broken_front_matter_shows_an_overlay_until_fixed(site: Path, page: Any) -> None:
    post = site / "content" / "posts" / "relu.md"
    good = post.read_text(encoding="utf-8")
    post.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    overlay = page.locator("#figdown-overlay")
    overlay.wait_for(state="visible")
    assert "content/posts/relu.md:3: front matter is not valid YAML" in overlay.inner_text()
    page.evaluate("window.__broken = true")
    post.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached")
    # then the page reloads itself, and is live again
    page.wait_for_function("window.__broken === undefined && window.__figdownLiveReload")


def test_a_running_block_shows_in_the_tab_over_the_last_good_page(site: Path, server: str,
                                                                 browser: Any) -> None:
    tab = browser.new_page()
    tab.set_default_timeout(15000)
    tab.goto(server + "posts/tanh/")
    tab.wait_for_function("window.__figdownLiveReload === true")
    post = site / "content" / "posts" / "tanh.md"
    text = post.read_text(encoding="utf-8")
    figure = tab.locator("figure.block-figure img")
    assert figure.count() == 1
    # The edited block sleeps: the tab says what runs, and for how long, while it does.
    fence = re.search(r'```python \{exec=true[^}]*id="tanh-plot"[^}]*\}\n', text)
    assert fence is not None
    post.write_text(text.replace(fence.group(0), fence.group(0) + "import time\n"
                                 "time.sleep(4)\n", 1), encoding="utf-8")
    status = tab.locator("#figdown-progress")
    status.wait_for(state="visible", timeout=30000)
    assert re.search(r"running tanh-plot in content/posts/tanh\.md, \d+ s",
                     status.inner_text())
    assert figure.count() == 1  # the last good figure stays until the new one is there
    tab.wait_for_function("!document.getElementById('figdown-progress')", timeout=60000)
    tab.wait_for_function("window.__figdownLiveReload === true")
    assert tab.locator("#figdown-overlay").count() == 0
    close_tab(tab)
