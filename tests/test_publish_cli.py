"""`build.py publish` as a user runs it: production build, then the gh-pages branch."""

from __future__ import annotations

import os
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
