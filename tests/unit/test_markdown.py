"""Markdown → HTML fixture files: `fixtures/markdown/NAME.md` renders to `NAME.html`.

After an intended change, regenerate with `FIGDOWN_REGENERATE=1 pytest tests/unit/test_markdown.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens

FIXTURES = Path(__file__).parents[1] / "fixtures" / "markdown"
CASES = sorted(FIXTURES.glob("*.md"))


def render(text: str, base_path: str = "/blog/") -> str:
    md = create_markdown()
    context = RenderContext(path="content/posts/x.md", line_offset=1, base_path=base_path)
    tokens, env = parse_body(md, text, context)
    return render_tokens(md, tokens, env, text, None, 70).html


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture(case: Path) -> None:
    expected_file = case.with_suffix(".html")
    html = render(case.read_text(encoding="utf-8"))
    if os.environ.get("FIGDOWN_REGENERATE"):
        expected_file.write_text(html, encoding="utf-8")
    assert html == expected_file.read_text(encoding="utf-8")


def test_lists_right_after_a_paragraph_line_are_lists() -> None:
    html = render("Happens when:\n- a\n- b\n")
    assert "<ul>" in html and "<li>a</li>" in html


def test_math_is_mathml_and_markdown_does_not_touch_it() -> None:
    html = render("$$a_b * c_d$$ and $x_1$")
    assert html.count("<math") == 2
    assert "<em>" not in html


def test_bad_tex_is_a_warning_with_the_line_and_shows_the_source() -> None:
    md = create_markdown()
    context = RenderContext(path="content/posts/x.md", line_offset=10)
    text = "Intro\n\n$$\\frac{1}{$$\n"
    tokens, env = parse_body(md, text, context)
    body = render_tokens(md, tokens, env, text, None, 70)
    assert [(p.line, p.severity) for p in body.problems] == [(12, "warning")]
    assert str(body.problems[0]).startswith("content/posts/x.md:12: math cannot be converted")
    assert "\\frac{1}{" in body.html


def test_heading_ids_follow_hugo_and_repeat_with_suffix() -> None:
    html = render("## What is ReLU?\n\n## What is ReLU?\n")
    assert 'id="what-is-relu"' in html and 'id="what-is-relu-1"' in html


def test_root_relative_links_get_the_base_path_and_lines() -> None:
    md = create_markdown()
    context = RenderContext(path="p.md", line_offset=5, base_path="/blog/")
    text = "one\n\nsee [x](/posts/x/)\n"
    tokens, env = parse_body(md, text, context)
    body = render_tokens(md, tokens, env, text, None, 70)
    assert 'href="/blog/posts/x/"' in body.html
    assert [(link.url, link.line) for link in body.links] == [("/posts/x/", 7)]


def test_plain_python_fences_are_not_executable() -> None:
    md = create_markdown()
    _tokens, env = parse_body(md, "```python\nprint(1)\n```\n", RenderContext("p.md", 1))
    assert env["blocks"] == []


def test_exec_fences_become_blocks_with_their_markdown_line() -> None:
    md = create_markdown()
    text = "Intro\n\n```python {exec=true, id=\"a\", caption=\"C\"}\nx = 1\n```\n"
    _tokens, env = parse_body(md, text, RenderContext("content/posts/p.md", 8))
    [block] = env["blocks"]
    assert block.line == 11 and block.code == "x = 1\n"
    assert block.options == {"id": "a", "caption": "C"}


def test_quarto_blocks_take_their_options_from_comment_lines() -> None:
    md = create_markdown()
    text = "```{python}\n#| label: fig-a\n#| fig-cap: A plot\nx = 1\n```\n"
    _tokens, env = parse_body(md, text, RenderContext("p.md", 1))
    [block] = env["blocks"]
    assert block.options == {"id": "fig-a", "caption": "A plot"}
    assert block.code == "x = 1\n" and block.line == 4


def test_summary_stops_at_more_marker() -> None:
    md = create_markdown()
    text = "First part.\n\n<!--more-->\n\nSecond part.\n"
    tokens, env = parse_body(md, text, RenderContext("p.md", 1))
    body = render_tokens(md, tokens, env, text, None, 70)
    assert "First part" in body.summary and "Second" not in body.summary


def test_automatic_summary_ends_at_a_paragraph() -> None:
    words = " ".join(["word"] * 50)
    text = f"{words}.\n\n{words}.\n\n{words}.\n"
    md = create_markdown()
    tokens, env = parse_body(md, text, RenderContext("p.md", 1))
    body = render_tokens(md, tokens, env, text, None, 70)
    assert body.summary.count("<p>") == 2 and body.truncated


def test_a_figure_without_alt_text_is_a_warning_on_the_fence_line() -> None:
    md = create_markdown()
    text = "```python {exec=true, caption=\"A plot\"}\nx = 1\n```\n"
    tokens, env = parse_body(md, text, RenderContext("content/posts/p.md", 4))
    body = render_tokens(md, tokens, env, text, None, 70)
    [problem] = body.problems
    assert problem.severity == "warning" and problem.line == 4
    assert "no alt text" in problem.message
