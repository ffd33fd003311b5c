"""`new`: start a content file from the site's archetype, or from the built-in one."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path, PurePosixPath

import jinja2
import yaml

BUILTIN_ARCHETYPE = """---
title: {{ title | yaml_string }}
date: {{ date }}
draft: true
tags: []
categories: []
---

"""
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


class ArchetypeError(ValueError):
    """The path asked for, or the archetype, cannot make a content file; one-line message."""


class ContentExistsError(FileExistsError):
    """The content file is already there; `new` never overwrites."""


def title_from_name(name: str) -> str:
    """`my-post` → `My Post`: dashes and underscores become spaces, words get a capital."""
    words = re.split(r"[-_\s]+", name.strip("-_ "))
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


def _content_parts(relpath: str, content_name: str) -> tuple[str, ...]:
    """The checked parts of `relpath` below content/; raises ArchetypeError when unsafe."""
    if "\\" in relpath or "\x00" in relpath:
        raise ArchetypeError(f"{relpath}: the path holds a backslash or a NUL — "
                             "use forward slashes, e.g. posts/my-post.md")
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts:
        raise ArchetypeError(
            f"{relpath}: the path leads out of {content_name}/ — "
            "give a path inside it, e.g. posts/my-post.md"
        )
    parts = tuple(part for part in path.parts if part != ".")
    if len(parts) > 1 and parts[0] == content_name:
        parts = parts[1:]  # `content/posts/x.md` means `posts/x.md`
    if not parts or not parts[-1].endswith(".md") or parts[-1] == ".md":
        raise ArchetypeError(f"{relpath}: not a Markdown file name — "
                             "end it in .md, e.g. posts/my-post.md")
    return parts


def _find_archetype(site_root: Path, section: str) -> tuple[str, str]:
    """The archetype's text and its name for messages: section, default, then built-in."""
    folder = site_root / "archetypes"
    names = [f"{section}.md"] if section else []
    for name in [*names, "default.md"]:
        candidate = folder / name
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8"), f"archetypes/{name}"
    return BUILTIN_ARCHETYPE, "the built-in archetype"


def render_archetype(text: str, name: str, values: dict[str, str]) -> str:
    """The archetype `text` rendered with `values`; errors name the archetype and line."""
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["yaml_string"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    known = ", ".join(sorted(values))
    try:
        rendered = environment.from_string(text).render(values)
    except jinja2.TemplateSyntaxError as error:
        raise ArchetypeError(
            f"{name}:{error.lineno}: {error.message} — archetypes are Jinja2 templates "
            f"(`{{{{ title }}}}`, not Hugo's `{{{{ .Title }}}}`)"
        ) from None
    except jinja2.UndefinedError as error:
        raise ArchetypeError(f"{name}: {error.message} — an archetype can use {known}") from None
    match = _FRONT_MATTER.match(rendered)
    if match:
        try:
            yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f":{mark.line + 2}" if mark is not None else ""
            raise ArchetypeError(
                f"{name}{line}: the front matter it makes is not valid YAML — "
                "quote values with `| yaml_string`"
            ) from None
    return rendered


def new_content(
    site_root: Path, relpath: str, now: datetime, content_dir: Path | None = None
) -> Path:
    """Create `content/<relpath>` from an archetype and return its path; never overwrites."""
    content = content_dir if content_dir is not None else site_root / "content"
    parts = _content_parts(relpath, content.name)
    stem = parts[-1][: -len(".md")]
    # A page bundle (`posts/gelu/index.md`) is named by its folder.
    if stem in ("index", "_index") and len(parts) > 1:
        stem = parts[-2]
    section = parts[0] if len(parts) > 1 else ""
    if now.tzinfo is None:
        now = now.astimezone()
    values = {
        "title": title_from_name(stem),
        "date": now.isoformat(timespec="seconds"),
        "slug": stem,
        "section": section,
    }
    text, name = _find_archetype(site_root, section)
    rendered = render_archetype(text, name, values)

    target = content.joinpath(*parts)
    shown = f"{content.name}/{'/'.join(parts)}"
    real_content = content.resolve()
    if not target.parent.resolve().is_relative_to(real_content):
        raise ArchetypeError(f"{shown}: its folder leads out of {content.name}/ — "
                             "give a path inside it")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as file:  # "x": fails if it exists, atomically
            file.write(rendered)
    except FileExistsError:
        raise ContentExistsError(
            f"{shown} already exists — edit it, or choose another name"
        ) from None
    return target
