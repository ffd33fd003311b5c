"""The message for a library figdown needs that this Python does not have.

Standard library only: it is imported when an import of the others has just failed.
"""

from __future__ import annotations

import sys

# Import names whose distribution (what pip installs) is called otherwise.
_DISTRIBUTIONS = {
    "yaml": "PyYAML", "markdown_it": "markdown-it-py", "mdit_py_plugins": "mdit-py-plugins",
    "jinja2": "Jinja2", "markupsafe": "Jinja2", "pygments": "Pygments",
    "linkify_it": "linkify-it-py", "imageio_ffmpeg": "imageio-ffmpeg", "PIL": "Pillow",
}


def missing_library(err: ModuleNotFoundError) -> str | None:
    """One line naming the package to install, or None when the missing module is figdown's
    own (a bug, not the user's install)."""
    name = (err.name or "").split(".")[0]
    if not name or name == "figdown":
        return None
    package = _DISTRIBUTIONS.get(name, name)
    return (f"figdown: error: the Python package {package} is not installed for "
            f"{sys.executable} — run `{sys.executable} -m pip install {package}`, or all of "
            "figdown's with `pip install -e .` in its folder, or run build.py with the "
            "virtual environment's python (.venv/bin/python)")
