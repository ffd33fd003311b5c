"""The read-only `Site` templates see: page views, sections, neighbours and related posts."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence

from figdown.load.config import SiteConfig
from figdown.load.content import Page
from figdown.load.pages import sort_pages
from figdown.load.taxonomy import Taxonomy
from figdown.load.urls import absolute, encode, urlize, with_base
from figdown.markdown.engine import RenderedBody
from figdown.memo import Memo, NoMemo
from figdown.outputfile import OutputFile
from figdown.site.model import Neighbours, PageView, Site, TermRef, make_view


def assemble_site(config: SiteConfig, pages: Sequence[Page], bodies: Mapping[str, RenderedBody],
                  taxonomies: Sequence[Taxonomy], figures: Sequence[OutputFile],
                  config_key: str, memo: Memo[PageView] | None = None,
                  aliases: Mapping[str, str] | None = None) -> Site:
    """Views of every page, lists, neighbours: the read-only model templates see.

    `config_key` is a digest of the whole config: with a `memo`, a view a recent build made
    from the same page, body, terms, image and config is that same view.
    """
    memo = memo if memo is not None else NoMemo()
    term_refs: dict[str, dict[str, list[TermRef]]] = {}
    for taxonomy in taxonomies:
        for term in taxonomy.terms:
            ref = TermRef(term.name, term.slug, term.taxonomy,
                          encode(with_base(config.base_path, term.url)), term.count)
            for source in term.pages:
                term_refs.setdefault(source, {}).setdefault(taxonomy.plural, []).append(ref)
    first_figure: dict[str, str] = {}
    for figure in figures:
        source = figure.origin.split(" block ", 1)[0]
        first_figure.setdefault(source, figure.path)

    views: dict[str, PageView] = {}
    ordered = sort_pages(pages)
    for page in ordered:
        image = first_figure.get(page.path)
        image_url = encode(absolute(config.base_url, "/" + image)) if image else None
        terms = {k: tuple(v) for k, v in term_refs.get(page.path, {}).items()}
        body = bodies[page.path]
        views[page.path] = memo.get(
            (id(page), id(body), config_key, tuple(terms.items()), image_url), (page, body),
            lambda p=page, b=body, t=terms, i=image_url: make_view(  # type: ignore[misc]
                p, b, config, t, i))

    regular = tuple(views[p.path] for p in ordered if p.kind == "page")
    home_page = next((p for p in pages if p.kind == "home"), None)
    home = views[home_page.path] if home_page else _virtual_view(config, "home", "/", config.title)
    plurals = set(config.taxonomies.values())
    # A section is a top folder with pages, or with an `_index.md` (not a taxonomy's).
    section_names = sorted({p.section for p in pages if p.section and (
        p.kind == "page" or (p.kind == "section" and p.section not in plurals))})
    # build.list `local`: in its own section's list, not on the home page nor in feeds;
    # build.render `never`/`link`: no page to link to.
    linked = tuple(v for v in regular if v.page.front.list_pages in {"always", "local"}
                   and v.page.front.render == "always")
    sections: list[PageView] = []
    section_pages: dict[str, tuple[PageView, ...]] = {}
    for name in section_names:
        index_page = next((p for p in pages if p.kind == "section" and p.sections == (name,)),
                          None)
        view = views[index_page.path] if index_page else _virtual_view(
            config, "section", "/" + (urlize(name, not config.disable_path_to_lower) or name)
            + "/", name.replace("-", " ").title())
        sections.append(view)
        section_pages[view.url] = tuple(v for v in linked if v.section == name)
    for page in pages:
        if page.kind == "section" and len(page.sections) > 1:
            view = views[page.path]
            sections.append(view)
            section_pages[view.url] = tuple(
                v for v in linked if v.page.sections[:len(page.sections)] == page.sections)
    main = _main_section(config, regular)
    return Site(config=config, home=home, sections=tuple(sections), pages=regular,
                taxonomies=tuple(taxonomies), main_section=main,
                neighbours=_neighbours(linked), section_pages=section_pages,
                build_date=max((v.lastmod for v in regular if v.lastmod), default=None),
                aliases=dict(aliases or {}))


def _main_section(config: SiteConfig, regular: Sequence[PageView]) -> str:
    if config.main_sections:
        return config.main_sections[0]
    counts: dict[str, int] = {}
    for view in regular:
        if view.section:
            counts[view.section] = counts.get(view.section, 0) + 1
    return max(sorted(counts), key=lambda s: counts[s]) if counts else ""


def _virtual_view(config: SiteConfig, kind: str, url: str, title: str) -> PageView:
    """A list page with no `_index.md`: a title and nothing else."""
    from figdown.load.content import FrontMatter
    page = Page(source=config.content_dir, path=f"content ({kind} {url})", rel="",
                kind="home" if kind == "home" else "section", sections=(),
                bundle=None, front=FrontMatter(title=title), body="", body_line=1, url=url)
    body = RenderedBody(html="", summary="", truncated=False, toc=(), word_count=0, links=())
    return make_view(page, body, config, {}, None)


def _neighbours(regular: Sequence[PageView]) -> dict[str, Neighbours]:
    result: dict[str, Neighbours] = {}
    by_section: dict[str, list[PageView]] = {}
    for view in regular:
        by_section.setdefault(view.section, []).append(view)
    # Pages by number: counting ints in C (Counter.update) keeps this quadratic step cheap.
    index: dict[str, set[int]] = {}
    for n, view in enumerate(regular):
        for refs in view.terms.values():
            for ref in refs:
                index.setdefault(ref.url, set()).add(n)
    number = {v.source: n for n, v in enumerate(regular)}
    for members in by_section.values():
        for i, view in enumerate(members):
            scores: Counter[int] = Counter()
            for refs in view.terms.values():
                for ref in refs:
                    scores.update(index.get(ref.url, ()))
            del scores[number[view.source]]
            # most shared terms first, then the newer page: one int per candidate, so that
            # the comparisons run in C
            size = len(regular)
            ranks = [-count * size + n for n, count in scores.items()]
            related = [rank % size for rank in heapq.nsmallest(5, ranks)]
            result[view.source] = Neighbours(
                newer=members[i - 1] if i > 0 else None,
                older=members[i + 1] if i + 1 < len(members) else None,
                related=tuple(regular[n] for n in related))
    return result

