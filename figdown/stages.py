"""The stages of a build that did not find its output up to date, in order."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

from figdown.assemble import assemble_site
from figdown.blocks import BlockResult, PostBlocks
from figdown.bodies import BodyCache, BodyJob, BodySettings, render_first_pass, second_pass_key
from figdown.config import SiteConfig, content_key
from figdown.content import Page
from figdown.execute import ExecOptions, ExecReport, execute_posts
from figdown.hugo_layouts import go_template_warning
from figdown.links import LINK_INDEX, check_links
from figdown.loading import load_pages, sort_pages
from figdown.manifest import (
    CACHE_FOLDER,
    LastBuild,
    code_fingerprint,
    horizon_of,
    listing_digest,
    store_digest,
    write_last_build,
)
from figdown.markdown import RenderContext, RenderedBody, create_markdown, parse_body, render_tokens
from figdown.options import BuildOptions, BuildReport
from figdown.outputfile import OutputFile
from figdown.outputs import site_outputs, static_outputs
from figdown.pagescan import PageScan
from figdown.problems import ContentError, Problem
from figdown.recall import new_build
from figdown.render import Renderer, create_environment
from figdown.reuse import OutputReuse, site_key
from figdown.shortcodes import (
    Expanded,
    PageRef,
    ShortcodeContext,
    expand_shortcodes,
    restore_shortcodes,
    unknown_warnings,
)
from figdown.taxonomy import Tagged, Taxonomy, Term, build_taxonomies
from figdown.theme import theme_dir
from figdown.urls import clean_path, expand_permalink, urlize, with_base
from figdown.write import SPARE_OUTPUT, write_site


def run_stages(config: SiteConfig, options: BuildOptions, destination: Path,
               problems: list[Problem], now: datetime, inputs: str | None) -> BuildReport:
    """Load, render, run blocks, assemble, write and check; problems are collected as it goes.

    `inputs` is the digest of what the build read, for the no-op record (None: no record).
    """
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    first_problem = len(problems)
    new_build()
    loaded = load_pages(config, options, now)
    problems.extend(loaded.problems)
    _fail_on_errors(problems)

    md = create_markdown(config.unsafe_html, config.enable_emoji)
    expanded = _expand_shortcodes(config, loaded.pages, md)
    for found_shortcodes in expanded.values():
        problems.extend(found_shortcodes.problems)
    problems.extend(unknown_warnings([(p.path, expanded[p.path].unknown) for p in loaded.pages]))
    _fail_on_errors(problems)
    settings = BodySettings(config.unsafe_html, config.base_path, config.summary_length,
                            config.enable_emoji, content_key(config))
    cache = BodyCache.beside(config.figure_store)
    # Markdown sees the body with its shortcodes already expanded (see shortcodes.py); the
    # cached HTML still holds their placeholders, put back after each render or cache hit.
    jobs = {page.path: BodyJob(page.path, page.body_line, page.url, expanded[page.path].text,
                               page.front.summary) for page in loaded.pages}
    first = render_first_pass(list(jobs.values()), settings, cache,
                              options.jobs or os.cpu_count() or 1)
    bodies: dict[str, RenderedBody] = {}
    pending: list[tuple[Page, RenderContext]] = []
    posts: list[PostBlocks] = []
    for page in loaded.pages:
        found = first[page.path]
        if found.blocks:
            context = RenderContext(path=page.path, line_offset=page.body_line,
                                    base_path=config.base_path, page_url=page.url,
                                    figure_url=_figure_url(config, page))
            pending.append((page, context))
            posts.append(PostBlocks(path=page.path, slug=_store_slug(page),
                                    source_dir=page.source.parent, blocks=found.blocks))
        elif found.body is not None:
            bodies[page.path] = restore_shortcodes(found.body, expanded[page.path])

    executed = _execute(config, options, posts)
    # --keep-going writes the pages with each failing block's error in place of its figure
    problems.extend(replace(p, severity="warning") if options.keep_going and p.severity == "error"
                    else p for p in executed.problems)
    figure_files: list[OutputFile] = []
    results_of: dict[str, dict[int, BlockResult]] = {}
    for (path, index), result in executed.results.items():
        results_of.setdefault(path, {})[index] = result
    for page, context in pending:
        results = results_of.get(page.path, {})
        key = second_pass_key(cache, jobs[page.path], settings, results, options.keep_going)
        cached = cache.get(key)
        if isinstance(cached, RenderedBody):
            body = cached
        else:
            context.results = results
            context.keep_going = options.keep_going
            text = expanded[page.path].text
            tokens, env = parse_body(md, text, context)
            body = render_tokens(md, tokens, env, text, page.front.summary,
                                 config.summary_length)
            cache.put(key, body)
        bodies[page.path] = restore_shortcodes(body, expanded[page.path])
        figure_files.extend(_figure_outputs(config, page, results.values()))
    cache.prune()
    for body in bodies.values():
        problems.extend(body.problems)
    _fail_on_errors(problems)

    taxonomies, term_problems = build_taxonomies(
        (Tagged(p.path, p.front.terms, p.front.key_lines) for p in sort_pages(loaded.pages)
         if p.kind == "page"),
        config.taxonomies, lower=not config.disable_path_to_lower)
    problems.extend(term_problems)
    _fail_on_errors(problems)
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
    extra = [*static_outputs(config.static_dir), *resource_outputs(config, loaded.pages),
             *figure_files]
    sources = {p.url: (p.path, bodies[p.path].links) for p in loaded.pages}

    def check(folder: Path, scanned: Mapping[str, PageScan], files: set[str]) -> list[Problem]:
        if not options.check_links:
            return []
        found = check_links(folder, config.base_path, sources,
                            severity="warning" if options.warn_links else "error",
                            index=cache_dir / LINK_INDEX, scanned=scanned, files=files)
        problems.extend(p for p in found if p.severity != "error")  # errors come back raised
        return found

    written = write_site(site_outputs(site, renderer, extra), destination, config.root,
                         config.config_file, check, spare=cache_dir / SPARE_OUTPUT,
                         workers=options.jobs or os.cpu_count() or 1)
    if reuse is not None:
        reuse.save(written.keys, written.digests)
    counts = {"pages": len(site.pages), "sections": len(site.sections),
              "terms": sum(len(t.terms) for t in taxonomies),
              "figures": len(figure_files)}
    horizon = horizon_of([p.front.publish_date or p.front.date for p in loaded.left_out["future"]]
                         + [p.front.expiry_date for p in loaded.pages], now)
    if inputs is not None:
        write_last_build(cache_dir, LastBuild(
            inputs + store_digest(config.figure_store), listing_digest(destination), horizon,
            counts, executed.ran + executed.reused, tuple(problems[first_problem:])))
    return BuildReport(destination, counts=counts, terms=counts["terms"],
                       blocks_ran=executed.ran, blocks_reused=executed.reused,
                       block_seconds=executed.seconds, taxonomies=tuple(taxonomies),
                       encoders=executed.encoders)



def _fail_on_errors(problems: Sequence[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise ContentError([])


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
    url = expand_permalink(pattern, slug=term.slug, title=term.name, filename=term.slug,
                           section=term.taxonomy, sections=term.taxonomy, date=None,
                           lower=not config.disable_path_to_lower)
    return clean_path(url)


def _page_params(page: Page) -> dict[str, object]:
    """What Hugo's `.Param` finds on a page: its params and its typed front matter keys."""
    front = page.front
    typed = {"title": front.title, "description": front.description, "summary": front.summary,
             "slug": front.slug, "date": front.date, "draft": front.draft,
             "keywords": list(front.keywords), "weight": front.weight}
    return {**{k: v for k, v in typed.items() if v not in (None, "")}, **front.params}


def _expand_shortcodes(config: SiteConfig, pages: Sequence[Page],
                       md: MarkdownIt) -> dict[str, Expanded]:
    """Every page body with its shortcodes expanded (before Markdown: see shortcodes.py)."""
    refs = tuple(PageRef(p.rel, p.url) for p in pages)
    result: dict[str, Expanded] = {}
    for page in pages:
        context = ShortcodeContext(
            path=page.path, body_line=page.body_line, rel=page.rel, url=page.url,
            base_url=config.base_url, base_path=config.base_path, pages=refs,
            params=_page_params(page), site_params=config.params,
            render_inline=lambda text: str(md.renderInline(text)) if text else "")
        result[page.path] = expand_shortcodes(page.body, context)
    return result


def _store_slug(page: Page) -> str:
    return page.url.strip("/") or "home"


def _figure_url(config: SiteConfig, page: Page) -> Callable[[str], str]:
    folder = page.url if page.url.endswith("/") else str(PurePosixPath(page.url).parent) + "/"

    def url(store_path: str) -> str:
        return with_base(config.base_path, folder + PurePosixPath(store_path).name)
    return url


def _figure_outputs(config: SiteConfig, page: Page,
                    results: Iterable[BlockResult]) -> list[OutputFile]:
    folder = page.url if page.url.endswith("/") else str(PurePosixPath(page.url).parent) + "/"
    outputs: list[OutputFile] = []
    for result in results:
        for store_path in (path for figure in result.figures for path in figure.store_paths):
            source = config.figure_store / store_path
            name = PurePosixPath(store_path).name
            outputs.append(OutputFile((folder + name).lstrip("/"), source=source,
                                      origin=f"{page.path} block {result.block.block_id}"))
    return outputs


def _execute(config: SiteConfig, options: BuildOptions, posts: list[PostBlocks]) -> ExecReport:
    style_file = config.root / config.figures.style_file if config.figures.style_file else None
    exec_options = ExecOptions(
        store=config.figure_store, site_root=config.root,
        helpers=config.helpers_dir if config.helpers_dir.is_dir() else None,
        style=config.figures.style, style_file=style_file, format=config.figures.format,
        timeout=config.figures.timeout, jobs=options.jobs,
        animation_limit=round(config.figures.animation_limit * 1_000_000),
        refresh=options.refresh_figures, progress=options.progress)
    return execute_posts(posts, exec_options)


def resource_outputs(config: SiteConfig, pages: Sequence[Page]) -> list[OutputFile]:
    """Files beside the content (bundle images, data files) published next to their page."""
    bundles = {page.source.parent: page for page in pages if page.bundle == "leaf"}
    outputs: list[OutputFile] = []
    content = config.content_dir
    files = sorted(content.rglob("*"))
    # A bundle left out (draft, future, expired, headless, another language) keeps its files.
    unpublished = {path.parent for path in files if path.suffix.lower() in {".md", ".markdown"}
                   and path.name.split(".")[0] == "index" and path.parent not in bundles}
    for path in files:
        if not path.is_file() or path.suffix.lower() in {".md", ".markdown"}:
            continue
        rel = path.relative_to(content)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if any(folder in unpublished for folder in path.parents):
            continue
        owner = next((bundles[p] for p in path.parents if p in bundles), None)
        if owner is not None:
            inside = path.relative_to(owner.source.parent).as_posix()
            folder = owner.url.removesuffix(".html").rstrip("/") + "/"  # uglyURLs: x.html
            target = folder.lstrip("/") + inside
        else:
            lower = not config.disable_path_to_lower
            folders = [urlize(part, lower) or part for part in rel.parts[:-1]]
            target = "/".join([*folders, rel.name])
        outputs.append(OutputFile(target, source=path, origin=f"content/{rel.as_posix()}"))
    return outputs

