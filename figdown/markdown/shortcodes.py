"""Hugo shortcodes, expanded before Markdown parsing, line for line.

A pre-pass over a page body: each shortcode figdown knows becomes a placeholder word, and the
HTML it stands for is put back after Markdown rendering (as Hugo itself does). Placeholders
keep the body's line count — a shortcode spanning N lines leaves N-1 padding words — so
every later `file:line` message still points at the user's line. Fenced code blocks are left
alone, except that escaped shortcodes (`{{</* x */>}}`) are shown literally there too.

The site's own shortcodes are Go templates figdown cannot run: their tags are dropped and
their inner text is kept, and each is named once in a warning.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any
from urllib.parse import quote

from figdown.load.urls import absolute, with_base
from figdown.markdown.crossref import reference_markdown
from figdown.markdown.engine import Link, RenderedBody, plain_text, search_text
from figdown.markdown.highlight import highlight_code
from figdown.markdown.shortcode_context import Args, PageRef, ShortcodeContext
from figdown.markdown.shortcode_html import embed_html, figure_html, highlight_options, rooted_url
from figdown.problems import Problem

# {{< name args >}}, {{% name %}}, {{< /name >}}, {{</ name >}}, {{< name />}} and the
# escaped forms {{</* name */>}}, {{%/* name */%}}.
_TAG = re.compile(
    r"""\{\{(?P<open>[<%])(?P<esc>/\*)?\s*(?P<close>/)?\s*(?P<name>[\w][\w./-]*)
    (?P<args>(?:[^"`<>%*/]|"(?:[^"\\]|\\.)*"|`[^`]*`|/(?!\s*\*?[>%]\}\})|\*(?!/))*?)
    \s*(?P<self>/)?\s*(?P<escend>\*/)?(?P<end>[>%])\}\}""",
    re.VERBOSE | re.DOTALL)
_ARG = re.compile(r"""\s*(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)""")
_FENCE = re.compile(r"^(?:[ \t]*>)*[ \t]*(`{3,}|~{3,})(.*)$")

PLACEHOLDER = "FIGDOWNSC{}Z"
PAD = "FIGDOWNPADZ"
_PLACEHOLDER = re.compile(r"FIGDOWNSC(\d+)Z")
_PADDING = re.compile(r"\n?" + PAD)
_PREFIX = re.compile(r"(?:[ \t]*>)*[ \t]*")  # blockquote marks and indentation

PAIRED = frozenset({"highlight", "comment"})
EMBEDS = frozenset({"youtube", "vimeo", "vimeo_simple", "gist", "x", "twitter", "tweet",
                    "instagram"})
KNOWN = PAIRED | EMBEDS | {"figure", "ref", "relref", "param", "details", "figref"}


@dataclass(frozen=True)
class Expanded:
    """A body with its shortcodes replaced, and what goes back in after rendering."""

    text: str
    html: tuple[str, ...] = ()  # placeholder N → HTML
    unknown: Mapping[str, int] = field(default_factory=dict)  # name → first file line
    problems: tuple[Problem, ...] = ()
    blocks: frozenset[int] = frozenset()  # placeholders of block HTML (<details>, </details>)
    links: tuple[Link, ...] = ()  # written in shortcodes (a figure's src), for the link check

    def restore(self, rendered: str) -> str:
        """Rendered HTML with padding gone and each placeholder back to its HTML."""
        if not self.html and PAD not in rendered:
            return rendered
        rendered = _PADDING.sub("", rendered)

        def block(match: re.Match[str]) -> str:
            return self.html[int(next(g for g in match.groups() if g is not None))]

        rendered = re.sub(r"<!--FIGDOWNSC(\d+)Z[\s>]*-->\n?|<p>FIGDOWNSC(\d+)Z</p>\n?"
                          r"|<p>&lt;!--FIGDOWNSC(\d+)Z[\s>]*--&gt;</p>\n?", block, rendered)
        if self.blocks:
            # block HTML that shares a line with text (`{{< details >}}Text`) starts or ends
            # the paragraph it landed in: a <p> holds no <details>
            def opening(match: re.Match[str]) -> str:
                number = int(match.group(1))
                return self.html[number] + "<p>" if number in self.blocks else match.group(0)

            def closing(match: re.Match[str]) -> str:
                number = int(match.group(1))
                return "</p>\n" + self.html[number] if number in self.blocks \
                    else match.group(0)

            rendered = re.sub(r"<p>FIGDOWNSC(\d+)Z\s*", opening, rendered)
            rendered = re.sub(r"\s*FIGDOWNSC(\d+)Z</p>\n?", closing, rendered)
        return _PLACEHOLDER.sub(block, rendered)


@dataclass
class _Tag:
    start: int
    end: int
    name: str
    closing: bool
    args: Args
    line: int
    raw: str


def parse_args(text: str) -> Args:
    """`"a" b` → positional; `k="v" n=1` → named."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARG.finditer(text):
        value = match.group(2)
        if value.startswith('"'):
            value = re.sub(r'\\(.)', r"\1", value[1:-1])
        elif value.startswith("`"):
            value = value[1:-1]
        if match.group(1):
            named[match.group(1)] = value
        else:
            positional.append(value)
    return Args(tuple(positional), named)


def fenced_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the fenced code blocks of a Markdown text."""
    spans: list[tuple[int, int]] = []
    offset = 0
    opened: tuple[str, int] | None = None
    start = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line.rstrip("\n"))
        if opened is None:
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                opened = (match.group(1)[0], len(match.group(1)))
                start = offset
        elif match and match.group(1)[0] == opened[0] and len(match.group(1)) >= opened[1] \
                and not match.group(2).strip():
            spans.append((start, offset + len(line)))
            opened = None
        offset += len(line)
    if opened is not None:
        spans.append((start, len(text)))
    return spans


def _unescape(raw: str) -> str:
    """`{{</* x */>}}` → `{{< x >}}`."""
    return re.sub(r"^\{\{([<%])/\*", r"{{\1", re.sub(r"\*/([<%]?[>%])\}\}$", r"\1}}", raw))


def expand_shortcodes(body: str, context: ShortcodeContext) -> Expanded:
    """The body with shortcodes replaced by placeholders; see the module's docstring."""
    if "{{" not in body:
        return Expanded(body)
    spans = fenced_spans(body)
    tags: list[_Tag] = []
    out: list[str] = []
    cursor = 0

    def in_fence(pos: int) -> bool:
        return any(start <= pos < end for start, end in spans)

    for match in _TAG.finditer(body):
        if (match.group("open") == "<") != (match.group("end") == ">"):
            continue
        escaped = bool(match.group("esc")) and bool(match.group("escend"))
        if escaped:
            out.append(body[cursor:match.start()])
            out.append(_unescape(match.group(0)))
            cursor = match.end()
            continue
        if in_fence(match.start()):
            continue
        out.append(body[cursor:match.start()])
        # A tag's own text is kept in place for now; `_Expander` replaces it.
        marker = f"\x00{len(tags)}\x00"
        out.append(marker)
        cursor = match.end()
        tags.append(_Tag(match.start(), match.end(), match.group("name"),
                         bool(match.group("close")), parse_args(match.group("args") or ""),
                         context.body_line + body.count("\n", 0, match.start()),
                         match.group(0)))
    out.append(body[cursor:])
    if not tags:
        return Expanded("".join(out))
    return _Expander(context, tags, body).run("".join(out))


class _Expander:
    """Replaces the tag markers of one body, pairing opening and closing tags."""

    def __init__(self, context: ShortcodeContext, tags: list[_Tag], body: str) -> None:
        self.context = context
        self.tags = tags
        self.body = body
        self.html: list[str] = []
        self.unknown: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.blocks: set[int] = set()
        self.links: list[Link] = []

    def placeholder(self, html: str, lines: int = 0) -> str:
        self.html.append(html)
        return PLACEHOLDER.format(len(self.html) - 1) + f"\n{PAD}" * lines

    def replace(self, start: int, end: int, html: str) -> str:
        """What stands for `body[start:end]`: an HTML comment block when the shortcode has its
        lines to itself (it may interrupt a paragraph and holds blank lines), else a word."""
        line_start = self.body.rfind("\n", 0, start) + 1
        line_end = self.body.find("\n", end)
        line_end = len(self.body) if line_end == -1 else line_end
        alone = (_PREFIX.fullmatch(self.body[line_start:start]) is not None
                 and not self.body[end:line_end].strip())
        if not alone:
            return self.placeholder(html, self.body.count("\n", start, end))
        self.html.append(html)
        lines = self.body[start:end].split("\n")
        prefixes = [_PREFIX.match(line).group(0) for line in lines[1:]]  # type: ignore[union-attr]
        text = "<!--" + PLACEHOLDER.format(len(self.html) - 1)
        if not prefixes:
            return text + "-->"
        return text + "".join(f"\n{prefix}" for prefix in prefixes) + "-->"

    def run(self, text: str) -> Expanded:
        parts = re.split(r"\x00(\d+)\x00", text)
        # parts: text, tag index, text, tag index, …
        result: list[str] = [parts[0]]
        index = 1
        details: list[_Tag] = []  # opened and not yet closed
        while index < len(parts):
            tag = self.tags[int(parts[index])]
            following = parts[index + 1]
            if (tag.name in PAIRED or tag.name.endswith(".inline")) and not tag.closing:
                close = self._find_close(parts, index, tag.name)
                if close is not None:
                    inner = "".join(
                        p if n % 2 == 0 else self.tags[int(p)].raw
                        for n, p in enumerate(parts[index + 1:close], start=index + 1))
                    result.append(self.paired(tag, inner, self.tags[int(parts[close])]))
                    result.append(parts[close + 1])
                    index = close + 2
                    continue
                if tag.name in PAIRED:
                    self.unclosed(tag)
            elif tag.name in PAIRED:  # a closing tag no opening one took
                self.stray(tag)
            elif tag.name == "details" and tag.closing:
                if not details:
                    self.stray(tag)
                    result.append(f"\n{PAD}" * tag.raw.count("\n"))
                    result.append(following)
                    index += 2
                    continue
                details.pop()
            elif tag.name == "details":
                details.append(tag)
            result.append(self.single(tag))
            result.append(following)
            index += 2
        for tag in details:
            self.unclosed(tag)
        return Expanded("".join(result), tuple(self.html), dict(self.unknown),
                        tuple(self.problems), frozenset(self.blocks), tuple(self.links))

    def unclosed(self, tag: _Tag) -> None:
        """An opening tag of a pair without its closing one: the page would be cut short or
        its HTML left open."""
        self.problems.append(Problem(
            self.context.path, tag.line, f"shortcode {{{{< {tag.name} >}}}} is not closed",
            f"add {{{{< /{tag.name} >}}}} after its content"))

    def stray(self, tag: _Tag) -> None:
        self.problems.append(Problem(
            self.context.path, tag.line,
            f"shortcode {{{{< /{tag.name} >}}}} closes no {{{{< {tag.name} >}}}}",
            f"remove it, or add {{{{< {tag.name} >}}}} where the content starts"))

    def _find_close(self, parts: list[str], index: int, name: str) -> int | None:
        depth = 0
        for n in range(index + 2, len(parts), 2):
            tag = self.tags[int(parts[n])]
            if tag.name != name:
                continue
            if not tag.closing:
                depth += 1
            elif depth == 0:
                return n
            else:
                depth -= 1
        return None

    def warn_unknown(self, tag: _Tag) -> None:
        self.unknown.setdefault(tag.name, tag.line)

    def single(self, tag: _Tag) -> str:
        """A tag that is not one half of a known pair."""
        newlines = tag.raw.count("\n")
        if tag.name == "details":
            # The inner text stays Markdown, on its own lines, rendered with the page.
            self.blocks.add(len(self.html))  # the placeholder `replace` adds next
            if tag.closing:
                return self.replace(tag.start, tag.end, "</details>\n")
            args = tag.args
            summary = self.context.render_inline(args.get("summary", 0, "Details"))
            opened = " open" if args.get("open", 1).lower() == "true" else ""
            attrs = "".join(f' {k}="{escape(args.named[k])}"' for k in ("class", "name",
                            "title") if k in args.named)
            return self.replace(tag.start, tag.end,
                                f"<details{attrs}{opened}><summary>{summary}</summary>\n")
        if tag.closing or tag.name not in KNOWN:
            if tag.name not in KNOWN:
                self.warn_unknown(tag)
            return f"\n{PAD}" * newlines
        if tag.name == "figref":  # Markdown the reference rule reads (crossref.py)
            return self.figref(tag) + f"\n{PAD}" * newlines
        html = self.render(tag)
        if tag.name in {"ref", "relref"}:  # a URL, usually inside a Markdown link
            return self.placeholder(html or "", newlines)
        return self.replace(tag.start, tag.end, html or "")

    def paired(self, tag: _Tag, inner: str, close: _Tag) -> str:
        if tag.name.endswith(".inline"):
            self.warn_unknown(tag)
            if "{{" not in inner:  # plain HTML or Markdown: kept, as for other shortcodes
                return (f"\n{PAD}" * tag.raw.count("\n") + inner
                        + f"\n{PAD}" * close.raw.count("\n"))
        if tag.name == "comment" or tag.name.endswith(".inline"):
            # A comment, or template code: nothing a reader should see.
            return self.replace(tag.start, close.end, "")
        # highlight
        code = re.sub(r"\n[ \t]*$", "", textwrap.dedent(inner).strip("\n"))
        lang = tag.args.get("lang", 0, "")
        attrs = highlight_options(tag.args.get("options", 1, ""))
        return self.replace(tag.start, close.end, highlight_code(code + "\n", lang, attrs,
                                                                 self.context.highlight))

    def render(self, tag: _Tag) -> str | None:
        name, args, ctx = tag.name, tag.args, self.context
        if name in {"ref", "relref"}:
            return self.ref(tag)
        if name == "param":
            return self.param(tag)
        if name == "figure":
            # a broken src or link is reported at this line, as a Markdown image is
            for key, position in (("src", 0), ("link", None)):
                written = args.get(key, position)
                if written:
                    self.links.append(Link(written, tag.line, rooted_url(written, ctx)))
            return figure_html(args, ctx)
        return embed_html(name, args)

    def ref(self, tag: _Tag) -> str | None:
        target = tag.args.get("path", 0, "")
        page_part, _, anchor = target.partition("#")
        found = resolve_ref(page_part, self.context)
        if found is None:
            self.problems.append(Problem(
                self.context.path, tag.line, f"{tag.name} {target!r}: no page has that path",
                "write the content path of a published page, e.g. posts/my-post.md"))
            return None
        url = found.url + (f"#{anchor}" if anchor else "")
        if tag.name == "ref":
            return escape(quote(absolute(self.context.base_url, url), safe="/#:?=&%@+~"))
        return escape(quote(with_base(self.context.base_path, url), safe="/#:?=&%@+~"))

    def figref(self, tag: _Tag) -> str:
        target = tag.args.get("id", 0, "")
        if not target:
            self.problems.append(Problem(
                self.context.path, tag.line, "figref: no block id given",
                "write {{< figref relu-plot >}} with the id of a block of this post"))
            return ""
        return reference_markdown(target)

    def param(self, tag: _Tag) -> str | None:
        key = tag.args.get("name", 0, "")
        for source in (self.context.params, self.context.site_params):
            value = _lookup(source, key)
            if value is not None:
                return escape(str(value))
        self.problems.append(Problem(self.context.path, tag.line,
                                     f"param {key!r}: neither the page nor the site has it",
                                     "add it to the front matter or to the config's params"))
        return None


def _lookup(mapping: Mapping[str, Any], dotted: str) -> Any:
    value: Any = mapping
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        lowered = {str(k).lower(): v for k, v in value.items()}
        value = lowered.get(part.lower())
    return value


def resolve_ref(target: str, context: ShortcodeContext) -> PageRef | None:
    """The page a `ref`/`relref` path names: from the page's folder, the content root,
    or (for a bare name) the one page with that file or bundle name."""
    if not target:
        return next((p for p in context.pages if p.rel == context.rel), None)
    by_path: dict[str, PageRef] = {}
    for page in context.pages:
        by_path.setdefault(_normalise_ref(page.rel), page)
    wanted = target.strip()
    folder = context.rel.rsplit("/", 1)[0] if "/" in context.rel else ""
    candidates = [wanted.strip("/")] if wanted.startswith("/") else [
        f"{folder}/{wanted}".strip("/") if folder else wanted, wanted]
    for candidate in candidates:
        key = _normalise_ref(candidate)
        if key in by_path:
            return by_path[key]
    if "/" not in wanted.strip("/"):
        name = _normalise_ref(wanted.strip("/"))
        named = [p for p in context.pages if _normalise_ref(p.rel).rsplit("/", 1)[-1] == name]
        if len(named) == 1:
            return named[0]
    return None


def _normalise_ref(path: str) -> str:
    """`./posts/x.md`, `posts/x`, `posts/x/index.md` → `posts/x`: one key per page."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    joined = "/".join(parts)
    for suffix in (".md", ".markdown"):
        joined = joined.removesuffix(suffix)
    return joined.removesuffix("/_index").removesuffix("/index").removesuffix(
        "_index").lower()


def restore_shortcodes(body: RenderedBody, expanded: Expanded) -> RenderedBody:
    """A rendered body with the HTML of its shortcodes put back, in the page and summary."""
    if not expanded.html and PAD not in body.html:
        return body
    html = expanded.restore(body.html)
    words = len(re.findall(r"\w+", plain_text(html)))
    return replace(body, html=html, summary=expanded.restore(body.summary), word_count=words,
                   text=search_text(html), links=(*body.links, *expanded.links))


def unknown_warnings(found: Sequence[tuple[str, Mapping[str, int]]]) -> list[Problem]:
    """One warning per unknown shortcode, at its first use: (page path, name → line) pairs."""
    first: dict[str, tuple[str, int]] = {}
    for path, names in found:
        for name, line in names.items():
            first.setdefault(name, (path, line))
    problems = []
    for name, (path, line) in sorted(first.items(), key=lambda item: item[1]):
        if name.endswith(".inline"):
            message = (f"inline shortcode `{name}` is not run (it is a Go template); what it "
                       "wraps is kept unless it holds template code")
        else:
            message = (f"shortcode `{name}` is not rendered: figdown cannot run the site's "
                       "shortcode templates; its inner text is kept, its tags dropped")
        problems.append(Problem(path, line, message, "see README: Coming from Hugo",
                                "warning"))
    return problems


__all__ = ["EMBEDS", "KNOWN", "PAD", "PAIRED", "PLACEHOLDER", "Args", "Expanded", "PageRef",
           "ShortcodeContext", "expand_shortcodes", "fenced_spans", "parse_args", "resolve_ref",
           "restore_shortcodes", "unknown_warnings"]
