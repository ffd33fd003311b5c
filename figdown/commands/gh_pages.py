"""Publish a built site to a branch (``gh-pages``) for GitHub Pages.

The site in ``output/`` becomes the tree of a new commit on the publishing
branch, which is then pushed. Only git plumbing is used, with a private,
temporary index: the user's HEAD, current branch, index and working tree are
never changed, and ``output/`` itself is left as it is.

The tree of the commit is exactly the files of ``output/`` (but for the
``.figdown-output`` marker that names the folder as figdown's) plus ``.nojekyll``
(so GitHub Pages serves the files as they are, without running Jekyll) and,
when a custom domain is set (``params.cname`` in the site config), a ``CNAME``
file naming it.

A publish whose tree equals the branch's current tree makes no commit. A
failed push changes no ref and says why. A branch whose tip is not an earlier
publish (a branch of sources, named by mistake) is refused unless forced.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from figdown.output.outputlock import MARKER

__all__ = [
    "DEFAULT_AUTHOR_EMAIL",
    "DEFAULT_AUTHOR_NAME",
    "PublishError",
    "PublishResult",
    "check_production_build",
    "check_publish_base_url",
    "cname_from_config",
    "publish_output",
]

#: Identity of the publishing commit when git has none configured.
DEFAULT_AUTHOR_NAME = "figdown"
DEFAULT_AUTHOR_EMAIL = "figdown@localhost"

#: The line every publishing commit ends with: what tells a branch figdown published
#: from a branch of the user's own commits.
PUBLISH_TRAILER = "Published-by: figdown"

_HASH_BATCH = 200
# Variables that would point git at another repository, index or work tree
# than the ones this module names explicitly.
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)


class PublishError(Exception):
    """A publish that cannot go on; the message is one line, meant for the user."""


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish_output` did.

    ``commit`` is the branch's tip after publishing (the new commit, or the
    existing tip when nothing changed). ``unchanged`` is true when no new commit
    was needed; ``pushed`` is true when the remote branch was updated.
    """

    commit: str | None
    pushed: bool
    unchanged: bool
    branch: str
    remote: str


# --------------------------------------------------------------------------
# Checks a publishing command makes before it builds
# --------------------------------------------------------------------------


def check_publish_base_url(base_url: str) -> str | None:
    """Return why ``base_url`` cannot be the address of a published site, or None.

    A published site needs an absolute ``http(s)`` address on a public host:
    an empty ``baseURL`` or one on ``localhost`` (``127.x``, ``::1``,
    ``0.0.0.0``) would make every absolute link and feed entry point at the
    author's own machine.
    """
    value = base_url.strip()
    if not value:
        return (
            "baseURL is empty: set baseURL in the site config to the address the "
            "site is served at (for example https://USER.github.io/REPO/), "
            "or pass --base-url"
        )
    how = (
        "set baseURL in the site config to the site's public address, or pass "
        "-b https://USER.github.io/REPO/"
    )
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return f"baseURL {value!r} is not a valid URL — {how}"
    if parts.scheme not in ("http", "https"):
        return f"baseURL {value!r} must start with https:// (or http://) — {how}"
    if not host:
        return f"baseURL {value!r} names no host — {how}"
    if _is_local_host(host):
        return (
            f"baseURL {value!r} points at this machine ({host}); set the "
            "public address of the site (for example https://USER.github.io/REPO/) "
            "in the site config or with --base-url"
        )
    return None


def _is_local_host(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_production_build(
    *, drafts: bool = False, future: bool = False, expired: bool = False
) -> str | None:
    """Return why a build with these options must not be published, or None."""
    included = [
        what
        for what, flag in (("drafts", drafts), ("future posts", future), ("expired posts", expired))
        if flag
    ]
    if not included:
        return None
    return (
        f"refusing to publish a build that includes {' and '.join(included)}; "
        "publish builds for production (drop --drafts, --future and --expired)"
    )


def cname_from_config(params: Mapping[str, object]) -> str | None:
    """The custom domain set by ``params.cname`` in the site config, or None.

    ``params: {cname: blog.example.com}`` makes a publish write a ``CNAME``
    file with that domain. A scheme or trailing slash (``https://blog.example.com/``)
    is tolerated and dropped; anything else that is not a bare host name is an error.
    """
    raw = params.get("cname")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PublishError(f"params.cname must be a domain name, not {raw!r}")
    value = raw.strip()
    if not value:
        return None
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.rstrip("/").lower()
    if not _is_domain_name(value):
        raise PublishError(
            f"params.cname {raw!r} is not a domain name (write it as blog.example.com)"
        )
    return value


def _is_domain_name(value: str) -> bool:
    if not value or len(value) > 253 or "." not in value:
        return False
    for label in value.split("."):
        if not 0 < len(label) <= 63 or label.startswith("-") or label.endswith("-"):
            return False
        if not all(ch.isalnum() or ch == "-" for ch in label):
            return False
    return True


# --------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------


def publish_output(
    output: Path,
    repo: Path,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    cname: str | None = None,
    force: bool = False,
) -> PublishResult:
    """Commit exactly the files of ``output`` as the tip of ``branch`` and push it.

    ``repo`` is any folder inside the user's git repository. ``remote`` is the
    name of one of its remotes or a URL (or path) of a repository. The remote
    branch, when it exists, is fetched first and becomes the parent of the new
    commit, so the push is a fast-forward. ``.nojekyll`` is added to the tree,
    and ``CNAME`` when ``cname`` is given; neither is written into ``output``.
    The local branch is moved to the published commit once the push succeeded.

    Raises :class:`PublishError` when the folder is not in a git repository,
    the remote is unknown or unreachable, the branch is checked out, the local
    branch has commits the remote lacks, the branch (local or remote) holds
    anything but an earlier publish and ``force`` is false, or the push fails. On any failure no
    ref is changed (only unreferenced objects may have been added, which
    ``git gc`` removes).
    """
    git = _Git(_repo_root(repo))
    output = output.resolve()
    if not output.is_dir():
        raise PublishError(f"{output} is not a folder: build the site before publishing")
    files = _site_files(output)
    if not files:
        raise PublishError(f"{output} is empty: build the site before publishing")

    ref = f"refs/heads/{branch}"
    if git.run("check-ref-format", ref, check=False).returncode != 0:
        raise PublishError(f"{branch!r} is not a valid branch name")
    _refuse_checked_out(git, ref, branch)
    push_target = _resolve_remote(git, remote)

    remote_tip = _fetch_remote_tip(git, push_target, branch, remote)
    local_tip = git.rev_parse(f"{ref}^{{commit}}")
    if (
        remote_tip is not None
        and local_tip is not None
        and local_tip != remote_tip
        and not git.is_ancestor(local_tip, remote_tip)
    ):
        raise PublishError(
            f"local branch {branch} has commits that {remote} does not; "
            f"push or delete them first (git branch -D {branch})"
        )
    if not force:
        for tip, where in ((local_tip, branch), (remote_tip, f"{remote}/{branch}")):
            if tip is not None:
                _refuse_unpublished(git, tip, where)
    parent = remote_tip if remote_tip is not None else local_tip

    tree = _write_tree(git, files, cname)
    if parent is not None and git.rev_parse(f"{parent}^{{tree}}") == tree:
        tip, unchanged = parent, True
    else:
        text = (message or _default_message(git)).rstrip("\n") + f"\n\n{PUBLISH_TRAILER}\n"
        tip, unchanged = _commit(git, tree, parent, text), False

    pushed = False
    if remote_tip != tip:
        # Push the commit itself; the local branch moves only once the remote has it,
        # so a failed or interrupted push leaves every local ref as it was.
        done = git.run("push", push_target, f"{tip}:{ref}", check=False)
        if done.returncode != 0:
            raise PublishError(f"push to {remote} failed: {_reason(done)}")
        pushed = True
    if local_tip != tip:
        # Compare-and-swap: a branch that changed meanwhile is left alone.
        git.run("update-ref", "-m", "figdown publish", ref, tip, local_tip or "", check=False)
    return PublishResult(tip, pushed=pushed, unchanged=unchanged, branch=branch, remote=remote)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class _Git:
    """Runs git in one repository, with no inherited repository location."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
        self.env["LC_ALL"] = "C"

    def run(
        self,
        *args: str,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        command = ["git", "-C", str(self.root), *args]
        try:
            done = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                encoding="utf-8",
                errors="surrogateescape",
                env={**self.env, **(env or {})},
                check=False,
            )
        except FileNotFoundError as exc:
            raise PublishError("git is not installed (or not on PATH)") from exc
        if check and done.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {_reason(done)}")
        return done

    def rev_parse(self, name: str) -> str | None:
        """The object id ``name`` names, or None when there is no such object."""
        done = self.run("rev-parse", "--verify", "--quiet", name, check=False)
        return (done.stdout.strip() or None) if done.returncode == 0 else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        done = self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False)
        return done.returncode == 0


def _reason(done: subprocess.CompletedProcess[str]) -> str:
    """The one line of git's output that says best why it failed."""
    lines = [" ".join(line.split()) for line in (done.stderr + "\n" + done.stdout).splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    for prefix in ("! ", "fatal:", "remote: fatal:", "remote: error:", "error:"):
        for line in lines:
            if line.startswith(prefix):
                moved = "(fetch first)" in line or "non-fast-forward" in line
                if line.startswith("! ") and moved:
                    return f"{line} (the remote branch moved meanwhile: publish again)"
                return line
    return lines[0] if lines else f"git exited with status {done.returncode}"


def _repo_root(repo: Path) -> Path:
    if not repo.is_dir():
        raise PublishError(f"{repo} is not a folder")
    git = _Git(repo.resolve())
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise PublishError(
            f"{repo.resolve()} is not in a git repository: publishing commits the site "
            "to a branch of one (run git init and add a remote first)"
        )
    return Path(done.stdout.strip())


def _refuse_checked_out(git: _Git, ref: str, branch: str) -> None:
    listing = git.run("worktree", "list", "--porcelain").stdout
    for line in listing.splitlines():
        if line == f"branch {ref}":
            raise PublishError(
                f"branch {branch} is checked out; switch to another branch before publishing to it"
            )


def _is_earlier_publish(git: _Git, tip: str) -> bool:
    """True when branch tip `tip` is the site a publish made: its tree holds the `.nojekyll`
    every publish writes, and the commit, or one before it on the branch, carries the
    publishing line (GitHub adds a commit of its own when a custom domain is typed in the
    settings). Publishes made before that line was written are known by the output
    folder's marker in their tree."""
    listing = git.run("ls-tree", "--name-only", tip, "--", ".nojekyll", MARKER).stdout.split()
    if ".nojekyll" not in listing:
        return False
    if MARKER in listing:
        return True
    found = git.run("log", "-1", "--first-parent", "--format=%H", "--fixed-strings",
                    f"--grep={PUBLISH_TRAILER}", tip).stdout
    return bool(found.strip())


def _refuse_unpublished(git: _Git, tip: str, where: str) -> None:
    if _is_earlier_publish(git, tip):
        return
    subject = git.run("log", "-1", "--format=%h %s", tip).stdout.strip()
    raise PublishError(
        f"{where} holds commits figdown did not publish (its tip is {subject}): publishing "
        "would replace all its files with the site — pick the branch the site is published "
        "on (--branch gh-pages), or pass --force if this branch is only for the site"
    )


def _resolve_remote(git: _Git, remote: str) -> str:
    """The remote name or URL to fetch from and push to."""
    if not remote or remote.startswith("-"):
        raise PublishError(f"{remote!r} is not a remote name or URL")
    if git.run("remote", "get-url", remote, check=False).returncode == 0:
        return remote
    # A URL (https://…, ssh://…), an scp-like address (git@host:path) or a path.
    looks_like_url = "/" in remote or ":" in remote or Path(remote).exists()
    if not looks_like_url:
        names = git.run("remote").stdout.split()
        known = f" (remotes: {', '.join(names)})" if names else " (this repository has none)"
        raise PublishError(
            f"no remote named {remote!r}{known}; add it with git remote add "
            f"{remote} URL, or pass --remote with a URL"
        )
    return remote


def _fetch_remote_tip(git: _Git, target: str, branch: str, remote: str) -> str | None:
    """The commit the remote branch points at, fetched here; None when it has none."""
    listed = git.run("ls-remote", "--heads", target, f"refs/heads/{branch}", check=False)
    if listed.returncode != 0:
        raise PublishError(f"cannot reach {remote}: {_reason(listed)}")
    tip: str | None = None
    for line in listed.stdout.splitlines():
        oid, _, name = line.partition("\t")
        if name == f"refs/heads/{branch}":
            tip = oid
    if tip is None:
        return None
    if git.rev_parse(f"{tip}^{{commit}}") is None:
        fetched = git.run(
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            target,
            f"refs/heads/{branch}",
            check=False,
        )
        if fetched.returncode != 0:
            raise PublishError(f"cannot fetch {branch} from {remote}: {_reason(fetched)}")
        if git.rev_parse(f"{tip}^{{commit}}") is None:
            raise PublishError(f"fetching {branch} from {remote} did not bring commit {tip}")
    return tip


@dataclass(frozen=True)
class _SiteFile:
    relative: str
    path: Path
    mode: str  # "100644" or "100755"


def _site_files(output: Path) -> list[_SiteFile]:
    """Every file of the site, symbolic links followed (as a web server would)."""
    files: list[_SiteFile] = []

    def walk(folder: Path, relative: str, ancestors: frozenset[str]) -> None:
        real = os.path.realpath(folder)
        if real in ancestors:  # a link back up the tree
            return
        ancestors = ancestors | {real}
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            raise PublishError(f"{folder}: cannot read it ({exc.strerror})") from exc
        if ".git" in names:
            raise PublishError(f"{folder / '.git'}: the site folder must not hold a .git")
        for name in names:
            if not relative and name == MARKER:
                continue  # says the folder is figdown's; no part of the site
            path = folder / name
            inside = f"{relative}{name}"
            try:
                info = path.stat()
            except OSError as exc:
                raise PublishError(f"{path}: cannot read it ({exc.strerror})") from exc
            if stat.S_ISDIR(info.st_mode):
                walk(path, f"{inside}/", ancestors)
            elif stat.S_ISREG(info.st_mode):
                if "\n" in inside or "\r" in inside:
                    raise PublishError(f"{path}: a file name with a line break cannot be published")
                mode = "100755" if info.st_mode & stat.S_IXUSR else "100644"
                files.append(_SiteFile(inside, path, mode))

    walk(output, "", frozenset())
    return files


def _write_tree(git: _Git, files: Sequence[_SiteFile], cname: str | None) -> str:
    """Store the site's files as git objects and return the id of their tree."""
    entries: dict[str, tuple[str, str]] = {}
    for start in range(0, len(files), _HASH_BATCH):
        batch = files[start : start + _HASH_BATCH]
        done = git.run("hash-object", "-w", "--no-filters", "--", *(str(f.path) for f in batch))
        for item, oid in zip(batch, done.stdout.split(), strict=True):
            entries[item.relative] = (item.mode, oid)
    if ".nojekyll" not in entries:
        entries[".nojekyll"] = ("100644", _hash_text(git, ""))
    if cname is not None:
        entries["CNAME"] = ("100644", _hash_text(git, f"{cname}\n"))

    with tempfile.TemporaryDirectory(prefix="figdown-publish-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch, "index"))}
        listing = "".join(
            f"{mode} {oid}\t{path}\0" for path, (mode, oid) in sorted(entries.items())
        )
        git.run("update-index", "--add", "-z", "--index-info", env=env, stdin=listing)
        return git.run("write-tree", env=env).stdout.strip()


def _hash_text(git: _Git, data: str) -> str:
    return git.run("hash-object", "-w", "--stdin", stdin=data).stdout.strip()


def _identity_env(git: _Git) -> dict[str, str]:
    """Author and committer from git, or figdown's own when git has none."""
    env: dict[str, str] = {}
    name = git.run("config", "user.name", check=False).stdout.strip()
    email = git.run("config", "user.email", check=False).stdout.strip()
    for role in ("AUTHOR", "COMMITTER"):
        if not os.environ.get(f"GIT_{role}_NAME") and not name:
            env[f"GIT_{role}_NAME"] = DEFAULT_AUTHOR_NAME
        if not os.environ.get(f"GIT_{role}_EMAIL") and not os.environ.get("EMAIL") and not email:
            env[f"GIT_{role}_EMAIL"] = DEFAULT_AUTHOR_EMAIL
    return env


def _commit(git: _Git, tree: str, parent: str | None, message: str) -> str:
    args = ["commit-tree", tree, "-m", message]
    if parent is not None:
        args += ["-p", parent]
    return git.run(*args, env=_identity_env(git)).stdout.strip()


def _default_message(git: _Git) -> str:
    head = git.run("rev-parse", "--verify", "--quiet", "--short=12", "HEAD", check=False)
    source = head.stdout.strip()
    return f"Publish site from {source}" if source else "Publish site"
