"""Taxonomies: pages grouped by term, a term known by its slug."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from figdown.load.urls import fold, path_name
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
