"""Code highlighting with Pygments into CSS classes, with Hugo's `linenos` and `hl_lines`."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from figdown.load.markup import Highlight
from figdown.markdown.fences import AttrValue, line_numbers

# Both styles keep every token colour at 4.5:1 or more against the page's code background.
LIGHT_STYLE = "xcode"
_TOKEN_RULE = re.compile(r"^[^{\n]*\.highlight \.([\w-]+) \{", re.MULTILINE)
DARK_STYLE = "github-dark"


@lru_cache(maxsize=128)
def _lexer(lang: str) -> Lexer:
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=True)


@lru_cache(maxsize=128)
def _formatter(linenos: str | bool, start: int, hl_lines: tuple[int, ...],
               style: str | None = None) -> HtmlFormatter[str]:
    # Building a formatter computes its whole style sheet: a third of the highlighting time.
    if style is not None:  # markup.highlight.noClasses: colours in the HTML itself
        return HtmlFormatter(cssclass="highlight", wrapcode=True, linenos=linenos,
                             linenostart=start, hl_lines=list(hl_lines), noclasses=True,
                             style=style)
    return HtmlFormatter(cssclass="highlight", wrapcode=True, linenos=linenos,
                         linenostart=start, hl_lines=list(hl_lines))


def _line_mode(linenos: AttrValue | None, in_table: bool) -> str | bool:
    """Pygments' `linenos` for Hugo's: `table`, `inline`, or true (a table unless
    `markup.highlight.lineNumbersInTable` is false)."""
    if linenos == "table" or (linenos is True and in_table):
        return "table"
    if linenos == "inline" or linenos is True:
        return "inline"
    return False


def highlight_code(code: str, lang: str, attrs: dict[str, AttrValue] | None = None,
                   site: Highlight | None = None) -> str:
    """The HTML of a highlighted code block; unknown languages are shown as plain text.
    `site`: the site's `markup.highlight` settings, which the block's attributes override."""
    attrs = attrs or {}
    site = site or Highlight()
    if not lang:
        return f'<pre tabindex="0"><code>{escape(code)}</code></pre>\n'
    mode = _line_mode(attrs.get("linenos", site.line_nos or None), site.in_table)
    start = attrs.get("linenostart", site.line_no_start)
    hl_lines = attrs.get("hl_lines", site.hl_lines or None)
    formatter = _formatter(mode, start if isinstance(start, int) else 1,
                           tuple(sorted(line_numbers(hl_lines))),
                           site.style if site.no_classes else None)
    html = str(highlight(code, _lexer(lang), formatter))
    marked = f'<pre tabindex="0" data-lang="{escape(lang)}"'  # then `>` or its style
    if mode == "table":  # the scrollable code is in the second cell, after the line numbers
        return html.replace('<td class="code"><div><pre', f'<td class="code"><div>{marked}', 1)
    return html.replace("<pre", marked, 1)


def stylesheet() -> str:
    """Pygments CSS: light by default, dark on screens in the dark scheme (toggle or system)."""
    light = _style_defs(LIGHT_STYLE, ".highlight")
    dark = _style_defs(DARK_STYLE, '[data-theme="dark"] .highlight', light)
    dark_auto = _style_defs(DARK_STYLE, ':root:not([data-theme="light"]) .highlight', light)
    # The dark rules are for screens only: paper is white whatever the reader's scheme.
    return (f"/* Code highlighting: {LIGHT_STYLE} (light), {DARK_STYLE} (dark). */\n{light}\n"
            f"@media screen {{\n{dark}\n}}\n"
            f"@media screen and (prefers-color-scheme: dark) {{\n{dark_auto}\n}}\n")


def _style_defs(style: str, selector: str, over: str = "") -> str:
    """One style's rules, all under `selector`, on the theme's `--code-bg` background.

    Pygments emits some rules (`pre`, line numbers) without the selector; left as they are,
    the dark style's would apply in the light scheme too. Token classes that `over` (the
    light style) colours and this style does not are reset, or they would keep light colours.
    """
    formatter = HtmlFormatter(style=style)
    lines: list[str] = []
    for line in str(formatter.get_style_defs(selector)).splitlines():  # type: ignore[no-untyped-call]
        if line.startswith(("td.linenos", "span.linenos")):
            line = f"{selector} {line}"
        elif not line.startswith(selector):
            continue
        if line.startswith(selector + " {"):
            line = re.sub(r"background: (#\w+)", r"background: var(--code-bg, \1)", line)
        lines.append(line)
    own = set(_TOKEN_RULE.findall("\n".join(lines)))
    for token in sorted(set(_TOKEN_RULE.findall(over)) - own):
        lines.append(f"{selector} .{token} {{ color: inherit; font-weight: inherit; "
                     "font-style: inherit; background-color: transparent }")
    return "\n".join(lines)
