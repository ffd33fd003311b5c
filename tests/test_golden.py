"""A small site built and compared byte for byte with `tests/golden/expected`.

After an intended change: `FIGDOWN_REGENERATE=1 pytest tests/test_golden.py`, then review
`git diff tests/golden/expected` before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import run_build

GOLDEN = Path(__file__).parent / "golden"
CLOCK = "2026-11-26T00:00:00Z"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_golden_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_build("-s", GOLDEN / "site", "-d", out, "--clock", CLOCK)
    assert result.returncode == 0, result.stderr
    expected = GOLDEN / "expected"
    if os.environ.get("FIGDOWN_REGENERATE"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
    built, wanted = tree(out), tree(expected)
    assert sorted(built) == sorted(wanted)
    for path, data in wanted.items():
        assert built[path] == data, f"{path} differs from tests/golden/expected/{path}"
