"""The figure store as a cache: what runs again, what is reused, what is pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from execsite import ExecSite, errors

from figdown.execute import pool
from figdown.execute.blocks import PostBlocks
from figdown.execute.store import HISTORY

PLOT = "plt.plot(x, {})\n"


def posts(site: ExecSite, relu: str = "np.maximum(x, 0)", prose: int = 5) -> list[PostBlocks]:
    return [
        site.post(
            "relu",
            ["x = np.linspace(-2, 2, 20)\n", (PLOT.format(relu), {"id": "relu"})],
            prose_lines=prose,
        ),
        site.post(
            "tanh", ["from acts import tanh\nx = np.linspace(-2, 2)\nplt.plot(x, tanh(x))\n"]
        ),
        site.post("sine", ["plt.plot(np.sin(np.arange(9)))\n"]),
    ]


@pytest.fixture
def site(tmp_path: Path) -> ExecSite:
    site = ExecSite(tmp_path)
    site.helper("acts", "import numpy as np\ndef tanh(x):\n    return np.tanh(x)\n")
    first = site.run(posts(site))
    assert errors(first) == [] and (first.ran, first.reused) == (4, 0)
    return site


def no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(init: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr(pool, "_start", refuse)


def test_unchanged_site_runs_nothing(site: ExecSite, monkeypatch: pytest.MonkeyPatch) -> None:
    no_workers(monkeypatch)
    report = site.run(posts(site))
    assert (report.ran, report.reused) == (0, 4)
    assert all(r.reused and r.figures for r in report.results.values() if r.block.index > 0)


def test_changed_prose_runs_nothing(site: ExecSite, monkeypatch: pytest.MonkeyPatch) -> None:
    no_workers(monkeypatch)
    report = site.run(posts(site, prose=12))
    assert (report.ran, report.reused) == (0, 4)


def test_changed_block_runs_its_post_only(site: ExecSite) -> None:
    before = site.stored("sine", "fig-1.svg").stat().st_mtime_ns
    report = site.run(posts(site, relu="np.maximum(x, 0.1 * x)"))
    assert errors(report) == []
    assert (report.ran, report.reused) == (2, 2)
    # the unchanged first block ran for its namespace; its stored result is kept
    assert report.results[("content/posts/relu.md", 0)].reused
    assert not report.results[("content/posts/relu.md", 1)].reused
    assert site.stored("sine", "fig-1.svg").stat().st_mtime_ns == before


def test_changed_helper_runs_the_posts_importing_it(site: ExecSite) -> None:
    site.helper("acts", "import numpy as np\ndef tanh(x):\n    return 2 * np.tanh(x)\n")
    report = site.run(posts(site))
    assert (report.ran, report.reused) == (1, 3)
    assert not report.results[("content/posts/tanh.md", 0)].reused


def test_refresh_runs_everything(site: ExecSite) -> None:
    report = site.run(posts(site), refresh=True)
    assert (report.ran, report.reused) == (4, 0)


def test_corrupt_manifest_is_ignored(site: ExecSite) -> None:
    site.stored("sine", "fig-1.json").write_text("{")
    report = site.run(posts(site))
    assert (report.ran, report.reused) == (1, 3)
    assert report.results[("content/posts/sine.md", 0)].figures[0].store_path.endswith(
        "/fig-1.svg")
    assert site.run(posts(site)).ran == 0


def test_missing_image_is_rerun(site: ExecSite) -> None:
    site.stored("relu", "relu.svg").unlink()
    report = site.run(posts(site))
    assert (report.ran, report.reused) == (2, 2)
    assert site.stored("relu", "relu.svg").exists()


def test_a_build_never_removes_results_of_posts_it_does_not_build(site: ExecSite) -> None:
    (site.store / "README.md").write_text("what this folder is")
    (site.root / "notes.txt").write_text("mine")
    report = site.run(posts(site)[:2])  # a draft, a removed post: neither is in this build
    assert report.pruned == ()
    assert site.stored("sine", "fig-1.svg").exists()
    assert (site.store / "README.md").exists() and (site.root / "notes.txt").exists()


def test_reverting_an_edit_reuses_the_earlier_result(site: ExecSite) -> None:
    edited = site.run(posts(site, relu="np.maximum(x, 0.1 * x)"))
    assert edited.ran == 2
    reverted = site.run(posts(site))
    assert errors(reverted) == [] and (reverted.ran, reverted.reused) == (0, 4)


def test_a_block_keeps_a_bounded_history(site: ExecSite) -> None:
    for n in range(6):
        site.run(posts(site, relu=f"np.maximum(x, 0.{n} * x)"))
    relu_results = list((site.store / "relu" / "relu").iterdir())
    assert len(relu_results) == 1 + HISTORY
    report = site.run(posts(site)[:1], prune=False)
    assert report.pruned == () and site.stored("sine", "fig-1.svg").exists()


def test_figures_are_byte_identical_across_runs(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    code = "plt.plot([1, 3, 2], label='a')\nplt.title('t')\nplt.legend()\n"
    blocks = [site.post("svg", [code]), site.post("png", [(code, {"format": "png"})])]
    site.run(blocks)
    first = {p: p.read_bytes() for p in site.store.rglob("*") if p.is_file()}
    shutil.rmtree(site.store)
    site.run(blocks)
    second = {p: p.read_bytes() for p in site.store.rglob("*") if p.is_file()}
    assert first == second
    svg = first[site.stored("svg", "fig-1.svg")]
    png = first[site.stored("png", "fig-1.png")]
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"tIME" not in png and b"Software" not in png


def test_style_applies_to_every_figure(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    style = tmp_path / "site.mplstyle"
    style.write_text("axes.titlesize: 31\n")
    post = site.post("p", ["print(plt.rcParams['axes.titlesize'], plt.rcParams['lines.color'])\n"])
    report = site.run([post], style={"lines.color": "red"}, style_file=style)
    assert report.results[("content/posts/p.md", 0)].output == "31.0 red\n"
    style.write_text("axes.titlesize: 12\n")
    assert site.run([post], style={"lines.color": "red"}, style_file=style).ran == 1


def test_bad_style_is_one_problem(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    posts = [site.post("a", ["x = 1\n"]), site.post("b", ["x = 2\n"])]
    report = site.run(posts, style={"lines.linewidth": "thick"})
    messages = [p.message for p in report.problems]
    assert len(messages) == 1 and messages[0].startswith("figure style: rcParams lines.linewidth")
