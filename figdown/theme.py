"""Where the default theme is: the one copy of `layouts/` and `static/`."""

from __future__ import annotations

from pathlib import Path


def theme_dir() -> Path:
    """The default theme: `layouts/` and `static/` of the figdown checkout or installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent, here / "_theme"):
        if (candidate / "layouts" / "base.html").is_file():
            return candidate
    return here / "_theme"
