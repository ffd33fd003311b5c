"""Jupyter notebooks as posts, through build.py: run with the figure store like any post,
or shown with the outputs saved in them; problems said at their cell."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
from conftest import SiteWriter, run_build
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\nmath: true\n"
# A 1 × 1 PNG, as Jupyter saves a figure (base64, with a line end).
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
       "RU5ErkJggg==\n")
PLOT = ("#| label: fig-temperatures\n#| fig-cap: Softmax at two temperatures\n"
        "#| fig-alt: Two bar charts\nimport matplotlib.pyplot as plt\n"
        "plt.bar([0, 1, 2], [0.1, 0.2, 0.7])\nprint('drawn')")
FRAME = ("import pandas as pd\n"
         "pd.DataFrame({'temperature': [0.5, 2.0], 'entropy': [0.35, 1.02]})")


def wild_notebook(execute: str = "true", plot: str = PLOT) -> Any:
    """A notebook as Jupyter leaves it: a raw front matter cell, Markdown with math, a cell
    that drew a figure and one that ended with a DataFrame, their outputs saved."""
    notebook = new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [
        new_raw_cell(f"---\ntitle: Softmax temperature\ndate: 2024-02-01\n"
                     f"execute: {execute}\n---"),
        new_markdown_cell("Dividing the logits by $T$:\n\n"
                          "$$p_i = \\frac{e^{z_i / T}}{\\sum_j e^{z_j / T}}$$\n\n"
                          "See @fig-temperatures."),
        new_code_cell(plot, execution_count=1, outputs=[
            new_output("stream", name="stdout", text="drawn\n"),
            new_output("display_data", data={
                "image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"})]),
        new_code_cell(FRAME, execution_count=2, outputs=[
            new_output("execute_result", execution_count=2, data={
                "text/html": "<div><table class=\"dataframe\"><thead><tr><th>temperature</th>"
                             "</tr></thead><tbody><tr><td>0.5 (saved)</td></tr></tbody>"
                             "</table></div>",
                "text/plain": "   temperature\n0          0.5"})]),
    ]
    return notebook


def site_with(make_site: SiteWriter, notebook: Any) -> Path:
    site = make_site({"config.yaml": CONFIG})
    (site / "content" / "posts").mkdir(parents=True)
    nbformat.write(notebook, str(site / "content" / "posts" / "temperature.ipynb"))
    return site


def built(site: Path, out: Path) -> tuple[str, str]:
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 0, result.stderr
    html = (out / "posts" / "temperature" / "index.html").read_text(encoding="utf-8")
    return result.stdout, html[html.index('<div class="content">'):html.index("</article>")]


def test_a_notebook_is_a_post_whose_cells_run_once(make_site: SiteWriter,
                                                    tmp_path: Path) -> None:
    site = site_with(make_site, wild_notebook())
    stdout, html = built(site, tmp_path / "out")
    assert "Blocks: 2 run" in stdout
    assert "<h1>Softmax temperature</h1>" in (tmp_path / "out/posts/temperature/index.html"
                                               ).read_text()
    assert re.search(r'<math alttext="[^"]*" xmlns="http://www.w3.org/1998/Math/MathML" '
                     r'display="block">', html)
    assert '<a class="figref" href="#fig-temperatures">Figure 1</a>' in html
    assert re.search(r'<figure id="fig-temperatures" class="block-figure"><div class="figure-'
                     r'frame figure-svg"[^>]*><svg class="figure-svg"[^>]* aria-label="Two bar '
                     r'charts"', html)
    assert (tmp_path / "out/posts/temperature/fig-temperatures.svg").is_file()
    assert "<th>entropy</th>" in html and "(saved)" not in html  # drawn here, not the saved
    assert '<pre class="block-output"><code>drawn\n</code></pre>' in html
    again, html_again = built(site, tmp_path / "out")
    assert "Blocks: 0 run, 2 reused" in again
    assert html_again == html


def test_execute_false_shows_the_saved_outputs_and_runs_nothing(make_site: SiteWriter,
                                                                tmp_path: Path) -> None:
    # a cell that would fail if it ran: nothing runs
    site = site_with(make_site, wild_notebook("false", PLOT + "\nraise SystemExit(3)"))
    stdout, html = built(site, tmp_path / "out")
    assert "Blocks: 0 run" in stdout
    assert not (tmp_path / "out/posts/temperature/fig-temperatures.svg").exists()
    assert ('<figure id="fig-temperatures" class="block-figure"><div class="block-display">'
            f'<img src="data:image/png;base64,{PNG.strip()}" alt="Two bar charts"></div>') in html
    assert '<span class="figure-number">Figure 1:</span> Softmax at two temperatures' in html
    assert "<td>0.5 (saved)</td>" in html and 'class="dataframe"' not in html  # sanitised
    assert '<pre class="block-output"><code>drawn\n</code></pre>' in html
    assert not (site / "figures").exists() or not any((site / "figures").rglob("entry.json"))


def test_a_failing_cell_is_named_by_file_and_cell(make_site: SiteWriter,
                                                  tmp_path: Path) -> None:
    site = site_with(make_site, wild_notebook(plot=PLOT + "\n1 / 0"))
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # cell 3: the raw front matter is cell 1; its 7th line is `1 / 0`
    assert ("error: content/posts/temperature.ipynb: cell 3, line 7: block fig-temperatures: "
            "ZeroDivisionError: division by zero") in result.stderr
    assert "content/posts/temperature.ipynb cell 3, line 7, in <block>" in result.stderr


def test_a_broken_reference_in_a_markdown_cell_names_its_cell(make_site: SiteWriter,
                                                              tmp_path: Path) -> None:
    notebook = wild_notebook()
    notebook.cells[1].source += "\nAnd @fig-missing."
    result = run_build("-s", site_with(make_site, notebook), "-d", tmp_path / "out")
    assert result.returncode == 1
    assert "content/posts/temperature.ipynb: cell 2, line 6: @fig-missing: no block" \
        in result.stderr


def test_bad_front_matter_in_the_raw_cell_names_its_line(make_site: SiteWriter,
                                                         tmp_path: Path) -> None:
    notebook = wild_notebook()
    notebook.cells[0].source = "title: T\ndate: not a date\n"
    result = run_build("-s", site_with(make_site, notebook), "-d", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/posts/temperature.ipynb: cell 1, line 2: " in result.stderr


def test_front_matter_may_come_from_the_notebook_s_metadata(make_site: SiteWriter,
                                                            tmp_path: Path) -> None:
    notebook = wild_notebook()
    notebook.cells = notebook.cells[1:]
    notebook.metadata["figdown"] = {"title": "From metadata", "date": "2024-03-01"}
    site = site_with(make_site, notebook)
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "<h1>From metadata</h1>" in (tmp_path / "out/posts/temperature/index.html"
                                         ).read_text()


def test_a_file_that_is_not_a_notebook_is_one_line(make_site: SiteWriter,
                                                   tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG, "content/posts/x.ipynb": json.dumps({"a": 1})})
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"error: content/posts/x.ipynb: cannot read the notebook: .+ — open and "
                     r"save it in Jupyter", result.stderr)


def test_a_broken_link_is_said_at_the_notebook_without_a_line(make_site: SiteWriter,
                                                               tmp_path: Path) -> None:
    notebook = wild_notebook()
    notebook.cells[1].source += "\n[Elsewhere](/nowhere/)."
    result = run_build("-s", site_with(make_site, notebook), "-d", tmp_path / "out")
    assert result.returncode == 1
    assert re.search(r"error: content/posts/temperature.ipynb: broken link /nowhere/",
                     result.stderr), result.stderr


def test_a_notebook_in_a_leaf_bundle_is_published_as_a_file(make_site: SiteWriter,
                                                             tmp_path: Path) -> None:
    site = make_site({"config.yaml": CONFIG,
                      "content/posts/b/index.md": "---\ntitle: B\ndate: 2024-01-01\n---\n"
                      "[The notebook](analysis.ipynb).\n"})
    nbformat.write(wild_notebook(), str(site / "content/posts/b/analysis.ipynb"))
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Blocks: 0 run" in result.stdout or "Blocks:" not in result.stdout
    assert (tmp_path / "out/posts/b/analysis.ipynb").read_bytes() == (
        site / "content/posts/b/analysis.ipynb").read_bytes()
    assert not (tmp_path / "out/posts/b/analysis").exists()
