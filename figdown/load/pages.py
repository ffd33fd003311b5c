"""Which pages a build publishes, and the URL of each: Hugo's rules for drafts, dates, URLs."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from figdown.load.aliases import resolve_aliases
from figdown.load.config import SiteConfig, content_key
from figdown.load.content import ContentFiles, Page, discover, read_page
from figdown.load.urls import clean_path, expand_folder_permalink, path_name, urlize
from figdown.memo import Memo, NoMemo
from figdown.options import BuildOptions
from figdown.problems import ContentError, Problem

_WHY_LEFT_OUT = {
    "drafts": ("is a draft", "-D"),
    "future": ("is dated in the future", "-F"),
    "expired": ("has expired", "-E"),
}

PageReader = Callable[[Path, SiteConfig], tuple[Page | None, list[Problem]]]


@dataclass(frozen=True)
class Loaded:
    """The pages a build publishes, with what was left out and why."""

    pages: tuple[Page, ...]
    left_out: Mapping[str, tuple[Page, ...]]
    problems: tuple[Problem, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias path → page URL
    files: ContentFiles = field(  # every file found under content/
        default_factory=lambda: ContentFiles((), (), ()))


@dataclass(frozen=True)
class LeftOut:
    """A page this build does not publish, which a link may still mean."""

    source: str  # its file, as problems name it
    reason: str  # "drafts", "future" or "expired", as in loading.Loaded.left_out

    def what(self) -> str:
        return f"{self.source} {_WHY_LEFT_OUT.get(self.reason, ('is left out', ''))[0]}"

    def how(self) -> str:
        """How to build with the page in it."""
        flag = _WHY_LEFT_OUT.get(self.reason, ("", ""))[1]
        return f"build with {flag} to include it" if flag else "include it in the build"


def load_pages(config: SiteConfig, options: BuildOptions, now: datetime,
               read: PageReader = read_page, memo: Memo[object] | None = None) -> Loaded:
    """Read every content file, keep what this build publishes, and give each its URL.

    `read` reads one file (the build cache's answers from the last build's pages); `memo`
    hands back the same page object, build after build, while its file does not change.
    """
    memo = memo if memo is not None else NoMemo()
    tag = content_key(config)
    problems: list[Problem] = []
    pages: list[Page] = []
    left_out: dict[str, list[Page]] = {"drafts": [], "future": [], "expired": []}
    skipped_languages: set[str] = set()
    if not config.content_dir.is_dir():
        raise ContentError([Problem("content", None, "the site has no content/ folder",
                                    "create content/ with a Markdown file, or pass -s SITE")])
    files = discover(config.content_dir, config.root)
    problems.extend(files.problems)
    for source in files.pages:
        page, found = read(source, config)
        problems.extend(found)
        if page is None:
            continue
        if page.lang and page.lang != config.default_language:
            skipped_languages.add(page.lang)
            continue
        front = page.front
        published = front.publish_date or front.date
        if front.draft and not (options.drafts or config.build_drafts):
            left_out["drafts"].append(page)
            continue
        if published and published > now and not (options.future or config.build_future):
            left_out["future"].append(page)
            continue
        if front.expiry_date and front.expiry_date <= now and not (
                options.expired or config.build_expired):
            left_out["expired"].append(page)
            continue
        if front.headless:
            continue
        url, problem = cast(tuple[str, Problem | None], memo.get(
            ("url", id(page), tag), page, functools.partial(page_url, page, config)))
        if problem is not None:
            problems.append(problem)
            continue
        pages.append(cast(Page, memo.get(("with url", id(page), url), page,
                                         functools.partial(replace, page, url=url))))
    if skipped_languages:
        problems.append(Problem("content", None, "pages in other languages are not built: "
                                + ", ".join(sorted(skipped_languages)),
                                f"only the default language ({config.default_language}) is built",
                                severity="warning"))
    problems.extend(_collisions(pages))
    # Hugo redirects /<default language>/ to the home page of a multilingual site.
    home_alias = {f"/{config.default_language}/": "/"} if len(config.languages) > 1 else {}
    aliases, alias_problems = resolve_aliases(sort_pages(pages), home_alias, config.ugly_urls)
    problems.extend(alias_problems)
    return Loaded(tuple(pages), {k: tuple(v) for k, v in left_out.items()}, tuple(problems),
                  aliases, files)


def page_url(page: Page, config: SiteConfig) -> tuple[str, Problem | None]:
    """A page's site path, Hugo's way: `url`, else the section's permalink, else its path."""
    front = page.front
    lower = not config.disable_path_to_lower
    if page.kind == "home":
        return "/", None
    if front.url:
        raw = front.url.strip()
        if "?" in raw or "#" in raw:  # a file cannot be named so that a server finds it
            return "", Problem(page.path, page.line_of("url"),
                               f"url {raw!r} holds a query or fragment (? or #), which no "
                               "page's address can have", "write a plain path such as /about/")
        cleaned = clean_path(raw if raw.startswith("/") else "/" + raw)
        if cleaned is None or "://" in raw:
            return "", Problem(page.path, page.line_of("url"),
                               f"url {raw!r} leaves the site's output folder",
                               "write a path inside the site such as /about/")
        return cleaned, None
    slug = front.slug
    if slug is not None and (slug.strip() in {"", ".", ".."} or "/" in slug or "\\" in slug):
        return "", Problem(page.path, page.line_of("slug"),
                           f"slug {slug!r} is not a single path segment",
                           "use letters, digits and hyphens, e.g. my-post")
    folders = [path_name(part, lower) or part for part in page.sections]
    if page.kind == "section":
        pattern = _pattern(config.section_permalinks, page.section, folders)
        if pattern:
            url = expand_folder_permalink(pattern, slug=slug, title=front.title,
                                          filename=path_name(page.name, lower),
                                          section=folders[0], sections="/".join(folders),
                                          date=front.date, lower=lower)
            return clean_path(url) or "/", None
        return "/" + "/".join(folders) + "/", None
    pattern = _pattern(config.permalinks, page.section, folders)
    if pattern:
        url = expand_folder_permalink(pattern, slug=slug, title=front.title,
                                      filename=path_name(page.name, lower),
                                      section=folders[0] if folders else "",
                                      sections="/".join(folders), date=front.date, lower=lower)
    else:
        # a folder even when the name has a dot (python-3.12-notes.md), as in Hugo
        name = urlize(slug, lower) if slug else path_name(page.name, lower)
        url = "/" + "/".join([*folders, name]) + "/"
    if config.ugly_urls and page.kind == "page":
        url = url.rstrip("/") + ".html"
    cleaned = clean_path(url)
    if cleaned is None:
        return "", Problem(page.path, page.line_of("slug"), f"page URL {url!r} leaves the site",
                           "fix the slug or the permalink pattern")
    return cleaned, None


def _pattern(patterns: Mapping[str, str], section: str, folders: Sequence[str]) -> str | None:
    """The permalink pattern of a section, named as its folder or as its URL (`blog-posts`)."""
    return patterns.get(section) or (patterns.get(folders[0]) if folders else None)


def _collisions(pages: Sequence[Page]) -> list[Problem]:
    owners: dict[str, Page] = {}
    problems: list[Problem] = []
    for page in pages:
        claims = [(page.url, "url")]
        for url, key in claims:
            other = owners.get(url)
            if other is not None and other is not page:
                problems.append(Problem(page.path, page.line_of(key) or page.line_of("slug"),
                                        f"{url} is also the URL of {other.path}",
                                        "give one of the two pages another slug, url or alias"))
            else:
                owners[url] = page
    return problems


def sort_pages(pages: Sequence[Page]) -> list[Page]:
    """Hugo's default order: weight (unweighted last), newest first, then title and path."""
    def key(page: Page) -> tuple[bool, int, float, str, str]:
        weight = page.front.weight
        stamp = page.front.date.timestamp() if page.front.date else float("-inf")
        return (weight == 0, weight, -stamp, page.front.title.lower(), page.path)
    return sorted(pages, key=key)


def left_out_urls(loaded: Loaded, config: SiteConfig) -> dict[str, LeftOut]:
    """The site path each page left out of this build would have, for the link check."""
    found: dict[str, LeftOut] = {}
    for reason, pages in loaded.left_out.items():
        for page in pages:
            url, problem = page_url(page, config)
            if problem is None:
                found.setdefault(url, LeftOut(page.path, reason))
    return found
