"""The stages of a build that did not find its output up to date, in order."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from figdown.cache.folders import keep_recent, output_records
from figdown.cache.lastbuild import (
    CACHE_FOLDER,
    LastBuild,
    code_fingerprint,
    combined_digest,
    horizon_of,
    listing_digest,
    store_digest,
    write_last_build,
)
from figdown.cache.recall import new_build
from figdown.cache.reuse import OutputReuse, site_key
from figdown.cache.snapshot import (
    Inputs,
    Report,
    Snapshot,
    forget_snapshot,
    new_token,
    save_snapshot,
)
from figdown.load.config import SiteConfig
from figdown.load.content import ContentFiles, Page
from figdown.load.pages import Loaded, load_pages, page_url, sort_pages
from figdown.load.taxonomy import Tagged, Taxonomy, Term, build_taxonomies
from figdown.load.urls import clean_path, expand_folder_permalink, path_name
from figdown.markdown.bodies import blocks_per_page, fail_on_errors, render_bodies
from figdown.markdown.shortcodes import PageRef
from figdown.options import BuildOptions, BuildReport
from figdown.output.hugo_layouts import go_template_warning
from figdown.output.links import LINK_INDEX, LeftOut, check_links
from figdown.output.outputs import folder_conflicts, site_outputs, static_outputs
from figdown.output.pagescan import PageScan
from figdown.output.render import Renderer, create_environment
from figdown.output.search import search_entries
from figdown.output.write import SPARE_OUTPUT, write_site
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem
from figdown.site.assemble import assemble_site
from figdown.theme import theme_dir


def run_stages(config: SiteConfig, options: BuildOptions, destination: Path,
               problems: list[Problem], now: datetime,
               inputs: tuple[str, Mapping[str, str]]) -> BuildReport:
    """Load, render, run blocks, assemble, write and check; problems are collected as it goes.

    `inputs`: digests of what the build reads (pipeline.input_parts), for the records that
    let the next build do less (the no-op record, the site snapshot).
    """
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    first_problem = len(problems)
    new_build()
    loaded = load_pages(config, options, now)
    problems.extend(loaded.problems)
    static_files, static_problems = static_outputs(config.static_dir, config.root)
    problems.extend(static_problems)
    fail_on_errors(problems)

    refs = [PageRef(p.rel, p.url) for p in loaded.pages]
    # A failed block does not stop the build here: the pages are still made and their links
    # checked, so that one build reports every problem. Nothing is swapped in (see `check`).
    made = render_bodies(config, options, loaded.pages, refs, problems, stop_on_errors=False)
    failed = any(p.severity == "error" for p in problems[first_problem:])
    bodies, executed = made.bodies, made.executed
    figure_files = [figure for figures in made.figures.values() for figure in figures]

    taxonomies, term_problems = build_taxonomies(
        (Tagged(p.path, p.front.terms, p.front.key_lines) for p in sort_pages(loaded.pages)
         if p.kind == "page"),
        config.taxonomies, lower=not config.disable_path_to_lower)
    problems.extend(term_problems)
    fail_on_errors(term_problems)
    taxonomies, listed = _term_pages(config, taxonomies, loaded.pages)
    site = assemble_site(config, listed, bodies, taxonomies, figure_files,
                         config_key=hashlib.sha256(repr(config).encode()).hexdigest())
    site = replace(site, aliases=loaded.aliases)

    go_layouts = go_template_warning(config.root, config.layouts_dir)
    if go_layouts is not None:
        problems.append(go_layouts)
    # Outputs whose inputs did not change are linked, not rendered: with the theme's layouts
    # only, whose reads of `site` reuse.site_key lists.
    theme_layouts = theme_dir() / "layouts"
    reuse = OutputReuse(site_key(site, code_fingerprint(), theme_layouts),
                        destination.resolve(), cache_dir) if not config.layouts_dir.is_dir() \
        or config.layouts_dir.resolve() == theme_layouts.resolve() else None
    if reuse is not None:
        reuse.prime([*site.pages, *site.sections, site.home])
    renderer = Renderer(site, create_environment(config.layouts_dir, cache_dir / "templates"),
                        reuse)
    renderer.load(["single.html", "list.html", "term.html", "terms.html", "rss.xml",
                   "alias.html", "sitemap.xml", "404.html", "robots.txt"])
    extra = [*static_files, *resource_outputs(config, loaded.pages, loaded.files),
             *figure_files]
    sources = {p.url: (p.path, bodies[p.path].links) for p in loaded.pages}
    left_out = left_out_urls(loaded, config)

    link_problems: list[Problem] = []
    records = output_records(cache_dir, destination)  # this output folder's, in the cache

    def check(folder: Path, scanned: Mapping[str, PageScan], files: set[str]) -> list[Problem]:
        found = check_links(folder, config.base_path, sources,
                            severity="warning" if options.warn_links else "error",
                            index=records / LINK_INDEX, scanned=scanned, files=files,
                            left_out=left_out, save_index=not failed,
                            ) if options.check_links else []
        problems.extend(p for p in found if p.severity != "error")  # errors come back raised
        link_problems.extend(p for p in found if p.severity != "error")
        if failed:  # the staged site is only for its links: the output stays as it was
            raise ContentError([p for p in found if p.severity == "error"])
        return found

    if not failed:
        # the output is about to change: its snapshot no longer says what it holds (a build
        # that stops at a content error leaves both as they were)
        forget_snapshot(cache_dir, destination)
    outputs = list(site_outputs(site, renderer, extra))
    conflicts = folder_conflicts(outputs)
    problems.extend(conflicts)
    if conflicts or not failed:
        fail_on_errors(problems)
    written = write_site(outputs, destination, config.root,
                         config.config_file, check,
                         spare=records / SPARE_OUTPUT,
                         workers=options.jobs or os.cpu_count() or 1)
    if reuse is not None:
        reuse.save(written.keys, written.digests)
    counts = {"pages": len(site.pages), "sections": len(site.sections),
              "terms": sum(len(t.terms) for t in taxonomies),
              "figures": len(figure_files), "drafts_left_out": len(loaded.left_out["drafts"])}
    horizon = horizon_of([p.front.publish_date or p.front.date for p in loaded.left_out["future"]]
                         + [p.front.expiry_date for p in loaded.pages], now)
    store = store_digest(config.figure_store, config.root)
    listing = listing_digest(destination)
    if options.no_op_record:
        write_last_build(cache_dir, LastBuild(
            combined_digest(inputs[0], inputs[1]) + store, listing, horizon, counts,
            executed.ran + executed.reused, tuple(problems[first_problem:])))
    if reuse is not None:  # the default theme's layouts: what a quick rebuild can redo
        report = Report(counts, executed.ran + executed.reused, blocks_per_page(executed),
                        tuple(p for p in problems[first_problem:] if p not in link_problems),
                        tuple(link_problems))
        save_snapshot(cache_dir, Snapshot(
            new_token(), str(destination), Inputs(inputs[0], inputs[1], store, listing, horizon),
            report, site, tuple(refs), sources,
            {path: tuple(found) for path, found in made.figures.items()},
            search_entries(site), left_out=left_out))
    keep_recent(cache_dir)
    return BuildReport(destination, counts=counts, terms=counts["terms"],
                       blocks_ran=executed.ran, blocks_reused=executed.reused,
                       block_seconds=executed.seconds, taxonomies=tuple(taxonomies),
                       encoders=executed.encoders, drawn_elsewhere=executed.elsewhere,
                       elsewhere_versions=executed.elsewhere_versions)



def _term_pages(config: SiteConfig, taxonomies: Sequence[Taxonomy], pages: Sequence[Page]
                ) -> tuple[tuple[Taxonomy, ...], tuple[Page, ...]]:
    """`content/tags/python/_index.md` titles the term `python`, as in Hugo, instead of
    making a section at the term's URL. One for a term no page carries stays a list page."""
    taxonomies = [replace(taxonomy, terms=tuple(
        replace(term, permalink=_term_url(config, term)) for term in taxonomy.terms))
        for taxonomy in taxonomies]
    by_url = {term.url: (taxonomy, term) for taxonomy in taxonomies for term in taxonomy.terms}
    titles: dict[str, str] = {}
    kept: list[Page] = []
    for page in pages:
        found = by_url.get(page.url) if page.kind == "section" and len(page.sections) == 2 \
            else None
        if found is None:
            kept.append(page)
        elif page.front.title:
            titles[found[1].url] = page.front.title
    result = tuple(replace(taxonomy, terms=tuple(
        replace(term, name=titles.get(term.url, term.name)) for term in taxonomy.terms))
        for taxonomy in taxonomies)
    return result, tuple(kept)


def _term_url(config: SiteConfig, term: Term) -> str | None:
    """A term's URL from the config's term permalinks (`topics: /subjects/:slug/`)."""
    pattern = config.term_permalinks.get(term.taxonomy)
    if not pattern:
        return None
    url = expand_folder_permalink(pattern, slug=term.slug, title=term.name,
                                  filename=term.slug, section=term.taxonomy,
                                  sections=term.taxonomy, date=None,
                                  lower=not config.disable_path_to_lower)
    return clean_path(url)


def resource_outputs(config: SiteConfig, pages: Sequence[Page], files: ContentFiles,
                     ) -> list[OutputFile]:
    """Files beside the content (bundle images, data files) published next to their page."""
    bundles = {page.source.parent: page for page in pages if page.bundle == "leaf"}
    outputs: list[OutputFile] = []
    content = config.content_dir
    # A bundle left out (draft, future, expired, headless, another language) keeps its files.
    unpublished = {path.parent for path in files.pages
                   if path.name.split(".")[0] == "index" and path.parent not in bundles}
    for path in files.others:
        rel = path.relative_to(content)
        if any(folder in unpublished for folder in path.parents):
            continue
        owner = next((bundles[p] for p in path.parents if p in bundles), None)
        if owner is not None:
            inside = path.relative_to(owner.source.parent).as_posix()
            folder = owner.url.removesuffix(".html").rstrip("/") + "/"  # uglyURLs: x.html
            target = folder.lstrip("/") + inside
        else:
            lower = not config.disable_path_to_lower
            folders = [path_name(part, lower) or part for part in rel.parts[:-1]]
            target = "/".join([*folders, rel.name])
        outputs.append(OutputFile(target, source=path, origin=f"content/{rel.as_posix()}"))
    return outputs


def left_out_urls(loaded: Loaded, config: SiteConfig) -> dict[str, LeftOut]:
    """The site path each page left out of this build would have, for the link check."""
    found: dict[str, LeftOut] = {}
    for reason, pages in loaded.left_out.items():
        for page in pages:
            url, problem = page_url(page, config)
            if problem is None:
                found.setdefault(url, LeftOut(page.path, reason))
    return found
