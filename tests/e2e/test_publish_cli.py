"""`build.py publish` as a user runs it: production build, then the gh-pages branch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_build


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A blog repository (the example site) with a bare `origin`."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
                       "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}.items():
        monkeypatch.setenv(key, value)
    site = tmp_path / "blog"
    site.mkdir()
    for name in ("content", "lib", "figures"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    (site / ".gitignore").write_text("/output/\n")
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "blog")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site, "remote", "add", "origin", str(remote))
    return site


def test_publish_pushes_the_built_site_and_leaves_the_work_tree_alone(blog: Path) -> None:
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/")
    assert result.returncode == 0, result.stderr
    files = git(blog, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "posts/relu/index.html" in files and ".nojekyll" in files
    remote_files = git(blog.parent / "remote.git", "ls-tree", "-r", "--name-only",
                       "gh-pages").split()
    assert sorted(remote_files) == sorted(files)
    assert git(blog, "status", "--porcelain") == ""
    assert git(blog, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    again = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/")
    assert again.returncode == 0 and "already up to date" in again.stdout


def test_publish_refuses_a_localhost_base_url(blog: Path) -> None:
    result = run_build("publish", "-s", blog, "-b", "http://localhost:1313/")
    assert result.returncode == 1
    assert "localhost" in result.stderr and "Traceback" not in result.stderr
    assert git(blog.parent / "remote.git", "branch", "--list") == ""


def test_publish_refuses_the_default_root_base_url(blog: Path) -> None:
    result = run_build("publish", "-s", blog)
    assert result.returncode == 1
    assert git(blog.parent / "remote.git", "branch", "--list") == ""


def test_publish_has_no_way_to_include_drafts() -> None:
    result = run_build("publish", "-D")
    assert result.returncode == 2


def test_publish_refuses_a_branch_of_sources(blog: Path) -> None:
    git(blog, "push", "-q", "origin", "main")
    git(blog, "checkout", "-q", "-b", "feature")
    sources = git(blog, "rev-parse", "main").strip()
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/",
                       "--branch", "main")
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: main holds commits figdown did not publish"), message
    assert "--force" in message and "Traceback" not in result.stderr
    assert git(blog, "rev-parse", "main").strip() == sources
    assert git(blog.parent / "remote.git", "rev-parse", "main").strip() == sources


def test_publish_refuses_a_remote_branch_of_sources(blog: Path) -> None:
    git(blog, "push", "-q", "origin", "main:site")  # only the remote has it
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/",
                       "--branch", "site")
    assert result.returncode == 1
    assert "error: origin/site holds commits figdown did not publish" in result.stderr
    assert git(blog.parent / "remote.git", "rev-parse", "site").strip() == \
        git(blog, "rev-parse", "main").strip()


def test_publish_with_force_replaces_a_branch_of_its_own(blog: Path) -> None:
    git(blog, "push", "-q", "origin", "main:site")
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/",
                       "--branch", "site", "--force")
    assert result.returncode == 0, result.stderr
    files = git(blog.parent / "remote.git", "ls-tree", "-r", "--name-only", "site").split()
    assert "posts/relu/index.html" in files and "config.yaml" not in files
    # From then on the branch is the site's, and needs no --force.
    (blog / "content" / "posts" / "relu.md").write_text(
        (blog / "content" / "posts" / "relu.md").read_text() + "\nOne more line.\n")
    again = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/",
                      "--branch", "site")
    assert again.returncode == 0, again.stderr
    assert "Published" in again.stdout


def test_publish_accepts_a_branch_published_before(blog: Path) -> None:
    """A branch an earlier figdown published (.nojekyll and the output folder's marker in
    its tree, no publishing line in its message) is published on without --force."""
    other = blog.parent / "old"
    other.mkdir()
    (other / ".nojekyll").write_text("")
    (other / ".figdown-output").write_text("")
    (other / "index.html").write_text("<p>old</p>\n")
    git(other, "init", "-q", "-b", "gh-pages")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "Publish site from 0123abcd")
    git(other, "push", "-q", str(blog.parent / "remote.git"), "gh-pages")
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/")
    assert result.returncode == 0, result.stderr


def test_the_output_marker_is_not_published(blog: Path) -> None:
    result = run_build("publish", "-s", blog, "-b", "https://user.github.io/blog/")
    assert result.returncode == 0, result.stderr
    assert (blog / "output" / ".figdown-output").is_file()
    files = git(blog.parent / "remote.git", "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert ".figdown-output" not in files and ".nojekyll" in files


def test_a_base_url_without_a_scheme_says_how_to_set_it(blog: Path) -> None:
    result = run_build("publish", "-s", blog)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert line.startswith("error: baseURL '/' must start with https://"), line
    assert "-b https://USER.github.io/REPO/" in line and "baseURL in the site config" in line


def test_publish_help_explains_every_flag_and_default() -> None:
    text = run_build("publish", "--help").stdout
    assert "default: origin" in text and "default: gh-pages" in text
    assert re.search(r"--jobs N\s+processes for", text)
    serve_help = run_build("serve", "--help").stdout
    assert re.search(r"--jobs N\s+processes for", serve_help)
