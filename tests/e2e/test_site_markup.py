"""Math where the site's config asks for it, and Hugo's other Markdown settings, through
`build.py`."""

from __future__ import annotations

from pathlib import Path

from conftest import SiteWriter, run_build

POST = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n"
        'Use $X instead of "$X", and $$a_b * c_d$$ and \\(x^2\\).\n')


def _page(site: Path) -> str:
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    return (site / "output" / "posts" / "quoting" / "index.html").read_text(encoding="utf-8")


def test_a_hugo_site_without_passthrough_has_no_math(make_site: SiteWriter) -> None:
    html = _page(make_site({"hugo.toml": 'baseURL = "/"\ntitle = "T"\n',
                            "content/posts/quoting.md": POST}))
    assert "<math" not in html
    assert "Use $X instead of “$X”, and $$a_b * c_d$$ and (x^2)." in html


def test_passthrough_delimiters_are_where_math_is(make_site: SiteWriter) -> None:
    config = ('baseURL = "/"\ntitle = "T"\n'
              "[markup.goldmark.extensions.passthrough]\nenable = true\n"
              "[markup.goldmark.extensions.passthrough.delimiters]\n"
              "block = [['$$', '$$']]\ninline = [['\\(', '\\)']]\n")
    html = _page(make_site({"hugo.toml": config, "content/posts/quoting.md": POST}))
    assert html.count("<math") == 2  # $$…$$ and \(…\); a single $ is no delimiter here
    assert 'Use $X instead of “$X”' in html
    assert "<msub><mi>a</mi><mi>b</mi></msub>" in html  # Markdown left the underscores


def test_math_true_turns_on_figdowns_delimiters(make_site: SiteWriter) -> None:
    post = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n"
            "Prices $5 and $6 stay text, $x^2$ and \\(y\\) do not.\n")
    html = _page(make_site({"config.yaml": "baseURL: /\ntitle: T\nmath: true\n",
                            "content/posts/quoting.md": post}))
    assert html.count("<math") == 2
    assert "Prices $5 and $6 stay text," in html


def test_unescape_reads_tex_as_the_browser_would(make_site: SiteWriter) -> None:
    post = "---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n$a\\_1 \\\\\\\\ b$\n"
    html = _page(make_site({"config.yaml": "baseURL: /\ntitle: T\nmath: {unescape: true}\n",
                            "content/posts/quoting.md": post}))
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in html
    assert "\\_" not in html


def test_a_bad_math_key_is_one_line_naming_it(make_site: SiteWriter) -> None:
    site = make_site({"config.yaml": "baseURL: /\ntitle: T\nmath: sometimes\n",
                      "content/posts/quoting.md": POST})
    done = run_build("-s", site)
    assert done.returncode == 1
    assert "config.yaml:3: `math` must be true, false or" in done.stderr
    assert "Traceback" not in done.stderr and not (site / "output").exists()


def test_bad_passthrough_delimiters_are_an_error(make_site: SiteWriter) -> None:
    config = ("baseURL: /\nmarkup:\n  goldmark:\n    extensions:\n      passthrough:\n"
              "        enable: true\n        delimiters:\n          inline: ['$', '$']\n")
    done = run_build("-s", make_site({"config.yaml": config, "content/posts/quoting.md": POST}))
    assert done.returncode == 1
    assert "passthrough delimiters.inline must be a list of [opening, closing] pairs" in (
        done.stderr)
    assert "Traceback" not in done.stderr


def test_unclosed_passthrough_openers_are_text_in_linear_time() -> None:
    from figdown.load.markup import MarkupSettings, MathSyntax
    from figdown.markdown.engine import create_markdown

    md = create_markdown(markup=MarkupSettings(math=MathSyntax(
        inline=(("$", "$"),), block=(("$$", "$$"), ("\\[", "\\]")))))
    html = md.render("a " + "\\[ " * 50_000 + "$x$ b\n")
    assert html.count("<math") == 1
    assert html.count("[") == 50_000


def test_hugo_markdown_settings_reach_the_page(make_site: SiteWriter) -> None:
    config = ("baseURL: /\ntitle: T\nmarkup:\n  goldmark:\n    parser:\n"
              "      autoHeadingIDType: blackfriday\n    extensions:\n"
              "      linkify: false\n      typographer:\n        leftDoubleQuote: '&laquo;'\n"
              "        rightDoubleQuote: '&raquo;'\n")
    post = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n## Don't stop {.wide}\n\n"
            '"Quoted" (c) and https://example.com/x.\n')
    html = _page(make_site({"config.yaml": config, "content/posts/quoting.md": post}))
    assert '<h2 class="wide" id="don-t-stop">' in html
    assert "«Quoted» (c) and https://example.com/x.</p>" in html


def test_an_unknown_heading_id_type_is_one_line(make_site: SiteWriter) -> None:
    config = "baseURL: /\nmarkup:\n  goldmark:\n    parser:\n      autoHeadingIDType: gitlab\n"
    done = run_build("-s", make_site({"config.yaml": config, "content/posts/quoting.md": POST}))
    assert done.returncode == 1
    assert "config.yaml:5: unknown autoHeadingIDType 'gitlab' — use github, github-ascii, " \
        "blackfriday" in done.stderr
    assert "Traceback" not in done.stderr


CODE_POST = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n```python\na = 1\nb = 2\nc = 3\n```\n\n"
             "```python {linenos=false}\nd = 4\n```\n")


def test_markup_highlight_keys_apply_to_every_fence(make_site: SiteWriter) -> None:
    config = ("baseURL: /\ntitle: T\nmarkup:\n  highlight:\n    lineNos: true\n"
              "    lineNumbersInTable: false\n    lineNoStart: 10\n    hl_Lines: '2'\n"
              "    noClasses: true\n    style: dracula\n")
    html = _page(make_site({"config.yaml": config, "content/posts/quoting.md": CODE_POST}))
    first, _, second = html.partition('data-lang="python" style="line-height: 125%;">', )[2] \
        .partition("</pre>")
    assert "padding-right: 5px;\">10</span>" in first  # numbers inline, from 10
    assert "padding-right: 5px;\">12</span>" in first and "<table" not in html
    assert first.count('<span style="background-color: #44475a"><span') == 1  # line 2 marked
    assert 'style="color: #F8F8F2"' in first  # dracula's colours written into the HTML
    assert "padding-right: 5px" not in second.split("</pre>")[0]  # linenos=false wins


def test_without_markup_highlight_fences_are_as_before(make_site: SiteWriter) -> None:
    html = _page(make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                            "content/posts/quoting.md": CODE_POST}))
    assert "linenos" not in html and 'style="color' not in html and "hll" not in html


def test_an_unknown_highlight_style_is_one_line(make_site: SiteWriter) -> None:
    config = "baseURL: /\nmarkup:\n  highlight:\n    style: no-such-style\n"
    done = run_build("-s", make_site({"config.yaml": config, "content/posts/quoting.md": POST}))
    assert done.returncode == 1
    assert "config.yaml:4: unknown highlight style 'no-such-style'" in done.stderr
    assert "Traceback" not in done.stderr


def test_markup_highlight_keys_apply_to_the_highlight_shortcode_too(make_site: SiteWriter
                                                                    ) -> None:
    config = "baseURL: /\ntitle: T\nmarkup:\n  highlight:\n    lineNos: true\n"
    post = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\n"
            "{{< highlight python >}}\na = 1\n{{< /highlight >}}\n")
    html = _page(make_site({"config.yaml": config, "content/posts/quoting.md": post}))
    assert '<td class="linenos">' in html


def test_a_passthrough_formula_that_cannot_be_converted_is_a_warning_at_its_line(
        make_site: SiteWriter) -> None:
    config = ("baseURL: /\ntitle: T\nmarkup:\n  goldmark:\n    extensions:\n      passthrough:\n"
              "        enable: true\n        delimiters:\n          block: [['$$', '$$']]\n"
              "          inline: [['$', '$']]\n")
    post = ("---\ntitle: Quoting\ndate: 2024-03-01\n---\n\nFine $x$.\n\n"
            "Broken $\\frac{1}{$ here.\n\n$$\\frac{$$\n")
    site = make_site({"config.yaml": config, "content/posts/quoting.md": post})
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert "warning: content/posts/quoting.md:8: math cannot be converted" in done.stderr
    assert "warning: content/posts/quoting.md:10: math cannot be converted" in done.stderr
