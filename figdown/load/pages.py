"""Which pages a build publishes, and the URL of each: Hugo's rules for drafts, dates, URLs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from figdown.cache.lastbuild import CACHE_FOLDER
from figdown.cache.pagecache import PageCache
from figdown.cache.recall import Recall
from figdown.load.aliases import resolve_aliases
from figdown.load.config import SiteConfig
from figdown.load.content import ContentFiles, Page, discover
from figdown.load.urls import clean_path, expand_folder_permalink, path_name, urlize
from figdown.options import BuildOptions
from figdown.problems import ContentError, Problem

# The same page object, build after build, while its file does not change (see recall.py)
_WITH_URL: Recall[Page] = Recall()
_URLS: Recall[tuple[str, Problem | None]] = Recall()


@dataclass(frozen=True)
class Loaded:
    """The pages a build publishes, with what was left out and why."""

    pages: tuple[Page, ...]
    left_out: Mapping[str, tuple[Page, ...]]
    problems: tuple[Problem, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias path → page URL
    files: ContentFiles = field(  # every file found under content/
        default_factory=lambda: ContentFiles((), (), ()))


def load_pages(config: SiteConfig, options: BuildOptions, now: datetime) -> Loaded:
    """Read every content file, keep what this build publishes, and give each its URL."""
    problems: list[Problem] = []
    pages: list[Page] = []
    left_out: dict[str, list[Page]] = {"drafts": [], "future": [], "expired": []}
    skipped_languages: set[str] = set()
    if not config.content_dir.is_dir():
        raise ContentError([Problem("content", None, "the site has no content/ folder",
                                    "create content/ with a Markdown file, or pass -s SITE")])
    cache = PageCache(config.figure_store.parent / CACHE_FOLDER, config)
    files = discover(config.content_dir, config.root)
    problems.extend(files.problems)
    for source in files.pages:
        page, found = cache.read(source, config)
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
        url, problem = _URLS.get((id(page), cache.tag), page,
                                 lambda p=page: page_url(p, config))  # type: ignore[misc]
        if problem is not None:
            problems.append(problem)
            continue
        pages.append(_WITH_URL.get((id(page), url), page,
                                   lambda p=page, u=url: replace(p, url=u)))  # type: ignore[misc]
    cache.save()
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
