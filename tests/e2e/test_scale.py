"""Output that grows with the content, not with its square: what the inline rules make of
long runs of delimiters (their time is measured by benchmarks/bench_inline.py, not here),
and how much a post with many tags writes."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_build
from hypothesis import given
from hypothesis import strategies as st

from figdown.markdown.engine import _replace_elements, create_markdown, plain_text, search_text

MD = create_markdown()


def render(text: str) -> str:
    return MD.render(text)


def test_unclosed_math_brackets_are_text() -> None:
    for opener in ("\\(", "\\["):
        html = render("a " + opener * 3000 + " b\n")
        assert "<math" not in html
        assert html.count(opener[1]) == 3000


def test_math_brackets_close_at_the_first_closer_after_one_character() -> None:
    html = render("x \\(a\\) y \\(\\)\\) z \\[b\\] w \\( left open\n")
    assert html.count("<math") == 3
    assert 'display="block"' in html  # \[b\] inside a paragraph is display math
    assert "( left open" in html  # an escaped parenthesis, as CommonMark reads it


def test_display_math_brackets_as_a_block() -> None:
    html = render("Before.\n\n\\[\nx^2\n\\]   \n\nAfter \\[ unclosed\n")
    assert '<div class="math display">' in html
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html
    assert "After [ unclosed" in html


def test_brackets_without_a_closing_one_are_text() -> None:
    for opener in ("[", "![", "^["):
        html = render(opener * 5000 + "\n")
        assert html == "<p>" + opener * 5000 + "</p>\n"
    assert "<a href=\"/x/\">link</a>" in render("[" * 50 + "[link](/x/)\n")


def test_long_runs_of_plain_characters_keep_every_character() -> None:
    for run in ("<a", "&x", "](", "\\z"):
        text = run * 20_000
        html = render(text + "\n")
        plain = html.removeprefix("<p>").removesuffix("</p>\n")
        assert plain.replace("&lt;", "<").replace("&amp;", "&") == text


def test_typographic_replacements_survive_long_paragraphs() -> None:
    html = render("a -- b... (c) don't " * 1000 + "\n")
    assert html.count("–") == 1000 and html.count("…") == 1000 and html.count("’") == 1000
    assert html.count("(c)") == 1000  # Goldmark's typographer leaves it as written


def a_post_with_tags(root: Path, count: int) -> Path:
    site = root / f"site-{count}"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\n", encoding="utf-8")
    tags = ", ".join(f"t{number}" for number in range(count))
    (site / "content" / "posts" / "a.md").write_text(
        f"---\ntitle: A\ndate: 2024-03-01\ntags: [{tags}]\n---\n\nText.\n", encoding="utf-8")
    return site


def test_term_pages_list_a_few_of_a_posts_terms(tmp_path: Path) -> None:
    site = a_post_with_tags(tmp_path, 25)
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    term = (site / "output" / "tags" / "t3" / "index.html").read_text("utf-8")
    summary = term[term.index('<article class="summary">'):term.index("</article>")]
    assert len(re.findall(r'href="/tags/t\d+/"', summary)) == 10
    assert '<li class="terms-more"><a href="/posts/a/">+15 more</a></li>' in summary
    page = (site / "output" / "posts" / "a" / "index.html").read_text("utf-8")
    assert len(set(re.findall(r'href="/tags/t\d+/"', page))) == 25  # the post shows all


def test_output_grows_linearly_with_the_number_of_tags(tmp_path: Path) -> None:
    sizes = {}
    for count in (200, 400):
        site = a_post_with_tags(tmp_path, count)
        done = run_build("-s", site)
        assert done.returncode == 0, done.stderr
        sizes[count] = sum(p.stat().st_size for p in (site / "output").rglob("*")
                           if p.is_file())
    # each term adds its own page, feed and redirect; listing every term on each term page
    # made it four times as much
    assert sizes[400] < 2.2 * sizes[200], sizes


def test_a_formula_too_long_to_convert_is_shown_as_tex_with_a_warning(tmp_path: Path
                                                                      ) -> None:
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\nmath: true\n", encoding="utf-8")
    tex = "x+" * 30_000 + "y"
    (site / "content" / "posts" / "a.md").write_text(
        f"---\ntitle: A\ndate: 2024-03-01\n---\n\nIntro.\n\n$${tex}$$\n\nEnd $x^2$.\n",
        encoding="utf-8")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert ("warning: content/posts/a.md:8: math cannot be converted: the formula is 60,001 "
            "characters long; at most 50,000 are converted") in done.stderr
    page = (site / "output" / "posts" / "a" / "index.html").read_text("utf-8")
    assert f'<code class="math-error">{tex}</code>' in page
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in page  # the other formulas are converted


PIECES = ["<pre>", "</pre>", "<math x>", "</math>", "<svg>", "</svg>", "<video>", "</video>",
          "<pre-x>", "<p>", "</p>", "a", " ", "\n", "<", ">", "<!--"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_stripping_elements_is_the_lazy_regex_in_linear_time(html: str) -> None:
    lazy = re.compile(r"<(math|pre|svg|video)\b.*?</\1>", re.DOTALL)
    assert _replace_elements(html, ("math", "pre", "svg", "video"), " ") == lazy.sub(" ", html)


def test_words_of_a_page_of_unclosed_tags_are_kept() -> None:
    html = "<p>" + "<pre" * 5000 + " <!--" * 5000 + " word</p>"
    assert plain_text(html).endswith("word")
    assert search_text("<math>" * 3000 + "<p>found</p>").endswith(b"found")
