"""A block that misbehaves, or a build that is killed or interrupted, through build.py: the
build reports the block's own error with its line, keeps no process running, holds no pipe
open, and never prints a traceback of figdown's."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SiteWriter

FRONT = '---\ntitle: "P"\ndate: 2024-03-01\n---\n\nProse.\n\n'
SITE = {"config.yaml": "baseURL: /\ntitle: T\n"}
BUILD = [sys.executable, str(REPO / "build.py")]


def block_post(code: str) -> str:
    return FRONT + f"```python {{exec=true}}\n{code}\n```\n"


BLOCK_LINE = FRONT.count("\n") + 2  # the block's first line of code


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def wait_until_gone(pids: list[int], seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def wait_for_file(path: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


@pytest.mark.parametrize(("code", "shown"), [
    ("raise GeneratorExit", "block fig-1: GeneratorExit"),
    ("class Stop(BaseException):\n    pass\nraise Stop('done')", "block fig-1: Stop: done"),
    ("raise SystemExit(3)", "block fig-1: SystemExit: 3"),
])
def test_a_block_raising_any_base_exception_is_its_own_error(
        make_site: SiteWriter, code: str, shown: str) -> None:
    site = make_site({**SITE, "content/posts/a.md": block_post(code)})
    result = subprocess.run([*BUILD, "-s", site], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    raised_at = BLOCK_LINE + code.count("\n")
    assert f"content/posts/a.md:{raised_at}: {shown}" in result.stderr
    assert "Traceback" not in result.stderr and "os._exit" not in result.stderr


def test_a_block_closing_stdout_keeps_what_it_printed(make_site: SiteWriter) -> None:
    code = "import sys\nprint('before')\nsys.stdout.close()\nplt.plot([1, 2])"
    site = make_site({**SITE, "content/posts/a.md": block_post(code)})
    result = subprocess.run([*BUILD, "-s", site], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "before" in (site / "output/posts/a/index.html").read_text()


def test_a_lone_surrogate_printed_by_a_block_is_shown_escaped(make_site: SiteWriter) -> None:
    code = 'print("name: \\udcff")\nplt.plot([1, 2])'
    site = make_site({**SITE, "content/posts/a.md": block_post(code)})
    result = subprocess.run([*BUILD, "-s", site], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "name: \\udcff" in (site / "output/posts/a/index.html").read_text()


def test_a_lone_surrogate_in_an_error_is_shown_escaped(make_site: SiteWriter) -> None:
    site = make_site({**SITE, "content/posts/a.md": block_post('raise ValueError("\\udcff")')})
    result = subprocess.run([*BUILD, "-s", site], capture_output=True, timeout=300)
    assert result.returncode == 1
    assert b"block fig-1: ValueError: \\udcff" in result.stderr


def test_printed_output_is_capped_with_its_head_and_tail(make_site: SiteWriter) -> None:
    code = ("import sys\nprint('first line')\nfor i in range(30):\n"
            "    sys.stdout.write('x' * 100_000)\nprint('last line')\nplt.plot([1, 2])")
    site = make_site({**SITE, "config.yaml": "baseURL: /\ntitle: T\nfigures:\n"
                                             "  outputLimit: 100000\n",
                      "content/posts/a.md": block_post(code)})
    result = subprocess.run([*BUILD, "-s", site], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (f"warning: content/posts/a.md:{BLOCK_LINE}: block fig-1: printed more than "
            "100,000 characters") in result.stderr
    page = (site / "output/posts/a/index.html").read_text()
    assert "first line" in page and "last line" in page and "characters of output left out" in page
    assert len(page) < 300_000
    (entry,) = (site / "figures").rglob("entry.json")
    assert entry.stat().st_size < 300_000


def test_a_process_a_block_starts_ends_with_its_post(make_site: SiteWriter) -> None:
    code = ("import subprocess\nchild = subprocess.Popen(['sleep', '60'])\n"
            "open('child.pid', 'w').write(str(child.pid))\nplt.plot([1, 2])")
    site = make_site({**SITE, "content/posts/a/index.md": block_post(code)})
    # communicate() waits until nothing holds the build's pipes open: a `sleep 60` left
    # holding them would keep it waiting past the timeout.
    build = subprocess.Popen([*BUILD, "-s", site], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    _out, err = build.communicate(timeout=40)
    assert build.returncode == 0, err
    child = int((site / "content/posts/a/child.pid").read_text())
    assert wait_until_gone([child]) == []


def test_kill_9_of_the_build_ends_its_workers_and_blocks(make_site: SiteWriter,
                                                         tmp_path: Path) -> None:
    code = ("import os, time\nopen('block.pid', 'w').write(str(os.getpid()))\n"
            "time.sleep(60)\nplt.plot([1, 2])")
    site = make_site({**SITE, "content/posts/a/index.md": block_post(code)})
    log = tmp_path / "log"
    with log.open("w") as stream:
        build = subprocess.Popen([*BUILD, "-s", site], stdout=stream, stderr=stream,
                                 start_new_session=True)
        block = int(wait_for_file(site / "content/posts/a/block.pid"))
        worker = parent_of(block)
        build.kill()
        build.wait()
    assert wait_until_gone([block, worker]) == []
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.5, 3.0])
def test_ctrl_c_stops_the_build_in_one_line_and_leaves_nothing_running(
        make_site: SiteWriter, delay: float) -> None:
    code = ("import os, time\nopen('block.pid', 'w').write(str(os.getpid()))\n"
            "time.sleep(60)\nplt.plot([1, 2])")
    site = make_site({**SITE, "content/posts/a/index.md": block_post(code),
                      "content/posts/b.md": FRONT})
    build = subprocess.Popen([*BUILD, "-s", site], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    build.send_signal(signal.SIGINT)
    _out, err = build.communicate(timeout=30)
    assert build.returncode == 130, err
    assert err.strip().splitlines() in ([], ["figdown: interrupted (Ctrl-C); no block or "
                                             "worker is left running"])
    assert "Traceback" not in err
    pid_file = site / "content/posts/a/block.pid"
    if pid_file.is_file() and pid_file.read_text():
        assert wait_until_gone([int(pid_file.read_text())]) == []
    assert not (site / "output").exists()


def test_too_many_jobs_is_a_usage_error(make_site: SiteWriter) -> None:
    site = make_site({**SITE, "content/posts/b.md": FRONT})
    for jobs in ("500", "-1", "many"):
        result = subprocess.run([*BUILD, "-s", site, "-j", jobs], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2
        assert "-j/--jobs" in result.stderr and "Traceback" not in result.stderr
    assert not (site / "output").exists()


@pytest.mark.parametrize("allowed", [1, 3])
def test_a_refused_fork_is_a_message_and_leaves_no_process(make_site: SiteWriter,
                                                           allowed: int) -> None:
    if shutil.which("strace") is None:
        pytest.fail("strace not found: `apt-get install -y strace` (.ci/run installs it)")
    files = {**SITE, "content/posts/a.md": block_post("plt.plot([1, 2])"),
             "content/posts/b.md": block_post("plt.plot([2, 1])")}
    files.update({f"content/posts/p{n}.md": FRONT for n in range(30)})
    site = make_site(files)
    # After `allowed` processes, every fork, vfork and clone fails as under a pids limit.
    inject = f"inject=clone,clone3,fork,vfork:error=EAGAIN:when={allowed + 1}+"
    result = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e",
                             "trace=clone,clone3,fork,vfork", "-e", inject, *BUILD, "-s", site,
                             "-j", "4"], capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if result.returncode == 1:
        assert re.search(r"block fig-1: could not (start a worker process|fork a process for "
                         r"the post): Resource temporarily unavailable — lower -j",
                         result.stderr), result.stderr
    leftovers = subprocess.run(["pgrep", "-f", f"figdown.execute.worker.*{REPO}"],
                               capture_output=True, text=True)
    assert leftovers.stdout == ""
