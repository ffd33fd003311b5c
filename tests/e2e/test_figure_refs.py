"""Numbered figures and references to them, folded code and panels, through build.py."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SiteWriter, run_build

from figdown.markdown.presentation import CodeDefaults, code_mode, grid_rows, panel_letter
from figdown.options import BuildOptions, BuildReport
from figdown.pipeline import build

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\n"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def block(block_id: str, caption: str = "", extra: str = "", code: str = "") -> str:
    cap = f', caption="{caption}", alt="A line"' if caption else ""
    return (f'```python {{exec=true, id="{block_id}"{cap}{extra}}}\n'
            f"{code or 'plt.plot([0, 1], [0, 1])'}\n```\n")


TWO_PANELS = ("for s in (1, -1):\n    plt.figure()\n    plt.plot([0, 1], [0, s])")


def post(body: str) -> str:
    return f"---\ntitle: A post\ndate: 2024-01-01\n---\n\n{body}"


def page(make_site: SiteWriter, tmp_path: Path, body: str, config: str = CONFIG) -> str:
    site = make_site({"config.yaml": config, "content/posts/a.md": post(body)})
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "posts" / "a" / "index.html").read_text(encoding="utf-8")
    return html[html.index('<div class="content">'):html.index("</article>")]


def failure(make_site: SiteWriter, tmp_path: Path, body: str) -> str:
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post("Fine.\n")})
    out = tmp_path / "out"
    assert run_build("-s", site, "-d", out).returncode == 0
    before = _tree(out)
    (site / "content/posts/a.md").write_text(post(body), encoding="utf-8")
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert _tree(out) == before  # the previous output untouched
    return result.stderr


def test_blocks_with_an_id_and_a_caption_are_numbered_in_order(make_site: SiteWriter,
                                                                tmp_path: Path) -> None:
    html = page(make_site, tmp_path, "Text.\n\n" + block("first", "One") + "\n"
                + block("unnamed-later", "") + "\n" + block("second", "Two") + "\n"
                + "```{python}\n#| label: fig-third\n#| fig-cap: Three\n"
                "#| fig-alt: A line\nplt.plot([1, 2])\n```\n")
    captions = re.findall(r'<span class="figure-number">([^<]*)</span> (\w+)', html)
    assert captions == [("Figure 1:", "One"), ("Figure 2:", "Two"), ("Figure 3:", "Three")]
    assert '<figure id="unnamed-later" class="block-figure"><img' in html  # no caption: no number


def test_references_link_to_the_figure_by_its_number(make_site: SiteWriter,
                                                     tmp_path: Path) -> None:
    prose = ("See @fig-second, -@fig-first and {{< figref second >}}; "
             "Quarto's @fig-third, {{< figref fig-third >}}. Write to me@fig-second.org.\n\n")
    html = page(make_site, tmp_path, prose + block("first", "One") + "\n"
                + block("second", "Two") + "\n"
                + "```{python}\n#| label: fig-third\n#| fig-cap: Three\n"
                "#| fig-alt: A line\nplt.plot([1, 2])\n```\n")
    links = re.findall(r'<a class="figref" href="#([\w-]+)">([^<]*)</a>', html)
    assert links == [("second", "Figure 2"), ("first", "1"), ("second", "Figure 2"),
                     ("fig-third", "Figure 3"), ("fig-third", "Figure 3")]
    assert 'href="mailto:me@fig-second.org"' in html
    for anchor, _ in links:
        assert f'<figure id="{anchor}" class="block-figure">' in html


def test_a_reference_to_a_missing_id_names_its_line(make_site: SiteWriter,
                                                    tmp_path: Path) -> None:
    # front matter: 4 lines, a blank line; the body starts at line 6
    stderr = failure(make_site, tmp_path, "Intro.\n\nAs @fig-nope shows.\n\n" + block("x", "X"))
    assert ("content/posts/a.md:8: @fig-nope: no block of this post has the id fig-nope or "
            "nope — correct the reference") in stderr


def test_a_reference_by_shortcode_to_a_missing_id_names_its_line(make_site: SiteWriter,
                                                                 tmp_path: Path) -> None:
    stderr = failure(make_site, tmp_path, "Intro {{< figref gone >}}.\n\n" + block("x", "X"))
    assert "content/posts/a.md:6: @fig-gone: no block of this post has the id" in stderr


def test_a_reference_to_a_block_without_caption_says_to_add_one(make_site: SiteWriter,
                                                                tmp_path: Path) -> None:
    stderr = failure(make_site, tmp_path, "See @fig-x.\n\n" + block("x"))
    assert ('content/posts/a.md:6: @fig-x: block x has no caption, so it has no number — '
            'give block x a caption="…"') in stderr


def test_echo_fold_puts_the_code_in_a_closed_details(make_site: SiteWriter,
                                                     tmp_path: Path) -> None:
    html = page(make_site, tmp_path, block("a", "A", ", echo=fold") + "\n"
                + "```{python}\n#| label: b\n#| code-fold: show\n#| code-summary: Show it\n"
                "plt.plot([2, 1])\n```\n\n" + block("c", "C", ", echo=true") + "\n"
                + block("d", "D"))
    folds = re.findall(r'<details class="code-fold"( open)?><summary>([^<]*)</summary>\n'
                       r'<div class="highlight">', html)
    assert folds == [("", "Code"), (" open", "Show it")]
    assert html.index("<details") < html.index('<figure id="a"')  # the code above the figure
    assert html.count('<div class="highlight">') == 3  # c shown; d's code hidden


def test_the_site_default_folds_every_block_s_code(make_site: SiteWriter,
                                                   tmp_path: Path) -> None:
    config = CONFIG + "figures:\n  echo: fold\n  codeSummary: Python\n"
    html = page(make_site, tmp_path, block("a", "A") + "\n" + block("b", "B", ", echo=false"),
                config)
    assert html.count('<details class="code-fold"><summary>Python</summary>') == 1


def test_panels_have_sub_captions_anchors_and_references(make_site: SiteWriter,
                                                         tmp_path: Path) -> None:
    extra = ', layout-ncol=2, fig-subcap=["Rising", "Falling line"]'
    html = page(make_site, tmp_path, "In @fig-pair-b the line falls.\n\n"
                + block("pair", "Two lines", extra, TWO_PANELS))
    assert '<a class="figref" href="#pair-b">Figure 1 (b)</a>' in html
    panels = html[html.index('<figure id="pair"'):]
    assert panels.startswith('<figure id="pair" class="block-figure block-panels">\n'
                             '<div class="panel-row" style="grid-template-columns: 1fr 1fr">')
    assert re.findall(r'<figure id="(pair-[ab])" class="block-panel"><img src="([^"]+)" '
                      r'alt="([^"]+)"', panels) == [
        ("pair-a", "/posts/a/pair.svg", "A line (a)"),
        ("pair-b", "/posts/a/pair-2.svg", "A line (b)")]
    assert '<figcaption><span class="panel-letter">(b)</span> Falling line</figcaption>' in html
    assert panels.count("<figcaption>") == 3  # two panels and the whole figure
    assert '</div>\n<figcaption><span class="figure-number">Figure 1:</span> Two lines' in html


def test_a_layout_gives_each_row_its_widths(make_site: SiteWriter, tmp_path: Path) -> None:
    code = "for s in (1, 2, 3):\n    plt.figure()\n    plt.plot([0, s])"
    html = page(make_site, tmp_path, block("three", "Three", ', layout="[[2,1],[1]]"', code))
    assert re.findall(r'<div class="panel-row" style="grid-template-columns: ([^"]*)">', html) \
        == ["2fr 1fr", "1fr"]
    assert html.count('class="block-panel"') == 3


def test_a_bad_layout_is_an_error_at_the_block(make_site: SiteWriter, tmp_path: Path) -> None:
    stderr = failure(make_site, tmp_path, block("x", "X", ", layout-ncol=0"))
    assert "content/posts/a.md:6: option layout-ncol=0 is not a whole number from 1 to 12" \
        in stderr


def test_changing_the_presentation_runs_nothing(make_site: SiteWriter, tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG,
                      "content/posts/a.md": post(block("pair", "Two", "", TWO_PANELS))})
    assert run_build("-s", site, "-d", tmp_path / "out").returncode == 0
    (site / "content/posts/a.md").write_text(post(block(
        "pair", "Two", ', echo=fold, layout-ncol=2, fig-subcap=["a", "b"]', TWO_PANELS)))
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "0 run, 1 reused" in result.stdout


# Numbering after an edit: a quick rebuild numbers the edited post as a full build does.

def _run(site: Path, out: Path) -> BuildReport:
    report = build(BuildOptions(source=site, destination=out, now=NOW))
    assert report.ok, report.problems
    return report


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _from_scratch(site: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".figdown-cache", "figures"))
    _run(copy, tmp_path / "fresh")
    return _tree(tmp_path / "fresh")


@pytest.mark.parametrize("edit", ["a new reference", "a caption removed"])
def test_an_edit_renumbers_in_a_quick_rebuild_as_in_a_full_one(make_site: SiteWriter,
                                                               tmp_path: Path,
                                                               edit: str) -> None:
    first = block("first", "One", code="plt.plot([0, 2])")
    second = block("second", "Two")
    summary = "What lists show.\n\n<!--more-->\n\n"  # an edit below it changes no list
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post(
        summary + "See @fig-second.\n\n" + first + "\n" + second),
        "content/posts/b.md": post("Another post.\n").replace("A post", "B")})
    out = tmp_path / "out"
    _run(site, out)
    html = (out / "posts/a/index.html").read_text()
    assert '<a class="figref" href="#second">Figure 2</a>' in html
    if edit == "a new reference":
        body, expected = "See @fig-second, after -@fig-first.\n\n" + first + "\n" + second, "2"
    else:
        body, expected = "See @fig-second.\n\n" + block("first", code="plt.plot([0, 2])") \
            + "\n" + second, "1"
    (site / "content/posts/a.md").write_text(post(summary + body), encoding="utf-8")
    report = _run(site, out)
    assert report.edited == ("content/posts/a.md",)  # a quick rebuild
    html = (out / "posts/a/index.html").read_text()
    assert f'<a class="figref" href="#second">Figure {expected}</a>' in html
    assert f'<span class="figure-number">Figure {expected}:</span> Two' in html
    assert _tree(out) == _from_scratch(site, tmp_path)


def test_code_mode_reads_figdown_s_and_quarto_s_options() -> None:
    fold = CodeDefaults(echo="fold")
    assert code_mode({}, False) == ("hide", "")
    assert code_mode({}, fold.echo) == ("fold", "")
    assert code_mode({"echo": False}, fold.echo) == ("hide", "")
    assert code_mode({"code-fold": True}, False) == ("fold", "")
    assert code_mode({"echo": "fold", "code-fold": False}, False) == ("show", "")
    assert code_mode({"echo": "maybe"}, False)[1] == "option echo='maybe' is not true, " \
        "false or fold"


def test_panels_fill_the_layout_s_rows_then_rows_like_its_last() -> None:
    assert grid_rows(((1.0, 1.0),), 5) == [(1.0, 1.0), (1.0, 1.0), (1.0,)]
    assert grid_rows(((2.0, 1.0), (1.0,)), 4) == [(2.0, 1.0), (1.0,), (1.0,)]
    assert grid_rows((), 2) == [(1.0,), (1.0,)]
    assert [panel_letter(i) for i in (0, 1, 25, 26, 27)] == ["a", "b", "z", "aa", "ab"]


def test_a_reference_in_the_summary_links_to_the_post_from_lists(make_site: SiteWriter,
                                                                 tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post(
        "The summary says @fig-late.\n\n<!--more-->\n\n" + block("late", "Late"))})
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<a class="figref" href="/posts/a/#late">Figure 1</a>' in home
