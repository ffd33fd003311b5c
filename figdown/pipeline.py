"""`build(options) -> BuildReport`: the stages of a build, in order."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

from figdown.assemble import assemble_site
from figdown.blocks import BlockResult, PostBlocks
from figdown.bodies import (
    CACHE_FOLDER,
    BodyCache,
    BodyJob,
    BodySettings,
    code_fingerprint,
    render_first_pass,
    second_pass_key,
)
from figdown.config import CONFIG_NAMES, SiteConfig, load_config
from figdown.content import Page
from figdown.execute import ExecOptions, ExecReport, execute_posts
from figdown.hugo_layouts import go_template_warning
from figdown.links import LINK_INDEX, check_links
from figdown.loading import Loaded, load_pages, sort_pages
from figdown.manifest import (
    SITE_FOLDERS,
    LastBuild,
    horizon_of,
    input_digest,
    listing_digest,
    read_last_build,
    write_last_build,
)
from figdown.markdown import (
    RenderContext,
    RenderedBody,
    create_markdown,
    parse_body,
    render_tokens,
)
from figdown.options import BuildOptions
from figdown.outputs import site_outputs, static_outputs
from figdown.problems import ContentError, Problem
from figdown.render import OutputFile, Renderer, create_environment, theme_dir
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
from figdown.urls import clean_path, expand_permalink, urlize, with_base
from figdown.write import SPARE_OUTPUT, destination_problem, remove_leftovers, write_site


@dataclass(frozen=True)
class BuildReport:
    """What a build did, or why it did not."""

    output: Path | None
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    terms: int = 0
    blocks_ran: int = 0
    blocks_reused: int = 0
    block_seconds: float = 0.0
    seconds: float = 0.0
    taxonomies: tuple[Taxonomy, ...] = ()  # the terms built, for tests and tools
    encoders: tuple[str, ...] = ()  # what encoded the animations made in this build

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def build(options: BuildOptions) -> BuildReport:
    """Run every stage; a content error anywhere leaves the previous output untouched."""
    started = time.perf_counter()
    root = options.source.resolve()
    try:
        config = load_config(root, options.base_url)
    except ContentError as err:
        return BuildReport(None, err.problems, seconds=time.perf_counter() - started)
    destination = (options.destination or root / "output")
    if not destination.is_absolute():
        destination = Path.cwd() / destination
    refusal = destination_problem(destination, config.root, config.config_file)
    if refusal is not None:  # before any work: a refused build writes nothing anywhere
        return BuildReport(None, (*config.warnings, refusal),
                           seconds=time.perf_counter() - started)
    problems: list[Problem] = list(config.warnings)
    try:
        report = _build(config, options, destination, problems)
    except ContentError as err:
        problems.extend(err.problems)
        return BuildReport(None, tuple(problems), seconds=time.perf_counter() - started)
    except OSError as err:  # a folder that cannot be made, a full disk, no permission
        where = str(err.filename) if err.filename else str(destination)
        problems.append(Problem(where, None, f"cannot read or write: {err.strerror or err}",
                                "check that the folder exists, is writable and has space"))
        return BuildReport(None, tuple(problems), seconds=time.perf_counter() - started)
    return replace(report, problems=tuple(problems), seconds=time.perf_counter() - started)


def _build(config: SiteConfig, options: BuildOptions, destination: Path,
           problems: list[Problem]) -> BuildReport:
    now = options.now or build_clock()
    # Nothing changed since the last successful build: its output is what this one would write.
    cache_dir = config.figure_store.parent / CACHE_FOLDER
    inputs = _input_digest(config, options, destination)
    last = None if options.refresh_figures else read_last_build(cache_dir)
    if last is not None and last.still_valid(inputs + _store_digest(config), destination, now):
        remove_leftovers(destination)
        problems.extend(last.problems)
        return BuildReport(destination, counts=last.counts, terms=last.counts.get("terms", 0),
                           blocks_reused=last.blocks)
    first_problem = len(problems)
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
                            config.enable_emoji, hashlib.sha256(repr(config).encode()).hexdigest())
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
    site = assemble_site(config, listed, bodies, taxonomies, figure_files)
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
    renderer = Renderer(site, create_environment(config.layouts_dir, cache_dir / "templates"),
                        reuse)
    extra = [*static_outputs(config.static_dir), *resource_outputs(config, loaded.pages),
             *figure_files]
    sources = {p.url: (p.path, bodies[p.path].links) for p in loaded.pages}

    def check(folder: Path) -> list[Problem]:
        if not options.check_links:
            return []
        found = check_links(folder, config.base_path, sources,
                            severity="warning" if options.warn_links else "error",
                            index=cache_dir / LINK_INDEX)
        problems.extend(p for p in found if p.severity != "error")  # errors come back raised
        return found

    write_site(site_outputs(site, renderer, extra), destination, config.root,
               config.config_file, check, spare=cache_dir / SPARE_OUTPUT)
    if reuse is not None:
        reuse.save()
    counts = {"pages": len(site.pages), "sections": len(site.sections),
              "terms": sum(len(t.terms) for t in taxonomies),
              "figures": len(figure_files)}
    horizon = horizon_of([p.front.publish_date or p.front.date for p in loaded.left_out["future"]]
                         + [p.front.expiry_date for p in loaded.pages], now)
    write_last_build(cache_dir, LastBuild(
        inputs + _store_digest(config), listing_digest(destination), horizon, counts,
        executed.ran + executed.reused, tuple(problems[first_problem:])))
    return BuildReport(destination, counts=counts, terms=counts["terms"],
                       blocks_ran=executed.ran, blocks_reused=executed.reused,
                       block_seconds=executed.seconds, taxonomies=tuple(taxonomies),
                       encoders=executed.encoders)


def _input_digest(config: SiteConfig, options: BuildOptions, destination: Path) -> str:
    """What the site's output depends on, besides the clock and the figure store."""
    theme = theme_dir()
    folders = [config.root / name for name in SITE_FOLDERS]
    folders += [config.helpers_dir, theme / "layouts", theme / "static"]
    settings = replace(options, now=None, jobs=0, progress=False)
    return input_digest(folders, [config.root / name for name in CONFIG_NAMES],
                        repr((code_fingerprint(), settings, destination)))


def _store_digest(config: SiteConfig) -> str:
    """The figure store, read after the blocks ran: a build writes into it."""
    return input_digest([config.figure_store], [], "")


def build_clock() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


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


__all__ = ["BuildOptions", "BuildReport", "Loaded", "build", "build_clock", "load_pages"]
