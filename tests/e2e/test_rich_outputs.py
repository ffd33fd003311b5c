"""What a block shows besides figures and printed text, as a notebook does: its last
expression and `display(obj)`, through build.py, and how each kind of value is shown."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from conftest import SiteWriter, run_build

from figdown.execute.blocks import Display
from figdown.execute.rich import compile_cell, represent, table_rows

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\n"


def post(body: str) -> str:
    return f"---\ntitle: A post\ndate: 2024-01-01\n---\n\n{body}"


def content(make_site: SiteWriter, tmp_path: Path, body: str) -> str:
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post(body)})
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "posts" / "a" / "index.html").read_text(encoding="utf-8")
    return html[html.index('<div class="content">'):html.index("</article>")]


ROWS = ('```python {exec=true, id="tbl-scores", caption="Scores"}\n'
        'rows = [{"name": "ReLU", "score": 0.5}, {"name": "GELU", "score": 0.75}]\nrows\n```\n')


def test_a_list_of_rows_is_a_numbered_table_with_its_caption_above(make_site: SiteWriter,
                                                                  tmp_path: Path) -> None:
    html = content(make_site, tmp_path, "See @tbl-scores.\n\n" + ROWS)
    assert '<a class="figref" href="#tbl-scores">Table 1</a>' in html
    assert ('<figure id="tbl-scores" class="block-figure block-table-figure"><figcaption>'
            '<span class="figure-number">Table 1:</span> Scores</figcaption>\n'
            '<div class="table-wrap block-table" role="region" aria-label="Table 1" tabindex="0">'
            "<table><thead><tr><th>name</th><th>score</th></tr></thead><tbody>"
            '<tr><td>ReLU</td><td class="num">0.5</td></tr>') in html


def test_the_table_is_stored_and_shown_again_without_running(make_site: SiteWriter,
                                                             tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post(ROWS)})
    first = run_build("-s", site, "-d", tmp_path / "out")
    assert first.returncode == 0, first.stderr
    entry = next((site / "figures").rglob("entry.json"))
    assert json.loads(entry.read_text())["displays"][0]["kind"] == "table"
    page = (tmp_path / "out/posts/a/index.html").read_bytes()
    again = run_build("-s", site, "-d", tmp_path / "out2")
    assert "0 run, 1 reused" in again.stdout
    assert (tmp_path / "out2/posts/a/index.html").read_bytes() == page


def test_display_and_the_last_value_show_in_order_after_printed_text(make_site: SiteWriter,
                                                                     tmp_path: Path) -> None:
    html = content(make_site, tmp_path, (
        "```python {exec=true}\n"
        "class Bold:\n"
        "    def _repr_html_(self):\n"
        "        return \"<b onclick='steal()'>bold</b><script>alert(1)</script>\"\n"
        "display(Bold())\nprint('printed')\nclass Note:\n"
        "    def _repr_markdown_(self):\n        return '*note*'\n"
        "display(Note())\n21 * 2\n```\n"))
    shown = html[html.index('<pre class="block-output"><code>printed'):]
    assert re.findall(r'<div class="block-display">(.*?)</div>|<code>(\d+)</code>',
                      shown, re.DOTALL) == [("<b>bold</b>", ""), ("<p><em>note</em></p>\n", ""),
                                            ("", "42")]
    assert "alert(1)" not in shown and "onclick" not in shown  # the page's own scripts stay


def test_each_table_s_region_has_a_name_of_its_own(make_site: SiteWriter,
                                                   tmp_path: Path) -> None:
    html = content(make_site, tmp_path, (
        "```python {exec=true, id=\"two\"}\ndisplay([(1, 2)])\n[(3, 4)]\n```\n"))
    assert re.findall(r'role="region" aria-label="([^"]*)"', html) == [
        "Table shown by block two (1)", "Table shown by block two (2)"]


def test_a_figure_s_artists_and_none_show_nothing(make_site: SiteWriter,
                                                  tmp_path: Path) -> None:
    html = content(make_site, tmp_path, (
        "```python {exec=true}\nplt.plot([0, 1])\n```\n\n"
        "```python {exec=true}\nfig, ax = plt.subplots()\nax.set_title('t')\n```\n\n"
        "```python {exec=true}\nprint('only this')\n```\n"))
    assert "block-value" not in html and "block-display" not in html
    assert html.count("<figure") == 2


def test_a_caption_on_a_block_that_shows_nothing_is_still_an_error(make_site: SiteWriter,
                                                                  tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG, "content/posts/a.md": post(
        '```python {exec=true, id="tbl-x", caption="Nothing"}\nx = 1\n```\n')})
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/posts/a.md:7: block tbl-x: has a caption but drew no figure" in result.stderr


def test_values_are_represented_as_a_notebook_shows_them() -> None:
    class Svg:
        def _repr_svg_(self) -> str:
            return "<svg/>"

    assert represent(None) is None
    assert represent(3.5) == Display("text/plain", "3.5")
    assert represent(Svg()) == Display("image/svg+xml",
                                       base64.b64encode(b"<svg/>").decode("ascii"))
    assert represent(Svg) == Display("text/plain", repr(Svg))  # the class, not an object
    assert table_rows([(1, 2), (3, 4)]) == ([], [[1, 2], [3, 4]])
    assert table_rows([{"a": 1}, {"b": 2}]) == (["a", "b"], [[1, ""], ["", 2]])
    assert table_rows([(1, 2), (3,)]) is None and table_rows([]) is None


def test_only_a_last_expression_is_evaluated_for_its_value() -> None:
    code, last = compile_cell("x = 1\nx + 1\n", "<b>")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert last is not None and eval(last, namespace) == 2
    assert compile_cell("x = 1\n", "<b>")[1] is None
    assert compile_cell("", "<b>")[1] is None
