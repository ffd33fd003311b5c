"""What a site asks of its Markdown: where math is (Hugo's passthrough extension, or
figdown's own `math` key) and how its TeX was written."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Delimiters = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MathSyntax:
    """Where a page's math is. `figdown`: figdown's own delimiters (`$$…$$`, `$…$` not
    next to a space or before a digit, `\\[…\\]`, `\\(…\\)`); otherwise exactly the pairs of
    Hugo's passthrough extension. `unescape`: the TeX was written for Markdown to unescape
    first (`\\_` for `_`), as on a Hugo site whose math library runs in the browser."""

    figdown: bool = False
    inline: Delimiters = ()
    block: Delimiters = ()
    unescape: bool = False

    @property
    def enabled(self) -> bool:
        return self.figdown or bool(self.inline or self.block)


FIGDOWN_MATH = MathSyntax(figdown=True)
NO_MATH = MathSyntax()


# Goldmark's typographer: what each punctuation becomes (Hugo's key names, lower case)
DEFAULT_SUBSTITUTIONS = (
    ("leftsinglequote", "\u2018"), ("rightsinglequote", "\u2019"),
    ("leftdoublequote", "\u201c"), ("rightdoublequote", "\u201d"), ("endash", "\u2013"),
    ("emdash", "\u2014"), ("ellipsis", "\u2026"), ("leftanglequote", "\u00ab"),
    ("rightanglequote", "\u00bb"), ("apostrophe", "\u2019"),
)


@dataclass(frozen=True)
class Typographer:
    """`markup.goldmark.extensions.typographer`: off, or each punctuation's replacement."""

    disable: bool = False
    substitutions: tuple[tuple[str, str], ...] = DEFAULT_SUBSTITUTIONS


@dataclass(frozen=True)
class Highlight:
    """`markup.highlight`: what every fenced block gets unless its own attributes say
    otherwise (Hugo's keys), and, with `noClasses`, colours written into the HTML."""

    line_nos: bool = False
    in_table: bool = True  # lineNumbersInTable
    line_no_start: int = 1
    hl_lines: str = ""
    no_classes: bool = False  # figdown's theme styles code with classes unless told
    style: str = "monokai"  # Hugo's default style, used with noClasses


@dataclass(frozen=True)
class MarkupSettings:
    """How Markdown is read and written, from the site's `markup` and `math` keys."""

    math: MathSyntax = FIGDOWN_MATH
    typographer: Typographer = Typographer()
    heading_ids: str = "github"  # markup.goldmark.parser.autoHeadingIDType
    linkify: bool = True  # markup.goldmark.extensions.linkify
    linkify_protocol: str = "https"  # …linkifyProtocol: what a `www.` address is linked with
    highlight: Highlight = Highlight()


@dataclass(frozen=True)
class MarkupProblem:
    """A bad `markup`/`math` setting: the text to find its line by, what is wrong, the fix."""

    needle: str
    message: str
    hint: str


def _get_ci(mapping: object, key: str) -> Any:
    """`mapping[key]`, ignoring case as Hugo does; None when absent or not a mapping."""
    if not isinstance(mapping, Mapping):
        return None
    return next((v for k, v in mapping.items() if str(k).lower() == key.lower()), None)


def _extensions(raw: Mapping[str, Any]) -> Any:
    """`markup.goldmark.extensions`, or None."""
    return _get_ci(_get_ci(_get_ci(raw, "markup"), "goldmark"), "extensions")


def _delimiter_pairs(value: object, kind: str,
                     problems: list[MarkupProblem]) -> Delimiters:
    """`[['\\[', '\\]'], ['$$', '$$']]` as pairs; anything else is a problem."""
    if value is None:
        return ()
    pairs = value if isinstance(value, list) else None
    if pairs is None or not all(isinstance(p, list) and len(p) == 2 and all(
            isinstance(d, str) and d.strip() for d in p) for p in pairs):
        problems.append(MarkupProblem(
            kind, f"passthrough delimiters.{kind} must be a list of [opening, closing] pairs",
            f"write e.g. `{kind}: [['\\\\(', '\\\\)']]`"))
        return ()
    return tuple((str(p[0]), str(p[1])) for p in pairs)


def passthrough_math(raw: Mapping[str, Any], problems: list[MarkupProblem]) -> MathSyntax:
    """The math of `markup.goldmark.extensions.passthrough`: its delimiters when enabled."""
    extensions = _get_ci(_get_ci(_get_ci(raw, "markup"), "goldmark"), "extensions")
    passthrough = _get_ci(extensions, "passthrough")
    if not isinstance(passthrough, Mapping) or _get_ci(passthrough, "enable") is not True:
        return NO_MATH
    delimiters = _get_ci(passthrough, "delimiters")
    return MathSyntax(inline=_delimiter_pairs(_get_ci(delimiters, "inline"), "inline", problems),
                      block=_delimiter_pairs(_get_ci(delimiters, "block"), "block", problems))


def site_math(raw: Mapping[str, Any], has_config: bool,
              problems: list[MarkupProblem]) -> MathSyntax:
    """Where the site's math is: figdown's `math` key when set, else Hugo's passthrough
    settings; with no config file at all, figdown's delimiters."""
    if not has_config:
        return FIGDOWN_MATH
    passthrough = passthrough_math(raw, problems)
    key = _get_ci(raw, "math")
    if key is None:
        return passthrough
    enable, unescape = key, False
    if isinstance(key, Mapping):
        enable = _get_ci(key, "enable")
        enable = True if enable is None else enable
        unescape = _get_ci(key, "unescape") or False
    if not isinstance(enable, bool) or not isinstance(unescape, bool):
        problems.append(MarkupProblem("math", "`math` must be true, false or "
                                      "{enable: true|false, unescape: true|false}",
                                      "write e.g. `math: true`"))
        return passthrough
    if not enable:
        return NO_MATH
    if passthrough.enabled:
        return MathSyntax(inline=passthrough.inline, block=passthrough.block, unescape=unescape)
    return MathSyntax(figdown=True, unescape=unescape)


def read_typographer(raw: Mapping[str, Any], problems: list[MarkupProblem]) -> Typographer:
    """Hugo's typographer settings: `disable`, and a replacement for each punctuation
    (written as HTML, `&laquo;` or a character; empty leaves the punctuation as it is)."""
    extensions = _get_ci(_get_ci(_get_ci(raw, "markup"), "goldmark"), "extensions")
    value = _get_ci(extensions, "typographer")
    if value is None:
        return Typographer()
    if isinstance(value, bool):  # an old form: `typographer: false`
        return Typographer(disable=not value)
    if not isinstance(value, Mapping):
        problems.append(MarkupProblem("typographer", "markup.goldmark.extensions.typographer "
                                      "must be a mapping", "write e.g. `typographer: "
                                      "{disable: true}`"))
        return Typographer()
    substitutions = dict(DEFAULT_SUBSTITUTIONS)
    for name in substitutions:
        given = _get_ci(value, name)
        if given is not None:
            substitutions[name] = html.unescape(str(given))
    return Typographer(disable=_get_ci(value, "disable") is True,
                       substitutions=tuple(substitutions.items()))


def read_highlight(raw: Mapping[str, Any], problems: list[MarkupProblem]) -> Highlight:
    """Hugo's `markup.highlight` keys figdown reads."""
    value = _get_ci(_get_ci(raw, "markup"), "highlight")
    if value is None:
        return Highlight()
    if not isinstance(value, Mapping):
        problems.append(MarkupProblem("highlight", "markup.highlight must be a mapping",
                                      "write e.g. `highlight: {lineNos: true}`"))
        return Highlight()
    flags = {}
    for key in ("lineNos", "lineNumbersInTable", "noClasses"):
        given = _get_ci(value, key)
        if given is not None and not isinstance(given, bool):
            problems.append(MarkupProblem(key, f"markup.highlight.{key} must be true or false",
                                          f"write e.g. `{key}: true`"))
            given = None
        flags[key] = given
    start = _get_ci(value, "lineNoStart")
    if start is not None and (isinstance(start, bool) or not isinstance(start, int)):
        problems.append(MarkupProblem("lineNoStart", "markup.highlight.lineNoStart must be a "
                                      "whole number", "write e.g. `lineNoStart: 1`"))
        start = None
    style = str(_get_ci(value, "style") or "monokai")
    if not _known_style(style):
        problems.append(MarkupProblem("style", f"unknown highlight style {style!r}",
                                      "use a Pygments style name such as monokai or dracula"))
        style = "monokai"
    default = Highlight()
    return Highlight(
        line_nos=flags["lineNos"] if flags["lineNos"] is not None else default.line_nos,
        in_table=flags["lineNumbersInTable"] if flags["lineNumbersInTable"] is not None
        else default.in_table,
        line_no_start=start if isinstance(start, int) else 1,
        hl_lines=str(_get_ci(value, "hl_Lines") or ""),
        no_classes=bool(flags["noClasses"]), style=style)


def _known_style(name: str) -> bool:
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound
    try:
        get_style_by_name(name)
    except ClassNotFound:
        return False
    return True


HEADING_ID_TYPES = ("github", "github-ascii", "blackfriday")


def read_heading_ids(raw: Mapping[str, Any], problems: list[MarkupProblem]) -> str:
    """`markup.goldmark.parser.autoHeadingIDType`, Hugo's way of making heading ids."""
    parser = _get_ci(_get_ci(_get_ci(raw, "markup"), "goldmark"), "parser")
    value = _get_ci(parser, "autoHeadingIDType")
    if value is None:
        return "github"
    if str(value).lower() not in HEADING_ID_TYPES:
        problems.append(MarkupProblem("autoHeadingIDType", f"unknown autoHeadingIDType "
                                      f"{value!r}", "use " + ", ".join(HEADING_ID_TYPES)))
        return "github"
    return str(value).lower()


def read_markup(raw: Mapping[str, Any], has_config: bool,
                problems: list[MarkupProblem]) -> MarkupSettings:
    """The site's Markdown settings; bad values are added to `problems`."""
    return MarkupSettings(math=site_math(raw, has_config, problems),
                          typographer=read_typographer(raw, problems),
                          heading_ids=read_heading_ids(raw, problems),
                          linkify=_get_ci(_extensions(raw), "linkify") is not False,
                          linkify_protocol=str(_get_ci(_extensions(raw), "linkifyProtocol")
                                               or "https"),
                          highlight=read_highlight(raw, problems))
