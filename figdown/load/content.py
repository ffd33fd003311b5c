"""Find the content files, validate their front matter, and make `Page`s."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from figdown.load.config import SiteConfig
from figdown.load.frontmatter import FrontMatterError, RawFrontMatter, split_front_matter
from figdown.load.notebook import NOTEBOOK_SUFFIX, Notebook, locate, notebook_text
from figdown.load.walk import refusal_problem, walk_site_folder
from figdown.problems import Problem

PageKind = Literal["home", "section", "page"]
CONTENT_SUFFIXES = frozenset({".md", ".markdown", NOTEBOOK_SUFFIX})

_TYPED_KEYS = frozenset({
    "title", "date", "lastmod", "publishdate", "expirydate", "draft", "slug", "url", "aliases",
    "summary", "description", "weight", "keywords", "headless", "build", "params", "menu",
    "pubdate", "published", "modified", "linktitle",
})


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The typed front matter of one page; unknown keys are in `params`."""

    title: str = ""
    date: datetime | None = None
    lastmod: datetime | None = None
    publish_date: datetime | None = None
    expiry_date: datetime | None = None
    draft: bool = False
    slug: str | None = None
    url: str | None = None
    aliases: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    weight: int = 0
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    headless: bool = False
    list_pages: str = "always"  # Hugo's build.list: always, never, local
    render: str = "always"  # Hugo's build.render: always, never, link
    key_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    """One content file, read and validated, with its place in the site."""

    source: Path
    path: str  # relative to the site root, for messages: content/posts/relu.md
    rel: str  # relative to content/: posts/relu.md
    kind: PageKind
    sections: tuple[str, ...]  # folders from content/ down to the page's section
    bundle: Literal["leaf", "branch"] | None
    front: FrontMatter
    body: str
    body_line: int
    url: str = "/"
    lang: str = ""
    notebook: Notebook | None = None  # the page is a Jupyter notebook (notebook.py)

    @property
    def section(self) -> str:
        return self.sections[0] if self.sections else ""

    @property
    def name(self) -> str:
        """The file name without extension, or the bundle's folder name."""
        source = Path(self.rel)
        stem = source.stem.removesuffix(f".{self.lang}") if self.lang else source.stem
        if self.bundle == "leaf" or stem in {"index", "_index"}:
            return source.parent.name
        return stem

    def line_of(self, key: str) -> int | None:
        return self.front.key_lines.get(key)


class _Fields:
    """Typed reads of front matter values, collecting a problem for each bad one."""

    def __init__(self, raw: RawFrontMatter, path: str, zone: ZoneInfo) -> None:
        self.data = {k.lower(): v for k, v in raw.data.items()}
        self.lines = {k.lower(): v for k, v in raw.key_lines.items()}
        self.path = path
        self.zone = zone
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, self.lines.get(key, 1), message, hint))

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        self.fail(key, f"`{key}` must be a string, not {_kind(value)}",
                  f'write `{key}: "…"` with one value')
        return None

    def boolean(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:  # absent, or `draft:` with nothing after it, as Hugo reads it
            return False
        if isinstance(value, bool):
            return value
        self.fail(key, f"`{key}` must be true or false, not {value!r}",
                  f"write `{key}: true` or `{key}: false` without quotes")
        return False

    def integer(self, key: str) -> int:
        value = self.data.get(key, 0)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        self.fail(key, f"`{key}` must be a whole number, not {value!r}", f"write `{key}: 10`")
        return 0

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,) if value.strip() else ()
        if isinstance(value, list) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return tuple(str(v) for v in value if str(v).strip())
        self.fail(key, f"`{key}` must be a list of strings, not {_kind(value)}",
                  f'write `{key}: ["a", "b"]`')
        return ()

    def choice(self, build: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        """Hugo's `build.list` / `build.render`: one of `allowed`, or true/false."""
        value = build.get(key, allowed[0])
        if isinstance(value, bool):
            return allowed[0] if value else "never"
        if isinstance(value, str) and value.lower() in allowed:
            return value.lower()
        self.fail("build", f"`build.{key}` must be one of {', '.join(allowed)}, not {value!r}",
                  f"write `{key}: {allowed[0]}` under `build:`")
        return allowed[0]

    def when(self, *keys: str) -> datetime | None:
        for key in keys:
            value = self.data.get(key)
            if value is None or value == "":
                continue
            parsed = parse_date(value, self.zone)
            if parsed is None:
                self.fail(key, f"`{key}` is not a date: {value!r}",
                          "write it as 2024-11-20 or 2024-11-20T09:30:00+01:00")
                return None
            return parsed
        return None


def _kind(value: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value),
                                                                         type(value).__name__)


def parse_date(value: Any, zone: ZoneInfo) -> datetime | None:
    """YAML/TOML dates, `YYYY-MM-DD` and RFC 3339 strings; no offset means the site's zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_front_matter(raw: RawFrontMatter, path: str, config: SiteConfig
                       ) -> tuple[FrontMatter, list[Problem]]:
    """Type-check the known keys; every other key becomes a page param."""
    fields = _Fields(raw, path, config.zone)
    data = fields.data
    build = data.get("build") if isinstance(data.get("build"), dict) else {}
    assert isinstance(build, dict)
    taxonomy_names = {plural.lower() for plural in config.taxonomies.values()}
    terms = {plural: fields.strings(plural.lower()) for plural in config.taxonomies.values()}
    params: dict[str, Any] = {}
    nested = data.get("params")
    if isinstance(nested, dict):
        params.update(nested)
    for key, value in raw.data.items():
        if key.lower() not in _TYPED_KEYS and key.lower() not in taxonomy_names:
            params[key] = value
    title = fields.text("title") or ""
    front = FrontMatter(
        title=title,
        date=fields.when("date", "pubdate", "published", "publishdate", "lastmod", "modified"),
        lastmod=fields.when("lastmod", "modified"),
        publish_date=fields.when("publishdate", "pubdate", "published"),
        expiry_date=fields.when("expirydate", "unpublishdate"),
        draft=fields.boolean("draft"),
        slug=fields.text("slug"),
        url=fields.text("url"),
        aliases=fields.strings("aliases"),
        summary=fields.text("summary"),
        description=fields.text("description"),
        keywords=fields.strings("keywords"),
        weight=fields.integer("weight"),
        terms={k: v for k, v in terms.items() if v},
        params=params,
        headless=fields.boolean("headless"),
        list_pages=fields.choice(build, "list", ("always", "never", "local")),
        render=fields.choice(build, "render", ("always", "never", "link")),
        key_lines=raw.key_lines,
    )
    return front, fields.problems


@dataclass(frozen=True)
class ContentFiles:
    """The files under `content/`: Markdown pages, the other files (published beside their
    pages), and the symbolic links refused (see walk.py)."""

    pages: tuple[Path, ...]
    others: tuple[Path, ...]
    problems: tuple[Problem, ...]


def discover(content_dir: Path, site_root: Path) -> ContentFiles:
    """Every file under `content/` (not in hidden folders), in a stable order."""
    walked = walk_site_folder(str(content_dir), str(site_root))
    pages: list[Path] = []
    others: list[Path] = []
    files = sorted(map(Path, walked.files))  # by folder, then name
    # A notebook inside a leaf bundle is one of its page's files, as Hugo publishes it.
    leaves = {path.parent for path in files if path.name.split(".")[0] == "index"
              and path.suffix.lower() in (".md", ".markdown")}
    for path in files:
        suffix = path.suffix.lower()
        is_page = suffix in CONTENT_SUFFIXES and not (
            suffix == NOTEBOOK_SUFFIX and path.parent in leaves)
        (pages if is_page else others).append(path)
    return ContentFiles(tuple(pages), tuple(others),
                        tuple(refusal_problem(r, str(site_root)) for r in walked.refused))


def language_of(rel: str, languages: tuple[str, ...]) -> str | None:
    """`about.pt-br.md` → `pt-br` when pt-br is one of the site's languages."""
    stem = Path(rel).stem
    if "." in stem:
        lang = stem.rsplit(".", 1)[1].lower()
        if lang in languages:
            return lang
    return None


def read_page(source: Path, config: SiteConfig) -> tuple[Page | None, list[Problem]]:
    """Read one content file into a `Page`, or say why it cannot be read."""
    rel = source.relative_to(config.content_dir).as_posix()
    display = source.relative_to(config.root).as_posix()
    data = source.read_bytes()
    if source.suffix.lower() == NOTEBOOK_SUFFIX:
        return _read_notebook(source, data, config)
    if b"\x00" in data[:8192]:
        return None, [Problem(display, None, "file is binary, not Markdown",
                              "move it out of content/ or give it another extension")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        return None, [Problem(display, line, "file is not UTF-8 text",
                              "save it as UTF-8 in your editor")]
    if not text.strip("\ufeff \t\r\n") and Path(rel).stem.split(".")[0] != "_index":
        return None, [Problem(display, 1, "file is empty",
                              "write front matter and some text, or delete the file")]
    return _page_of_text(source, text, config)


def _read_notebook(source: Path, data: bytes,
                   config: SiteConfig) -> tuple[Page | None, list[Problem]]:
    """A notebook read as the Markdown text it stands for, its problems said at their cell."""
    made = notebook_text(data, source.relative_to(config.root).as_posix())
    if isinstance(made, Problem):
        return None, [made]
    text, notebook = made
    page, problems = _page_of_text(source, text, config)
    located = [locate(problem, notebook) for problem in problems]
    return (replace(page, notebook=notebook) if page is not None else None), located


def _page_of_text(source: Path, text: str,
                  config: SiteConfig) -> tuple[Page | None, list[Problem]]:
    rel = source.relative_to(config.content_dir).as_posix()
    display = source.relative_to(config.root).as_posix()
    try:
        raw = split_front_matter(text, display)
    except FrontMatterError as err:
        return None, [err.problem]
    front, problems = parse_front_matter(raw, display, config)
    parts = Path(rel).parts
    stem = Path(rel).stem.split(".")[0]
    kind: PageKind
    if stem == "_index":
        folders = parts[:-1]
        kind = "section" if folders else "home"
        bundle: Literal["leaf", "branch"] | None = "branch"
    else:
        folders = parts[:-1]
        kind = "page"
        bundle = "leaf" if stem == "index" and folders else None
        if bundle == "leaf":
            folders = folders[:-1]
    page = Page(source=source, path=display, rel=rel, kind=kind, sections=tuple(folders),
                bundle=bundle, front=front, body=raw.body, body_line=raw.body_line,
                lang=language_of(rel, config.languages) or "")
    return page, problems
