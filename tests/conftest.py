"""Shared test helpers: the repository root, a tiny-site writer, and running build.py."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("FIGDOWN_CHROMIUM", "/usr/bin/chromium")
# As root on a machine with no network but loopback: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def run_build(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` as a user would, capturing its output."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or REPO, timeout=600)


SiteWriter = Callable[[dict[str, str]], Path]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteWriter:
    """Write a site from {relative path: text}; returns its root."""
    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "site"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root
    return write


def close_tab(page: Any) -> None:
    """Close a tab once nothing is loading in it. A live-reload tab may be reloading itself
    when its test ends (the overlay goes, then the page reloads), and closing a tab in the
    middle of a navigation can leave Playwright waiting for ever; a navigation to
    about:blank (which has a timeout) ends any other one first."""
    page.goto("about:blank")
    page.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, one per test module; missing Chromium fails, never skips."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium`, or set "
                    "FIGDOWN_CHROMIUM to its path")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
