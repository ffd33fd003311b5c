"""The build cache: everything a build keeps so that the next one does less, in one object.

`BuildCache` owns `.figdown-cache/` (beside the figure store) and this process's memory of
it (`Memory`: `figdown serve` builds again and again in one process). The pipeline makes
one per build and hands its parts to the stages, which never import it: a stage takes a
reader, a store or a memo as an argument and works without one (tests call them bare).

What it keeps (all of it safe to delete), and who reads it:
- `last-build.json`: the last successful build, for the no-op decision (lastbuild.py);
- `pages.pickle`: content files as last read, for `load_pages` (pagecache.py);
- `bodies.sqlite`: rendered bodies, for `render_bodies` (bodycache.py);
- `templates/`: compiled templates, for Jinja2;
- per output folder, in `output-<tag>/` (folders.py): the site as last built and the edits
  since, for the quick-rebuild decision (snapshot.py); the keys of its outputs, for the
  `Renderer` (reuse.py); the link check's index (link_index.py); the folder the last full
  build replaced (write.py).

An input a build reads is declared once, in `BuildCache.inputs`: a change to it makes the
next build do the work that depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from figdown.cache.filememo import RecordFiles
from figdown.cache.folders import keep_recent, output_records
from figdown.cache.lastbuild import (
    SITE_FOLDERS,
    LastBuild,
    code_fingerprint,
    combined_digest,
    file_digests,
    input_digest,
    read_last_build,
    store_digest,
    write_last_build,
)
from figdown.cache.recall import Recall
from figdown.load.config import CONFIG_NAMES, SiteConfig
from figdown.options import BuildOptions
from figdown.theme import theme_dir

if TYPE_CHECKING:
    from figdown.cache.bodycache import BodyCache
    from figdown.cache.link_index import LinkIndexFile
    from figdown.cache.pagecache import PageCache
    from figdown.cache.reuse import OutputReuse
    from figdown.cache.snapshot import Snapshot
    from figdown.site.model import Site

# The records of what a build made are imported when a build makes something: a build that
# finds nothing changed needs none of the Markdown, template or site machinery they hold.
SPARE_OUTPUT = "spare-output"  # the folder the last full build replaced (write.py)
LINK_INDEX = "links.json"  # the link check's index (link_index.py)


@dataclass
class Memory:
    """What this process remembers between its builds: the records it read or wrote, the
    bodies it used, and the values its last build made (views, URLs, search entries…),
    each handed out again when made from the same inputs."""

    records: RecordFiles = field(default_factory=RecordFiles)
    bodies: dict[str, object] = field(default_factory=dict)
    recalls: dict[str, Recall[Any]] = field(default_factory=dict)

    def recall(self, name: str) -> Recall[Any]:
        return self.recalls.setdefault(name, Recall())

    def new_build(self) -> None:
        """Start a build: keep what the last build used, drop the rest."""
        for recall in self.recalls.values():
            recall.rotate()


@dataclass(frozen=True)
class BuildInputs:
    """What the site's output depends on, besides the clock and the figure store."""

    others: str  # a digest of every input but the content files
    content: dict[str, str]  # content file, relative to content/ → digest of its bytes

    @property
    def digest(self) -> str:
        return combined_digest(self.others, self.content)


class BuildCache:
    """The build cache of one site and one output folder."""

    def __init__(self, config: SiteConfig, destination: Path, memory: Memory | None = None,
                 ) -> None:
        self.config = config
        self.folder = config.cache_dir
        self.destination = destination
        self.memory = memory if memory is not None else Memory()
        self.records = output_records(self.folder, destination)  # this output folder's

    def inputs(self, options: BuildOptions) -> BuildInputs:
        """Digests of everything a build reads: the site's folders and config files, the
        theme, the helper modules, figdown's code and the options; each content file."""
        config = self.config
        theme = theme_dir()
        folders = [config.root / name for name in SITE_FOLDERS if name != "content"]
        folders += [config.helpers_dir, theme / "layouts", theme / "static"]
        settings = replace(options, now=None, jobs=0, progress=False)
        others = input_digest(folders, [config.root / name for name in CONFIG_NAMES],
                              repr((code_fingerprint(), settings, self.destination)),
                              config.root)
        return BuildInputs(others, file_digests(config.content_dir, config.root))

    def store_digest(self) -> str:
        """The figure store as it is now, with the files its blocks read."""
        return store_digest(self.config.figure_store, self.config.root)

    # -- the decisions: nothing changed, or only these pages

    def unchanged_build(self, inputs: BuildInputs, now: datetime) -> LastBuild | None:
        """The last build, when its output is what this one would write."""
        last = read_last_build(self.folder)
        if last is None or not last.still_valid(inputs.digest + self.store_digest(),
                                                self.destination, now):
            return None
        return last

    def snapshot(self) -> Snapshot | None:
        """The site as this output folder's last build left it, with the edits since."""
        from figdown.cache.snapshot import load_snapshot

        return load_snapshot(self.memory.records, self.records, self.destination)

    # -- what the stages are handed

    def page_reader(self) -> PageCache:
        from figdown.cache.pagecache import PageCache

        return PageCache(self.folder, self.config, self.memory.records)

    def body_store(self) -> BodyCache:
        from figdown.cache.bodycache import BodyCache

        return BodyCache(self.folder / "bodies.sqlite", code_fingerprint(), self.memory.bodies)

    def memo(self, name: str) -> Recall[Any]:
        return self.memory.recall(name)

    def output_reuse(self, site: Site) -> OutputReuse | None:
        """Keys of the outputs, with the default theme's layouts only, whose reads of
        `site` reuse.site_key lists; None for a site with layouts of its own."""
        from figdown.cache.reuse import OutputReuse, site_key

        config = self.config
        theme_layouts = theme_dir() / "layouts"
        if config.layouts_dir.is_dir() and \
                config.layouts_dir.resolve() != theme_layouts.resolve():
            return None
        return OutputReuse(site_key(site, code_fingerprint(), theme_layouts),
                           self.destination.resolve(), self.records, self.memory.records,
                           self.memo("view digests"))

    def link_index(self) -> LinkIndexFile:
        from figdown.cache.link_index import LinkIndexFile

        return LinkIndexFile(self.records / LINK_INDEX, self.memory.records)

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def spare_output(self) -> Path:
        return self.records / SPARE_OUTPUT

    # -- the record of what a build did

    def forget_snapshot(self) -> None:
        """The output is about to change: its snapshot no longer says what it holds."""
        from figdown.cache.snapshot import forget_snapshot

        forget_snapshot(self.records)

    def record(self, last: LastBuild | None, snapshot: Snapshot | None, edits: bool) -> None:
        """Keep what this build did: the no-op record, and the site snapshot (whole after a
        full build, as edits after a quick one)."""
        if last is not None:
            write_last_build(self.folder, last)
        if snapshot is not None:
            from figdown.cache.snapshot import save_edits, save_snapshot

            if edits:
                save_edits(self.memory.records, self.records, snapshot)
            else:
                save_snapshot(self.memory.records, self.records, snapshot)
        if not edits:
            keep_recent(self.folder)


__all__ = ["BuildCache", "BuildInputs", "Memory"]
