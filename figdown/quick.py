"""A rebuild after prose edits: the edited pages' own outputs, and nothing else.

The last build's site is kept (snapshot.py). When a build finds that only regular pages'
Markdown files changed since, that their front matter is the same, and that what lists,
feeds and neighbour links show of them (`reuse.listed_fields`: title, dates, summary,
reading time, terms, first figure) is the same, then no other page of the site can change:
only each edited page's own page, its figures and the search index (which holds every
page's text) are made again. Everything else the last build wrote stays as it is.

Anything else is a full build (stages.py): a file added, removed or renamed, a front matter
change, a new summary, a page that shows a different number of figures, a section or home
page, a config, layout, static or data change, a site with its own layouts (which may show
any part of a page anywhere), an output folder that is not as the last build left it.
A rebuild made either way writes the same bytes (a test compares them).

The few files are rendered and checked before any is written (a content error leaves the
output as it was), then a copy of the output folder holding them is swapped in whole
(write.replace_files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from figdown.cache.buildcache import BuildCache, BuildInputs
from figdown.cache.lastbuild import digest_of_listing, listing
from figdown.cache.reuse import OutputReuse, listed_fields
from figdown.cache.snapshot import Snapshot, Sources
from figdown.load.config import SiteConfig
from figdown.load.content import Page, read_page
from figdown.load.pages import LeftOut
from figdown.markdown.bodies import Bodies, blocks_per_page, render_bodies
from figdown.options import BuildOptions
from figdown.output.links import check_links
from figdown.output.pagescan import PageScan, scan_page
from figdown.output.search import INDEX_PATH, search_entry, search_index
from figdown.output.write import replace_files
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem
from figdown.site.model import PageView, make_view
from figdown.stages import Made, Written, make_renderer

MOST_EDITS = 20  # content files; more than this and a full build is as quick


def remake_edited(config: SiteConfig, options: BuildOptions, cache: BuildCache,
                  inputs: BuildInputs, now: datetime) -> Made | None:
    """The edited pages' outputs made again, or None when a full build is needed."""
    snapshot = cache.snapshot()
    if snapshot is None:
        return None
    edited = _edited_views(snapshot, inputs, now)
    if edited is None or cache.store_digest() != snapshot.inputs.store:
        return None
    files = listing(cache.destination)
    if files is None or digest_of_listing(files) != snapshot.inputs.listing:
        return None  # changed by hand, or by another build
    pages = _reread(edited, config)
    if pages is None:
        return None

    new_problems: list[Problem] = []
    try:
        made = render_bodies(config, options, pages, snapshot.refs, new_problems,
                             whole_site=False, store=cache.body_store())
    except ContentError as err:  # what it found is in new_problems
        raise ContentError([*new_problems, *err.problems]) from None
    views = _new_views(pages, made, edited, snapshot, config)
    if views is None:
        return None
    site = snapshot.site.with_views(views)
    renderer, reuse = make_renderer(config, cache, site, every=False)
    outputs = [output.made() for view in views.values() if view.page.front.render == "always"
               for output in renderer.page_outputs(view)]
    outputs += [figure for page in pages for figure in made.figures.get(page.path, [])]
    search = {**{source: entry for source, entry in snapshot.search.items()
                 if source not in views},
              **{source: search_entry(view) for source, view in views.items()}}
    kept = {source: entry for source, entry in snapshot.search.items() if source not in views}
    outputs.append(OutputFile(INDEX_PATH, search_index(site, kept), origin="search index"))
    if any(output.path not in files for output in outputs):
        return None  # a file the last build did not write: let a full build place it
    paths = set(views)
    edited_figures = {page.path: tuple(made.figures.get(page.path, ())) for page in pages
                      if page.path in snapshot.figures}
    report = snapshot.report
    return Made(
        whole=False, site=site, outputs=outputs, reuse=reuse,
        sources={**snapshot.sources,
                 **{page.url: (page.path, made.bodies[page.path].links) for page in pages}},
        left_out=snapshot.left_out, refs=snapshot.refs,
        figures={**snapshot.figures, **edited_figures}, search=search, executed=made.executed,
        counts=report.counts, blocks=report.blocks, blocks_of=report.blocks_of,
        horizon=snapshot.inputs.horizon,
        problems=(*[p for p in report.problems if p.path not in paths], *new_problems),
        edited=views, last=snapshot, listing=files)


def write_edits(made: Made, config: SiteConfig, options: BuildOptions, cache: BuildCache,
                problems: list[Problem]) -> Written:
    """Check the site as it will be with the edited outputs, then swap in a copy of the
    output folder holding them (write.replace_files). The link check's warnings are added
    to `problems`."""
    destination = cache.destination
    assert made.reuse is not None  # a snapshot is kept only with the theme's layouts
    changed, keys, digests = _changed_files(made.outputs, destination)
    files = dict(made.listing)
    link_problems = _check_links(options, config, destination, made.sources, made.reuse,
                                 cache, _html(made.outputs, changed), set(files),
                                 made.left_out) if options.check_links else []
    if any(p.severity == "error" for p in link_problems):
        raise ContentError(link_problems)  # made.problems are in `problems` already
    if changed:
        replace_files(destination, changed, cache.spare_output, files.keys())
    previous = made.reuse.previous
    made.reuse.save({**{path: entry.key for path, entry in previous.items()}, **keys},
                    {**{path: entry.digest for path, entry in previous.items() if entry.digest},
                     **digests})
    problems.extend(link_problems)
    for path in changed:
        stat = (destination / path).stat()
        files[path] = (stat.st_size, stat.st_mtime_ns)
    return Written(tuple(link_problems), digest_of_listing(files))


def _new_views(pages: Sequence[Page], made: Bodies, edited: Mapping[str, PageView],
               snapshot: Snapshot, config: SiteConfig) -> dict[str, PageView] | None:
    """The edited pages' new views, or None when a list, a feed, a neighbour link or the
    build's summary would show the change."""
    views: dict[str, PageView] = {}
    blocks = blocks_per_page(made.executed)
    for page in pages:
        old = edited[page.path]
        figures = [f.path for f in made.figures.get(page.path, [])]
        if figures != [f.path for f in snapshot.figures.get(page.path, ())]:
            return None  # the first figure is shown in lists and cards
        if blocks.get(page.path, 0) != snapshot.report.blocks_of.get(page.path, 0):
            return None  # the summary counts them
        view = make_view(page, made.bodies[page.path], config, old.terms, old.image)
        if listed_fields(view) != listed_fields(old):
            return None
        views[page.path] = view
    return views


def _edited_views(snapshot: Snapshot, inputs: BuildInputs, now: datetime
                  ) -> dict[str, PageView] | None:
    """The views of the regular pages whose files changed (by page path), or None when
    anything else changed."""
    last = snapshot.inputs
    if last.others != inputs.others or last.content.keys() != inputs.content.keys():
        return None
    if last.horizon is not None and now >= datetime.fromisoformat(last.horizon):
        return None
    changed = [rel for rel, digest in inputs.content.items() if last.content[rel] != digest]
    if not changed or len(changed) > MOST_EDITS:
        return None
    by_rel = {view.page.rel: view for view in snapshot.site.pages}
    views = [by_rel.get(rel) for rel in changed]
    if any(view is None for view in views):  # not a published regular page
        return None
    return {view.source: view for view in views if view is not None}


def _reread(edited: Mapping[str, PageView], config: SiteConfig) -> list[Page] | None:
    """The edited files read again, when each has the same front matter as before."""
    pages: list[Page] = []
    for old in edited.values():
        try:
            page, found = read_page(old.page.source, config)
        except OSError:
            return None
        if page is None or found or page.front != old.page.front or page.lang != old.page.lang:
            return None  # what is wrong with it is said by a full build
        pages.append(replace(page, url=old.page.url))
    return pages


def _check_links(options: BuildOptions, config: SiteConfig, destination: Path,
                 sources: Sources, reuse: OutputReuse, cache: BuildCache,
                 made: Sequence[tuple[str, bytes]], files: set[str],
                 left_out: Mapping[str, LeftOut]) -> list[Problem]:
    """The link check of the site as it will be once `made` (HTML path, bytes) is written:
    every other page is known by the digest the last build recorded, and read only if its
    links must be resolved again (see links.py)."""
    scanned = {path: PageScan(entry.digest) for path, entry in reuse.previous.items()
               if entry.digest and path.endswith(".html")}
    scanned.update({path: scan_page(data) for path, data in made})
    return check_links(destination, config.base_path, sources,
                       severity="warning" if options.warn_links else "error",
                       index=cache.link_index(),
                       scanned=scanned, files=files, save_index=False,  # a full build writes it
                       left_out=left_out)


def _changed_files(outputs: Sequence[OutputFile], destination: Path) -> tuple[
        dict[str, bytes], dict[str, str], dict[str, str]]:
    """The outputs whose bytes differ from the file in the output folder (path → bytes),
    and the reuse key and sha256 of every HTML output (see reuse.py)."""
    changed: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    digests: dict[str, str] = {}
    for output in outputs:
        if output.key is not None:
            keys[output.path] = output.key
        if output.unchanged:
            if output.digest:
                digests[output.path] = output.digest
            continue
        data = output.data if output.data is not None else (
            output.source.read_bytes() if output.source is not None else b"")
        if output.path.endswith(".html"):
            digests[output.path] = hashlib.sha256(data).hexdigest()
        try:
            if (destination / output.path).read_bytes() == data:
                continue  # the same bytes: the file keeps its mtime
        except OSError:
            pass
        changed[output.path] = data
    return changed, keys, digests


def _html(outputs: Sequence[OutputFile], changed: Mapping[str, bytes]) -> list[tuple[str, bytes]]:
    """The HTML outputs made again, with their bytes, for the link check."""
    found: list[tuple[str, bytes]] = []
    for output in outputs:
        if output.path.endswith(".html") and not output.unchanged:
            data = changed.get(output.path, output.data)
            if data is not None:
                found.append((output.path, data))
    return found


__all__ = ["MOST_EDITS", "remake_edited", "write_edits"]
