"""TeX to MathML at build time, and the Markdown rules that find math."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, MutableMapping, Sequence
from html import escape
from typing import Any

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from figdown.problems import Problem

# Closing delimiters are found by bisecting a list of every place they occur in the text,
# made once per text: a regex run from each opener to the end of the text would make a
# paragraph of unclosed `\(` take time quadratic in its length.
_INLINE_BRACKETS = (("math_inline_paren", "\\(", re.compile(r"\\\)")),
                    ("math_inline_bracket", "\\[", re.compile(r"\\\]")))
# `\[ … \]` as a block: the closing `\]` ends its line (spaces may follow)
_BLOCK_CLOSE = re.compile(r"\\\][^\S\n]*$", re.MULTILINE)

# latex2mathml takes more than linear time in a formula's length (a megabyte: 20 s); a real
# formula, even a large matrix, is a few thousand characters
MAX_TEX = 50_000

ProblemSink = Callable[[Problem], None]


# latex2mathml writes `\operatorname{ReLU}` and `\max` as operators (spaced as a binary
# one), `\infty` as an operator too, a prime as an identifier, and every minus as binary.
_NAMED_OPERATOR = re.compile(r"(?<!<munder>)(?<!<munderover>)<mo>([A-Za-z][A-Za-z0-9]+)</mo>")
# `\operatorname{ReLU6}`, a name with a digit, comes as an empty operator and one italic
# identifier per letter
_SPELLED_NAME = re.compile(r"<mo ?/><mrow>((?:<mi>[A-Za-z]</mi>|<mn>[0-9]+</mn>)+)</mrow>")
_SPELLED_PART = re.compile(r"</?m[in]>")
_SLASH = re.compile(r"<mo>&#x0002F;</mo>")
_OPEN_PAREN = r'<mo stretchy="false">&#x00028;</mo>|<mrow><mo stretchy="true" fence="true"'
_NAMED_FUNCTION = re.compile(rf"(<mi>[A-Za-z][A-Za-z0-9]+</mi>)(?={_OPEN_PAREN})")
_SYMBOL_OPERATOR = re.compile(r"<mo>(&#x0221E;|&#x02202;|&#x02207;)</mo>")
_PRIME = r"(&#x02032;|&#x02033;|&#x02034;)"
# A prime on a simple base follows it: the glyph is drawn raised already, and raised once
# more as a superscript it floats like an accent. On a larger base it stays a superscript.
_PRIME_ON_SIMPLE_BASE = re.compile(rf"<msup>(<(mi|mn)>[^<]*</\2>)<mi>{_PRIME}</mi></msup>")
_PRIMES = re.compile(rf"<mi>{_PRIME}</mi></msup>")
_MINUS_AFTER = re.compile(r"(<mo\b[^>]*>([^<]*)</mo>|<mrow>|<math[^>]*>)<mo>&#x02212;</mo>")
_CLOSING = frozenset({")", "&#x00029;", "]", "&#x0005D;", "}", "&#x0007D;", "|", "&#x0007C;",
                      "&#x02016;", "&#x0232A;", "&#x027E9;"})


def _unary_minus(match: re.Match[str]) -> str:
    """A minus right after an operator, an opening fence or at the start is a sign: no space
    on either side, as TeX sets `(-\\infty` or `\\approx -0.75`."""
    before, operator = match.group(1), match.group(2)
    if operator is not None and operator in _CLOSING:
        return match.group(0)
    return f'{before}<mo form="prefix" lspace="0em" rspace="0em">&#x02212;</mo>'


def typeset(mathml: str) -> str:
    """latex2mathml's MathML spaced as TeX spaces it: named functions (`\\operatorname`,
    `\\max`) upright and unspaced, applied to their argument; `\\infty`, `\\partial` and
    `\\nabla` ordinary symbols; a slash unspaced, as TeX's ordinary `/`; primes set as
    primes, not raised twice; a unary minus unspaced."""
    mathml = _NAMED_OPERATOR.sub(r"<mi>\1</mi>", mathml)
    mathml = _SPELLED_NAME.sub(lambda m: f"<mi>{_SPELLED_PART.sub('', m.group(1))}</mi>", mathml)
    mathml = _SLASH.sub('<mo lspace="0em" rspace="0em">&#x0002F;</mo>', mathml)
    mathml = _NAMED_FUNCTION.sub(r"\1<mo>&#x02061;</mo>", mathml)
    mathml = _SYMBOL_OPERATOR.sub(r"<mi>\1</mi>", mathml)
    mathml = _PRIME_ON_SIMPLE_BASE.sub(r'\1<mo lspace="0em" rspace="0em">\3</mo>', mathml)
    mathml = _PRIMES.sub(r'<mo lspace="0em" rspace="0em">\1</mo></msup>', mathml)
    return _MINUS_AFTER.sub(_unary_minus, mathml)


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a TeX formula; raises on TeX latex2mathml cannot read. Remembered: posts
    write the same formulas again and again ($x$, $f'(x)$), and converting one is slow."""
    mathml = typeset(str(convert(tex.strip(), display="block" if display else "inline")))
    # the TeX source rides along, for the search index and for readers that show it
    return mathml.replace("<math ", f'<math alttext="{escape(tex.strip())}" ', 1)


def render_math(tex: str, display: bool, env: dict[str, object], line: int | None) -> str:
    """MathML, or the TeX source shown as code with a warning naming the line."""
    try:
        if len(tex) > MAX_TEX:
            raise ValueError(f"the formula is {len(tex):,} characters long; at most "
                             f"{MAX_TEX:,} are converted")
        mathml = tex_to_mathml(tex, display)
    except Exception as err:  # latex2mathml raises many unrelated types on bad TeX
        report = env.get("report")
        if callable(report):
            reason = type(err).__name__ if not str(err) else str(err)
            report(Problem(str(env.get("path", "")), line, f"math cannot be converted: {reason}",
                           "check the TeX between the delimiters", severity="warning"))
        source = escape(tex.strip())
        return f'<code class="math-error">{source}</code>'
    return mathml


def token_line(token: Token, env: dict[str, object]) -> int | None:
    """The file line of a token: block tokens carry a map, inline ones get it stamped in meta."""
    start = token.map[0] if token.map else token.meta.get("line")
    offset = env.get("line_offset", 1)
    if isinstance(start, int) and isinstance(offset, int):
        return start + offset
    return None


def _closers(env: MutableMapping[str, Any], src: str, closer: re.Pattern[str]) -> list[int]:
    """Every start of `closer` in `src`, sorted; kept in the parse's env for the text it was
    made from (markdown-it parses each paragraph's inline text with the same env)."""
    key = f"figdown-closers {closer.pattern}"
    cached = env.get(key)
    if cached is None or cached[0] is not src:
        cached = env[key] = (src, [match.start() for match in closer.finditer(src)])
    positions: list[int] = cached[1]
    return positions


def next_closer(env: MutableMapping[str, Any], src: str, closer: re.Pattern[str],
                 start: int) -> int:
    """The first start of `closer` at or after `start`, or -1."""
    positions = _closers(env, src, closer)
    index = bisect.bisect_left(positions, start)
    return positions[index] if index < len(positions) else -1


def _bracket_inline(name: str, opener: str, closer: re.Pattern[str]
                    ) -> Callable[[StateInline, bool], bool]:
    """`\\(…\\)` or `\\[…\\]` within a paragraph: at least one character of TeX."""
    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if not src.startswith(opener, pos):
            return False
        end = next_closer(state.env, src, closer, pos + 3)
        if end < 0:
            return False
        if not silent:
            token = state.push(name, "math", 0)
            token.content = src[pos + 2:end]
            token.markup = opener
        state.pos = end + 2
        return True
    return rule


def _bracket_block(state: StateBlock, begin_line: int, end_line: int, silent: bool) -> bool:
    """`\\[` at the start of a line, up to a `\\]` that ends a line of the same block."""
    begin = state.bMarks[begin_line] + state.tShift[begin_line]
    if not state.src.startswith("\\[", begin):
        return False
    end = next_closer(state.env, state.src, _BLOCK_CLOSE, begin + 3)
    if end < 0:
        return False
    line = begin_line
    while line < end_line and end > state.eMarks[line]:
        line += 1
    if line >= end_line or end < state.bMarks[line]:
        return False  # closed outside this block (opened in a blockquote, closed after it)
    content = state.src[begin + 2:end]
    if state.parentType == "blockquote" and "\n" in content:
        return False
    if not silent:
        token = state.push("math_block_bracket", "math", 0)
        token.block = True
        token.content = content
        token.info = ""
        token.markup = "\\["
        token.map = [begin_line, line + 1]
    state.line = line + 1
    return True


_INLINE_MATH = frozenset({"math_inline", "math_inline_paren"})
_LEADING_WORD = re.compile(r"^\S+")
_TRAILING_WORD = re.compile(r"\S+$")


def _glue_to_text(state: StateCore) -> None:
    """Inline math and the text touching it (`ELU ($\alpha = 1$)`: the parentheses) in one
    unbreakable span: a line never breaks between a formula and its punctuation."""
    for block in state.tokens:
        children = block.children
        if block.type != "inline" or not children:
            continue
        result: list[Token] = []
        for index, token in enumerate(children):
            if token.type not in _INLINE_MATH:
                result.append(token)
                continue
            before = result[-1] if result and result[-1].type == "text" else None
            after = children[index + 1] if index + 1 < len(children) else None
            head = _TRAILING_WORD.search(before.content) if before else None
            tail = (_LEADING_WORD.search(after.content)
                    if after is not None and after.type == "text" else None)
            if head is None and tail is None:
                result.append(token)
                continue
            glued: list[Token] = [Token("math_glue_open", "span", 1)]
            if before is not None and head is not None:
                before.content = before.content[:head.start()]
                glued.append(_text(head.group(0)))
            glued.append(token)
            if after is not None and tail is not None:
                after.content = after.content[tail.end():]
                glued.append(_text(tail.group(0)))
            result += [*glued, Token("math_glue_close", "span", -1)]
        block.children = [t for t in result if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def math_plugin(md: MarkdownIt) -> None:
    """`$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]`, rendered to MathML; Markdown never sees inside."""
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True,
                      allow_labels=False)
    for name, opener, closer in _INLINE_BRACKETS:
        md.inline.ruler.before("escape", name, _bracket_inline(name, opener, closer))
    md.block.ruler.before("fence", "math_block_bracket", _bracket_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})

    def inline(self: object, tokens: Sequence[Token], idx: int, options: object,
               env: dict[str, object]) -> str:
        return render_math(tokens[idx].content, False, env, token_line(tokens[idx], env))

    def display_inline(self: object, tokens: Sequence[Token], idx: int, options: object,
                       env: dict[str, object]) -> str:
        mathml = render_math(tokens[idx].content, True, env, token_line(tokens[idx], env))
        return f'<span class="math display">{mathml}</span>'

    def display_block(self: object, tokens: Sequence[Token], idx: int, options: object,
                      env: dict[str, object]) -> str:
        mathml = render_math(tokens[idx].content, True, env, token_line(tokens[idx], env))
        return f'<div class="math display">{mathml}</div>\n'

    md.core.ruler.push("figdown_math_glue", _glue_to_text)
    md.add_render_rule("math_glue_open", lambda *args: '<span class="math-glue">')
    md.add_render_rule("math_glue_close", lambda *args: "</span>")
    for name in ("math_inline", "math_inline_paren"):
        md.add_render_rule(name, inline)
    for name in ("math_inline_double", "math_inline_bracket"):
        md.add_render_rule(name, display_inline)
    for name in ("math_block", "math_block_bracket"):
        md.add_render_rule(name, display_block)
