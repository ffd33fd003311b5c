"""Every file of the built site, as a stream of `OutputFile`s, in a stable order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from figdown.load.config import SiteConfig
from figdown.load.content import ContentFiles, Page
from figdown.load.urls import output_file, path_name
from figdown.load.walk import refusal_problem, walk_site_folder
from figdown.markdown.highlight import stylesheet
from figdown.output.render import Renderer
from figdown.output.search import INDEX_PATH, search_index
from figdown.outputfile import OutputFile
from figdown.problems import Problem
from figdown.site.model import Site
from figdown.theme import theme_dir


def site_outputs(site: Site, renderer: Renderer, extra: Sequence[OutputFile],
                 search: Mapping[str, bytes] | None = None) -> Iterator[OutputFile]:
    """Pages, lists, taxonomies, feeds, sitemap and the fixed files; then copied files.
    `search`: the pages' search entries, when already made (search.search_entries)."""
    for view in site.pages:
        if view.page.front.render == "always":
            yield from renderer.page_outputs(view)

    home = site.home
    yield from renderer.list_outputs("list.html", "/", site.posts, home.source, page=home,
                                     items_title=None)
    yield renderer.feed("/index.xml", site.title, site.posts, home.source, "/")
    for section in site.sections:
        members = site.section_pages.get(section.url, ())
        yield from renderer.list_outputs("list.html", section.url, members, section.source,
                                         page=section, items_title=section.title)
        yield renderer.feed(f"{section.url}index.xml", f"{section.title} on {site.title}",
                            members, section.source, section.url)

    for taxonomy in site.taxonomies:
        yield from renderer.taxonomy_outputs(taxonomy)
    owners = {view.url: view.page for view in (*site.pages, *site.sections, site.home)}
    for alias, target in sorted(site.aliases.items()):
        owner = owners.get(target)
        if owner is not None and owner.front.aliases:  # named in messages: the alias's line
            yield renderer.alias(alias, target, owner.path, owner.line_of("aliases"))
        else:
            yield renderer.alias(alias, target, f"alias {alias}")

    yield replace(renderer.rendered("sitemap.xml", "sitemap.xml", "sitemap"), whole=True)
    yield renderer.rendered("404.html", "404.html", "404 page")
    yield renderer.rendered("robots.txt", "robots.txt", "robots.txt")
    yield OutputFile(".nojekyll", b"", origin=".nojekyll")
    yield OutputFile(INDEX_PATH, origin="search index", whole=True, make=lambda: OutputFile(
        INDEX_PATH, search_index(site, search), origin="search index"))
    yield OutputFile("css/syntax.css", stylesheet().encode("utf-8"), origin="syntax stylesheet")
    yield from extra


def folder_conflicts(outputs: Sequence[OutputFile]) -> list[Problem]:
    """Outputs that would be written inside another output's file, as if it were a folder
    (an alias `/index.xml` is written to `index.xml/index.html`, where the feed is)."""
    files = {output.path: output for output in outputs}
    problems: list[Problem] = []
    for output in outputs:
        folder = output.path
        while "/" in folder:
            folder = folder.rsplit("/", 1)[0]
            other = files.get(folder)
            if other is None:
                continue
            if _is_content(other) and not _is_content(output):
                problems.append(Problem(
                    other.origin, other.line, f"/{folder} would be a file, where "
                    f"{output.origin} needs a folder (for /{output.path})",
                    "give the page another slug, url or alias"))
            else:
                problems.append(Problem(
                    output.origin or output.path, output.line,
                    f"/{output.path} cannot be written: /{folder} is a file of the site "
                    f"({other.origin})", "give the page or alias another path"))
            break
    return problems


def _is_content(output: OutputFile) -> bool:
    return output.origin.startswith("content/")


def static_outputs(site_static: Path, site_root: Path
                   ) -> tuple[list[OutputFile], list[Problem]]:
    """The theme's static files, then the site's, which win on the same path; and the
    symbolic links of the site's static/ that are not followed (walk.py)."""
    chosen: dict[str, OutputFile] = {}
    problems: list[Problem] = []
    theme_static = theme_dir() / "static"
    for folder, root in ((theme_static, theme_static), (site_static, site_root)):
        if not folder.is_dir():
            continue
        walked = walk_site_folder(str(folder), str(root))
        if folder == site_static:
            problems.extend(refusal_problem(r, str(site_root)) for r in walked.refused)
        for name in walked.files:
            path = Path(name)
            rel = path.relative_to(folder).as_posix()
            chosen[rel] = OutputFile(rel, source=path, origin=f"static/{rel}")
    return [chosen[key] for key in sorted(chosen)], problems


def resource_outputs(config: SiteConfig, pages: Sequence[Page], files: ContentFiles,
                     ) -> list[OutputFile]:
    """Files beside the content (bundle images, data files) published next to their page."""
    bundles = {page.source.parent: page for page in pages if page.bundle == "leaf"}
    outputs: list[OutputFile] = []
    content = config.content_dir
    # A bundle left out (draft, future, expired, headless, another language) keeps its files.
    unpublished = {path.parent for path in files.pages
                   if path.name.split(".")[0] == "index" and path.parent not in bundles}
    for path in files.others:
        rel = path.relative_to(content)
        if any(folder in unpublished for folder in path.parents):
            continue
        owner = next((bundles[p] for p in path.parents if p in bundles), None)
        if owner is not None:
            inside = path.relative_to(owner.source.parent).as_posix()
            folder = owner.url.removesuffix(".html").rstrip("/") + "/"  # uglyURLs: x.html
            target = folder.lstrip("/") + inside
        else:
            lower = not config.disable_path_to_lower
            folders = [path_name(part, lower) or part for part in rel.parts[:-1]]
            target = "/".join([*folders, rel.name])
        outputs.append(OutputFile(target, source=path, origin=f"content/{rel.as_posix()}"))
    return outputs


__all__ = ["output_file", "resource_outputs", "site_outputs", "static_outputs"]
