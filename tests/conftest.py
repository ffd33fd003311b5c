"""Shared test helpers: the repository root, a tiny-site writer, and running build.py."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
