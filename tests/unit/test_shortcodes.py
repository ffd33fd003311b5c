"""Hugo shortcodes: expanded before Markdown, line for line, never shown raw to readers."""

from __future__ import annotations

import pytest

from figdown.markdown.engine import create_markdown
from figdown.markdown.shortcodes import (
    Expanded,
    PageRef,
    ShortcodeContext,
    expand_shortcodes,
    fenced_spans,
    parse_args,
    unknown_warnings,
)

PAGES = (PageRef("about.md", "/about/"), PageRef("posts/first.md", "/2024/03/hello/"),
         PageRef("posts/second/index.md", "/posts/second/"), PageRef("posts/_index.md",
                                                                     "/posts/"))


def _context(**changes: object) -> ShortcodeContext:
    md = create_markdown()
    values: dict[str, object] = dict(
        path="content/posts/first.md", body_line=5, rel="posts/first.md",
        url="/2024/03/hello/", base_url="https://example.org/blog/", base_path="/blog/",
        pages=PAGES, params={"colour": "blue"}, site_params={"author": {"name": "Ada"}},
        render_inline=lambda text: str(md.renderInline(text)))
    values.update(changes)
    return ShortcodeContext(**values)  # type: ignore[arg-type]


def _render(body: str, **changes: object) -> tuple[str, Expanded]:
    expanded = expand_shortcodes(body, _context(**changes))
    return expanded.restore(create_markdown().render(expanded.text)), expanded


def test_expansion_keeps_every_line_where_it_was() -> None:
    body = ("intro\n\n{{< highlight python >}}\na = 1\n\nb = 2\n{{< /highlight >}}\n\n"
            "{{< notice\n  warning >}}\ntext\n{{< /notice >}}\n{{< comment >}}\nx\n"
            "{{< /comment >}}\nend {{< figure src=\"a.png\"\n caption=\"c\" >}} end\n")
    expanded = expand_shortcodes(body, _context())
    assert expanded.text.count("\n") == body.count("\n")
    lines = expanded.text.split("\n")
    assert lines[0] == "intro" and lines[-3].startswith("end")
    assert lines[lines.index("text")] == "text" and lines.index("text") == 10


def test_unknown_shortcode_keeps_its_inner_text_and_drops_its_tags() -> None:
    html, expanded = _render("{{< notice warning >}}\nKept *inner* text.\n{{< /notice >}}\n")
    assert "<em>inner</em>" in html
    assert "notice" not in html and "{{" not in html
    assert expanded.unknown == {"notice": 5}


def test_each_unknown_shortcode_is_named_once_at_its_first_use() -> None:
    warnings = unknown_warnings([("content/a.md", {"notice": 7, "tab": 9}),
                                 ("content/b.md", {"notice": 3})])
    assert [(w.path, w.line) for w in warnings] == [("content/a.md", 7), ("content/a.md", 9)]
    assert all(w.severity == "warning" for w in warnings)
    assert "`notice`" in warnings[0].message


def test_escaped_shortcodes_show_literally_in_text_and_code() -> None:
    html, expanded = _render('Write `{{</* notice */>}}`.\n\n```\n{{</* tab name="x" */>}}\n```\n'
                             "{{%/* note */%}}\n")
    assert "<code>{{&lt; notice &gt;}}</code>" in html
    assert "{{&lt; tab name=&quot;x&quot; &gt;}}" in html
    assert "{{% note %}}" in html
    assert expanded.unknown == {}


def test_shortcodes_inside_fenced_code_are_left_alone() -> None:
    html, expanded = _render("```\n{{< notice >}}\n```\n")
    assert "{{&lt; notice &gt;}}" in html
    assert expanded.unknown == {}


def test_fenced_spans_follow_fence_length_and_character() -> None:
    text = "a\n````md\n```\nx\n```\n````\nb\n~~~\ny\n"
    spans = fenced_spans(text)
    assert [text[s:e] for s, e in spans] == ["````md\n```\nx\n```\n````\n", "~~~\ny\n"]


def test_highlight_shortcode_highlights_with_hugo_options() -> None:
    html, _ = _render('{{< highlight python "linenos=table,hl_lines=2" >}}\nx = 1\ny = 2\n'
                      "{{< /highlight >}}\n")
    assert 'data-lang="python"' in html and 'class="hll"' in html
    assert "<p>" not in html


def test_figure_shortcode_renders_caption_markdown_and_base_path() -> None:
    html, _ = _render('{{< figure src="/img/a.png" caption="A **bold** one" alt="alt" '
                      'link="/about/" >}}\n')
    assert '<img src="/blog/img/a.png" alt="alt">' in html
    assert '<a href="/blog/about/">' in html
    assert "<strong>bold</strong>" in html
    assert not html.startswith("<p>")


def test_ref_and_relref_resolve_paths_names_and_anchors() -> None:
    html, expanded = _render('[a]({{< relref "/about.md" >}}) [b]({{< ref "second" >}}) '
                             '[c]({{< relref "posts/_index.md#top" >}})\n')
    assert expanded.problems == ()
    assert 'href="/blog/about/"' in html
    assert 'href="https://example.org/blog/posts/second/"' in html
    assert 'href="/blog/posts/#top"' in html


def test_a_broken_ref_is_an_error_at_its_line() -> None:
    _, expanded = _render('text\n\nSee {{< ref "missing.md" >}}.\n')
    assert [(p.line, p.severity) for p in expanded.problems] == [(7, "error")]
    assert "missing.md" in expanded.problems[0].message


@pytest.mark.parametrize(("code", "url"), [
    ("{{< youtube dQw4w9WgXcQ >}}", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ('{{< youtube id="abc" title="A talk" >}}', "https://www.youtube.com/watch?v=abc"),
    ("{{< vimeo 146022717 >}}", "https://vimeo.com/146022717"),
    ("{{< gist spf13 7896402 >}}", "https://gist.github.com/spf13/7896402"),
    ('{{< x user="GoHugoIO" id="1315" >}}', "https://x.com/GoHugoIO/status/1315"),
    ("{{< instagram CxOWiQNP2MO >}}", "https://www.instagram.com/p/CxOWiQNP2MO/"),
])
def test_embeds_become_plain_links_with_nothing_fetched(code: str, url: str) -> None:
    html, expanded = _render(code + "\n")
    assert f'href="{url}"' in html
    assert "<iframe" not in html and "<script" not in html
    assert expanded.unknown == {}


def test_details_wraps_markdown_rendered_with_the_page() -> None:
    html, _ = _render('{{< details summary="More **info**" >}}\n*inner*\n{{< /details >}}\n')
    assert html.startswith("<details><summary>More <strong>info</strong></summary>")
    assert "<p><em>inner</em></p>" in html and html.rstrip().endswith("</details>")


def test_param_reads_the_page_then_the_site() -> None:
    html, _ = _render('{{< param colour >}} by {{< param "author.name" >}}\n')
    assert html == "<p>blue by Ada</p>\n"


def test_inline_shortcode_with_template_code_is_dropped() -> None:
    html, expanded = _render("{{< x.inline >}}\n{{ .Site.Title }}\n{{< /x.inline >}}\nafter\n")
    assert html == "<p>after</p>\n"
    assert "x.inline" in expanded.unknown


def test_shortcode_in_a_list_item_stays_in_the_item() -> None:
    html, _ = _render("- one\n  {{< youtube abc >}}\n- two\n")
    assert html.count("<li>") == 2 and "youtube.com/watch?v=abc" in html


def test_arguments_positional_and_named() -> None:
    assert parse_args(' "a b" c `raw "x"`').positional == ("a b", "c", 'raw "x"')
    assert dict(parse_args(' src="x.png" width=300 title="say \\"hi\\""').named) == {
        "src": "x.png", "width": "300", "title": 'say "hi"'}


def test_figure_of_a_bundle_picture_is_linked_from_the_site_root() -> None:
    html, _ = _render('{{< figure src="pic.png" >}}\n')
    assert '<img src="/blog/2024/03/hello/pic.png"' in html
