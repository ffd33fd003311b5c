"""What a changed file means for the preview: pure functions from paths to a rebuild plan.

Nothing here touches the file system; the watcher and the builder do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from pathlib import Path

CONFIG_NAMES = (
    "config.yaml",
    "config.yml",
    "config.toml",
    "config.json",
    "hugo.yaml",
    "hugo.yml",
    "hugo.toml",
    "hugo.json",
)
CONTENT_SUFFIXES = frozenset({".md", ".markdown", ".ipynb"})
# Folders that never hold a source of the site, wherever they appear.
NEVER_WATCHED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".figdown-cache",
        ".ipynb_checkpoints",
        ".idea",
        ".vscode",
    }
)
_TEMP_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".kate-swp",
    ".crswap",
    ".tmp",
    ".pyc",
    "___jb_tmp___",
    "___jb_old___",
)
_TEMP_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})
# `sed -i` writes the new text to `sedXXXXXX` beside the file, then renames it over it;
# gedit and other GIO programs write `.goutputstream-XXXXXX`. A `sed` name must hold a capital
# or a digit, so that a file such as `sedatives` is still watched.
_TEMP_PATTERN = re.compile(
    r"sed(?=[a-z]{0,5}[A-Z0-9])[A-Za-z0-9]{6}|\.goutputstream-[A-Za-z0-9]{6}")


class Change(IntEnum):
    """What happened to a path; the values are those of `watchfiles.Change`."""

    ADDED = 1
    MODIFIED = 2
    DELETED = 3


class ChangeKind(Enum):
    """What a changed path is to the site, and so what it forces to be rebuilt."""

    CONTENT = "content"  # a Markdown page: re-render it and the lists it appears in
    CONTENT_RESOURCE = "content-resource"  # another file under content/: bundle image, data file
    TEMPLATE = "template"  # re-render every page
    STATIC_CSS = "static-css"  # copy it; the browser swaps the stylesheet without a reload
    STATIC = "static"  # copy it
    CONFIG = "config"  # rebuild everything
    HELPER = "helper"  # a module blocks import: rebuild everything
    IGNORED = "ignored"  # editor scratch files, build output, caches, anything else


@dataclass(frozen=True)
class SiteLayout:
    """Where a site's sources live, and which folders the build itself writes to."""

    root: Path
    content_dir: Path
    layouts_dir: Path
    static_dir: Path
    config_files: tuple[Path, ...]
    helpers_dir: Path | None = None
    ignored_dirs: tuple[Path, ...] = ()  # output/, the preview folder, the figure store

    @classmethod
    def for_site(cls, root: Path, ignored: Iterable[Path] = ()) -> SiteLayout:
        """The conventional layout of a site: content/, layouts/, static/, lib/, config.*."""
        root = root.resolve()
        extra = tuple(p if p.is_absolute() else root / p for p in ignored)
        return cls(
            root=root,
            content_dir=root / "content",
            layouts_dir=root / "layouts",
            static_dir=root / "static",
            config_files=tuple(root / name for name in CONFIG_NAMES),
            helpers_dir=root / "lib",
            ignored_dirs=(root / "output", root / "public", root / "figures", *extra),
        )

    def source_dirs(self) -> tuple[Path, ...]:
        """The folders whose files are sources of the site."""
        dirs = (self.content_dir, self.layouts_dir, self.static_dir, self.helpers_dir)
        return tuple(d for d in dirs if d is not None)

    def watch_roots(self) -> tuple[Path, ...]:
        """The folders to watch recursively: the root, plus any source folder outside it.

        Config files are found by watching the root folder rather than the files: an
        editor's atomic save replaces the file, and a watch on the old file is lost.
        """
        outside = [d for d in self.source_dirs() if not d.is_relative_to(self.root)]
        return (self.root, *outside)


def is_editor_scratch(name: str) -> bool:
    """True for the temporary files editors write next to the file being saved."""
    return (
        name in _TEMP_NAMES
        or name.endswith(_TEMP_SUFFIXES)
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
        or ".tmp." in name  # e.g. `post.md.tmp.1234.5678`
        or _TEMP_PATTERN.fullmatch(name) is not None
    )


def _inside(path: Path, folder: Path) -> tuple[str, ...] | None:
    """The parts of `path` below `folder`, or None when it is not below it."""
    try:
        return path.relative_to(folder).parts
    except ValueError:
        return None


def classify_change(path: Path, site: SiteLayout) -> ChangeKind:
    """What kind of source `path` (absolute) is, deciding what its change rebuilds."""
    if is_editor_scratch(path.name):
        return ChangeKind.IGNORED
    if any(_inside(path, d) is not None for d in site.ignored_dirs):
        return ChangeKind.IGNORED
    if path in site.config_files:
        return ChangeKind.CONFIG
    areas: list[tuple[Path | None, ChangeKind]] = [
        (site.layouts_dir, ChangeKind.TEMPLATE),
        (site.static_dir, ChangeKind.STATIC),
        (site.helpers_dir, ChangeKind.HELPER),
        (site.content_dir, ChangeKind.CONTENT),
    ]
    for folder, kind in areas:
        parts = _inside(path, folder) if folder is not None else None
        if not parts:  # not below this folder, or the folder itself
            continue
        if any(part in NEVER_WATCHED_DIRS for part in parts):
            return ChangeKind.IGNORED
        suffix = path.suffix.lower()
        if kind is ChangeKind.STATIC and suffix == ".css":
            return ChangeKind.STATIC_CSS
        if kind is ChangeKind.CONTENT and suffix not in CONTENT_SUFFIXES:
            return ChangeKind.CONTENT_RESOURCE
        return kind
    return ChangeKind.IGNORED


@dataclass(frozen=True)
class RebuildPlan:
    """What one burst of changes asks the builder to redo.

    Paths are absolute, sorted, without repeats. A path both deleted and re-created in
    one burst (an editor's atomic save) counts as changed, not removed.
    """

    content: tuple[Path, ...] = ()  # Markdown pages added or edited: re-render them and the lists
    removed_content: tuple[Path, ...] = ()  # Markdown pages deleted: drop them, re-render lists
    resources: tuple[Path, ...] = ()  # other files under content/ added, edited or deleted
    static: tuple[Path, ...] = ()  # static files to copy into the site
    removed_static: tuple[Path, ...] = ()  # static files to delete from the site
    site_wide: tuple[Path, ...] = ()  # templates, config files and helpers that changed
    full: bool = False  # a template, the config or a helper changed: rebuild every page
    kinds: frozenset[ChangeKind] = field(default_factory=frozenset)  # every kind seen

    @property
    def css_only(self) -> bool:
        """True when only stylesheets changed: the browser can swap them without a reload."""
        return self.kinds == {ChangeKind.STATIC_CSS} and not self.removed_static

    @property
    def is_empty(self) -> bool:
        """True when nothing in the burst affects the site."""
        return not self.kinds

    @property
    def changed(self) -> tuple[Path, ...]:
        """Every path the plan names, for messages."""
        paths = (
            *self.content,
            *self.removed_content,
            *self.resources,
            *self.static,
            *self.removed_static,
            *self.site_wide,
        )
        return tuple(sorted(set(paths)))


_FULL_KINDS = frozenset({ChangeKind.TEMPLATE, ChangeKind.CONFIG, ChangeKind.HELPER})


def plan_rebuild(changes: Iterable[tuple[Change | int, Path]], site: SiteLayout) -> RebuildPlan:
    """Fold a burst of file changes into one plan; ignored paths leave no trace."""
    seen: dict[Path, set[Change]] = {}
    kinds: dict[Path, ChangeKind] = {}
    for change, path in changes:
        kind = classify_change(path, site)
        if kind is ChangeKind.IGNORED:
            continue
        kinds[path] = kind
        seen.setdefault(path, set()).add(Change(change))
    removed = {path for path, what in seen.items() if what == {Change.DELETED}}

    def pick(wanted: set[ChangeKind], deleted: bool) -> tuple[Path, ...]:
        return tuple(
            sorted(p for p, k in kinds.items() if k in wanted and (p in removed) == deleted)
        )

    static_kinds = {ChangeKind.STATIC, ChangeKind.STATIC_CSS}
    return RebuildPlan(
        content=pick({ChangeKind.CONTENT}, deleted=False),
        removed_content=pick({ChangeKind.CONTENT}, deleted=True),
        resources=tuple(sorted(p for p, k in kinds.items() if k is ChangeKind.CONTENT_RESOURCE)),
        static=pick(static_kinds, deleted=False),
        removed_static=pick(static_kinds, deleted=True),
        site_wide=tuple(sorted(p for p, k in kinds.items() if k in _FULL_KINDS)),
        full=any(k in _FULL_KINDS for k in kinds.values()),
        kinds=frozenset(kinds.values()),
    )


@dataclass(frozen=True)
class BuildOutcome:
    """What the builder tells the preview server after a (re)build."""

    ok: bool
    problems: tuple[str, ...] = ()  # one line each: `path:line: message`
    css_only: bool = False  # only stylesheets changed in the site: swap them, do not reload
