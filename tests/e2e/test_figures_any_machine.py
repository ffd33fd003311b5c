"""Figures that hold on any machine, through build.py as a user runs it: what a block's key
holds, what its store entry records, per-block timeouts, posts isolated from each other, and
a store that remembers earlier results."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SiteWriter

from figdown.execute.keys import library_versions

FRONT = '---\ntitle: "{title}"\ndate: 2024-03-01\n{extra}---\n\nSome prose.\n\n'


def post(title: str, *blocks: str, extra: str = "") -> str:
    fences = "".join(f"```python {{exec=true{opts}}}\n{code}\n```\n\n" for opts, code in blocks)
    return FRONT.format(title=title, extra=extra) + fences


def build(site: Path, *args: str | Path, tmp: Path | None = None
          ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if tmp is not None:
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
    return subprocess.run([sys.executable, str(REPO / "build.py"), "-s", str(site),
                           *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=600)


def ran(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    found = re.search(r"Blocks: (\d+) run, (\d+) reused", result.stdout)
    assert found, result.stdout + result.stderr
    return int(found.group(1)), int(found.group(2))


def entries(site: Path) -> list[Path]:
    return sorted((site / "figures").rglob("entry.json"))


SITE = {"config.yaml": "baseURL: /\ntitle: T\n"}


# What the key holds, and what is recorded


def example_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for folder in ("content", "lib", "figures"):
        shutil.copytree(REPO / folder, site / folder)
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    return site


def test_figures_drawn_with_other_library_versions_are_reused_and_said_once(
        tmp_path: Path) -> None:
    site = example_site(tmp_path)
    for entry in entries(site):
        data = json.loads(entry.read_text())
        data["environment"]["matplotlib"] = "3.0.0"
        entry.write_text(json.dumps(data))
    result = build(site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert ran(result)[0] == 0
    here = library_versions()["matplotlib"]
    lines = [line for line in result.stdout.splitlines() if "other library versions" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"{len(entries(site))} figures were drawn with other library "
                               f"versions (matplotlib 3.0.0 in the store, {here} here)")
    assert "--refresh-figures" in lines[0]


def test_the_example_store_says_where_it_was_drawn_only_when_versions_differ(
        tmp_path: Path) -> None:
    site = example_site(tmp_path)
    here = library_versions()
    differing = sum(1 for e in entries(site)
                    if json.loads(e.read_text())["environment"] != here)
    result = build(site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert ran(result)[0] == 0
    said = re.search(r"^(\d+) figures? (?:were|was) drawn with other", result.stdout, re.M)
    assert (int(said.group(1)) if said else 0) == differing


def test_the_lock_pins_the_versions_that_drew_the_committed_store() -> None:
    pins = dict(re.findall(r"^([a-z0-9-]+)==(\S+)", (REPO / "requirements.lock").read_text(),
                           re.M))
    recorded = {json.dumps(json.loads(e.read_text())["environment"], sort_keys=True)
                for e in entries(REPO)}
    assert len(recorded) == 1, "the store was drawn in more than one environment"
    environment = json.loads(recorded.pop())
    for name in ("numpy", "matplotlib", "pillow", "imageio-ffmpeg"):
        assert pins[name] == environment[name], name


def test_strict_environment_redraws_figures_drawn_with_other_versions(
        make_site: SiteWriter) -> None:
    site = make_site({**SITE, "content/posts/a.md": post("A", ("", "plt.plot([1, 2])"))})
    assert ran(build(site)) == (1, 0)
    for entry in entries(site):
        data = json.loads(entry.read_text())
        data["environment"]["numpy"] = "1.0.0"
        entry.write_text(json.dumps(data))
    assert ran(build(site, "--refresh-figures=nothing-matches")) == (0, 1)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\nfigures:\n  environment: strict\n")
    assert ran(build(site)) == (1, 0)
    assert ran(build(site)) == (0, 1)
    broken = "baseURL: /\ntitle: T\nfigures:\n  environment: exact\n"
    (site / "config.yaml").write_text(broken)
    result = build(site)
    assert result.returncode == 1
    assert "config.yaml:4: figures.environment must be recorded or strict" in result.stderr


def test_refresh_figures_of_one_post_runs_only_that_post(make_site: SiteWriter) -> None:
    site = make_site({**SITE,
                      "content/posts/a.md": post("A", ("", "plt.plot([1, 2])")),
                      "content/posts/b.md": post("B", ("", "plt.plot([2, 1])"))})
    assert ran(build(site)) == (2, 0)
    assert ran(build(site, "--refresh-figures=content/posts/b.md")) == (1, 1)
    assert ran(build(site, "--refresh-figures", "a")) == (1, 1)
    assert ran(build(site, "--refresh-figures")) == (2, 0)


# The files a block reads


def test_a_block_reading_a_csv_runs_again_when_the_csv_changes(make_site: SiteWriter) -> None:
    code = 'd = np.loadtxt("losses.csv")\nplt.plot(d[:, 0], d[:, 1])'
    site = make_site({**SITE, "content/posts/loss/index.md": post("Loss", ("", code)),
                      "content/posts/loss/losses.csv": "1 2\n3 4\n",
                      "content/posts/other.md": post("Other", ("", "plt.plot([1])"))})
    assert ran(build(site)) == (2, 0)
    (entry,) = [e for e in entries(site) if "loss" in e.as_posix()]
    assert list(json.loads(entry.read_text())["reads"]) == ["content/posts/loss/losses.csv"]
    assert ran(build(site, "-d", site / "elsewhere")) == (0, 2)
    (site / "content/posts/loss/losses.csv").write_text("1 2\n3 9\n")
    assert ran(build(site)) == (1, 1)
    assert ran(build(site)) == (0, 2)


def test_a_data_file_outside_the_content_folder_is_tracked_too(make_site: SiteWriter) -> None:
    code = 'v = float(open("../../datasets/v.txt").read())\nplt.plot([0, v])'
    site = make_site({**SITE, "content/posts/v.md": post("V", ("", code)),
                      "datasets/v.txt": "5\n"})
    assert ran(build(site)) == (1, 0)
    assert ran(build(site)) == (0, 1)  # and not stopped early by the unchanged site
    (site / "datasets/v.txt").write_text("7\n")
    assert ran(build(site)) == (1, 0)
    (site / "datasets/v.txt").unlink()
    result = build(site)
    assert result.returncode == 1 and "FileNotFoundError" in result.stderr


# Timeouts, per block


def test_each_block_has_its_own_timeout(make_site: SiteWriter, tmp_path: Path) -> None:
    slow = "import time\ntime.sleep(1.2)\nplt.plot([1, 2])"
    # 3.6 s in all: past any one block's 2 s, and past its 1 s of grace after that
    site = make_site({**SITE, "content/posts/three.md": post(
        "Three", (", timeout=2", slow), (", timeout=2", slow), (", timeout=2", slow))})
    result = build(site, tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stderr
    assert ran(result) == (3, 0)


def test_the_block_that_runs_too_long_is_the_one_named(make_site: SiteWriter,
                                                       tmp_path: Path) -> None:
    ignores = ("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
               "time.sleep(60)")
    text = post("T", (', id="quick"', "plt.plot([1, 2])"),
                (', id="slow", timeout=1', ignores))
    site = make_site({**SITE, "content/posts/t.md": text})
    scratch = tmp_path / "tmp"
    result = build(site, tmp=scratch)
    assert result.returncode == 1
    line = text.splitlines().index('```python {exec=true, id="slow", timeout=1}') + 2
    assert f"content/posts/t.md:{line}: block slow: timed out after 1 s" in result.stderr
    assert "block quick" not in result.stderr
    assert list(scratch.iterdir()) == []  # no worker folder, no animation folder


def test_a_killed_animation_leaves_no_temporary_files(make_site: SiteWriter,
                                                      tmp_path: Path) -> None:
    code = ("from matplotlib.animation import FuncAnimation\nimport time\n"
            "fig, ax = plt.subplots()\n(line,) = ax.plot([0, 1])\n"
            "def draw(i):\n    time.sleep(0.5)\n    return (line,)\n"
            "anim = FuncAnimation(fig, draw, frames=100)")
    site = make_site({**SITE, "content/posts/a.md": post("A", (", timeout=2", code))})
    scratch = tmp_path / "tmp"
    result = build(site, tmp=scratch)
    assert result.returncode == 1 and "timed out after 2 s" in result.stderr
    assert list(scratch.iterdir()) == []


# Posts isolated from each other


def test_a_monkeypatch_in_one_post_never_reaches_another(make_site: SiteWriter) -> None:
    patch = ("import numpy\nnumpy.linspace = lambda *a, **k: numpy.array([0.0, 5.0, 1.0])\n"
             "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 9\nplt.plot([1, 2])")
    reader = ("import numpy, matplotlib\nprint(list(numpy.linspace(0, 1, 3)), "
              "matplotlib.rcParams['lines.linewidth'])\nplt.plot([1, 2])")
    files = {**SITE, "content/posts/a.md": post("A", ("", patch)),
             "content/posts/b.md": post("B", ("", reader)),
             "content/posts/c.md": post("C", ("", reader))}
    outputs = []
    for jobs in ("1", "2"):
        site = make_site(files)
        shutil.rmtree(site / "figures", ignore_errors=True)
        assert ran(build(site, "-j", jobs, "-d", site / "out")) == (3, 0)
        for name in ("b", "c"):
            (entry,) = (site / "figures" / "posts" / name).rglob("entry.json")
            outputs.append(json.loads(entry.read_text())["output"])
    assert outputs == ["[np.float64(0.0), np.float64(0.5), np.float64(1.0)] 1.5\n"] * 4


# The store remembers


def test_reverting_an_edit_runs_no_block(make_site: SiteWriter) -> None:
    plain = post("A", (', id="p"', "plt.plot([1, 2])"))
    titled = post("A", (', id="p"', "plt.plot([1, 2])\nplt.title('Now with a title')"))
    site = make_site({**SITE, "content/posts/a.md": plain})
    assert ran(build(site)) == (1, 0)
    (site / "content/posts/a.md").write_text(titled)
    assert ran(build(site)) == (1, 0)
    (site / "content/posts/a.md").write_text(plain)
    assert ran(build(site)) == (0, 1)


def test_a_drafts_figures_survive_a_build_without_drafts(make_site: SiteWriter) -> None:
    site = make_site({**SITE,
                      "content/posts/a.md": post("A", ("", "plt.plot([1, 2])")),
                      "content/posts/d.md": post("D", ("", "plt.plot([2, 1])"),
                                                 extra="draft: true\n")})
    assert ran(build(site, "-D")) == (2, 0)
    assert ran(build(site)) == (0, 1)
    assert ran(build(site, "-D")) == (0, 2)


def prune(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "figures", "prune",
                           "-s", str(site), *args], capture_output=True, text=True, timeout=600)


def test_figures_prune_removes_only_what_no_page_has(make_site: SiteWriter) -> None:
    site = make_site({**SITE,
                      "content/posts/a.md": post("A", (', id="p"', "plt.plot([1, 2])")),
                      "content/posts/d.md": post("D", ("", "plt.plot([2, 1])"),
                                                 extra="draft: true\n"),
                      "content/posts/gone.md": post("G", ("", "plt.plot([3, 1])"))})
    assert ran(build(site, "-D")) == (3, 0)
    (site / "content/posts/a.md").write_text(post("A", (', id="p"', "plt.plot([1, 3])")))
    (site / "content/posts/gone.md").unlink()
    assert ran(build(site)) == (1, 0)
    (site / "figures" / "README.md").write_text("mine")
    dry = prune(site, "-n")
    assert dry.returncode == 0, dry.stderr
    assert "2 stored results would be removed, 2 in use kept." in dry.stdout
    assert len(entries(site)) == 4
    result = prune(site)
    assert result.returncode == 0, result.stderr
    removed = re.findall(r"^removed (posts/[a-z]+)/", result.stdout, re.M)
    assert sorted(removed) == ["posts/a", "posts/gone"]
    assert "2 stored results removed, 2 in use kept." in result.stdout
    assert (site / "figures" / "README.md").read_text() == "mine"
    assert ran(build(site, "-D")) == (0, 2)
