"""The site configuration: read once, from Hugo-named keys, into an immutable `SiteConfig`."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from figdown.load.markup import MarkupProblem, MarkupSettings, read_markup
from figdown.load.urls import urlize
from figdown.problems import ContentError, Problem
from figdown.values import LONG_NUMBER, MAX_TIMEOUT, first_problem, is_digit_limit, long_number_line

CACHE_FOLDER = ".figdown-cache"  # beside the figure store
CONFIG_NAMES = ("config.yaml", "config.yml", "hugo.yaml", "hugo.yml", "hugo.toml", "config.toml",
                "hugo.json", "config.json")

# The tokens urls.expand_permalink fills, as Hugo names them.
PERMALINK_TOKENS = frozenset({
    "slug", "slugorfilename", "title", "filename", "contentbasename", "section", "sections",
    "year", "month", "monthname", "day", "weekday", "weekdayname", "yearday",
})

DEFAULT_TAXONOMIES = {"tag": "tags", "category": "categories"}

# Keys figdown reads; anything else gets one warning naming it (Hugo knows many more).
KNOWN_KEYS = frozenset({
    "baseURL", "title", "languageCode", "defaultContentLanguage", "params", "taxonomies",
    "pagination", "paginate", "permalinks", "summaryLength", "timeZone", "menu", "menus",
    "copyright", "author", "figures", "buildDrafts", "buildFuture", "buildExpired",
    "disablePathToLower", "uglyURLs", "enableEmoji", "markup", "languages", "enableRobotsTXT",
    "theme", "outputs", "disableKinds", "related", "mainSections", "mainsections", "math",
})

# Hugo settings for features figdown does not have: named in one warning, not as misspellings.
HUGO_ONLY_KEYS = frozenset({
    "enableInlineShortcodes", "minify", "outputFormats", "mediaTypes", "pygmentsUseClasses",
    "pygmentsCodeFences", "services", "privacy", "module", "security", "caches", "imaging",
    "build", "deployment", "frontmatter", "enableGitInfo", "googleAnalytics", "disqusShortname",
    "paginatePath", "canonifyURLs", "relativeURLs", "removePathAccents", "sectionPagesMenu",
    "defaultContentLanguageInSubdir", "hasCJKLanguage", "cascade", "segments", "server",
    "params", "themesDir", "publishDir", "contentDir", "layoutDir", "staticDir", "assetDir",
    "dataDir", "i18nDir", "archetypeDir", "resourceDir", "workingDir", "ignoreFiles",
    "enableMissingTranslationPlaceholders", "titleCaseStyle", "newContentEditor",
    "refLinksErrorLevel", "refLinksNotFoundURL", "locale", "capitalizeListTitles",
    "pluralizeListTitles",
})


@dataclass(frozen=True)
class FigureSettings:
    """The `figures:` key: how executable blocks run."""

    helpers: str = "lib"
    store: str = "figures"
    style: Mapping[str, Any] = field(default_factory=dict)
    style_file: str | None = None
    format: str = "svg"
    timeout: float = 60.0
    animation_limit: float = 5.0  # MB; a larger animation is a warning
    # "recorded": the library versions that drew a figure are recorded in its store entry,
    # and a figure drawn with others is reused; "strict": they are part of its key.
    environment: str = "recorded"
    output_limit: int = 1_000_000  # characters of a block's printed output kept
    echo: bool | str = False  # a block's code: hidden (False), shown (True) or folded ("fold")
    code_summary: str = "Code"  # the text of a folded block's toggle


@dataclass(frozen=True)
class MenuEntry:
    name: str
    url: str
    weight: int = 0
    identifier: str = ""


@dataclass(frozen=True)
class SiteConfig:
    """Everything read from the site's config file."""

    root: Path
    config_file: Path | None = None
    base_url: str = "/"
    title: str = "My blog"
    language_code: str = "en"
    params: Mapping[str, Any] = field(default_factory=dict)
    taxonomies: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TAXONOMIES))
    pager_size: int = 10
    permalinks: Mapping[str, str] = field(default_factory=dict)  # section → page pattern
    section_permalinks: Mapping[str, str] = field(default_factory=dict)  # section → pattern
    term_permalinks: Mapping[str, str] = field(default_factory=dict)  # taxonomy → pattern
    summary_length: int = 70
    time_zone: str = "UTC"
    menu: tuple[MenuEntry, ...] = ()
    copyright: str = ""
    figures: FigureSettings = field(default_factory=FigureSettings)
    build_drafts: bool = False
    build_future: bool = False
    build_expired: bool = False
    disable_path_to_lower: bool = False
    ugly_urls: bool = False
    unsafe_html: bool = True
    enable_emoji: bool = False
    markup: MarkupSettings = field(default_factory=MarkupSettings)
    languages: tuple[str, ...] = ()
    default_language: str = "en"
    main_sections: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def figure_store(self) -> Path:
        return self.root / self.figures.store

    @property
    def cache_dir(self) -> Path:
        """The build cache's folder, beside the figure store (safe to delete)."""
        return self.figure_store.parent / CACHE_FOLDER

    @property
    def helpers_dir(self) -> Path:
        return self.root / self.figures.helpers

    @property
    def base_path(self) -> str:
        """The path part of baseURL, always starting and ending with `/`."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def find_config_file(root: Path) -> Path | None:
    """The config file Hugo would pick, or None for a site that has none."""
    for name in CONFIG_NAMES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def _read_mapping(path: Path, display: str) -> dict[str, Any]:
    data_bytes = path.read_bytes()
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad_line = data_bytes[:err.start].count(b"\n") + 1
        raise ContentError([Problem(display, bad_line, "config is not UTF-8 text",
                                    "save it as UTF-8 in your editor")]) from None
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except tomllib.TOMLDecodeError as err:
        line = _toml_error_line(str(err))
        raise ContentError([Problem(display, line, f"config does not parse: {err}",
                                    "fix the TOML syntax")]) from None
    except json.JSONDecodeError as err:
        raise ContentError([Problem(display, err.lineno, f"config does not parse: {err.msg}",
                                    "fix the JSON syntax")]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ContentError([Problem(display, line, f"config does not parse: {reason}",
                                    "fix the YAML syntax")]) from None
    except RecursionError:
        raise ContentError([Problem(display, None, "config is nested too deeply to read",
                                    "flatten it")]) from None
    except ValueError as err:  # from int(): the parsers let it through
        if not is_digit_limit(err):
            raise
        raise ContentError([Problem(display, long_number_line(text),
                                    f"config does not parse: {LONG_NUMBER}",
                                    "quote it to make it text")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError([Problem(display, 1, "config is not a mapping of keys to values",
                                    "write `key: value` lines")])
    found = first_problem(data)
    if found is not None:
        key, reason = found
        raise ContentError([Problem(display, _line_of(path, key), f"config `{key}`: {reason}",
                                    "flatten it" if "nested" in reason
                                    else "write the character itself")])
    return data


def _toml_error_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0]
        if digits.isdigit():
            return int(digits)
    return None


def _merge_config_folder(root: Path) -> tuple[dict[str, Any], Path | None]:
    """Hugo's `config/_default/` folder: `hugo.toml` plus one file per top-level key."""
    folder = root / "config" / "_default"
    if not folder.is_dir():
        return {}, None
    merged: dict[str, Any] = {}
    first: Path | None = None
    for path in sorted(folder.iterdir()):
        if path.suffix not in {".toml", ".yaml", ".yml", ".json"}:
            continue
        first = first or path
        data = _read_mapping(path, path.relative_to(root).as_posix())
        key, _, lang = path.stem.partition(".")
        if key in {"hugo", "config"}:
            merged.update(data)
        elif lang:  # menus.en.toml: the `menus` of language `en`
            languages = merged.setdefault("languages", {})
            languages.setdefault(lang, {})[key] = data
        elif isinstance(merged.get(key), dict):
            merged[key].update(data)
        else:
            merged[key] = data
    return merged, first


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read the site's config file (or defaults when there is none)."""
    path = find_config_file(root)
    folder, folder_file = _merge_config_folder(root)
    if path is not None:
        raw = {**folder, **_read_mapping(path, path.name)}
    else:
        raw, path = folder, folder_file
    display = path.relative_to(root).as_posix() if path else "config.yaml"
    return config_from_mapping(root, raw, path, display, base_url)


def _get_ci(raw: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """Hugo's config keys are case-insensitive."""
    if key in raw:
        return raw[key]
    lowered = key.lower()
    for k, v in raw.items():
        if isinstance(k, str) and k.lower() == lowered:
            return v
    return default


def config_from_mapping(root: Path, raw: Mapping[str, Any], path: Path | None, display: str,
                        base_url: str | None = None) -> SiteConfig:
    """Validate a parsed config mapping; every problem is reported at once."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    raw = with_default_language(raw)
    known_lower = {k.lower() for k in KNOWN_KEYS}
    hugo_only_lower = {k.lower() for k in HUGO_ONLY_KEYS} - known_lower
    hugo_only = sorted(k for k in raw if str(k).lower() in hugo_only_lower)
    if hugo_only:
        warnings.append(Problem(display, None, "Hugo settings figdown does not use: " + ", ".join(
            map(str, hugo_only)), "see README: Coming from Hugo", severity="warning"))
    unknown = sorted(k for k in raw if str(k).lower() not in known_lower | hugo_only_lower)
    if unknown:
        warnings.append(Problem(display, None, "unknown config keys ignored: " + ", ".join(
            map(str, unknown)), "check their spelling against README's config table",
            severity="warning"))

    url = base_url if base_url is not None else str(_get_ci(raw, "baseURL", "/") or "/")
    if not _valid_base_url(url):
        problems.append(Problem(display, _line_of(path, "baseURL"),
                                f"baseURL {url!r} is not a URL",
                                "write it as https://example.org/ or /blog/"))
    elif not url.endswith("/"):
        url += "/"

    taxonomies_raw = _get_ci(raw, "taxonomies", None)
    if taxonomies_raw is None:
        taxonomies = dict(DEFAULT_TAXONOMIES)
    elif isinstance(taxonomies_raw, dict):
        taxonomies = {}
        for singular, plural in taxonomies_raw.items():
            if isinstance(plural, str) and plural and urlize(plural, lower=False) == plural:
                taxonomies[str(singular)] = plural
            else:
                problems.append(Problem(display, _line_of(path, str(singular)),
                                        f"taxonomy {plural!r} cannot be a URL folder name",
                                        f"write e.g. `{singular}: {singular}s` with letters, "
                                        "digits and hyphens"))
            if list(taxonomies.values()).count(plural) > 1:
                problems.append(Problem(display, _line_of(path, str(singular)),
                                        f"two taxonomies are called {plural!r}",
                                        "give each taxonomy its own plural name"))
    else:
        taxonomies = dict(DEFAULT_TAXONOMIES)
        problems.append(Problem(display, _line_of(path, "taxonomies"),
                                "taxonomies must map a singular name to a plural one",
                                "write e.g. `tag: tags`"))

    pagination = _get_ci(raw, "pagination", {}) or {}
    pager_size = _get_ci(pagination, "pagerSize", None) if isinstance(pagination, dict) else None
    if pager_size is None:
        pager_size = _get_ci(raw, "paginate", 10)
    if not isinstance(pager_size, int) or isinstance(pager_size, bool) or pager_size < 1:
        problems.append(Problem(display, _line_of(path, "pagerSize"),
                                "pagination.pagerSize must be a positive number, "
                                f"not {pager_size!r}",
                                "write e.g. `pagerSize: 10`"))
        pager_size = 10

    time_zone = str(_get_ci(raw, "timeZone", "UTC") or "UTC")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        problems.append(Problem(display, _line_of(path, "timeZone"),
                                f"unknown timeZone {time_zone!r}",
                                "use an IANA name such as Europe/Paris or UTC"))
        time_zone = "UTC"

    summary_length = _get_ci(raw, "summaryLength", 70)
    if not isinstance(summary_length, int) or summary_length < 1:
        summary_length = 70

    permalinks_raw = _get_ci(raw, "permalinks", {}) or {}
    permalinks: dict[str, str] = {}
    section_permalinks: dict[str, str] = {}
    term_permalinks: dict[str, str] = {}
    if isinstance(permalinks_raw, dict):
        kinds = {"page": permalinks, "section": section_permalinks, "term": term_permalinks}
        for key, value in permalinks_raw.items():
            if isinstance(value, dict):  # Hugo 0.112+: permalinks.page.posts
                if str(key).lower() in kinds:
                    kinds[str(key).lower()].update({str(k): str(v) for k, v in value.items()})
            elif str(key) in taxonomies.values():  # the old form also names taxonomies
                term_permalinks[str(key)] = str(value)
            else:
                permalinks[str(key)] = str(value)

    for patterns in (permalinks, section_permalinks, term_permalinks):
        for key, pattern in patterns.items():
            unknown = sorted(set(re.findall(r":([a-z]+)", pattern)) - PERMALINK_TOKENS)
            if unknown:
                problems.append(Problem(display, _line_of(path, pattern),
                                        f"permalink {key}: {pattern!r} has an unknown token "
                                        f":{unknown[0]}", "use one of "
                                        + ", ".join(f":{t}" for t in sorted(PERMALINK_TOKENS))))

    params = _get_ci(raw, "params", {}) or {}
    if not isinstance(params, dict):
        problems.append(Problem(display, _line_of(path, "params"), "`params` must be a mapping",
                                "write one `name: value` per line under `params:`"))
        params = {}
    markup = _get_ci(raw, "markup", {}) or {}
    unsafe = True
    if isinstance(markup, dict):
        renderer = markup.get("goldmark", {}).get("renderer", {}) if isinstance(
            markup.get("goldmark"), dict) else {}
        if isinstance(renderer, dict) and "unsafe" in renderer:
            unsafe = bool(renderer["unsafe"])
    markup_problems: list[MarkupProblem] = []
    markup_settings = read_markup(raw, path is not None, markup_problems)
    problems.extend(Problem(display, _line_of(path, p.needle), p.message, p.hint)
                    for p in markup_problems)

    figures = _figure_settings(_get_ci(raw, "figures", {}) or {}, display, path, problems)
    store_problem = _store_overlap(root, figures.store, figures.helpers, display, path)
    if store_problem is not None:
        problems.append(store_problem)
    menu = _menu(_get_ci(raw, "menu", None) or _get_ci(raw, "menus", None), display, path,
                 problems)
    languages_raw = _get_ci(raw, "languages", {}) or {}
    languages: tuple[str, ...] = ()
    if isinstance(languages_raw, (dict, list)):
        languages = tuple(str(k).lower() for k in languages_raw)
    else:
        problems.append(Problem(display, _line_of(path, "languages"),
                                "`languages` must map language codes to settings",
                                "write e.g. `languages: {en: {weight: 1}}`"))

    if problems:
        raise ContentError(problems)
    return SiteConfig(
        root=root,
        config_file=path,
        base_url=url,
        title=str(_get_ci(raw, "title", "My blog") or ""),
        language_code=str(_get_ci(raw, "languageCode", "en") or "en"),
        params=params,
        taxonomies=taxonomies,
        pager_size=pager_size,
        permalinks=permalinks,
        section_permalinks=section_permalinks,
        term_permalinks=term_permalinks,
        summary_length=summary_length,
        time_zone=time_zone,
        menu=menu,
        copyright=str(_get_ci(raw, "copyright", "") or ""),
        figures=figures,
        build_drafts=bool(_get_ci(raw, "buildDrafts", False)),
        build_future=bool(_get_ci(raw, "buildFuture", False)),
        build_expired=bool(_get_ci(raw, "buildExpired", False)),
        disable_path_to_lower=bool(_get_ci(raw, "disablePathToLower", False)),
        ugly_urls=bool(_get_ci(raw, "uglyURLs", False)),
        unsafe_html=unsafe,
        enable_emoji=bool(_get_ci(raw, "enableEmoji", False)),
        markup=markup_settings,
        languages=languages,
        default_language=str(_get_ci(raw, "defaultContentLanguage", "en") or "en").lower(),
        main_sections=_main_sections(raw, params),
        warnings=tuple(warnings),
    )


# Keys a language block (`languages.en.*`) may set for its own language.
_LANGUAGE_KEYS = ("title", "taxonomies", "menu", "menus", "copyright", "permalinks",
                  "languageCode", "timeZone", "summaryLength", "pagination", "paginate")


def with_default_language(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The config with the default language's own settings (`languages.en.*`) laid over it.

    Hugo reads per-language `title`, `taxonomies`, `menu` and `params` from the language
    block; figdown builds the default language only, so those settings become the site's.
    """
    merged = dict(raw)
    languages = _get_ci(raw, "languages", None)
    if not isinstance(languages, dict):
        return merged
    default = str(_get_ci(raw, "defaultContentLanguage", "en") or "en").lower()
    block = next((v for k, v in languages.items() if str(k).lower() == default), None)
    if not isinstance(block, dict):
        return merged
    for key in _LANGUAGE_KEYS:
        value = _get_ci(block, key, None)
        if value is not None:
            for existing in [k for k in merged if str(k).lower() == key.lower()]:
                del merged[existing]
            merged[key] = value
    params = _get_ci(block, "params", None)
    if isinstance(params, dict):
        site_params = _get_ci(raw, "params", {}) or {}
        merged_params = dict(site_params) if isinstance(site_params, dict) else {}
        merged_params.update(params)
        for existing in [k for k in merged if str(k).lower() == "params"]:
            del merged[existing]
        merged["params"] = merged_params
    return merged


def _main_sections(raw: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[str, ...]:
    value = _get_ci(raw, "mainSections", None) or _get_ci(params, "mainSections", None)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _valid_base_url(url: str) -> bool:
    if not url or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    if parts.scheme:
        return parts.scheme in {"http", "https"} and bool(parts.netloc)
    return url.startswith("/") and not parts.netloc


def _figure_settings(raw: Any, display: str, path: Path | None,
                     problems: list[Problem]) -> FigureSettings:
    if not isinstance(raw, dict):
        problems.append(Problem(display, _line_of(path, "figures"),
                                "`figures` must be a mapping", "see README: figures settings"))
        return FigureSettings()
    style = raw.get("style", {}) or {}
    if not isinstance(style, dict):
        problems.append(Problem(display, _line_of(path, "style"),
                                "figures.style must map rcParams names to values",
                                "write e.g. `axes.grid: true`"))
        style = {}
    fmt = str(raw.get("format") or "svg")
    if fmt not in {"svg", "png"}:
        problems.append(Problem(display, _line_of(path, "format"),
                                f"figures.format must be svg or png, not {fmt!r}",
                                "write `format: svg` or `format: png`"))
        fmt = "svg"
    style_file = raw.get("styleFile")
    timeout = raw.get("timeout", 60)
    if not _positive_number(timeout) or timeout > MAX_TIMEOUT:
        problems.append(Problem(display, _line_of(path, "timeout"),
                                f"figures.timeout must be a number of seconds, not {timeout!r}",
                                f"write e.g. `timeout: 60` (at most {MAX_TIMEOUT}, a day)"))
        timeout = 60
    limit = raw.get("animationLimit", 5)
    if not _positive_number(limit) or limit == math.inf:
        problems.append(Problem(display, _line_of(path, "animationLimit"),
                                f"figures.animationLimit must be a number of megabytes, "
                                f"not {limit!r}", "write e.g. `animationLimit: 5`"))
        limit = 5
    environment = raw.get("environment", "recorded")
    if environment not in ("recorded", "strict"):
        problems.append(Problem(display, _line_of(path, "environment"),
                                f"figures.environment must be recorded or strict, not "
                                f"{environment!r}",
                                "write `environment: strict` to redraw figures whenever a "
                                "library version changes, or leave it out"))
        environment = "recorded"
    output_limit = raw.get("outputLimit", 1_000_000)
    if not isinstance(output_limit, int) or isinstance(output_limit, bool) or output_limit < 2:
        problems.append(Problem(display, _line_of(path, "outputLimit"),
                                f"figures.outputLimit must be a number of characters, not "
                                f"{output_limit!r}", "write e.g. `outputLimit: 1000000`"))
        output_limit = 1_000_000
    echo = raw.get("echo", False)
    if echo not in (True, False, "fold"):
        problems.append(Problem(display, _line_of(path, "echo"),
                                f"figures.echo must be true, false or fold, not {echo!r}",
                                "write `echo: fold` to show each block's code folded"))
        echo = False
    return FigureSettings(
        helpers=str(raw.get("helpers", "lib")),
        store=str(raw.get("store", "figures")),
        style=style,
        style_file=str(style_file) if style_file else None,
        format=fmt,
        timeout=timeout,
        animation_limit=float(limit),
        environment=str(environment),
        output_limit=output_limit,
        echo=echo,
        code_summary=str(raw.get("codeSummary") or "Code"),
    )


# Folders of a site whose files the figure store's pruning must never reach.
_STORE_NEIGHBOURS = ("content", "layouts", "static", "archetypes", "assets", "data", "i18n",
                     "config", "themes", "output", "public")


def _store_overlap(root: Path, store: str, helpers: str, display: str,
                   path: Path | None) -> Problem | None:
    """Why `figures.store` cannot hold the figure store: the store removes every file in it
    that no block owns and reads every file under it, so it must be a folder of its own
    inside the site."""
    site = root.resolve()
    where = Path(os.path.realpath(root / store))
    reason = None
    if where == site:
        reason = "is the site folder itself"
    elif not where.is_relative_to(site):
        reason = f"is outside the site folder {site}"
    else:
        for name in (*_STORE_NEIGHBOURS, helpers):
            # realpath: a folder that is a link loop overlaps nothing (the build refuses it)
            folder = Path(os.path.realpath(root / name))
            if where == folder or where.is_relative_to(folder) or folder.is_relative_to(where):
                reason = f"overlaps the site's {name}/ folder"
                break
    if reason is None:
        return None
    return Problem(display, _line_of(path, "store"),
                   f"figures.store {store!r} {reason}: the store removes every file in it "
                   "that no block made",
                   "give the store a folder of its own inside the site, such as figures")


def figure_store_problem(config: SiteConfig, destination: Path) -> Problem | None:
    """Why the figure store and the output folder `destination` cannot be used together:
    a build replaces one, and prunes the other."""
    store = config.figure_store.resolve()
    output = destination.resolve()
    if not (store == output or store.is_relative_to(output) or output.is_relative_to(store)):
        return None
    display = (config.config_file.relative_to(config.root).as_posix()
               if config.config_file is not None else "config.yaml")
    return Problem(display, _line_of(config.config_file, "store"),
                   f"figures.store {config.figures.store!r} overlaps the output folder "
                   f"{destination}: each build replaces that folder whole",
                   "give the store a folder of its own inside the site, such as figures")


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and not math.isnan(value) and value > 0


def _menu(raw: Any, display: str, path: Path | None,
          problems: list[Problem]) -> tuple[MenuEntry, ...]:
    main = raw.get("main") if isinstance(raw, dict) else None
    if not isinstance(main, list):
        return ()
    entries = []
    for item in main:
        if isinstance(item, dict) and "name" in item:
            url = str(item.get("url") or item.get("pageRef") or "/")
            if re.match(r"\s*(javascript|vbscript|data):", url, re.IGNORECASE):
                problems.append(Problem(display, _line_of(path, url),
                                        f"menu entry {str(item['name'])!r}: url {url!r} runs "
                                        "a script instead of linking to a page",
                                        "write a path such as /about/ or an https:// URL"))
                continue
            entries.append(MenuEntry(
                name=str(item["name"]),
                url=_menu_url(url),
                weight=_menu_weight(item.get("weight", 0), display, path, problems),
                identifier=str(item.get("identifier", "")),
            ))
    return tuple(sorted(entries, key=lambda e: (e.weight, e.name)))


def _menu_url(url: str) -> str:
    """Hugo reads a menu URL without a scheme or leading slash from the site's root."""
    if url.startswith(("/", "#")) or "://" in url or url.startswith(("mailto:", "tel:")):
        return url
    return "/" + url


def _menu_weight(value: Any, display: str, path: Path | None, problems: list[Problem]) -> int:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value or 0
    problems.append(Problem(display, _line_of(path, "weight"),
                            f"menu weight must be a whole number, not {value!r}",
                            "write e.g. `weight: 10`"))
    return 0


def _line_of(path: Path | None, key: str) -> int | None:
    """The first line of the config file that mentions a key, for messages."""
    if path is None or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if key.lower() in line.lower():
            return number
    return None


def content_key(config: SiteConfig) -> str:
    """A digest of the config as page bodies and front matter depend on it: every setting
    but the host of the base URL (its path stays: links are made under it). A preview at
    http://127.0.0.1:1313/ and the site at https://example.org/ share their cached bodies."""
    hostless = replace(config, base_url=config.base_path)
    return hashlib.sha256(repr(hostless).encode("utf-8", "surrogatepass")).hexdigest()
