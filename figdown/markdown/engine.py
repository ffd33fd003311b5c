"""The Markdown engine: markdown-it-py with math, highlighting, heading ids, figures, links."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from figdown.execute.blocks import BlockResult, CodeBlock, OptionValue
from figdown.execute.options import canonical_options
from figdown.load.bibliography import Bibliography
from figdown.load.markup import Highlight, MarkupSettings
from figdown.load.urls import with_base
from figdown.markdown.autolinks import linkify_plugin
from figdown.markdown.blockhtml import render_block_result
from figdown.markdown.callouts import callouts_plugin
from figdown.markdown.citations import citations_plugin
from figdown.markdown.crossref import crossref_plugin
from figdown.markdown.fences import AttrValue, parse_fence_info, split_quarto_options
from figdown.markdown.footnotes import SIDENOTE_COPY, footnotes_plugin
from figdown.markdown.headings import GITHUB, auto_id, split_attributes, unique_id
from figdown.markdown.highlight import highlight_code
from figdown.markdown.math import next_closer, token_line
from figdown.markdown.passthrough import use_math
from figdown.markdown.presentation import CodeDefaults, read_presentation
from figdown.markdown.typographer import typographer_plugin
from figdown.problems import Problem

MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_TAGS = re.compile(r"<[^<>]+>")  # not [^>]: a run of `<` with no `>` took quadratic time
_SUMMARY_LINK = re.compile(r'(\s(?:href|src)=)"([^"]*)"')
_HTML_LINK = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SEARCH_DROP = ("pre", "script", "style")
_ANCHOR = re.compile(r'<a class="anchor"[^<>]*>#</a>')
# A video's fallback link repeats its alt text, which images keep in an attribute.
_STRIP_FOR_WORDS = ("math", "pre", "svg", "video")
# A summary is shown on list pages, where the page's footnotes and references are not.
_FOOTNOTES = re.compile(r'<div class="footnotes" role="doc-endnotes">.*?</ol>\n'
                        r'(?:<script [^<>]*></script>\n)?</div>\n?'
                        r'|<sup id="fnref[^"]*">.*?</sup>(?:<small class="sidenote".*?</small>)?'
                        r'|<section class="references".*?</section>\n?', re.DOTALL)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image written in a page's Markdown, for the link checker."""

    url: str
    line: int | None
    href: str = ""  # as written into the HTML, when figdown changed it (the base path added)


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """A page body as HTML, with what templates and checks need to know about it."""

    html: str
    summary: str
    truncated: bool
    toc: tuple[Heading, ...]
    word_count: int
    links: tuple[Link, ...]
    problems: tuple[Problem, ...] = ()
    text: bytes = b""  # its words, for the search index: see search_text


@dataclass
class RenderContext:
    """Per-page inputs of a render: where the page is, and what its blocks produced."""

    path: str
    line_offset: int
    base_path: str = "/"
    page_url: str = "/"
    results: Mapping[int, BlockResult] = field(default_factory=dict)
    figure_url: Callable[[str], str] | None = None
    figure_svg: Callable[[str], str | None] | None = None  # an SVG's text, by store path
    keep_going: bool = False
    code_defaults: CodeDefaults = field(default_factory=CodeDefaults)
    bibliography: Bibliography | None = None  # what its citations cite


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in {"text", "code_inline", "math_inline", "math_inline_paren"}:
            parts.append(child.content)
    return "".join(parts)


def _is_relative(url: str) -> bool:
    """A relative path such as `dot.svg` or `../x/`, not `#id`, `/abs` or `scheme:`, nor
    a shortcode's placeholder (`FIGDOWNSC…`, a `ref` URL put back after rendering)."""
    return bool(url) and not url.startswith(("/", "#", "?", "FIGDOWNSC")) and not re.match(
        r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url)


def _core_ids_links(state: StateCore, id_type: str = GITHUB) -> None:
    """Heading ids like Hugo's, file lines on inline tokens, links rewritten under the base."""
    env = state.env
    used: set[str] = set()
    headings: list[Heading] = []
    links: list[Link] = []
    base = str(env.get("base_path", "/"))
    context = env.get("context")
    page_url = context.page_url if isinstance(context, RenderContext) else "/"
    offset = int(env.get("line_offset", 1))
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "html_block" and token.map:
            links.extend(_html_links(token.content, token.map[0] + offset))
        if token.type == "inline":
            # The line of each child, not of its paragraph: a paragraph's lines are joined by
            # soft breaks, and raw HTML or code may span lines of their own.
            start = token.map[0] if token.map else None
            for child in token.children or []:
                child.meta["line"] = start
                if child.type == "html_inline" and start is not None:
                    links.extend(_html_links(child.content, start + offset))
                if child.type in {"link_open", "image"}:
                    attr = "href" if child.type == "link_open" else "src"
                    url = str(child.attrGet(attr) or "")
                    line = start + offset if start is not None else None
                    if url.startswith("/") and not url.startswith("//"):
                        child.attrSet(attr, with_base(base, url))
                    elif _is_relative(url):
                        # made root-relative so the link still works in lists and feeds
                        child.attrSet(attr, with_base(base, posixpath.normpath(
                            posixpath.join(page_url, url)) + ("/" if url.endswith("/") else "")))
                    links.append(Link(url, line, str(child.attrGet(attr) or "")))
                if start is not None:
                    start += _lines_spanned(child)
        if token.type == "heading_open" and index + 1 < len(tokens):
            heading = _heading(token, tokens[index + 1], used, id_type)
            if heading is not None:
                headings.append(heading)
    env["headings"] = headings
    env["links"] = links


def _heading(opening: Token, inline: Token, used: set[str], id_type: str) -> Heading | None:
    """The heading's id, written (`{#id}`) or made as Hugo makes it; a heading with no
    text gets none, as in Hugo."""
    children = inline.children or []
    text = _inline_text(inline)
    written = opening.attrGet("id")
    if written is None and not text.strip() and not children:
        return None
    anchor = unique_id(str(written) if written else auto_id(text, id_type), used)
    opening.attrSet("id", anchor)
    return Heading(int(opening.tag[1]), anchor, text.strip())


def _core_heading_attributes(state: StateCore) -> None:
    """A heading's trailing `{#id .class key=value}` (or `{}`) set on it and taken off its
    text before the text is parsed, as Goldmark reads it (quotes in it stay straight)."""
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.type == "heading_open" and tokens[index + 1].type == "inline":
            found = split_attributes(tokens[index + 1].content)
            if found is not None:
                tokens[index + 1].content, attrs = found
                for name, value in attrs:
                    token.attrSet(name, value)


def _lines_spanned(token: Token) -> int:
    """How many line ends of the source an inline token covers."""
    if token.type in {"softbreak", "hardbreak"}:
        return 1
    if token.type == "image":  # its alt text is in its children, not in its content
        return sum(_lines_spanned(child) for child in token.children or [])
    return token.content.count("\n")


def _html_links(html: str, first_line: int) -> list[Link]:
    """Links in raw HTML, kept as written (Hugo does not rewrite them), for the link checker."""
    return [Link(unescape(m.group(2) or m.group(3)), first_line + html.count("\n", 0, m.start()))
            for m in _HTML_LINK.finditer(html)]


def _core_blocks(state: StateCore) -> None:
    """Number the executable fences and collect them as `CodeBlock`s."""
    blocks: list[CodeBlock] = []
    displays: list[dict[str, AttrValue]] = []
    offset = int(state.env.get("line_offset", 1))
    path = str(state.env.get("path", ""))
    for token in state.tokens:
        if token.type != "fence":
            continue
        info = parse_fence_info(token.info)
        token.meta["fence"] = info
        if not info.executable:
            continue
        code = token.content
        display = {k: v for k, v in info.attrs.items() if k != "exec"}
        first_line = (token.map[0] if token.map else 0) + 1 + offset
        if info.quarto:
            quarto, code, taken = split_quarto_options(code)
            display.update(quarto)
            first_line += taken
        display = canonical_options(display)
        options: dict[str, OptionValue] = {
            k: v for k, v in display.items() if not isinstance(v, list)}
        report = state.env.get("report")
        if callable(report):
            for error in info.errors:
                report(Problem(path, first_line - 1, error,
                               'write attributes as {key=value, key="text"}'))
            if display.get("caption") and not display.get("alt") and not str(
                    display.get("id", "")).startswith("tbl-"):  # a table is text
                report(Problem(path, first_line - 1, "figure has a caption but no alt text; the "
                               "caption is used as alt", 'add alt="what the figure shows"',
                               severity="warning"))
            for problem in read_presentation(display, CodeDefaults())[1]:
                report(Problem(path, first_line - 1, problem,
                               "see the block options in docs/figures.md"))
        token.meta["exec_index"] = len(blocks)
        token.meta["display"] = display
        blocks.append(CodeBlock(path=path, line=first_line, index=len(blocks), code=code,
                                options=options))
        displays.append(display)
    state.env["blocks"] = blocks
    state.env["displays"] = displays  # each block's options, lists (`fig-subcap`) included


def _fence_renderer(site: Highlight) -> Callable[..., str]:
    """The fence rule: a block's figures where it ran, or its code highlighted with the
    site's `markup.highlight` settings under its own attributes."""
    def render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                     env: dict[str, Any]) -> str:
        token = tokens[idx]
        info = token.meta.get("fence") or parse_fence_info(token.info)
        if "exec_index" in token.meta:
            context: RenderContext | None = env.get("context")
            result = context.results.get(token.meta["exec_index"]) if context else None
            return render_block_result(token, result, context, env)
        return highlight_code(token.content, info.lang, info.attrs, site)
    return render_fence


def _render_heading_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                          env: dict[str, Any]) -> str:
    """A `#` link to the section after each h2–h6, for readers who want to share a section."""
    anchor = tokens[idx - 2].attrGet("id") if idx >= 2 else None
    if anchor and tokens[idx].tag != "h1":
        return (f' <a class="anchor" href="#{escape(str(anchor))}" '
                f'aria-label="Link to this section">#</a></{tokens[idx].tag}>\n')
    return f"</{tokens[idx].tag}>\n"


def _render_table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: dict[str, Any]) -> str:
    """Tables in a focusable wrapper that scrolls sideways on narrow screens."""
    return ('<div class="table-wrap" role="region" aria-label="Table" tabindex="0">'
            + str(self.renderToken(tokens, idx, options, env)))


def _render_table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                        env: dict[str, Any]) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


def _omit_html(self: Any, tokens: Sequence[Token], idx: int, options: Any,
               env: dict[str, Any]) -> str:
    """Goldmark's rendering of raw HTML when `markup.goldmark.renderer.unsafe` is false."""
    token = tokens[idx]
    if token.content.startswith("<!--FIGDOWNSC"):  # a shortcode's place (shortcodes.py)
        return token.content
    omitted = "<!-- raw HTML omitted -->"
    return omitted + "\n" if token.type == "html_block" else omitted


_CLOSE_BRACKET = re.compile(r"\]")


def _unclosed_bracket(state: StateInline, silent: bool) -> bool:
    """A `[` (or `![`, `^[`) with no `]` after it in its paragraph starts no link, image or
    footnote: it is text. Taken here at once: the link rule would scan the rest of the
    paragraph from each one, twenty levels deep."""
    src, pos = state.src, state.pos
    if src[pos] == "[":
        start = pos
    elif src[pos] in "!^" and src.startswith("[", pos + 1):
        start = pos + 1
    else:
        return False
    if next_closer(state.env, src, _CLOSE_BRACKET, start + 1) >= 0:
        return False
    if not silent:
        add_text(state, src[pos:start + 1])
    state.pos = start + 1
    return True


_PENDING_LIMIT = 2048  # characters of text waiting for a token
_NO_SPLIT = frozenset("-.()+!?'\"")  # typographic replacements (--, ..., (c)) look across


def add_text(state: StateInline, text: str) -> None:
    """Add text to the paragraph, as markdown-it does for a character no rule takes, but
    handed to a token every few thousand characters: each addition copies all the pending
    text, so a long run of such characters (a megabyte of `<` or `&`) would take quadratic
    time. Adjacent text tokens are joined again after parsing (core rule text_join)."""
    state.pending += text
    size = len(state.pending)
    if size > 2 * _PENDING_LIMIT or (size > _PENDING_LIMIT and text[-1:] not in _NO_SPLIT \
            and state.src[state.pos + len(text):state.pos + len(text) + 1] not in _NO_SPLIT):
        state.pushPending()


def _any_character(state: StateInline, silent: bool) -> bool:
    """The last rule: a character no other rule takes is text (see add_text)."""
    if silent:
        return False  # markdown-it's own fallback skips it
    add_text(state, state.src[state.pos])
    state.pos += 1
    return True


def create_markdown(unsafe_html: bool = True, enable_emoji: bool = False,
                    markup: MarkupSettings | None = None) -> MarkdownIt:
    """The one Markdown parser of a build: CommonMark plus what Hugo's Goldmark enables."""
    markup = markup or MarkupSettings()
    # Raw HTML is always parsed, so that with `unsafe: false` it is left out as Goldmark
    # does (`<!-- raw HTML omitted -->`) rather than shown as text.
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    linkify_plugin(md, markup.linkify, markup.linkify_protocol)
    md.use(footnote_plugin).use(tasklists_plugin)
    use_math(md, markup.math)
    md.use(callouts_plugin)
    md.inline.ruler.before("link", "figdown_unclosed_bracket", _unclosed_bracket)
    md.inline.ruler.push("figdown_any_character", _any_character)
    typographer_plugin(md, markup.typographer)
    md.core.ruler.before("inline", "figdown_heading_attributes", _core_heading_attributes)
    md.core.ruler.push("figdown_ids_links", functools.partial(_core_ids_links,
                                                              id_type=markup.heading_ids))
    md.core.ruler.push("figdown_blocks", _core_blocks)
    crossref_plugin(md)  # numbers the blocks `figdown_blocks` found
    md.use(citations_plugin)  # after the lines of inline tokens are known, for its messages
    md.use(footnotes_plugin)  # after citations: a sidenote copies its note's HTML
    md.add_render_rule("fence", _fence_renderer(markup.highlight))
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    if not unsafe_html:
        md.add_render_rule("html_block", _omit_html)
        md.add_render_rule("html_inline", _omit_html)
    if enable_emoji:
        from figdown.markdown.emoji import emoji_plugin
        md.use(emoji_plugin)
    return md


def parse_body(md: MarkdownIt, body: str, context: RenderContext) -> tuple[list[Token],
                                                                           dict[str, Any]]:
    """Tokens of a page body, and the environment holding its blocks, headings and links."""
    problems: list[Problem] = []
    env: dict[str, Any] = {
        "path": context.path, "line_offset": context.line_offset, "base_path": context.base_path,
        "context": context, "md": md, "report": problems.append, "problems": problems,
    }
    return md.parse(body, env), env


def blocks_of(env: Mapping[str, Any]) -> list[CodeBlock]:
    return list(env.get("blocks", []))


def render_tokens(md: MarkdownIt, tokens: list[Token], env: dict[str, Any], body: str,
                  summary_text: str | None, summary_length: int) -> RenderedBody:
    """HTML of a parsed body, with its summary, table of contents and word count."""
    html = str(md.renderer.render(tokens, md.options, env))
    truncated = True
    more = MORE.search(body)
    if more:
        summary = _render_part(md, body[:more.start()], env)
    elif summary_text:
        summary = md.render(summary_text, {"base_path": env["base_path"], "md": md,
                                           "line_offset": 1})
    else:
        summary, truncated = _auto_summary(md, tokens, env, summary_length)
    context = env.get("context")
    summary = _FOOTNOTES.sub("", summary)  # the page shows them; a list would repeat ids
    if isinstance(context, RenderContext):
        summary = _summary_links(summary, with_base(context.base_path, context.page_url))
    once = SIDENOTE_COPY.sub("", html)  # a note's words count once, in the list of notes
    # unescaped: the notes' `&#160;` and `&#x21a9;` (Goldmark's) are no words
    text = unescape(_TAGS.sub(" ", _replace_elements(once, _STRIP_FOR_WORDS, " ")))
    words = len(re.findall(r"\w+", text))
    problems = tuple(env.get("problems", ()))
    return RenderedBody(html=html, summary=summary, truncated=truncated,
                        toc=tuple(env.get("headings", ())), word_count=words,
                        links=tuple(env.get("links", ())), problems=problems,
                        text=search_text(once))


def _summary_links(html: str, page_href: str) -> str:
    """Relative and `#fragment` links made root-relative: summaries are shown on list pages."""
    def fix(match: re.Match[str]) -> str:
        value = match.group(2)
        parts = urlsplit(unescape(value))
        if parts.scheme or parts.netloc or value.startswith("/") or value.startswith(
                "FIGDOWNSC"):  # a shortcode's placeholder: its URL is put back later
            return match.group(0)
        return f'{match.group(1)}"{escape(urljoin(page_href, unescape(value)))}"'
    return _SUMMARY_LINK.sub(fix, html)


def _render_part(md: MarkdownIt, text: str, env: dict[str, Any]) -> str:
    part_env = dict(env)
    part_env["report"] = lambda problem: None  # already reported by the full render
    part_env["problems"] = []
    part_env["motion_script"] = False  # a summary is shown alone, in lists and feeds
    return str(md.render(text, part_env))


def _auto_summary(md: MarkdownIt, tokens: list[Token], env: dict[str, Any],
                  length: int) -> tuple[str, bool]:
    """The body from the start to the end of the paragraph that reaches `length` words.

    Headings, code and figures are left out of the summary: it is shown in lists.
    """
    chosen: list[Token] = []
    words = 0
    index = 0
    skip = {"heading_open", "fence", "code_block", "math_block", "math_block_bracket", "hr"}
    while index < len(tokens):
        token = tokens[index]
        close = index
        if token.nesting == 1 and token.level == 0:
            while tokens[close].nesting != -1 or tokens[close].level != 0:
                close += 1
        block = tokens[index:close + 1]
        if token.type not in skip:
            chosen.extend(block)
        words += sum(len(re.findall(r"\w+", t.content)) for t in block if t.type == "inline")
        index = close + 1
        if token.type == "paragraph_open" and words >= length:
            break
    quiet_env = dict(env)
    quiet_env["report"] = lambda problem: None
    summary = str(md.renderer.render(chosen, md.options, quiet_env))
    return summary, index < len(tokens)


def search_text(html: str) -> bytes:
    """A page's words for searching, as UTF-8: prose, and math as its TeX source; code
    blocks and anchors left out; no space before punctuation. Made with the body (in the
    Markdown workers, and cached with it).

    Bytes rather than a str: one character beyond Latin-1 (a minus sign, a curly quote)
    makes a str take two bytes per character, and writing it as UTF-8 keeps a third copy.
    """
    text = _ANCHOR.sub(" ", _replace_elements(html, _SEARCH_DROP, " "))
    text = _replace_elements(text, ("math",), lambda math: f" {_math_source(math)} ")
    text = re.sub(r"\s+", " ", unescape(_TAGS.sub(" ", text))).strip()
    # a tag between a word and its punctuation (`<a>SiLU</a>.`) left a space there
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACE_AFTER_OPENING.sub(r"\1", text))
    return text.encode("utf-8")


_ALTTEXT = re.compile(r'^<math\b[^>]*\balttext="([^"]*)"')
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)\]])")
_SPACE_AFTER_OPENING = re.compile(r"([(\[])\s+")


def _math_source(math: str) -> str:
    """A formula's TeX source (figdown's MathML carries it), else the text of its MathML."""
    found = _ALTTEXT.match(math)
    return found.group(1) if found else _TAGS.sub(" ", math)


def plain_text(html: str) -> str:
    """Text of an HTML fragment, for descriptions and word counts."""
    return re.sub(r"\s+", " ", _TAGS.sub(" ", _replace_elements(html, _STRIP_FOR_WORDS, " ")
                                      )).strip()


def _replace_elements(html: str, names: tuple[str, ...],
                      replacement: str | Callable[[str], str]) -> str:
    """`html` with each element `<name …>…</name>` (up to the first closing tag of its name)
    replaced, as `re.sub(r"<(name)\\b.*?</\\1>")` would, in linear time: a regex scans to the
    end of the text from every opening tag that is never closed."""
    opener = re.compile(r"<(" + "|".join(names) + r")\b")
    parts: list[str] = []
    cursor = 0
    unclosed: set[str] = set()
    for match in opener.finditer(html):
        name = match.group(1)
        if match.start() < cursor or name in unclosed:
            continue
        close = html.find(f"</{name}>", match.end())
        if close < 0:  # nor will any later one be
            unclosed.add(name)
            continue
        end = close + len(name) + 3
        element = html[match.start():end]
        parts += [html[cursor:match.start()],
                  replacement if isinstance(replacement, str) else replacement(element)]
        cursor = end
    parts.append(html[cursor:])
    return "".join(parts)


__all__ = ["Heading", "Link", "RenderContext", "RenderedBody", "blocks_of", "create_markdown",
           "parse_body", "plain_text", "render_tokens", "search_text",
           "token_line"]
