"""Taxonomies: pages grouped by term, a term known by its slug."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from figdown.load.config import SiteConfig
from figdown.load.content import Page
from figdown.load.urls import clean_path, expand_folder_permalink, fold, path_name
from figdown.problems import Problem


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a taxonomy (`relu` in `tags`) and the pages that carry it."""

    taxonomy: str  # plural name: "tags"
    name: str  # as first written: "Deep Learning"
    slug: str  # "deep-learning"
    pages: tuple[str, ...]  # page sources (Page.path), newest first
    permalink: str | None = None  # from the config's term permalinks, when it has one

    @property
    def url(self) -> str:
        return self.permalink or f"/{self.taxonomy}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.pages)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    plural: str
    singular: str
    terms: tuple[Term, ...]  # sorted by name

    @property
    def url(self) -> str:
        return f"/{self.plural}/"

    def by_slug(self) -> dict[str, Term]:
        return {term.slug: term for term in self.terms}


@dataclass(frozen=True)
class Tagged:
    """What the taxonomy builder needs to know of a page."""

    path: str
    terms: Mapping[str, Sequence[str]]
    lines: Mapping[str, int]


def build_taxonomies(pages: Iterable[Tagged], taxonomies: Mapping[str, str],
                     lower: bool = True) -> tuple[tuple[Taxonomy, ...], list[Problem]]:
    """Group pages (already in display order) by term; one problem per unusable term."""
    problems: list[Problem] = []
    ordered = list(pages)
    result: list[Taxonomy] = []
    for singular, plural in taxonomies.items():
        names: dict[str, str] = {}
        slugs: dict[str, str] = {}
        members: dict[str, list[str]] = {}
        for page in ordered:
            seen: set[str] = set()
            for name in page.terms.get(plural, ()):
                slug = path_name(name, lower)
                if not slug:
                    problems.append(Problem(page.path, page.lines.get(plural),
                                            f"{plural} term {name!r} has no letters or digits "
                                            "to make a URL from",
                                            "use a term with at least one letter or digit"))
                    continue
                key = fold(slug)
                if key in names and names[key] != name:
                    problems.append(Problem(page.path, page.lines.get(plural),
                                            f"{plural} term {name!r} merged with "
                                            f"{names[key]!r}", "", severity="note"))
                names.setdefault(key, name)
                slugs.setdefault(key, slug)
                if key not in seen:
                    members.setdefault(key, []).append(page.path)
                    seen.add(key)
        terms = tuple(sorted((Term(plural, names[k], slugs[k], tuple(members[k]))
                              for k in members), key=lambda t: t.slug))
        result.append(Taxonomy(plural, singular, terms))
    return tuple(result), problems


def titled_terms(config: SiteConfig, taxonomies: Sequence[Taxonomy], pages: Sequence[Page]
                ) -> tuple[tuple[Taxonomy, ...], tuple[Page, ...]]:
    """`content/tags/python/_index.md` titles the term `python`, as in Hugo, instead of
    making a section at the term's URL. One for a term no page carries stays a list page."""
    taxonomies = [replace(taxonomy, terms=tuple(
        replace(term, permalink=term_url(config, term)) for term in taxonomy.terms))
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


def term_url(config: SiteConfig, term: Term) -> str | None:
    """A term's URL from the config's term permalinks (`topics: /subjects/:slug/`)."""
    pattern = config.term_permalinks.get(term.taxonomy)
    if not pattern:
        return None
    url = expand_folder_permalink(pattern, slug=term.slug, title=term.name,
                                  filename=term.slug, section=term.taxonomy,
                                  sections=term.taxonomy, date=None,
                                  lower=not config.disable_path_to_lower)
    return clean_path(url)
