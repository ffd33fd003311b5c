"""A small site built and compared byte for byte with `tests/golden/expected`.

After an intended change: `FIGDOWN_REGENERATE=1 pytest tests/e2e/test_golden.py`, then review
`git diff tests/golden/expected` before committing it. The theme's static files (stylesheet,
scripts, favicon) are copied as they are: the test checks them against `static/` instead of
keeping a second copy of them in `expected/`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import REPO, run_build

GOLDEN = Path(__file__).parents[1] / "golden"
CLOCK = "2026-11-26T00:00:00Z"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def theme_copies() -> dict[str, bytes]:
    """The theme's static files that the golden site does not override."""
    own = tree(GOLDEN / "site" / "static")
    return {path: data for path, data in tree(REPO / "static").items() if path not in own}


def test_golden_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_build("-s", GOLDEN / "site", "-d", out, "--clock", CLOCK)
    assert result.returncode == 0, result.stderr
    expected = GOLDEN / "expected"
    copies = theme_copies()
    if os.environ.get("FIGDOWN_REGENERATE"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
        for path in copies:
            (expected / path).unlink()
    built, wanted = tree(out), {**tree(expected), **copies}
    assert sorted(built) == sorted(wanted)
    for path, data in wanted.items():
        assert built[path] == data, f"{path} differs from tests/golden/expected/{path}"
