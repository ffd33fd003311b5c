"""The assembled site: every page with what templates show of it, built once, then read-only."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from figdown.load.config import SiteConfig
from figdown.load.content import Page
from figdown.load.taxonomy import Taxonomy, Term
from figdown.load.urls import absolute, encode, urlize, with_base
from figdown.markdown.engine import Heading, RenderedBody
from figdown.site.cite import PostCitation, author_of, cite_post, wants_citation

DATE_FORMAT = "%B %-d, %Y"  # how pages show a date: "December 3, 2024"


def shown_date(value: datetime | None, fmt: str = DATE_FORMAT) -> str:
    """A date as pages show it; "" for none."""
    return value.strftime(fmt) if value else ""


WORDS_PER_MINUTE = 213  # Hugo's reading-time rate
SERIES = "series"  # the taxonomy whose terms are read in order: "Part 2 of 5"


@dataclass(frozen=True, slots=True)
class TermRef:
    """A term as a page shows it: its name and its link."""

    name: str
    slug: str
    taxonomy: str
    url: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class PageView:
    """One page as templates see it; URLs already carry the base path."""

    page: Page
    kind: str
    title: str
    url: str  # site path, without base: /posts/relu/
    rel_url: str  # with the base path, for links: /blog/posts/relu/
    permalink: str  # absolute, for feeds
    date: datetime | None
    lastmod: datetime | None
    content: str
    summary: str
    truncated: bool
    description: str
    toc: tuple[Heading, ...]
    word_count: int
    terms: Mapping[str, tuple[TermRef, ...]]
    params: Mapping[str, Any]
    layout: str | None
    image: str | None = None  # first figure, absolute, for social cards
    text: bytes = b""  # the content's words, UTF-8, for the search index

    @property
    def reading_time(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def section(self) -> str:
        return self.page.section

    @property
    def draft(self) -> bool:
        return self.page.front.draft

    @property
    def source(self) -> str:
        return self.page.path

    @property
    def tags(self) -> tuple[TermRef, ...]:
        return self.terms.get("tags", ())

    @property
    def categories(self) -> tuple[TermRef, ...]:
        return self.terms.get("categories", ())

    @property
    def date_iso(self) -> str:
        return self.date.isoformat() if self.date else ""


@dataclass(frozen=True, slots=True)
class SeriesBox:
    """A post's place in one of its series: the term, every part in order, which one it is."""

    term: TermRef
    parts: tuple[PageView, ...]
    number: int  # 1-based


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Previous/next posts in the section and related posts by shared terms."""

    newer: PageView | None = None
    older: PageView | None = None
    related: tuple[PageView, ...] = ()


@dataclass(frozen=True)
class Site:
    """Everything a template may show; made once per build, never changed."""

    config: SiteConfig
    home: PageView
    sections: tuple[PageView, ...]
    pages: tuple[PageView, ...]  # regular pages, newest first
    taxonomies: tuple[Taxonomy, ...]
    main_section: str
    neighbours: Mapping[str, Neighbours] = field(default_factory=dict)
    section_pages: Mapping[str, tuple[PageView, ...]] = field(default_factory=dict)
    build_date: datetime | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias path → page URL

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def params(self) -> Mapping[str, Any]:
        return self.config.params

    @functools.cached_property
    def listed(self) -> tuple[PageView, ...]:
        """Regular pages that lists show (Hugo's `build.list`; unrendered pages have no page
        to link to)."""
        return tuple(p for p in self.pages if p.page.front.list_pages == "always"
                     and p.page.front.render == "always")

    @functools.cached_property
    def listed_position(self) -> Mapping[str, int]:
        """Each listed page's place in `listed`, by its source."""
        return {view.source: n for n, view in enumerate(self.listed)}

    def listed_among(self, sources: Iterable[str]) -> list[PageView]:
        """The listed pages among these sources, in the order of `listed`."""
        where = self.listed_position
        return [self.listed[n] for n in sorted(where[s] for s in sources if s in where)]

    @functools.cached_property
    def posts(self) -> tuple[PageView, ...]:
        """Pages of the main section, newest first: what home and feeds list."""
        return tuple(p for p in self.listed if p.section == self.main_section)

    def url(self, site_path: str) -> str:
        return encode(with_base(self.config.base_path, site_path))

    def absolute_url(self, site_path: str) -> str:
        return encode(absolute(self.config.base_url, site_path))

    def section_url(self, name: str) -> str:
        """The site path of a top-level section, wherever its permalink put it."""
        found = next((v.url for v in self.sections if v.page.sections == (name,)), None)
        return found or "/" + (urlize(name, not self.config.disable_path_to_lower) or name) + "/"

    def term_ref(self, term: Term) -> TermRef:
        return TermRef(term.name, term.slug, term.taxonomy, self.url(term.url), term.count)

    def taxonomy(self, plural: str) -> Taxonomy | None:
        return next((t for t in self.taxonomies if t.plural == plural), None)

    def citation_of(self, view: PageView) -> PostCitation | None:
        """How to cite a post of the main section, unless `citation: false` says not to."""
        if view.kind != "page" or view.section != self.main_section or not wants_citation(
                view.params, self.params):
            return None
        return cite_post(view.title, author_of(view.params, self.params, self.title), view.date,
                         view.permalink, self.title, view.page.name)

    def series_of(self, view: PageView) -> tuple[SeriesBox, ...]:
        """The series a post is part of, each with its parts in reading order. Handed to its
        template (rather than looked up from there) so that the other parts' titles are
        part of what its rendered page is keyed on."""
        boxes: list[SeriesBox] = []
        for ref in view.terms.get(SERIES, ()):
            parts = self.series_parts(ref)
            sources = [part.source for part in parts]
            if view.source in sources:
                boxes.append(SeriesBox(ref, parts, sources.index(view.source) + 1))
        return tuple(boxes)

    def series_parts(self, term: Term | TermRef) -> tuple[PageView, ...]:
        """The listed posts of a series term in reading order: oldest first, then by title
        (the order Hugo themes give a series)."""
        taxonomy = self.taxonomy(term.taxonomy)
        found = taxonomy.by_slug().get(term.slug) if taxonomy else None
        if found is None:
            return ()
        return tuple(sorted(self.listed_among(found.pages), key=_reading_order))

    def with_views(self, views: Mapping[str, PageView]) -> Site:
        """This site with these regular pages' views (by source) in place of their own,
        wherever they are shown: in `pages`, in section lists, as neighbours."""
        if not views:
            return self

        def swap(view: PageView | None) -> PageView | None:
            return None if view is None else views.get(view.source, view)

        def swap_all(found: tuple[PageView, ...]) -> tuple[PageView, ...]:
            return tuple(views.get(v.source, v) for v in found)

        return dataclasses.replace(
            self, pages=swap_all(self.pages),
            section_pages={url: swap_all(found) for url, found in self.section_pages.items()},
            neighbours={source: Neighbours(swap(n.newer), swap(n.older), swap_all(n.related))
                        for source, n in self.neighbours.items()})


def _reading_order(view: PageView) -> tuple[float, str, str]:
    return (view.date.timestamp() if view.date else float("-inf"), view.title.lower(),
            view.source)


def make_view(page: Page, body: RenderedBody, config: SiteConfig,
              terms: Mapping[str, tuple[TermRef, ...]], image: str | None) -> PageView:
    """What templates show of one rendered page."""
    from figdown.markdown.engine import plain_text

    front = page.front
    description = front.description or plain_text(body.summary)[:300]
    layout = front.params.get("layout") or front.params.get("type")
    return PageView(
        page=page,
        kind=page.kind,
        title=front.title or (page.name.replace("-", " ").title() if page.kind != "home"
                              else config.title),
        url=page.url,
        rel_url=encode(with_base(config.base_path, page.url)),
        permalink=encode(absolute(config.base_url, page.url)),
        date=front.date,
        lastmod=front.lastmod or front.date,
        content=body.html,
        summary=body.summary,
        truncated=body.truncated,
        description=description,
        toc=body.toc,
        word_count=body.word_count,
        terms=terms,
        params=front.params,
        layout=str(layout) if layout else None,
        image=image,
        text=body.text,
    )
