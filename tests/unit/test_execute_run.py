"""Running blocks in worker processes: figures, output, failures, isolation."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from execsite import ExecSite, errors

from figdown.execute.executor import ExecReport

RELU = """\
x = np.linspace(-3, 3, 50)
plt.plot(x, np.maximum(x, 0))
print("relu drawn")
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExecSite, ExecReport]:
    """One build with good and broken posts side by side."""
    site = ExecSite(tmp_path_factory.mktemp("mixed"))
    site.helper("acts", "def ratio(a, b):\n    return a / b\n")
    posts = [
        site.post("good", [(RELU, {"id": "relu-plot", "width": 6, "height": 3.5})]),
        site.post(
            "raises",
            ["from acts import ratio\n", "y = 1\nz = ratio(y, 0)\n", "print('never')\n"],
        ),
        site.post("loops", [("while True:\n    pass\n", {"timeout": 1})]),
        site.post(
            "deaf",
            [
                (
                    "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                    "while True:\n    pass\n",
                    {"timeout": 0.5},
                )
            ],
        ),
        site.post("exits", ["import os\nos._exit(3)\n"]),
        site.post("segfaults", ["import ctypes\nctypes.string_at(0)\n"]),
        site.post("nocaption", [("x = 1\n", {"caption": "A figure"})]),
        site.post("outside", ["open('../stray.txt', 'w').write('x')\n"]),
        site.post("syntax", ["x = 1\n", "y = (\n"]),
        site.post("after", [(RELU, {"id": "later"})]),
    ]
    return site, site.run(posts)


def problem_for(report: ExecReport, slug: str) -> str:
    found = [str(p) for p in report.problems if f"/{slug}.md:" in str(p)]
    assert found, f"no problem for {slug}"
    return found[0]


def test_block_draws_an_svg_of_its_size(mixed: tuple[ExecSite, ExecReport]) -> None:
    site, report = mixed
    result = report.results[("content/posts/good.md", 0)]
    assert result.error is None and not result.reused
    (figure,) = result.figures
    assert re.fullmatch(r"good/relu-plot/[0-9a-f]{16}/relu-plot\.svg", figure.store_path)
    assert (figure.format, figure.width, figure.height) == ("svg", 576, 336)
    svg = (site.store / figure.store_path).read_text()
    assert re.search(r'width="432pt" height="252pt"', svg)


def test_printed_output_is_captured(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert report.results[("content/posts/good.md", 0)].output == "relu drawn\n"


def test_exception_points_at_the_markdown_line(mixed: tuple[ExecSite, ExecReport]) -> None:
    _site, report = mixed
    post = [p for p in report.results.values() if p.block.path.endswith("raises.md")]
    failing = report.results[("content/posts/raises.md", 1)]
    assert failing.error is not None
    # second line of the second block
    assert failing.error.line == failing.block.line + 1
    assert str(failing.error).startswith(
        f"content/posts/raises.md:{failing.block.line + 1}: block fig-2: "
        "ZeroDivisionError: division by zero — "
    )
    assert "lib/acts.py:2, in ratio" in failing.error.hint
    assert "\n" not in failing.error.message
    later = report.results[("content/posts/raises.md", 2)]
    assert later.error is not None and later.error.severity == "note"
    assert len(post) == 3


def test_syntax_error_is_located(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    result = report.results[("content/posts/syntax.md", 1)]
    assert result.error is not None
    assert result.error.line == result.block.line
    assert "SyntaxError" in result.error.message


def test_endless_block_times_out(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert "block fig-1: timed out after 1 s" in problem_for(report, "loops")


def test_block_ignoring_its_timeout_is_killed(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert "timed out after 0.5 s" in problem_for(report, "deaf")


def test_exiting_block_is_a_crash(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert "block fig-1: the post's process exited (exit code 3)" in problem_for(report, "exits")
    assert "SIGSEGV" in problem_for(report, "segfaults")


def test_other_posts_survive_failures(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    result = report.results[("content/posts/after.md", 0)]
    assert result.error is None and len(result.figures) == 1
    assert len(errors(report)) == 8


def test_caption_without_figure_is_an_error(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert "has a caption but drew no figure" in problem_for(report, "nocaption")


def test_writing_outside_the_post_folder_is_an_error(mixed: tuple[ExecSite, ExecReport]) -> None:
    _, report = mixed
    assert "wrote outside its post's folder: content/stray.txt" in problem_for(report, "outside")


def test_failed_blocks_are_not_stored(mixed: tuple[ExecSite, ExecReport]) -> None:
    site, _ = mixed
    assert sorted(p.name for p in site.store.iterdir()) == ["after", "good", "raises", "syntax"]
    assert sorted(p.name for p in (site.store / "raises").iterdir()) == ["fig-1"]


def test_posts_do_not_share_state(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    site.helper("counter", "calls = []\n")
    (site.posts_dir).mkdir(parents=True)
    (site.posts_dir / "data.csv").write_text("1,2,3\n")
    first = site.post(
        "first",
        [
            "secret = 42\nimport counter\ncounter.calls.append(1)\n"
            "plt.rcParams['lines.linewidth'] = 7\nplt.figure()\nplt.show()\n"
            "import sys\nsys.path.append('/nowhere')\nnp.random.seed(5)\n",
        ],
    )
    second = site.post(
        "second",
        [
            "import counter, sys\nprint('secret' in globals(), len(counter.calls))\n"
            "print(plt.rcParams['lines.linewidth'], '/nowhere' in sys.path)\n"
            "print(open('data.csv').read().strip())\nprint(repr(np.random.rand()))\n"
        ],
    )
    report = site.run([first, second], jobs=1)
    assert errors(report) == []
    assert len(report.results[("content/posts/first.md", 0)].figures) == 1
    output = report.results[("content/posts/second.md", 0)].output
    np.random.seed(0)
    assert output == f"False 0\n1.5 False\n1,2,3\n{np.random.rand()!r}\n"


def test_png_is_saved_at_twice_its_page_size(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [("plt.plot([1, 2])\n", {"format": "png", "width": 4, "height": 3})])
    report = site.run([post])
    (figure,) = report.results[("content/posts/p.md", 0)].figures
    assert (figure.format, figure.width, figure.height) == ("png", 384, 288)
    data = (site.store / figure.store_path).read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (768, 576)


def test_helpers_folder_imports_as_a_package_too(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    site.helper("counter", "calls = []\n")
    code = "from lib import counter\ncounter.calls.append(1)\nprint(len(counter.calls))\n"
    report = site.run([site.post("a", [code]), site.post("b", [code])], jobs=1)
    assert errors(report) == []
    assert [r.output for _, r in sorted(report.results.items())] == ["1\n", "1\n"]
    assert not list((tmp_path / "lib").glob("__pycache__"))


def test_bad_options_stop_the_post_before_it_runs(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [("x = 1\n", {"format": "jpeg"}), "print(x)\n"])
    report = site.run([post])
    assert report.ran == 0
    assert [str(p).split(": ", 1)[1] for p in report.problems] == [
        "block fig-1: option format='jpeg' is not svg, png, mp4, webp or gif — write format "
        "as svg, png, mp4, webp or gif",
        "block fig-2: not run: fix the errors reported for this post first",
    ]
