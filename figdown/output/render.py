"""Templates: the Jinja2 environment and one context per kind of output; returns `OutputFile`s."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import jinja2

from figdown.load.taxonomy import Taxonomy, Term
from figdown.load.urls import output_file, pager_path
from figdown.output.hugo_layouts import SiteLayoutLoader
from figdown.outputfile import OutputFile
from figdown.problems import ContentError, Problem
from figdown.site.model import SERIES, PageView, Site, shown_date
from figdown.theme import theme_dir


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[PageView, ...]
    first_url: str
    prev_url: str | None
    next_url: str | None
    urls: tuple[str, ...]


class OutputKeys(Protocol):
    """What the build cache knows of the last build's outputs (cache/reuse.py)."""

    def key(self, template: str, context: Mapping[str, Any]) -> str | None:
        """The key of one render, or None when a value cannot be keyed."""
        ...

    def unchanged(self, path: str, key: str) -> tuple[Path, str | None] | None:
        """The previous output's file at `path` when made from the same key and untouched,
        with the sha256 of its bytes if known."""
        ...


_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                            "\ufffe\uffff]")


def create_environment(site_layouts: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Site layouts first, then the default theme: a site overrides any template by name.

    `compiled` is a folder for compiled templates (each checked against a checksum of its
    source), so that a rebuild does not compile them again.
    """
    loaders: list[jinja2.BaseLoader] = []
    if site_layouts.is_dir():
        loaders.append(SiteLayoutLoader(site_layouts))  # a Hugo site's Go templates skipped
    loaders.append(jinja2.FileSystemLoader(theme_dir() / "layouts"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(compiled),
        auto_reload=False,  # one environment per build: no stat of the template per render
    )
    env.filters["date_format"] = shown_date
    env.filters["rfc822"] = lambda d: d.strftime("%a, %d %b %Y %H:%M:%S %z") if d else ""
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a cache that cannot be written only costs speed
        return None
    return _CompiledTemplates(str(folder))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, where a damaged file is compiled again instead of failing."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()


def template_problem(err: Exception, fallback: str) -> Problem:
    """A template error as `layouts/x.html:12: message`."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        name = str(err.filename or err.name or fallback)
        return Problem(_display_template(name), err.lineno, f"template syntax error: {err.message}",
                       "fix the template")
    line, frame_name = _template_frame(err)
    if isinstance(err, jinja2.TemplateNotFound):
        if frame_name is None:
            return Problem(f"layouts/{err.name}", None, "layout not found",
                           "add the template to layouts/ or remove what asks for it")
        return Problem(_display_template(frame_name), line, f"layout not found: {err.name}",
                       f"add layouts/{err.name} or remove what asks for it")
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    block = re.search(r"TemplateReference object' has no attribute '(\w+)'", message)
    if block is not None:
        return Problem(_display_template(frame_name or fallback), line,
                       f"template error: there is no block `{block.group(1)}` for "
                       f"`self.{block.group(1)}()`",
                       f"add {{% block {block.group(1)} %}}…{{% endblock %}} to your layout")
    if isinstance(err, jinja2.UndefinedError):
        message = f"undefined variable: {message}"
    elif not isinstance(err, jinja2.TemplateError):
        message = f"{type(err).__name__}: {message}"
    return Problem(_display_template(frame_name or fallback), line, f"template error: {message}",
                   "fix the template, or give the variable a default with `| default(...)`")


def _template_frame(err: Exception) -> tuple[int | None, str | None]:
    tb = err.__traceback__
    found: tuple[int | None, str | None] = (None, None)
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__jinja_template__")
        filename = tb.tb_frame.f_code.co_filename
        if name is not None:
            found = (name.get_corresponding_lineno(tb.tb_lineno), filename)
        elif not filename.endswith(".py") and not filename.startswith("<"):
            found = (tb.tb_lineno, filename)  # a frame Jinja rewrote to the template's line
        tb = tb.tb_next
    return found


def _display_template(name: str) -> str:
    path = Path(name)
    parts = path.parts
    if "layouts" in parts:
        index = len(parts) - 1 - parts[::-1].index("layouts")
        return "/".join(parts[index:])
    return f"layouts/{name}"


class Renderer:
    """Renders the outputs of one site with one compiled set of templates."""

    def __init__(self, site: Site, env: jinja2.Environment,
                 reuse: OutputKeys | None = None) -> None:
        self.site = site
        self.env = env
        self.reuse = reuse
        env.filters["absolute_links"] = self.absolute_links

    def output(self, path: str, template: str, origin: str, line: int | None = None,
               single: bool = False, **context: Any) -> OutputFile:
        """One rendered output, unmade; when made, linked from the previous output if its
        inputs are the same."""
        def make() -> OutputFile:
            key = self.reuse.key(template, context) if self.reuse is not None else None
            if self.reuse is not None and key is not None:
                previous = self.reuse.unchanged(path, key)
                if previous is not None:
                    return OutputFile(path, source=previous[0], origin=origin, line=line,
                                      unchanged=True, key=key, digest=previous[1])
            return OutputFile(path, self.render(template, origin, **context), origin=origin,
                              line=line, key=key)
        return OutputFile(path, origin=origin, line=line, make=make, single=single)

    def rendered(self, path: str, template: str, origin: str, **context: Any) -> OutputFile:
        """An output rendered from `template` every build, unmade."""
        return OutputFile(path, origin=origin, make=lambda: OutputFile(
            path, self.render(template, origin, **context), origin=origin))

    def absolute_links(self, html: str) -> str:
        """Root-relative `href`/`src` made absolute, as feed readers need."""
        base_url = self.site.config.base_url
        if "://" not in base_url:
            return html
        origin = base_url.split("://", 1)[0] + "://" + base_url.split("://", 1)[1].split("/")[0]
        html = re.sub(r'(\s(?:href|src)=")/(?!/)', lambda m: m.group(1) + origin + "/", html)
        return re.sub(r'(\ssrcset=")([^"]*)"', lambda m: m.group(1) + re.sub(
            r"(^|,\s*)/(?!/)", lambda c: c.group(1) + origin + "/", m.group(2)) + '"', html)

    def render(self, template: str, origin: str, **context: Any) -> bytes:
        try:
            tmpl = self.env.get_template(template)
            text = tmpl.render(site=self.site, **context)
        except jinja2.TemplateError as err:
            raise ContentError([template_problem(err, template)]) from None
        except RecursionError:
            raise ContentError([Problem(f"layouts/{template}", None,
                                        "templates include or extend each other without end",
                                        "remove the include or extends that loops back")]
                               ) from None
        except Exception as err:  # a template is code: 1/0, a bad call, a bad argument
            raise ContentError([template_problem(err, template)]) from None
        # characters XML 1.0 forbids and HTML parsers reject; user text can hold them
        return _ILLEGAL_CHARS.sub("", text).encode("utf-8")

    def load(self, templates: Sequence[str]) -> None:
        """Compile these templates now, if they exist and compile: before the write stage
        forks, so that its processes share them (errors show where they are rendered)."""
        for template in templates:
            try:
                self.env.get_template(template)
            except Exception:  # reported when rendered
                continue

    def has(self, template: str) -> bool:
        try:
            self.env.get_template(template)
        except jinja2.TemplateNotFound:
            return False
        return True

    def paginate(self, items: Sequence[PageView], first: str) -> list[Pager]:
        size = self.site.config.pager_size
        chunks = [tuple(items[i:i + size]) for i in range(0, len(items), size)] or [()]
        urls = tuple(self.site.url(pager_path(first, n)) for n in range(1, len(chunks) + 1))
        return [Pager(n, len(chunks), chunk, urls[0],
                      urls[n - 2] if n > 1 else None,
                      urls[n] if n < len(chunks) else None, urls)
                for n, chunk in enumerate(chunks, start=1)]

    def list_outputs(self, template: str, first: str, items: Sequence[PageView], origin: str,
                     **context: Any) -> Iterator[OutputFile]:
        """A paginated list: `/x/`, `/x/page/2/`…, and Hugo's `/x/page/1/` redirect."""
        for pager in self.paginate(items, first):
            path = pager_path(first, pager.number)
            yield self.output(output_file(path), template, origin, pager=pager, **context)
        yield self.alias(f"{first}page/1/", first, origin)

    def alias(self, alias_path: str, target: str, origin: str,
              line: int | None = None) -> OutputFile:
        path = output_file(alias_path)
        url = self.site.absolute_url(target) if "://" in self.site.config.base_url \
            else self.site.url(target)
        return OutputFile(path, origin=origin, line=line, make=lambda: OutputFile(
            path, self.render("alias.html", origin, target=url), origin=origin, line=line))

    def page_outputs(self, view: PageView) -> Iterator[OutputFile]:
        neighbours = self.site.neighbours.get(view.source)
        template = f"{view.layout}.html" if view.layout and self.has(
            f"{view.layout}.html") else "single.html"
        yield self.output(output_file(view.url), template, view.source,
                          view.page.line_of("url") or view.page.line_of("slug"),
                          single=True, page=view, neighbours=neighbours,
                          series=self.site.series_of(view))

    def feed(self, path: str, title: str, items: Sequence[PageView], origin: str,
             link: str) -> OutputFile:
        return self.output(output_file(path), "rss.xml", origin, title=title, items=items,
                           link=link, feed_url=path)

    def taxonomy_outputs(self, taxonomy: Taxonomy) -> Iterator[OutputFile]:
        origin = f"{taxonomy.plural} taxonomy"
        refs = [self.site.term_ref(term) for term in taxonomy.terms]
        yield self.rendered(output_file(taxonomy.url), "terms.html", origin,
                            taxonomy=taxonomy, terms=refs)
        for term in taxonomy.terms:
            yield from self.term_outputs(taxonomy, term)

    def term_outputs(self, taxonomy: Taxonomy, term: Term) -> Iterator[OutputFile]:
        origin = f"{taxonomy.plural} term {term.name!r}"
        items = self.site.listed_among(term.pages)
        # A series page lists its parts in reading order; its feed stays newest first.
        shown = list(self.site.series_parts(term)) if taxonomy.plural == SERIES else items
        yield from self.list_outputs("term.html", term.url, shown, origin,
                                     term=self.site.term_ref(term), taxonomy=taxonomy)
        yield self.feed(f"{term.url}index.xml", f"{term.name} on {self.site.title}", items,
                        origin, term.url)
