"""A Hugo site's own `layouts/` hold Go templates: figdown leaves them to Hugo."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import jinja2

from figdown.problems import Problem

# Go template actions Jinja2 has no use for: `{{ .Title }}`, `{{ define "main" }}`, `{{ end }}`…
_GO_ACTION = re.compile(
    r"\{\{-?\s*(?:\.|\$|/\*|(?:define|block|partial|partialCached|template|range|with|end|else"
    r"|if\s+(?:\.|\$|not|and|or|eq|ne|isset))\b)")


def is_go_template(text: str) -> bool:
    """Whether a layout file is a Hugo (Go) template rather than a Jinja2 one."""
    return _GO_ACTION.search(text) is not None


def go_templates(layouts: Path) -> list[Path]:
    """The Go templates under a site's `layouts/`, in a stable order."""
    if not layouts.is_dir():
        return []
    found = []
    for path in sorted(layouts.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".json"} and \
                is_go_template(path.read_text(encoding="utf-8", errors="replace")):
            found.append(path)
    return found


class SiteLayoutLoader(jinja2.FileSystemLoader):
    """The site's layouts, skipping Hugo's Go templates so the theme's are used instead."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if is_go_template(source):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def go_template_warning(root: Path, layouts: Path) -> Problem | None:
    """One warning naming the Go templates figdown does not use, or None."""
    found = go_templates(layouts)
    if not found:
        return None
    names = [p.relative_to(root).as_posix() for p in found]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return Problem(names[0], None, f"Hugo templates are not used ({shown}): figdown renders "
                   "with its own Jinja2 theme", "see README: Coming from Hugo", "warning")
