"""Markdown → HTML cases, many to a file, in markdown-it-py's fixture format:

    a title
    .
    Markdown
    .
    the HTML figdown makes of it
    .

`fixtures/cases/shortcodes.txt` goes through shortcode expansion first, `blocks.txt` gives
each executable block a result (its printed text and one figure) as a build would. After an
intended change, regenerate with `FIGDOWN_REGENERATE=1 pytest tests/unit/test_markdown_cases.py`
and review the diff.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from figdown.execute.blocks import BlockResult, FigureFile
from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens
from figdown.markdown.shortcodes import (
    PageRef,
    ShortcodeContext,
    expand_shortcodes,
    restore_shortcodes,
)

CASES_DIR = Path(__file__).parents[1] / "fixtures" / "cases"
PAGES = (PageRef("posts/relu.md", "/posts/relu/"), PageRef("about.md", "/about/"))


@dataclass(frozen=True)
class Case:
    file: Path
    title: str
    line: int
    markdown: str
    html: str


def read_cases(file: Path) -> list[Case]:
    """The cases of one fixture file, with the line each starts at."""
    lines = file.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    n = 0
    while n < len(lines):
        if not lines[n].strip():
            n += 1
            continue
        start, title = n + 1, lines[n]
        parts: list[list[str]] = [[], []]
        n += 1
        assert lines[n] == ".", f"{file.name}:{n + 1}: a '.' line after the title"
        n += 1
        for part in parts:
            while lines[n] != ".":
                part.append(lines[n])
                n += 1
            n += 1
        cases.append(Case(file, title, start, "\n".join(parts[0]) + "\n",
                          "\n".join(parts[1]) + "\n" if parts[1] else ""))
    return cases


def write_cases(file: Path, cases: list[tuple[Case, str]]) -> None:
    text = "\n".join(f"{case.title}\n.\n{case.markdown}.\n{html}.\n" for case, html in cases)
    file.write_text(text, encoding="utf-8")


def render(case: Case) -> str:
    md = create_markdown()
    text = case.markdown
    expanded = None
    if case.file.stem == "shortcodes":
        expanded = expand_shortcodes(text, ShortcodeContext(
            path="content/posts/x.md", body_line=1, rel="posts/x.md", url="/posts/x/",
            base_url="https://example.org/blog/", base_path="/blog/", pages=PAGES,
            params={"mood": "calm"}, site_params={"author": "A. Writer"},
            render_inline=lambda inline: str(md.renderInline(inline))))
        text = expanded.text
    context = RenderContext(path="content/posts/x.md", line_offset=1, base_path="/blog/",
                            page_url="/blog/posts/x/",
                            figure_url=lambda store_path: "/blog/posts/x/" + store_path)
    tokens, env = parse_body(md, text, context)
    if case.file.stem == "blocks":
        context.results = {block.index: BlockResult(
            block, figures=(FigureFile(f"x/{block.block_id}.svg", "svg", 576, 360),),
            output="printed\n" if "print(" in block.code else "")
            for block in env.get("blocks", [])}
        tokens, env = parse_body(md, text, context)
    body = render_tokens(md, tokens, env, text, None, 70)
    if expanded is not None:
        body = restore_shortcodes(body, expanded)
    found = [*(expanded.problems if expanded is not None else ()), *body.problems]
    problems = "".join(f"<!-- {p} -->\n" for p in found)
    return body.html + problems


FILES = sorted(CASES_DIR.glob("*.txt"))
ALL = [case for file in FILES for case in read_cases(file)]


@pytest.mark.parametrize("case", ALL, ids=[f"{c.file.stem}:{c.line}" for c in ALL])
def test_case(case: Case) -> None:
    assert render(case) == case.html, f"{case.file.name}:{case.line}: {case.title}"


def test_regenerate() -> None:
    """With FIGDOWN_REGENERATE set, write what figdown makes now as the expected HTML."""
    if not os.environ.get("FIGDOWN_REGENERATE"):
        assert all(case.html for case in ALL), "a case without its HTML: regenerate"
        return
    for file in FILES:
        write_cases(file, [(case, render(case)) for case in read_cases(file)])
