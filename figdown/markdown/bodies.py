"""The page bodies of a build: shortcodes, Markdown, executable blocks, then Markdown again
for the pages whose blocks ran (their figures go where the blocks were)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

from figdown.execute.blocks import BlockResult, PostBlocks
from figdown.execute.executor import ExecOptions, ExecReport, execute_posts
from figdown.load.bibliography import (
    DEFAULT_STYLE,
    Bibliography,
    BibliographyError,
    read_bibliography,
)
from figdown.load.citing import MAY_CITE, bibliography_paths
from figdown.load.config import SiteConfig, content_key
from figdown.load.content import Page
from figdown.load.notebook import locate
from figdown.load.urls import with_base
from figdown.markdown.engine import (
    RenderContext,
    RenderedBody,
    create_markdown,
    parse_body,
    render_tokens,
)
from figdown.markdown.firstpass import (
    BodyJob,
    BodySettings,
    BodyStore,
    NoBodyStore,
    render_first_pass,
    second_pass_key,
)
from figdown.markdown.presentation import CodeDefaults
from figdown.markdown.saved import executes, saved_results
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
                  whole_site: bool = True, stop_on_errors: bool = True,
                  store: BodyStore | None = None) -> Bodies:
    """The bodies of `pages` (`refs`: every page of the site, for `ref`/`relref`).

    Problems are added to `problems`; an error stops the build (ContentError) once the
    stage that found it is done. Without `stop_on_errors`, a failed block or an error in a
    body does not: every body is returned (a failed block shows its error in place) and the
    caller decides. `whole_site`: these are all the site's pages, so that figures and cache
    entries no page uses any more can be pruned. `store`: bodies an earlier build rendered
    (the build cache's); without it every body is rendered.
    """
    start = len(problems)
    try:
        return _render_bodies(config, options, pages, refs, problems, whole_site,
                              stop_on_errors, store)
    finally:  # a notebook's problems are said at their cell, not at a line of its text
        notebooks = {page.path: page.notebook for page in pages if page.notebook is not None}
        if notebooks:
            problems[start:] = [locate(p, notebooks[p.path]) if p.path in notebooks else p
                                for p in problems[start:]]


def _render_bodies(config: SiteConfig, options: BuildOptions, pages: Sequence[Page],
                   refs: Sequence[PageRef], problems: list[Problem], whole_site: bool,
                   stop_on_errors: bool, store: BodyStore | None) -> Bodies:
    md = create_markdown(config.unsafe_html, config.enable_emoji, config.markup)
    expanded = _expand_shortcodes(config, pages, refs, md)
    for found_shortcodes in expanded.values():
        problems.extend(found_shortcodes.problems)
    problems.extend(unknown_warnings([(p.path, expanded[p.path].unknown) for p in pages]))
    fail_on_errors(problems)
    settings = BodySettings(config.unsafe_html, config.base_path, config.summary_length,
                            config.enable_emoji, config.markup, content_key(config))
    cache = store if store is not None else NoBodyStore()
    # Markdown sees the body with its shortcodes already expanded (see shortcodes.py); the
    # cached HTML still holds their placeholders, put back after each render or cache hit.
    jobs = {job.path: job for job in _body_jobs(config, pages, expanded, problems)}
    fail_on_errors(problems)
    first = render_first_pass(list(jobs.values()), settings, cache,
                              options.jobs or os.cpu_count() or 1)
    bodies: dict[str, RenderedBody] = {}
    pending: list[tuple[Page, RenderContext]] = []
    posts: list[PostBlocks] = []
    saved: dict[str, dict[int, BlockResult]] = {}  # notebooks shown as saved, by page path
    for page in pages:
        found = first[page.path]
        if found.blocks:
            context = RenderContext(path=page.path, line_offset=page.body_line,
                                    base_path=config.base_path, page_url=page.url,
                                    figure_url=_figure_url(config, page),
                                    figure_svg=_figure_svg(config),
                                    code_defaults=CodeDefaults(config.figures.echo,
                                                               config.figures.code_summary),
                                    bibliography=jobs[page.path].bibliography)
            pending.append((page, context))
            if page.notebook is not None and not executes(page.front.params):
                saved[page.path] = saved_results(found.blocks, page.notebook)
                continue
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
    results_of: dict[str, dict[int, BlockResult]] = saved
    for (path, index), result in executed.results.items():
        results_of.setdefault(path, {})[index] = result
    for page, context in pending:
        results = results_of.get(page.path, {})
        key = second_pass_key(cache, jobs[page.path], settings, results, options.keep_going)
        cached = cache.get_many([key]).get(key)
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
    seen = set(problems)
    for body in bodies.values():
        # once each: a broken citation style is found by every page that cites in it
        for problem in body.problems:
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
    if stop_on_errors:
        fail_on_errors(problems)
    for page in pages:  # a line of a notebook's text is no line of the notebook's file
        if page.notebook is not None and page.path in bodies:
            made = bodies[page.path]
            bodies[page.path] = replace(made, links=tuple(replace(link, line=None)
                                                          for link in made.links))
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


def _body_jobs(config: SiteConfig, pages: Sequence[Page], expanded: Mapping[str, Expanded],
               problems: list[Problem]) -> list[BodyJob]:
    """What each body's HTML is made from. The one place a bibliography joins a body: only
    a page that may cite (an `@` that could start a key) is keyed on its .bib and style."""
    loaded: dict[tuple[Path, Path], Bibliography | None] = {}
    jobs: list[BodyJob] = []
    for page in pages:
        text = expanded[page.path].text
        wanted = bibliography_paths(config, page) if MAY_CITE.search(text) else None
        if wanted is not None and wanted not in loaded:
            loaded[wanted] = _read_bibliography(config, *wanted, problems)
        jobs.append(BodyJob(page.path, page.body_line, page.url, text, page.front.summary,
                            loaded[wanted] if wanted is not None else None))
    return jobs


def _read_bibliography(config: SiteConfig, source: Path, style: Path,
                       problems: list[Problem]) -> Bibliography | None:
    site = config.root.resolve()
    for path in (source, style):
        if path != DEFAULT_STYLE and not path.resolve().is_relative_to(site):
            # A file outside the site is not watched: a change to it would rebuild nothing.
            problems.append(Problem(_shown(config, path), None, "a bibliography or citation "
                                    "style outside the site folder",
                                    "move it under content/ and name it from there"))
            return None
    try:
        return read_bibliography(source, _shown(config, source), style, _shown(config, style))
    except BibliographyError as err:
        problems.append(err.problem)
        return None


def _shown(config: SiteConfig, path: Path) -> str:
    """A path as messages show it: from the site's folder when inside it."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


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
                refs: Sequence[PageRef], problems: list[Problem],
                store: BodyStore | None = None) -> list[PostBlocks]:
    """The executable blocks of `pages`, without running them (for `figures prune`)."""
    md = create_markdown(config.unsafe_html, config.enable_emoji, config.markup)
    expanded = _expand_shortcodes(config, pages, refs, md)
    settings = BodySettings(config.unsafe_html, config.base_path, config.summary_length,
                            config.enable_emoji, config.markup, content_key(config))
    jobs = _body_jobs(config, pages, expanded, problems)
    first = render_first_pass(jobs, settings, store if store is not None else NoBodyStore(),
                              options.jobs or os.cpu_count() or 1)
    return [PostBlocks(path=page.path, slug=_store_slug(page), source_dir=page.source.parent,
                       blocks=first[page.path].blocks)
            for page in pages if first[page.path].blocks
            and (page.notebook is None or executes(page.front.params))]


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
                    config.cache_dir))


def _store_slug(page: Page) -> str:
    return page.url.strip("/") or "home"


def _figure_url(config: SiteConfig, page: Page) -> Callable[[str], str]:
    folder = page.url if page.url.endswith("/") else str(PurePosixPath(page.url).parent) + "/"

    def url(store_path: str) -> str:
        return with_base(config.base_path, folder + PurePosixPath(store_path).name)
    return url


def _figure_svg(config: SiteConfig) -> Callable[[str], str | None]:
    """The text of a stored SVG figure, to write into its page; None if it cannot be read."""
    def text(store_path: str) -> str | None:
        try:
            return (config.figure_store / store_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return text


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
