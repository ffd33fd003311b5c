"""The output folder and the files around it, as `python build.py` leaves them: whenever a
build is killed, and whatever else runs, writes or sits beside it.

The moments in between two system calls are reached with strace: it pauses the build at
one of them (fault injection: a delay), and the test kills the build there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, run_build

STRACE = shutil.which("strace")
RENAMES = "rename,renameat,renameat2"
CONFIG = "baseURL: /\ntitle: T\n"


def post(root: Path, name: str, body: str, title: str = "") -> None:
    path = root / "content" / "posts" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{title or name}"\ndate: 2024-03-01\n---\n\n{body}\n',
                    encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    post(root, "a", "Long first paragraph. " * 40 + "\n\nSecond paragraph v1.")
    post(root, "b", "Another post.")
    return root


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the sha256 of its bytes (`.git` left out)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


def beside(site: Path) -> list[str]:
    """What a build leaves beside the output folder besides it."""
    return sorted(p.name for p in site.iterdir() if "output" in p.name)


def built(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_build("-q", "-s", site, *args)
    assert done.returncode == 0, done.stderr
    return done


def from_scratch(site: Path, tmp_path: Path) -> dict[str, str]:
    """What a build of the site as it is now writes into a fresh folder."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site / "content", fresh / "content")
    shutil.copy(site / "config.yaml", fresh)
    built(fresh)
    return tree(fresh / "output")


def strace_build(site: Path, inject: str, *args: str, path: Path | None = None,
                 build_args: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """`python build.py` under strace, with `inject` (strace's -e inject=…), in a session of
    its own so that the test can kill the build and every process it started."""
    if STRACE is None:
        pytest.fail("strace is needed: apt-get install -y strace")
    log = site.parent / "strace.log"
    log.unlink(missing_ok=True)
    command = [STRACE, "-f", "-qq", "-o", str(log), *(["-P", str(path)] if path else []),
               "-e", f"trace={RENAMES}", *args, "-e", f"inject={inject}",
               sys.executable, str(REPO / "build.py"), "-q", "-s", str(site), *build_args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, cwd=REPO)


def paused(process: subprocess.Popen[str], log: Path) -> str | None:
    """The line of the system call strace holds the build at, once it does; None when the
    build ended without reaching it. strace writes a call's line when it enters it and
    ends the line when it returns: a call held on entry has a line without its result, one
    held on return a line ending in `(DELAYED)`."""
    while process.poll() is None:
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if line.endswith("(DELAYED)") or not any(
                        mark in line for mark in (" = ", "<unfinished", "resumed>")):
                    return line
        time.sleep(0.02)
    return None


def kill(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """SIGKILL to the build and every process it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def kill_when_paused(site: Path, inject: str, path: Path | None = None,
                     args: tuple[str, ...] = ()) -> str:
    process = strace_build(site, inject, *args, path=path)
    line = paused(process, site.parent / "strace.log")
    assert line is not None, process.communicate()
    kill(process)
    return line


# --- the swap -----------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["delay_enter", "delay_exit"])
def test_a_kill_at_the_swap_leaves_the_old_or_the_new_site(
        site: Path, tmp_path: Path, moment: str) -> None:
    built(site)
    old = tree(site / "output")
    post(site, "a", "Changed.")
    new = from_scratch(site, tmp_path)
    # the build stops at the first rename naming output/: the swap
    line = kill_when_paused(site, f"{RENAMES}:{moment}=20000000:when=1", path=site / "output")
    assert (site / "output").is_dir(), f"no output/ after a kill at {line}"
    assert tree(site / "output") == (old if moment == "delay_enter" else new)
    built(site)
    assert tree(site / "output") == new
    assert beside(site) == ["output"]


def test_without_a_one_step_exchange_a_kill_mid_swap_is_repaired(
        site: Path, tmp_path: Path) -> None:
    """A file system without RENAME_EXCHANGE: two renames, and a window between them."""
    built(site)
    old = tree(site / "output")
    post(site, "a", "Changed.")
    kill_when_paused(site, "rename:delay_exit=20000000:when=1", path=site / "output",
                     args=("-e", "inject=renameat2:error=EINVAL"))
    assert not (site / "output").exists()  # the window: old output moved aside
    post(site, "b", "A [broken link](/nowhere/).")
    failed = run_build("-q", "-s", site)
    assert failed.returncode == 1 and "broken link /nowhere/" in failed.stderr
    assert tree(site / "output") == old  # put back, and left as it was by the failed build
    post(site, "b", "Another post.")
    new = from_scratch(site, tmp_path)
    built(site)
    assert tree(site / "output") == new
    assert beside(site) == ["output"]


def quick_ready(site: Path) -> None:
    """Built, and built once more after a prose edit: the next prose edit is a quick one."""
    built(site)
    text = (site / "content" / "posts" / "a.md").read_text(encoding="utf-8")
    (site / "content" / "posts" / "a.md").write_text(text.replace("v1", "v2"), encoding="utf-8")
    done = run_build("-s", site)
    assert "Only the edited pages were made again" in done.stdout, done.stdout


@pytest.mark.parametrize("when", [1, 2, 3])
def test_a_kill_in_a_quick_rebuild_leaves_the_old_or_the_new_site(
        site: Path, tmp_path: Path, when: int) -> None:
    quick_ready(site)
    old = tree(site / "output")
    path = site / "content" / "posts" / "a.md"
    path.write_text(path.read_text(encoding="utf-8").replace("v2", "v3"), encoding="utf-8")
    new = from_scratch(site, tmp_path)
    # killed right after its first, second or third rename of any file
    kill_when_paused(site, f"{RENAMES}:delay_exit=20000000:when={when}")
    assert tree(site / "output") in (old, new), "a mix of the old and the new site"
    built(site)
    assert tree(site / "output") == new
    assert beside(site) == ["output"]


# --- two builds at once -------------------------------------------------------------------


def test_a_second_build_waits_for_the_first(site: Path, tmp_path: Path) -> None:
    for n in range(20):
        post(site, f"p{n}", f"Post {n}.")
    built(site)
    post(site, "a", "Changed.")
    new = from_scratch(site, tmp_path)
    first = strace_build(site, f"{RENAMES}:delay_enter=6000000:when=1", path=site / "output")
    assert paused(first, site.parent / "strace.log") is not None  # at its swap
    second = run_build("-q", "-s", site)
    _, err = first.communicate()
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert f"waiting for another build of {site.resolve() / 'output'}" in second.stderr
    assert tree(site / "output") == new
    built(site)
    assert tree(site / "output") == new
    assert beside(site) == ["output"]


# --- what is in the output folder, and beside it, that a build did not make --------------


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=u",
                           "-c", "user.email=u@example.org", *args],
                          capture_output=True, text=True, check=True).stdout


def test_a_repository_made_in_the_output_folder_is_kept(site: Path) -> None:
    built(site)
    output = site / "output"
    git(output, "init", "-q")
    git(output, "add", "-A")
    git(output, "commit", "-qm", "my unpushed deploy commit")
    post(site, "b", "Full rebuild.", title="B2")
    built(site)
    assert "my unpushed deploy commit" in git(output, "log", "--oneline")
    assert "B2" in (output / "posts" / "b" / "index.html").read_text(encoding="utf-8")
    quick_ready(site)  # and through quick rebuilds
    assert "my unpushed deploy commit" in git(output, "log", "--oneline")
    assert "v2" in (output / "posts" / "a" / "index.html").read_text(encoding="utf-8")
    # git sees the new site as changes to commit, not as a fresh tree
    assert "posts/a/index.html" in git(output, "status", "--porcelain")


def test_a_repository_is_kept_when_the_build_is_killed_after_the_swap(site: Path) -> None:
    built(site)
    output = site / "output"
    git(output, "init", "-q")
    git(output, "commit", "-q", "--allow-empty", "-m", "mine")
    post(site, "b", "Changed.")
    kill_when_paused(site, f"{RENAMES}:delay_exit=20000000:when=1", path=output)
    built(site)
    assert "mine" in git(output, "log", "--oneline")
    assert beside(site) == ["output"]


@pytest.mark.parametrize("name", [".output.old-2024", ".output.new-2024", ".output.old-1"])
def test_a_backup_named_like_a_leftover_is_kept(site: Path, name: str) -> None:
    built(site)
    (site / "output").rename(site / name)
    backup = tree(site / name)
    post(site, "a", "Version 2025.")
    built(site)
    assert tree(site / name) == backup
    post(site, "a", "Version 2026.")
    built(site)
    assert tree(site / name) == backup


def test_a_block_writing_into_a_missing_output_folder_leaves_nothing(site: Path) -> None:
    post(site, "a", '```python {exec=true}\nimport os\nos.makedirs("../../output", '
                    'exist_ok=True)\nopen("../../output/notes.txt", "w").write("x")\n'
                    'plt.plot([1, 2])\n```')
    failed = run_build("-q", "-s", site)
    assert failed.returncode == 1
    assert "wrote outside its post's folder: output" in failed.stderr
    assert not (site / "output").exists()
    post(site, "a", "```python {exec=true}\nplt.plot([1, 2])\n```")  # the block fixed
    built(site)
    assert (site / "output" / "posts" / "a" / "index.html").is_file()
    assert not (site / "output" / "notes.txt").exists()


def test_a_block_writing_into_the_output_folder_of_a_failed_build_leaves_it_as_it_was(
        site: Path) -> None:
    built(site)
    before = tree(site / "output")
    post(site, "a", '```python {exec=true}\nimport os\nos.makedirs("../../output/x", '
                    'exist_ok=True)\nopen("../../output/x/notes.txt", "w").write("x")\n'
                    'open("../../output/notes.txt", "w").write("x")\nplt.plot([1, 2])\n```')
    post(site, "b", "A [broken link](/nowhere/).")
    failed = run_build("-q", "-s", site)
    assert failed.returncode == 1 and "the previous output is unchanged" in failed.stderr
    assert tree(site / "output") == before
    assert not (site / "output" / "x").exists()


# --- the figure store ---------------------------------------------------------------------


@pytest.mark.parametrize("store", ["static", "static/figures", "layouts", "content", ".",
                                   "../photos", "output"])
def test_a_figure_store_overlapping_other_files_is_refused(site: Path, store: str) -> None:
    post(site, "a", "```python {exec=true}\nplt.plot([1, 2])\n```")
    for folder in ("static", "layouts", "content", "../photos"):
        (site / folder / "images").mkdir(parents=True, exist_ok=True)
        (site / folder / "images" / "holiday.jpg").write_text("my photo", encoding="utf-8")
    (site / "config.yaml").write_text(CONFIG + f"figures:\n  store: {store}\n",
                                      encoding="utf-8")
    before = tree(site.parent)
    failed = run_build("-q", "-s", site)
    assert failed.returncode == 1
    lines = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and lines[0].startswith(f"error: config.yaml:4: figures.store "
                                                   f"'{store}' "), failed.stderr
    assert "Traceback" not in failed.stderr
    assert tree(site.parent) == before


def test_a_figure_store_at_the_root_is_refused_at_once(site: Path) -> None:
    (site / "config.yaml").write_text(CONFIG + "figures:\n  store: /\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "-s", str(site)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "config.yaml:4: figures.store '/' is outside the site folder" in failed.stderr


def test_a_figure_store_holding_the_output_folder_is_refused(site: Path) -> None:
    (site / "config.yaml").write_text(CONFIG + "figures:\n  store: build\n", encoding="utf-8")
    failed = run_build("-q", "-s", site, "-d", site / "build" / "site")
    assert failed.returncode == 1
    assert "config.yaml:4: figures.store 'build' overlaps the output folder" in failed.stderr
    assert not (site / "build").exists()


# --- killed at any moment -----------------------------------------------------------------

# The site the kill loop goes round: a prose edit (a quick rebuild), a title edit (a full
# build), a figure that changes (its block runs, or comes from the store), and back.
STATES = [("v1", "B", 1), ("v2", "B", 1), ("v2", "B-renamed", 1), ("v2", "B-renamed", 2)]


def write_state(site: Path, state: tuple[str, str, int]) -> None:
    prose, title, height = state
    post(site, "a", "Long first paragraph. " * 40 + f"\n\nSecond paragraph {prose}.")
    post(site, "b", "Another post.", title=title)
    post(site, "c", f"```python {{exec=true}}\nplt.plot([0, 1], [0, {height}])\n```\n\nA plot.")


@pytest.mark.slow
def test_builds_killed_at_random_moments_leave_the_old_or_the_new_site(site: Path) -> None:
    chance = random.Random(20261203)
    for n in range(6):
        post(site, f"p{n}", f"Post {n}.")
    seen: dict[int, dict[str, str]] = {}
    durations: list[float] = []
    for number, state in enumerate(STATES):  # each state's site, built without a kill
        write_state(site, state)
        started = time.monotonic()
        built(site)
        durations.append(time.monotonic() - started)
        seen[number] = tree(site / "output")
    longest = max(durations)
    kills = {"timed": 0, "at a rename": 0, "finished first": 0}
    old = len(STATES) - 1  # the state built last
    for round_ in range(30):
        new = (old + 1) % len(STATES)
        write_state(site, STATES[new])
        if round_ % 2:  # at the first to fourth rename of any file: the swap among them
            when = chance.randint(1, 4)
            process = strace_build(site, f"{RENAMES}:delay_exit=20000000:when={when}",
                                   "--seccomp-bpf")
            if paused(process, site.parent / "strace.log") is None:
                kills["finished first"] += 1
            else:
                kills["at a rename"] += 1
            kill(process)
        else:  # at a random moment of the build
            process = subprocess.Popen(
                [sys.executable, str(REPO / "build.py"), "-q", "-s", str(site)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(chance.uniform(0, longest))
            kills["finished first" if process.poll() is not None else "timed"] += 1
            kill(process)
        found = tree(site / "output") if (site / "output").is_dir() else {}
        assert found in (seen[old], seen[new]), f"round {round_}: neither the old nor the new site"
        built(site)
        assert tree(site / "output") == seen[new], f"round {round_}: the next build is wrong"
        assert beside(site) == ["output"], f"round {round_}"
        old = new
    # the loop killed builds both ways, most of them before they ended
    assert kills["timed"] >= 5 and kills["at a rename"] >= 10, kills
