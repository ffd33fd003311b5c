"""Publishing output/ to a gh-pages branch: real git repositories, no network."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from figdown.commands import gh_pages as publish
from figdown.commands.gh_pages import (
    DEFAULT_AUTHOR_EMAIL,
    DEFAULT_AUTHOR_NAME,
    PublishError,
    check_production_build,
    check_publish_base_url,
    cname_from_config,
    publish_output,
)

SITE: dict[str, bytes] = {
    "index.html": b"<!doctype html><title>Home</title>\n",
    "index.xml": b"<rss></rss>\n",
    "posts/relu/index.html": b"<p>ReLU</p>\n",
    "posts/relu/relu.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    "tags/activation functions/index.html": "<p>tag ü</p>\n".encode(),
    "css/site.css": b"body { margin: 0 }\r\n",  # CRLF kept as is
    "img/plot.png": bytes(range(256)),
}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No global or system git config, no identity: as on a fresh CI machine."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test User", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def write_site(output: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        path = output / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@dataclass
class Project:
    work: Path  # the user's repository (non-bare, with a working tree)
    remote: Path  # a bare repository standing for GitHub, registered as origin
    output: Path  # the built site


@pytest.fixture
def project(tmp_path: Path) -> Project:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-b", "main", str(remote))
    work = tmp_path / "blog"
    git(tmp_path, "init", "-b", "main", str(work))
    (work / ".gitignore").write_text("/output/\n")
    (work / "config.yaml").write_text("title: Blog\n")
    (work / "content").mkdir()
    (work / "content" / "post.md").write_text("# Post\n")
    git(work, "add", ".")
    git(work, "commit", "-m", "First post")
    git(work, "checkout", "-b", "writing")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "origin", "main")
    # A staged change, an unstaged change and an untracked file.
    (work / "config.yaml").write_text("title: Blog (staged)\n")
    git(work, "add", "config.yaml")
    (work / "content" / "post.md").write_text("# Post, being edited\n")
    (work / "content" / "draft.md").write_text("# Not yet added\n")
    output = work / "output"
    write_site(output, SITE)
    (output / "tools").mkdir()
    (output / "tools" / "run.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    (output / "tools" / "run.sh").chmod(0o755)
    return Project(work, remote, output)


def tree_of(repo: Path, rev: str) -> dict[str, tuple[str, bytes]]:
    """path -> (mode, content) of every file in a commit's tree."""
    listing = git(repo, "ls-tree", "-r", "-z", "--full-tree", rev)
    result: dict[str, tuple[str, bytes]] = {}
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, _kind, oid = meta.split()
        blob = subprocess.run(
            ["git", "cat-file", "blob", oid], cwd=repo, capture_output=True, check=True
        ).stdout
        result[path] = (mode, blob)
    return result


def files_of(folder: Path) -> dict[str, tuple[str, bytes]]:
    result: dict[str, tuple[str, bytes]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            result[path.relative_to(folder).as_posix()] = (mode, path.read_bytes())
    return result


def commit_count(repo: Path, rev: str) -> int:
    return int(git(repo, "rev-list", "--count", rev).strip())


@dataclass(frozen=True)
class UserState:
    head: str
    head_commit: str
    index_bytes: str
    staged: str
    unstaged: str
    untracked: str
    refs: str
    files: str


def user_state(work: Path) -> UserState:
    """Everything of the user's that a publish must not change, read without writing.

    ``files`` covers the working tree except ``output/``, which the tests edit.
    """
    digest = hashlib.sha256()
    for path in sorted(work.rglob("*")):
        top = path.relative_to(work).parts[0]
        if top in (".git", "output") or not path.is_file():
            continue
        digest.update(path.relative_to(work).as_posix().encode() + b"\0" + path.read_bytes())
    return UserState(
        head=(work / ".git" / "HEAD").read_text(),
        head_commit=git(work, "rev-parse", "HEAD"),
        index_bytes=hashlib.sha256((work / ".git" / "index").read_bytes()).hexdigest(),
        staged=git(work, "diff", "--cached", "--no-ext-diff"),
        unstaged=git(work, "diff", "--no-ext-diff"),
        untracked=git(work, "ls-files", "--others", "--exclude-standard"),
        refs=git(work, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"),
        files=digest.hexdigest(),
    )


# --------------------------------------------------------------------------
# The published branch
# --------------------------------------------------------------------------


def test_publish_tree_is_output_plus_nojekyll(project: Project) -> None:
    result = publish_output(project.output, project.work)

    assert result.pushed and not result.unchanged
    assert (result.branch, result.remote) == ("gh-pages", "origin")
    assert git(project.remote, "rev-parse", "gh-pages").strip() == result.commit
    expected = files_of(project.output)
    expected[".nojekyll"] = ("100644", b"")
    assert tree_of(project.remote, "gh-pages") == expected
    assert expected["tools/run.sh"][0] == "100755"
    # Nothing was written into output/ itself.
    assert not (project.output / ".nojekyll").exists()
    assert not (project.output / "CNAME").exists()
    # The local branch points at the published commit too.
    assert git(project.work, "rev-parse", "gh-pages").strip() == result.commit


def test_symbolic_links_are_published_as_what_they_point_at(project: Project) -> None:
    (project.output / "latest").symlink_to("posts/relu", target_is_directory=True)
    (project.output / "feed.xml").symlink_to("index.xml")
    (project.output / "posts" / "loop").symlink_to("..", target_is_directory=True)
    publish_output(project.output, project.work)
    tree = tree_of(project.remote, "gh-pages")
    assert tree["latest/relu.svg"] == ("100644", SITE["posts/relu/relu.svg"])
    assert tree["posts/relu/relu.svg"] == tree["latest/relu.svg"]
    assert tree["feed.xml"] == ("100644", SITE["index.xml"])
    assert not any(path.startswith("posts/loop/") for path in tree)


def test_broken_link_is_refused(project: Project) -> None:
    (project.output / "gone.html").symlink_to("nowhere.html")
    with pytest.raises(PublishError, match=r"gone\.html: cannot read it"):
        publish_output(project.output, project.work)


def test_publish_writes_cname_when_set(project: Project) -> None:
    publish_output(project.output, project.work, cname="blog.example.com")

    tree = tree_of(project.remote, "gh-pages")
    assert tree["CNAME"] == ("100644", b"blog.example.com\n")
    assert set(tree) == set(files_of(project.output)) | {".nojekyll", "CNAME"}


def test_a_commit_github_added_on_top_of_a_publish_is_published_over(
    project: Project, tmp_path: Path
) -> None:
    """Typing a custom domain in the Pages settings commits a CNAME on top of the branch."""
    first = publish_output(project.output, project.work)
    other = tmp_path / "github"
    git(tmp_path, "clone", "--quiet", "-b", "gh-pages", str(project.remote), str(other))
    (other / "CNAME").write_text("blog.example.com\n")
    git(other, "add", "CNAME")
    git(other, "commit", "-m", "Create CNAME")
    git(other, "push", "--quiet", "origin", "gh-pages")
    (project.output / "index.html").write_bytes(b"<p>new</p>\n")

    second = publish_output(project.output, project.work, cname="blog.example.com")

    assert second.pushed
    assert git(project.remote, "rev-parse", "gh-pages~2").strip() == first.commit


def test_a_branch_of_other_commits_is_refused_unless_forced(project: Project) -> None:
    before = user_state(project.work)
    with pytest.raises(PublishError) as caught:
        publish_output(project.output, project.work, branch="main")
    assert str(caught.value).startswith("main holds commits figdown did not publish")
    assert user_state(project.work) == before
    assert "content/post.md" in tree_of(project.remote, "main")
    forced = publish_output(project.output, project.work, branch="main", force=True)
    assert forced.pushed
    assert "content/post.md" not in tree_of(project.remote, "main")
    assert "Published-by: figdown" in git(project.remote, "log", "-1", "--format=%B", "main")


def test_output_nojekyll_is_kept_not_duplicated(project: Project) -> None:
    (project.output / ".nojekyll").write_bytes(b"")
    publish_output(project.output, project.work)
    tree = tree_of(project.remote, "gh-pages")
    assert tree[".nojekyll"] == ("100644", b"")
    assert tree == files_of(project.output)


def test_second_publish_without_change_adds_no_commit(project: Project) -> None:
    first = publish_output(project.output, project.work)
    second = publish_output(project.output, project.work)

    assert second.unchanged and not second.pushed
    assert second.commit == first.commit
    assert commit_count(project.remote, "gh-pages") == 1
    assert commit_count(project.work, "gh-pages") == 1


def test_changed_site_is_a_new_commit_on_top(project: Project) -> None:
    first = publish_output(project.output, project.work)
    (project.output / "posts" / "relu" / "relu.svg").unlink()
    (project.output / "posts" / "gelu").mkdir()
    (project.output / "posts" / "gelu" / "index.html").write_bytes(b"<p>GELU</p>\n")

    second = publish_output(project.output, project.work, message="Add GELU")

    assert second.pushed and not second.unchanged
    assert git(project.remote, "rev-parse", "gh-pages^").strip() == first.commit
    assert git(project.remote, "log", "-1", "--format=%s", "gh-pages").strip() == "Add GELU"
    tree = tree_of(project.remote, "gh-pages")
    assert "posts/relu/relu.svg" not in tree  # stale files are gone
    assert tree["posts/gelu/index.html"] == ("100644", b"<p>GELU</p>\n")


def test_user_branch_index_and_files_are_untouched(project: Project) -> None:
    before = user_state(project.work)
    publish_output(project.output, project.work, cname="blog.example.com")
    (project.output / "index.html").write_bytes(b"<p>changed</p>\n")
    publish_output(project.output, project.work)
    after = user_state(project.work)

    assert after.head == before.head == "ref: refs/heads/writing\n"
    assert after.head_commit == before.head_commit
    assert after.index_bytes == before.index_bytes
    assert after.staged == before.staged and "title: Blog (staged)" in after.staged
    assert after.unstaged == before.unstaged and "being edited" in after.unstaged
    assert after.untracked == before.untracked
    assert "content/draft.md" in after.untracked
    assert after.files == before.files
    # Only the publishing branch was added; the user's branches are as they were.
    added = [line for line in after.refs.splitlines() if line not in before.refs.splitlines()]
    assert [line.split()[0] for line in added] == ["refs/heads/gh-pages"]
    assert set(before.refs.splitlines()) <= set(after.refs.splitlines())


def test_publish_from_another_clone_builds_on_the_remote_branch(
    project: Project, tmp_path: Path
) -> None:
    first = publish_output(project.output, project.work)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(project.remote), str(other))
    other_output = tmp_path / "other-output"
    write_site(other_output, {**SITE, "about/index.html": b"<p>About</p>\n"})

    second = publish_output(other_output, other)

    assert second.pushed
    assert git(project.remote, "rev-parse", "gh-pages^").strip() == first.commit
    # Back in the first clone, whose local gh-pages is now behind: it fast-forwards.
    third = publish_output(project.output, project.work)
    assert third.pushed and not third.unchanged
    assert git(project.remote, "rev-parse", "gh-pages^").strip() == second.commit
    assert "about/index.html" not in tree_of(project.remote, "gh-pages")


def test_remote_given_as_a_path(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.git"
    git(tmp_path, "init", "--bare", str(elsewhere))
    result = publish_output(project.output, project.work, remote=str(elsewhere), branch="site")
    assert result.pushed and result.remote == str(elsewhere)
    assert ".nojekyll" in tree_of(elsewhere, "site")


def test_commit_identity_falls_back_to_figdown(project: Project) -> None:
    publish_output(project.output, project.work)
    who = git(project.remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "gh-pages").strip()
    fallback = f"{DEFAULT_AUTHOR_NAME} <{DEFAULT_AUTHOR_EMAIL}>"
    assert who == f"{fallback}|{fallback}"


def test_commit_identity_comes_from_git_config(project: Project) -> None:
    git(project.work, "config", "user.name", "Ada Writer")
    git(project.work, "config", "user.email", "ada@example.com")
    publish_output(project.output, project.work)
    who = git(project.remote, "log", "-1", "--format=%an <%ae>", "gh-pages").strip()
    assert who == "Ada Writer <ada@example.com>"


def test_default_message_names_the_source_commit(project: Project) -> None:
    publish_output(project.output, project.work)
    subject = git(project.remote, "log", "-1", "--format=%s", "gh-pages").strip()
    source = git(project.work, "rev-parse", "--short=12", "HEAD").strip()
    assert subject == f"Publish site from {source}"


# --------------------------------------------------------------------------
# Failures leave everything as it was and say why
# --------------------------------------------------------------------------


def test_rejected_push_restores_the_local_branch(project: Project) -> None:
    first = publish_output(project.output, project.work)
    hook = project.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'publishing is closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    (project.output / "index.html").write_bytes(b"<p>new</p>\n")
    before = user_state(project.work)

    with pytest.raises(PublishError) as caught:
        publish_output(project.output, project.work)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("push to origin failed:")
    assert "pre-receive hook declined" in message
    assert user_state(project.work) == before
    assert git(project.work, "rev-parse", "gh-pages").strip() == first.commit
    assert git(project.remote, "rev-parse", "gh-pages").strip() == first.commit


def test_push_rejected_when_the_remote_moved_meanwhile(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish_output(project.output, project.work)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(project.remote), str(other))
    other_output = tmp_path / "other-output"
    write_site(other_output, {"index.html": b"<p>other</p>\n"})
    moved = publish_output(other_output, other)
    # Someone published between our look at the remote and our push.
    monkeypatch.setattr(publish, "_fetch_remote_tip", lambda *_args: first.commit)
    (project.output / "index.html").write_bytes(b"<p>mine</p>\n")
    before = user_state(project.work)

    with pytest.raises(PublishError) as caught:
        publish_output(project.output, project.work)

    message = str(caught.value)
    assert message.startswith("push to origin failed: ! [rejected]")
    assert message.endswith("(the remote branch moved meanwhile: publish again)")
    assert user_state(project.work) == before
    assert git(project.remote, "rev-parse", "gh-pages").strip() == moved.commit
    monkeypatch.undo()
    # Publishing again builds on the moved branch.
    again = publish_output(project.output, project.work)
    assert git(project.remote, "rev-parse", "gh-pages^").strip() == moved.commit
    assert again.pushed


def test_rejected_first_push_leaves_no_local_branch(project: Project) -> None:
    hook = project.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before = user_state(project.work)
    with pytest.raises(PublishError, match="push to origin failed"):
        publish_output(project.output, project.work)
    assert user_state(project.work) == before
    assert git(project.work, "branch", "--list", "gh-pages").strip() == ""


def test_unreachable_remote_is_refused(project: Project, tmp_path: Path) -> None:
    git(project.work, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    before = user_state(project.work)
    with pytest.raises(PublishError) as caught:
        publish_output(project.output, project.work)
    message = str(caught.value)
    assert message.startswith("cannot reach origin:") and "\n" not in message
    assert user_state(project.work) == before


def test_unknown_remote_name_is_refused(project: Project) -> None:
    with pytest.raises(PublishError, match=r"no remote named 'upstream' \(remotes: origin\)"):
        publish_output(project.output, project.work, remote="upstream")


def test_option_like_remote_is_refused(project: Project) -> None:
    with pytest.raises(PublishError, match="is not a remote name or URL"):
        publish_output(project.output, project.work, remote="--upload-pack=x://y")


def test_not_a_git_repository(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site / "output", SITE)
    with pytest.raises(PublishError, match="is not in a git repository"):
        publish_output(site / "output", site)


def test_missing_or_empty_output(project: Project) -> None:
    with pytest.raises(PublishError, match="build the site before publishing"):
        publish_output(project.work / "nowhere", project.work)
    empty = project.work / "empty"
    empty.mkdir()
    with pytest.raises(PublishError, match="is empty"):
        publish_output(empty, project.work)


def test_checked_out_branch_is_refused(project: Project) -> None:
    git(project.work, "branch", "gh-pages")
    git(project.work, "stash")
    git(project.work, "checkout", "gh-pages")
    with pytest.raises(PublishError, match="branch gh-pages is checked out"):
        publish_output(project.output, project.work)


def test_diverged_local_branch_is_refused(project: Project, tmp_path: Path) -> None:
    publish_output(project.output, project.work)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(project.remote), str(other))
    other_output = tmp_path / "other-output"
    write_site(other_output, {"index.html": b"<p>other</p>\n"})
    publish_output(other_output, other)
    # A local commit on gh-pages that the remote does not have.
    tree = git(project.work, "rev-parse", "gh-pages^{tree}").strip()
    local = git(project.work, "commit-tree", tree, "-p", "gh-pages", "-m", "local").strip()
    git(project.work, "update-ref", "refs/heads/gh-pages", local)

    with pytest.raises(PublishError, match="has commits that origin does not"):
        publish_output(project.output, project.work)
    assert git(project.work, "rev-parse", "gh-pages").strip() == local


def test_invalid_branch_name(project: Project) -> None:
    with pytest.raises(PublishError, match="not a valid branch name"):
        publish_output(project.output, project.work, branch="bad..name")


# --------------------------------------------------------------------------
# Checks made before building
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "https://user.github.io/repo/",
        "https://user.github.io/",
        "https://blog.example.com/",
        "http://blog.example.com",
        "https://[2001:db8::1]/site/",
    ],
)
def test_public_base_urls_are_accepted(base_url: str) -> None:
    assert check_publish_base_url(base_url) is None


@pytest.mark.parametrize(
    ("base_url", "fragment"),
    [
        ("", "baseURL is empty"),
        ("   ", "baseURL is empty"),
        ("/", "must start with https://"),
        ("user.github.io/repo/", "must start with https://"),
        ("ftp://user.github.io/", "must start with https://"),
        ("https:///repo/", "names no host"),
        ("http://localhost:1313/", "points at this machine (localhost)"),
        ("http://LOCALHOST/", "points at this machine"),
        ("http://blog.localhost/", "points at this machine"),
        ("http://127.0.0.1:8000/", "points at this machine (127.0.0.1)"),
        ("http://127.1.2.3/", "points at this machine"),
        ("http://[::1]:8000/", "points at this machine (::1)"),
        ("http://0.0.0.0:8000/", "points at this machine (0.0.0.0)"),
        ("http://[::]/", "points at this machine"),
        ("https://[bad/", "not a valid URL"),
    ],
)
def test_unpublishable_base_urls_are_refused(base_url: str, fragment: str) -> None:
    error = check_publish_base_url(base_url)
    assert error is not None and fragment in error and "\n" not in error


def test_production_build_check() -> None:
    assert check_production_build() is None
    drafts = check_production_build(drafts=True)
    assert drafts is not None and "includes drafts" in drafts
    every = check_production_build(drafts=True, future=True, expired=True)
    assert every is not None and "drafts and future posts and expired posts" in every


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, None),
        ({"cname": None}, None),
        ({"cname": ""}, None),
        ({"cname": "blog.example.com"}, "blog.example.com"),
        ({"cname": " Blog.Example.com \n"}, "blog.example.com"),
        ({"cname": "https://blog.example.com/"}, "blog.example.com"),
    ],
)
def test_cname_from_config(params: dict[str, object], expected: str | None) -> None:
    assert cname_from_config(params) == expected


@pytest.mark.parametrize("value", ["localhost", "blog.example.com/path", "bad domain.com", 42])
def test_cname_from_config_refuses_non_domains(value: object) -> None:
    with pytest.raises(PublishError, match="cname"):
        cname_from_config({"cname": value})
