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

from figdown.cache.folders import output_records
from figdown.cache.lastbuild import (
    CACHE_FOLDER,
    LastBuild,
    code_fingerprint,
    combined_digest,
    digest_of_listing,
    listing,
    store_digest,
    write_last_build,
)
from figdown.cache.reuse import OutputReuse, listed_fields, site_key
from figdown.cache.snapshot import Inputs, Snapshot, Sources, load_snapshot, save_edits
from figdown.load.config import SiteConfig
from figdown.load.content import Page, read_page
from figdown.markdown.bodies import Bodies, blocks_per_page, render_bodies
from figdown.options import BuildOptions, BuildReport
from figdown.output.links import LINK_INDEX, LeftOut, check_links
from figdown.output.pagescan import PageScan, scan_page
from figdown.output.render import Renderer, create_environment
from figdown.output.search import INDEX_PATH, search_entry, search_index
from figdown.output.write import SPARE_OUTPUT, replace_files
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem
from figdown.site.model import PageView, make_view
from figdown.theme import theme_dir

MOST_EDITS = 20  # content files; more than this and a full build is as quick


def quick_rebuild(config: SiteConfig, options: BuildOptions, destination: Path,
                  problems: list[Problem], now: datetime, others: str,
                  content: Mapping[str, str]) -> BuildReport | None:
    """Rebuild only the edited pages' outputs, or None when a full build is needed."""
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    snapshot = load_snapshot(cache_dir, destination)
    if snapshot is None:
        return None
    edited = _edited_views(snapshot, others, content, now)
    if edited is None or store_digest(config.figure_store, config.root) != snapshot.inputs.store:
        return None
    files = listing(destination)
    if files is None or digest_of_listing(files) != snapshot.inputs.listing:
        return None  # changed by hand, or by another build
    pages = _reread(edited, config)
    if pages is None:
        return None

    new_problems: list[Problem] = []
    try:
        made = render_bodies(config, options, pages, snapshot.refs, new_problems,
                             whole_site=False)
    except ContentError as err:  # what it found is in new_problems
        raise ContentError([*new_problems, *err.problems]) from None
    views = _new_views(pages, made, edited, snapshot, config)
    if views is None:
        return None
    site = snapshot.site.with_views(views)

    theme_layouts = theme_dir() / "layouts"
    reuse = OutputReuse(site_key(site, code_fingerprint(), theme_layouts),
                        destination.resolve(), cache_dir)
    renderer = Renderer(site, create_environment(config.layouts_dir, cache_dir / "templates"),
                        reuse)
    outputs = [output.made() for view in views.values() if view.page.front.render == "always"
               for output in renderer.page_outputs(view)]
    outputs += [figure for page in pages for figure in made.figures.get(page.path, [])]
    search = {source: entry for source, entry in snapshot.search.items() if source not in views}
    outputs.append(OutputFile(INDEX_PATH, search_index(site, search), origin="search index"))
    searched = {source: search_entry(view) for source, view in views.items()}
    if any(output.path not in files for output in outputs):
        return None  # a file the last build did not write: let a full build place it

    changed, keys, digests = _changed_files(outputs, destination)
    sources = {**snapshot.sources,
               **{page.url: (page.path, made.bodies[page.path].links) for page in pages}}
    link_problems = _check_links(options, config, destination, sources, reuse,
                                 _html(outputs, changed), set(files), snapshot.left_out) \
        if options.check_links else []
    if any(p.severity == "error" for p in link_problems):
        raise ContentError([*new_problems, *link_problems])

    if changed:
        replace_files(destination, changed,
                      output_records(cache_dir, destination) / SPARE_OUTPUT, files.keys())
    previous = reuse.previous
    reuse.save({**{path: entry[0] for path, entry in previous.items()}, **keys},
               {**{path: entry[4] for path, entry in previous.items() if entry[4]}, **digests})

    paths = set(views)
    report = replace(snapshot.report, problems=(
        *[p for p in snapshot.report.problems if p.path not in paths], *new_problems),
        link_problems=tuple(link_problems))
    problems.extend([*report.problems, *report.link_problems])
    for path in changed:
        stat = (destination / path).stat()
        files[path] = (stat.st_size, stat.st_mtime_ns)
    inputs = Inputs(others, dict(content), store_digest(config.figure_store, config.root),
                    digest_of_listing(files), snapshot.inputs.horizon)
    made_figures = {page.path: tuple(made.figures.get(page.path, ())) for page in pages
                    if page.path in snapshot.figures}
    edited_sources = {page.url: sources[page.url] for page in pages}
    save_edits(cache_dir, replace(
        snapshot, inputs=inputs, report=report, site=site, sources=sources,
        figures={**snapshot.figures, **made_figures}, search={**search, **searched},
        edited={**snapshot.edited, **views},
        edited_sources={**snapshot.edited_sources, **edited_sources},
        edited_figures={**snapshot.edited_figures, **made_figures},
        edited_search={**snapshot.edited_search, **searched}))
    if options.no_op_record:
        write_last_build(cache_dir, LastBuild(
            combined_digest(others, content) + inputs.store, inputs.listing, inputs.horizon,
            report.counts, report.blocks, (*report.problems, *report.link_problems)))
    executed = made.executed
    return BuildReport(destination, counts=report.counts, terms=report.counts.get("terms", 0),
                       blocks_ran=executed.ran, blocks_reused=report.blocks - executed.ran,
                       block_seconds=executed.seconds, taxonomies=site.taxonomies,
                       encoders=executed.encoders, drawn_elsewhere=executed.elsewhere,
                       elsewhere_versions=executed.elsewhere_versions, edited=tuple(sorted(views)))


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


def _edited_views(snapshot: Snapshot, others: str, content: Mapping[str, str],
                  now: datetime) -> dict[str, PageView] | None:
    """The views of the regular pages whose files changed (by page path), or None when
    anything else changed."""
    inputs = snapshot.inputs
    if inputs.others != others or inputs.content.keys() != content.keys():
        return None
    if inputs.horizon is not None and now >= datetime.fromisoformat(inputs.horizon):
        return None
    changed = [rel for rel, digest in content.items() if inputs.content[rel] != digest]
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
                 sources: Sources, reuse: OutputReuse, made: Sequence[tuple[str, bytes]],
                 files: set[str], left_out: Mapping[str, LeftOut]) -> list[Problem]:
    """The link check of the site as it will be once `made` (HTML path, bytes) is written:
    every other page is known by the digest the last build recorded, and read only if its
    links must be resolved again (see links.py)."""
    scanned = {path: PageScan(entry[4]) for path, entry in reuse.previous.items()
               if entry[4] and path.endswith(".html")}
    scanned.update({path: scan_page(data) for path, data in made})
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    return check_links(destination, config.base_path, sources,
                       severity="warning" if options.warn_links else "error",
                       index=output_records(cache_dir, destination) / LINK_INDEX,
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


__all__ = ["MOST_EDITS", "quick_rebuild"]
