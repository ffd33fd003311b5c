"""The page bodies of a build: shortcodes, Markdown, executable blocks, then Markdown again
for the pages whose blocks ran (their figures go where the blocks were)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from markdown_it import MarkdownIt

from figdown.cache.bodycache import (
    BodyCache,
    BodyJob,
    BodySettings,
    render_first_pass,
    second_pass_key,
)
from figdown.cache.lastbuild import CACHE_FOLDER
from figdown.execute.blocks import BlockResult, PostBlocks
from figdown.execute.executor import ExecOptions, ExecReport, execute_posts
from figdown.load.config import SiteConfig, content_key
from figdown.load.content import Page
from figdown.load.urls import with_base
from figdown.markdown.engine import (
    RenderContext,
    RenderedBody,
    create_markdown,
    parse_body,
    render_tokens,
)
from figdown.markdown.shortcodes import (
    Expanded,
    PageRef,
    ShortcodeContext,
    expand_shortcodes,
    restore_shortcodes,
    unknown_warnings,
)
from figdown.options import BuildOptions
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem


@dataclass(frozen=True)
class Bodies:
    """Each page's body, the figure files its blocks made, and what running them found."""

    bodies: dict[str, RenderedBody]  # page path → body
    figures: dict[str, list[OutputFile]]  # page path → its figures, in block order
    executed: ExecReport


def render_bodies(config: SiteConfig, options: BuildOptions, pages: Sequence[Page],
                  refs: Sequence[PageRef], problems: list[Problem],
                  whole_site: bool = True, stop_on_errors: bool = True) -> Bodies:
    """The bodies of `pages` (`refs`: every page of the site, for `ref`/`relref`).

    Problems are added to `problems`; an error stops the build (ContentError) once the
    stage that found it is done. Without `stop_on_errors`, a failed block or an error in a
    body does not: every body is returned (a failed block shows its error in place) and the
    caller decides. `whole_site`: these are all the site's pages, so that figures and cache
    entries no page uses any more can be pruned.
    """
    md = create_markdown(config.unsafe_html, config.enable_emoji, config.markup)
    expanded = _expand_shortcodes(config, pages, refs, md)
    for found_shortcodes in expanded.values():
        problems.extend(found_shortcodes.problems)
    problems.extend(unknown_warnings([(p.path, expanded[p.path].unknown) for p in pages]))
    fail_on_errors(problems)
    settings = BodySettings(config.unsafe_html, config.base_path, config.summary_length,
                            config.enable_emoji, config.markup, content_key(config))
    cache = BodyCache.beside(config.figure_store)
    # Markdown sees the body with its shortcodes already expanded (see shortcodes.py); the
    # cached HTML still holds their placeholders, put back after each render or cache hit.
    jobs = {page.path: BodyJob(page.path, page.body_line, page.url, expanded[page.path].text,
                               page.front.summary) for page in pages}
    first = render_first_pass(list(jobs.values()), settings, cache,
                              options.jobs or os.cpu_count() or 1)
    bodies: dict[str, RenderedBody] = {}
    pending: list[tuple[Page, RenderContext]] = []
    posts: list[PostBlocks] = []
    for page in pages:
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

    # Trimming touches only the histories of these posts' blocks: safe in a quick rebuild.
    executed = _execute(config, options, posts, prune=True)
    # --keep-going writes the pages with each failing block's error in place of its figure
    problems.extend(replace(p, severity="warning") if options.keep_going and p.severity == "error"
                    else p for p in executed.problems)
    figures: dict[str, list[OutputFile]] = {}
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
        figures[page.path] = _figure_outputs(config, page, results.values())
    if whole_site:
        cache.prune()
    else:
        cache.save()
    for body in bodies.values():
        problems.extend(body.problems)
    if stop_on_errors:
        fail_on_errors(problems)
    return Bodies(bodies, figures, executed)


def blocks_per_page(executed: ExecReport) -> dict[str, int]:
    """How many executable blocks each page has (page path → count)."""
    counts: dict[str, int] = {}
    for path, _ in executed.results:
        counts[path] = counts.get(path, 0) + 1
    return counts


def fail_on_errors(problems: Sequence[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise ContentError([])


def _page_params(page: Page) -> dict[str, object]:
    """What Hugo's `.Param` finds on a page: its params and its typed front matter keys."""
    front = page.front
    typed = {"title": front.title, "description": front.description, "summary": front.summary,
             "slug": front.slug, "date": front.date, "draft": front.draft,
             "keywords": list(front.keywords), "weight": front.weight}
    return {**{k: v for k, v in typed.items() if v not in (None, "")}, **front.params}


def _expand_shortcodes(config: SiteConfig, pages: Sequence[Page], refs: Sequence[PageRef],
                       md: MarkdownIt) -> dict[str, Expanded]:
    """Every page body with its shortcodes expanded (before Markdown: see shortcodes.py)."""
    refs = tuple(refs)
    result: dict[str, Expanded] = {}
    for page in pages:
        context = ShortcodeContext(
            path=page.path, body_line=page.body_line, rel=page.rel, url=page.url,
            base_url=config.base_url, base_path=config.base_path, pages=refs,
            params=_page_params(page), site_params=config.params,
            render_inline=lambda text: str(md.renderInline(text)) if text else "",
            highlight=config.markup.highlight)
        result[page.path] = expand_shortcodes(page.body, context)
    return result


def site_blocks(config: SiteConfig, options: BuildOptions, pages: Sequence[Page],
                refs: Sequence[PageRef], problems: list[Problem]) -> list[PostBlocks]:
    """The executable blocks of `pages`, without running them (for `figures prune`)."""
    md = create_markdown(config.unsafe_html, config.enable_emoji, config.markup)
    expanded = _expand_shortcodes(config, pages, refs, md)
    settings = BodySettings(config.unsafe_html, config.base_path, config.summary_length,
                            config.enable_emoji, config.markup, content_key(config))
    jobs = [BodyJob(page.path, page.body_line, page.url, expanded[page.path].text,
                    page.front.summary) for page in pages]
    first = render_first_pass(jobs, settings, BodyCache.beside(config.figure_store),
                              options.jobs or os.cpu_count() or 1)
    return [PostBlocks(path=page.path, slug=_store_slug(page), source_dir=page.source.parent,
                       blocks=first[page.path].blocks)
            for page in pages if first[page.path].blocks]


def exec_options(config: SiteConfig, options: BuildOptions, prune: bool = False) -> ExecOptions:
    """How this build runs blocks, from the site's config and the command line."""
    style_file = config.root / config.figures.style_file if config.figures.style_file else None
    return ExecOptions(
        store=config.figure_store, site_root=config.root,
        helpers=config.helpers_dir if config.helpers_dir.is_dir() else None,
        style=config.figures.style, style_file=style_file, format=config.figures.format,
        timeout=config.figures.timeout, jobs=options.jobs,
        animation_limit=round(config.figures.animation_limit * 1_000_000),
        refresh=options.refresh_figures, refresh_posts=frozenset(options.refresh_posts),
        progress=options.progress, on_progress=options.on_progress, prune=prune,
        strict_environment=config.figures.environment == "strict",
        output_limit=config.figures.output_limit,
        unrecorded=(options.destination or config.root / "output",
                    config.figure_store.parent / CACHE_FOLDER))


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


def _execute(config: SiteConfig, options: BuildOptions, posts: list[PostBlocks],
             prune: bool) -> ExecReport:
    return execute_posts(posts, exec_options(config, options, prune))
