"""Making a site, and writing what was made: the stages of a build, in order.

`make_site` runs every stage over the whole site (load, bodies and blocks, taxonomies, the
site model, the outputs); quick.py makes only the edited pages' outputs. Either returns a
`Made`, which `write_made` checks and writes and the pipeline records.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from figdown.cache.buildcache import BuildCache
from figdown.cache.lastbuild import horizon_of, listing_digest
from figdown.cache.reuse import OutputReuse
from figdown.cache.snapshot import Snapshot, Sources
from figdown.execute.executor import ExecReport
from figdown.load.config import SiteConfig
from figdown.load.pages import LeftOut, left_out_urls, load_pages, sort_pages
from figdown.load.taxonomy import Tagged, build_taxonomies, titled_terms
from figdown.markdown.bodies import blocks_per_page, fail_on_errors, render_bodies
from figdown.markdown.shortcodes import PageRef
from figdown.options import BuildOptions
from figdown.output.hugo_layouts import go_template_warning
from figdown.output.links import check_links
from figdown.output.outputs import (
    folder_conflicts,
    resource_outputs,
    site_outputs,
    static_outputs,
)
from figdown.output.pagescan import PageScan
from figdown.output.render import Renderer, create_environment
from figdown.output.search import search_entries
from figdown.output.write import write_site
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem
from figdown.site.assemble import assemble_site
from figdown.site.model import PageView, Site

TEMPLATES = ("single.html", "list.html", "term.html", "terms.html", "rss.xml", "alias.html",
             "sitemap.xml", "404.html", "robots.txt")


@dataclass(frozen=True)
class Made:
    """What a build made, before any of it is written."""

    whole: bool  # every output of the site (a full build), or the edited pages' (quick.py)
    site: Site
    outputs: Sequence[OutputFile]
    reuse: OutputReuse | None  # the output keys; None for a site with its own layouts
    sources: Sources  # page URL → its file and the links written in it, for the link check
    left_out: Mapping[str, LeftOut]
    refs: tuple[PageRef, ...]
    figures: Mapping[str, tuple[OutputFile, ...]]  # page path → its figures, in block order
    search: Mapping[str, bytes]  # page path → its search entry
    executed: ExecReport
    counts: Mapping[str, int]
    blocks: int  # blocks of the whole site, run or reused
    blocks_of: Mapping[str, int]  # page path → its executable blocks
    horizon: str | None  # when a future or expiring page changes the site
    problems: tuple[Problem, ...]  # about the content, besides links
    failed: bool = False  # a block failed: the site is checked but never swapped in
    edited: Mapping[str, PageView] = field(default_factory=dict)  # quick.py: by page path
    last: Snapshot | None = None  # quick.py: the snapshot it edited
    listing: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # quick.py


@dataclass(frozen=True)
class Written:
    """What writing found: the link check's warnings, and the output folder's listing."""

    link_problems: tuple[Problem, ...]
    listing: str  # lastbuild.listing_digest of the output folder


def make_site(config: SiteConfig, options: BuildOptions, cache: BuildCache, now: datetime,
              problems: list[Problem]) -> Made:
    """Load, render, run blocks, assemble and render every output; problems are collected
    in `problems` as it goes, and an error stops it (ContentError) once its stage is done.
    A failed block does not: the pages are still made and checked, so that one build
    reports every problem (`Made.failed`)."""
    first_problem = len(problems)
    cache.memory.new_build()
    reader = cache.page_reader()
    loaded = load_pages(config, options, now, reader.read, cache.memo("pages"))
    reader.save()
    problems.extend(loaded.problems)
    static_files, static_problems = static_outputs(config.static_dir, config.root)
    problems.extend(static_problems)
    fail_on_errors(problems)

    refs = tuple(PageRef(p.rel, p.url) for p in loaded.pages)
    made = render_bodies(config, options, loaded.pages, refs, problems, stop_on_errors=False,
                         store=cache.body_store())
    failed = any(p.severity == "error" for p in problems[first_problem:])
    figure_files = [figure for figures in made.figures.values() for figure in figures]

    taxonomies, term_problems = build_taxonomies(
        (Tagged(p.path, p.front.terms, p.front.key_lines) for p in sort_pages(loaded.pages)
         if p.kind == "page"),
        config.taxonomies, lower=not config.disable_path_to_lower)
    problems.extend(term_problems)
    fail_on_errors(term_problems)
    taxonomies, listed = titled_terms(config, taxonomies, loaded.pages)
    site = assemble_site(config, listed, made.bodies, taxonomies, figure_files,
                         config_key=hashlib.sha256(repr(config).encode()).hexdigest(),
                         memo=cache.memo("views"), aliases=loaded.aliases)

    go_layouts = go_template_warning(config.root, config.layouts_dir)
    if go_layouts is not None:
        problems.append(go_layouts)
    renderer, reuse = make_renderer(config, cache, site)
    if reuse is not None:  # digested once here, not in each process the writing forks
        reuse.prime([*site.pages, *site.sections, site.home])
    search = search_entries(site, cache.memo("search"))
    extra = [*static_files, *resource_outputs(config, loaded.pages, loaded.files),
             *figure_files]
    outputs = list(site_outputs(site, renderer, extra, search))
    conflicts = folder_conflicts(outputs)
    problems.extend(conflicts)
    if conflicts or not failed:
        fail_on_errors(problems)
    executed = made.executed
    counts = {"pages": len(site.pages), "sections": len(site.sections),
              "terms": sum(len(t.terms) for t in taxonomies),
              "figures": len(figure_files), "drafts_left_out": len(loaded.left_out["drafts"])}
    horizon = horizon_of([p.front.publish_date or p.front.date for p in loaded.left_out["future"]]
                         + [p.front.expiry_date for p in loaded.pages], now)
    return Made(
        whole=True, site=site, outputs=outputs, reuse=reuse,
        sources={p.url: (p.path, made.bodies[p.path].links) for p in loaded.pages},
        left_out=left_out_urls(loaded, config), refs=refs,
        figures={path: tuple(found) for path, found in made.figures.items()}, search=search,
        executed=executed, counts=counts, blocks=executed.ran + executed.reused,
        blocks_of=blocks_per_page(executed), horizon=horizon,
        problems=tuple(problems[first_problem:]), failed=failed)


def make_renderer(config: SiteConfig, cache: BuildCache, site: Site, every: bool = True
                  ) -> tuple[Renderer, OutputReuse | None]:
    """The site's templates, compiled (or read compiled from the cache), and the keys of
    the outputs they made last time, so that an output whose inputs did not change is
    linked, not rendered (with the theme's layouts only). With `every`, each template is
    loaded now, before the writing forks; else each when first used."""
    reuse = cache.output_reuse(site)
    renderer = Renderer(site, create_environment(config.layouts_dir, cache.templates), reuse)
    if every:
        renderer.load(list(TEMPLATES))
    return renderer, reuse


def write_all(made: Made, config: SiteConfig, options: BuildOptions, cache: BuildCache,
              problems: list[Problem]) -> Written:
    """Write every output into a staging folder, check its links, and swap it in; a build
    whose blocks failed stops after the check (ContentError) and changes nothing. The
    link check's warnings are added to `problems`."""
    destination = cache.destination
    link_problems: list[Problem] = []

    def check(folder: Path, scanned: Mapping[str, PageScan], files: set[str]) -> list[Problem]:
        found = check_links(folder, config.base_path, made.sources,
                            severity="warning" if options.warn_links else "error",
                            index=cache.link_index(), scanned=scanned, files=files,
                            left_out=made.left_out, save_index=not made.failed,
                            ) if options.check_links else []
        warnings = [p for p in found if p.severity != "error"]  # errors come back raised
        problems.extend(warnings)
        link_problems.extend(warnings)
        if made.failed:  # the staged site is only for its links: the output stays as it was
            raise ContentError([p for p in found if p.severity == "error"])
        return found

    if not made.failed:
        cache.forget_snapshot()  # the output is about to change
    written = write_site(made.outputs, destination, config.root, config.config_file, check,
                         spare=cache.spare_output, workers=options.jobs or os.cpu_count() or 1)
    if made.reuse is not None:
        made.reuse.save(written.keys, written.digests)
    return Written(tuple(link_problems), listing_digest(destination))


__all__ = ["TEMPLATES", "Made", "Written", "make_renderer", "make_site", "write_all"]
