"""TeX to MathML at build time, and the Markdown rules that find math."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from html import escape

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath.index import RuleDictType, make_block_func, make_inline_func

from figdown.problems import Problem

_BRACKET_INLINE: list[RuleDictType] = [
    {"name": "math_inline_paren", "rex": re.compile(r"^\\\((.+?)\\\)", re.DOTALL), "tmpl": "",
     "tag": "\\("},
    {"name": "math_inline_bracket", "rex": re.compile(r"^\\\[(.+?)\\\]", re.DOTALL), "tmpl": "",
     "tag": "\\["},
]
_BRACKET_BLOCK: RuleDictType = {
    "name": "math_block_bracket",
    "rex": re.compile(r"^\\\[(.+?)\\\]\s*$", re.MULTILINE | re.DOTALL),
    "tmpl": "", "tag": "\\[",
}

ProblemSink = Callable[[Problem], None]


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a TeX formula; raises on TeX latex2mathml cannot read. Remembered: posts
    write the same formulas again and again ($x$, $f'(x)$), and converting one is slow."""
    return str(convert(tex.strip(), display="block" if display else "inline"))


def render_math(tex: str, display: bool, env: dict[str, object], line: int | None) -> str:
    """MathML, or the TeX source shown as code with a warning naming the line."""
    try:
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


def math_plugin(md: MarkdownIt) -> None:
    """`$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]`, rendered to MathML; Markdown never sees inside."""
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True,
                      allow_labels=False)
    for rule in _BRACKET_INLINE:
        md.inline.ruler.before("escape", str(rule["name"]), make_inline_func(rule))
    md.block.ruler.before("fence", str(_BRACKET_BLOCK["name"]),
                          make_block_func(_BRACKET_BLOCK),
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

    for name in ("math_inline", "math_inline_paren"):
        md.add_render_rule(name, inline)
    for name in ("math_inline_double", "math_inline_bracket"):
        md.add_render_rule(name, display_inline)
    for name in ("math_block", "math_block_bracket"):
        md.add_render_rule(name, display_block)
