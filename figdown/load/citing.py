"""Which bibliography and CSL style a page cites from: its front matter's `bibliography:` and
`csl:` (relative to the page's folder), else the site's `params.bibliography` and `params.csl`
(relative to the content folder), else no bibliography and the shipped author-date style."""

from __future__ import annotations

import re
from pathlib import Path

from figdown.load.bibliography import DEFAULT_STYLE
from figdown.load.config import SiteConfig
from figdown.load.content import Page

# An `@` that may start a citation key: not inside a word (me@example.org) nor after a dot.
MAY_CITE = re.compile(r"(?<![\w.@])-?@\w")


def bibliography_paths(config: SiteConfig, page: Page) -> tuple[Path, Path] | None:
    """The page's bibliography file and style file, or None when it has no bibliography."""
    content = config.content_dir
    source = _named(page.front.params.get("bibliography"), page.source.parent, content) or \
        _named(config.params.get("bibliography"), content, content)
    if source is None:
        return None
    style = _named(page.front.params.get("csl"), page.source.parent, content) or _named(
        config.params.get("csl"), content, content) or DEFAULT_STYLE
    return source, style


def _named(value: object, folder: Path, content: Path) -> Path | None:
    """A path written in front matter or config: relative to `folder`, or to the content
    folder when it starts with `/`."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip()
    return content / name.lstrip("/") if name.startswith("/") else folder / name


__all__ = ["MAY_CITE", "bibliography_paths"]
