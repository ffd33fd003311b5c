"""Pandoc's citations (`[@key]`, `[see @a, p. 3; @b]`, `[-@key]`, `@key says`) formatted by
citeproc-py in the page's CSL style, each linked to its entry in a References section at the
end of the body. Only a page with a bibliography has citations: elsewhere `[@x]` is text."""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from figdown.load.bibliography import CSL, Bibliography
from figdown.markdown.math import next_closer
from figdown.problems import Problem

if TYPE_CHECKING:
    from citeproc import CitationItem

# Pandoc's citation key: a letter, digit or `_`, then word characters and internal punctuation.
_KEY = r"[\w](?:[\w]|[:.#$%&+?<>~/-](?=\w))*"
_ITEM = re.compile(r"^(?P<prefix>[^@]*?)(?P<minus>-?)@(?P<key>" + _KEY + r")(?P<suffix>[^@]*)$",
                   re.DOTALL)
_BARE = re.compile(r"@(" + _KEY + r")")
_LOCATOR = re.compile(r"^,?\s*(?:(?P<label>pp?|pages?|chap|chapter|sec|section|fig|figure|vol"
                      r"|volume|eq|no)\.?\s*)?(?P<where>\d[\w\u2013-]*)\s*(?:,\s*(?P<rest>.*))?$",
                      re.DOTALL)
_LABELS = {"p": "page", "pp": "page", "page": "page", "pages": "page", "chap": "chapter",
           "chapter": "chapter", "sec": "section", "section": "section", "fig": "figure",
           "figure": "figure", "vol": "volume", "volume": "volume", "eq": "equation",
           "no": "issue"}
_OPEN, _CLOSE = re.compile(r"\["), re.compile(r"\]")
_CROSSREFS = ("fig-", "tbl-")  # Quarto's cross-reference prefixes (crossref.py)


@dataclass(frozen=True, slots=True)
class CiteItem:
    """One cited work in a citation, as written."""

    key: str
    prefix: str = ""
    suffix: str = ""
    locator: tuple[str, str] | None = None  # (CSL label, where)
    suppress_author: bool = False


def citations_plugin(md: MarkdownIt) -> None:
    """Read citations in pages that have a bibliography; format them after parsing."""
    md.inline.ruler.before("link", "figdown_citation", _bracketed)
    md.inline.ruler.before("text", "figdown_narrative_citation", _narrative)
    md.core.ruler.push("figdown_citations", _format_citations)
    md.add_render_rule("citation", _render_citation)


def _bibliography(env: MutableMapping[str, Any]) -> Bibliography | None:
    context = env.get("context")
    bibliography = getattr(context, "bibliography", None)
    return bibliography if isinstance(bibliography, Bibliography) else None


def _keys(env: MutableMapping[str, Any], bibliography: Bibliography) -> frozenset[str]:
    if "figdown-citation-keys" not in env:  # once per render, not once per `@`
        env["figdown-citation-keys"] = frozenset(bibliography.keys)
    keys: frozenset[str] = env["figdown-citation-keys"]
    return keys


def parse_citation(text: str) -> tuple[CiteItem, ...] | None:
    """The items of a bracketed citation's inside (`see @a, p. 3; @b`), or None if it is not
    one: every `;`-separated part must name a key."""
    items: list[CiteItem] = []
    for part in text.split(";"):
        match = _ITEM.match(part)
        if match is None:
            return None
        before = match.start("minus")
        if before > 0 and not part[before - 1].isspace():
            return None  # an address (me@example.org), not a citation
        prefix = match.group("prefix").strip()
        suffix, locator = match.group("suffix").rstrip(), None
        found = _LOCATOR.match(suffix)
        if found:
            label = _LABELS.get((found.group("label") or "p").lower(), "page")
            locator = (label, found.group("where"))
            suffix = f", {found.group('rest')}" if found.group("rest") else ""
        items.append(CiteItem(match.group("key"), prefix, suffix, locator,
                              bool(match.group("minus"))))
    return tuple(items)


def _bracketed(state: StateInline, silent: bool) -> bool:
    """`[@key]`, `[see @a, p. 3; -@b]`: a citation where the page has a bibliography."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or state.linkLevel > 0 or (bibliography := _bibliography(state.env)
                                                  ) is None:  # no link inside a link's text
        return False
    # The next `]` and `[` from the paragraph's sorted positions, not str.find: a long run
    # of `[` would make a scan from each one quadratic.
    end = next_closer(state.env, src, _CLOSE, pos + 1)
    opener = next_closer(state.env, src, _OPEN, pos + 1)
    if end < 0 or 0 <= opener < end or "@" not in src[pos:end] or \
            src[end + 1:end + 2] in ("(", "[", ":"):  # a link or its reference
        return False
    items = parse_citation(src[pos + 1:end])
    keys = _keys(state.env, bibliography)
    if items is None or any(item.key.startswith(_CROSSREFS) and item.key not in keys
                            for item in items):  # `[@fig-x]`: a figure's number, not a work
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = src[pos:end + 1]
        token.meta = {"items": items, "narrative": False}
    state.pos = end + 1
    return True


def _narrative(state: StateInline, silent: bool) -> bool:
    """`@key says`: the authors, then the year in parentheses, for a key in the bibliography
    (any other `@name` is text: a handle, a decorator)."""
    src, pos = state.src, state.pos
    if src[pos] != "@" or state.linkLevel > 0 or (bibliography := _bibliography(state.env)
                                                  ) is None:
        return False
    if pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@."):
        return False
    match = _BARE.match(src, pos)
    if match is None or match.group(1) not in _keys(state.env, bibliography):
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = match.group(0)
        token.meta = {"items": (CiteItem(match.group(1)),), "narrative": True}
    state.pos = match.end()
    return True


def _citation_tokens(tokens: Sequence[Token]) -> list[Token]:
    return [child for token in tokens if token.type == "inline"
            for child in token.children or [] if child.type == "citation"]


def _format_citations(state: StateCore) -> None:
    """Check every citation's keys, format them in the style, add the References section."""
    env = state.env
    bibliography = _bibliography(env)
    if bibliography is None:
        return
    keys = _keys(env, bibliography)
    report = env.get("report")
    if callable(report):
        for problem in _near_misses(state.tokens, keys, env, bibliography.path):
            report(problem)
    cites = _citation_tokens(state.tokens)
    if not cites:
        return
    good: list[Token] = []
    for token in cites:
        unknown = [item.key for item in token.meta["items"] if item.key not in keys]
        for key in unknown:
            if callable(report):
                report(unknown_key_problem(str(env.get("path", "")), _line(token, env),
                                           key, keys, bibliography.path))
        if not unknown:
            good.append(token)
    if not good:
        return
    try:
        formatted = format_citations([t.meta["items"] for t in good],
                                     [bool(t.meta["narrative"]) for t in good], bibliography)
    except Exception as err:  # citeproc-py on a style it cannot follow: any error at all
        if callable(report):
            report(Problem(bibliography.style_path or bibliography.path, None,
                           f"citations cannot be formatted in this style "
                           f"({type(err).__name__}: {err})",
                           "name another CSL style with `csl:`, or leave it out for the "
                           "default"))
        return
    inline_html, references = formatted
    for token, html in zip(good, inline_html, strict=True):
        token.meta["html"] = html
    section = Token("html_block", "", 0)
    section.content = references
    at = next((i for i, t in enumerate(state.tokens) if t.type == "footnote_block_open"),
              len(state.tokens))
    state.tokens.insert(at, section)


_NEAR_MISS = re.compile(r"(?<![\w@.])@(" + _KEY + r")")


def _near_misses(tokens: Sequence[Token], keys: frozenset[str], env: MutableMapping[str, Any],
                 where: str) -> list[Problem]:
    """A warning for each `@word` of the prose that is no key but nearly one: `@key says`
    with a typo in the key is shown as text, which nobody would notice otherwise."""
    found: list[Problem] = []
    ordered = sorted(keys)
    for token in tokens:
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type != "text" or "@" not in child.content:
                continue
            for match in _NEAR_MISS.finditer(child.content):
                key = match.group(1)
                close = [] if key in keys else difflib.get_close_matches(key, ordered, n=1,
                                                                         cutoff=0.8)
                if close:
                    found.append(Problem(
                        str(env.get("path", "")), _line(child, env),
                        f"@{key} is not a citation key, and is shown as text",
                        f"did you mean @{close[0]}? (the keys of {where})",
                        severity="warning"))
    return found


def _line(token: Token, env: MutableMapping[str, Any]) -> int | None:
    """The file line of an inline token (stamped by the engine's line rule)."""
    start, offset = token.meta.get("line"), env.get("line_offset", 1)
    return start + offset if isinstance(start, int) and isinstance(offset, int) else None


def unknown_key_problem(path: str, line: int | None, key: str, keys: frozenset[str],
                        where: str) -> Problem:
    """`post.md:12: unknown citation key 'hendrycks16' — did you mean hendrycks2016?`"""
    close = difflib.get_close_matches(key, sorted(keys), n=3, cutoff=0.5)
    hint = (f"did you mean {', '.join(close)}? (the keys of {where})" if close
            else f"add an entry `{key}` to {where}")
    return Problem(path, line, f"unknown citation key {key!r}", hint)


def format_citations(citations: Sequence[Sequence[CiteItem]], narrative: Sequence[bool],
                     bibliography: Bibliography) -> tuple[list[str], str]:
    """Each citation's HTML, and the References section of the works they cite."""
    # Imported here, as pybtex is: only a page that cites pays for citeproc-py and lxml.
    from citeproc import Citation, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    records = json.loads(bibliography.records)
    by_id = {str(item["id"]).lower(): item for item in records}
    style = CitationStylesStyle(io.BytesIO(bibliography.style.encode("utf-8")), validate=False)
    processor = CitationStylesBibliography(style, CiteProcJSON(records), formatter.html)
    singles = [[Citation([_csl_item(item)]) for item in items] for items in citations]
    for row in singles:
        for citation in row:
            processor.register(citation)
    processor.sort()
    prefix, suffix, delimiter = _citation_affixes(bibliography.style)
    rendered: list[str] = []
    for items, row, in_text in zip(citations, singles, narrative, strict=True):
        parts = []
        for item, citation in zip(items, row, strict=True):
            inner = _strip_affixes(str(processor.cite(citation, lambda _: None)), prefix, suffix)
            if in_text or item.suppress_author:
                inner = _author_year(by_id[item.key.lower()], item, in_text)
            link = f'<a href="#ref-{escape(item.key)}" role="doc-biblioref">{inner}</a>'
            # The prefix and suffix are the writer's words, outside the link to the work.
            before = f"{escape(item.prefix)} " if item.prefix else ""
            after = "" if in_text or item.suppress_author else escape(item.suffix)
            parts.append(before + link + after)
        keys = " ".join(item.key for item in items)
        body = parts[0] if in_text else f"{prefix}{delimiter.join(parts)}{suffix}"
        rendered.append(f'<span class="citation" data-cites="{escape(keys)}">{body}</span>')
    entries = [_entry_html(by_id[key], str(text))
               for key, text in zip(processor.keys, processor.bibliography(), strict=True)]
    section = ('<section class="references" id="references" role="doc-bibliography">\n'
               '<h2>References</h2>\n<ul class="csl-bib-body">\n' + "".join(entries)
               + "</ul>\n</section>\n")
    return rendered, section


def _csl_item(item: CiteItem) -> CitationItem:
    from citeproc import CitationItem
    from citeproc.source import Locator
    extra: dict[str, Any] = {}
    if item.locator:
        extra["locator"] = Locator(*item.locator)
    return CitationItem(item.key, **extra)


def _citation_affixes(style: str) -> tuple[str, str, str]:
    """The prefix, suffix and delimiter of the style's citation layout: `(`, `)`, `; `."""
    root = ElementTree.fromstring(style.encode("utf-8"))
    layout = root.find(f"{CSL}citation/{CSL}layout")
    if layout is None:
        return "", "", "; "
    return (escape(layout.get("prefix", "")), escape(layout.get("suffix", "")),
            escape(layout.get("delimiter", "; ")))


def _strip_affixes(html: str, prefix: str, suffix: str) -> str:
    if prefix and html.startswith(prefix):
        html = html[len(prefix):]
    if suffix and html.endswith(suffix):
        html = html[:-len(suffix)]
    return html


def _author_year(record: dict[str, Any], item: CiteItem, in_text: bool) -> str:
    """`Hendrycks and Gimpel (2016)` in the text, `2016` with the author suppressed."""
    parts = (record.get("issued") or {}).get("date-parts") or [[]]
    year = str(parts[0][0]) if parts and parts[0] else "n.d."
    if item.locator:
        label = "p." if item.locator[0] == "page" else item.locator[0][:3] + "."
        year += f", {label} {item.locator[1]}"
    year = escape(year + item.suffix)
    if not in_text:
        return year
    families = [str(name.get("family") or name.get("literal") or "")
                for name in record.get("author") or record.get("editor") or []]
    if not families:
        names = str(record.get("title", item.key))
    elif len(families) == 1:
        names = families[0]
    elif len(families) == 2:
        names = f"{families[0]} and {families[1]}"
    else:
        names = f"{families[0]} et al."
    return f"{escape(names)} ({year})"


_URL_TEXT = re.compile(r"https?://[^\s<>\"]+")


def _entry_html(record: dict[str, Any], text: str) -> str:
    """One References entry, its DOI or URL a link (added when the style leaves it out)."""
    doi = str(record.get("DOI", "")).strip()
    url = f"https://doi.org/{doi}" if doi else str(record.get("URL", "")).strip()
    if _URL_TEXT.search(text):
        text = _URL_TEXT.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)
    elif url:
        shown = f"doi:{doi}" if doi else url
        text += f' <a href="{escape(url)}">{escape(shown)}</a>'
    return (f'<li id="ref-{escape(str(record["id"]))}" class="csl-entry">{text}</li>\n')


def _render_citation(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                     env: dict[str, Any]) -> str:
    token = tokens[idx]
    return str(token.meta.get("html") or escape(token.content))


__all__ = ["CiteItem", "citations_plugin", "format_citations", "parse_citation",
           "unknown_key_problem"]
