"""The files of a site folder (content/, static/), following symbolic links that stay inside
the site.

Everything under content/ and static/ may be published as it is, so a link is followed only
when its target is inside the site folder, and not in a hidden folder of it (`.git`, the
build cache): `ln -s /etc/passwd content/posts/notes.txt` must not put the password file on
the web. A link that leaves the site, loops, or leads into a hidden folder is refused: the
build reports it, naming the link, and fails. A link to nothing is skipped with a warning.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import Literal

from figdown.problems import Problem

Reason = Literal["outside", "loop", "hidden", "missing", "unreadable"]


@dataclass(frozen=True)
class Refusal:
    """A symbolic link the walk did not follow, and why."""

    path: str  # the link, as reached from the folder walked
    target: str  # where it points, as written in the link
    reason: Reason


@dataclass(frozen=True)
class Walked:
    """The files found (as reached, so through the links followed), in sorted order."""

    files: tuple[str, ...]
    refused: tuple[Refusal, ...]


def walk_site_folder(folder: str, site_root: str) -> Walked:
    """Every file under `folder`, leaving out hidden files and folders (and `__pycache__`);
    symbolic links are followed only to targets inside `site_root`, or inside `folder`'s
    real place when `folder` itself is a link (a content folder kept elsewhere)."""
    bounds = {os.path.realpath(site_root), os.path.realpath(folder)}
    found: list[str] = []
    refused: list[Refusal] = []
    # Real folders entered: a link back to one of them (a loop through a parent) is not
    # walked again.
    entered = {os.path.realpath(folder)}
    stack = [(folder, os.path.realpath(folder))]
    while stack:
        top, real_top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    real = os.path.join(real_top, entry.name)
                    entered.add(real)
                    stack.append((entry.path, real))
                elif entry.is_file(follow_symlinks=False):
                    found.append(entry.path)
                continue
            target, reason, is_dir = _follow(entry.path, bounds)
            if reason is not None:
                refused.append(Refusal(entry.path, target, reason))
            elif is_dir:
                real = os.path.realpath(entry.path)
                if real not in entered:
                    entered.add(real)
                    stack.append((entry.path, real))
            else:
                found.append(entry.path)
    return Walked(tuple(sorted(found)), tuple(sorted(refused, key=lambda r: r.path)))


def _follow(link: str, bounds: set[str]) -> tuple[str, Reason | None, bool]:
    """Where a link points, why it is not followed (or None), and whether it is a folder."""
    try:
        target = os.readlink(link)
    except OSError:
        return "?", "unreadable", False
    try:
        mode = os.stat(link).st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return target, "loop", False
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return target, "missing", False
        return target, "unreadable", False
    real = os.path.realpath(link)
    inside = [bound for bound in bounds if real == bound or real.startswith(bound + os.sep)]
    if not inside:
        return target, "outside", False
    if any(part.startswith(".") for bound in inside
           for part in os.path.relpath(real, bound).split(os.sep) if part != "."):
        return target, "hidden", False
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return target, "unreadable", False  # a device or a pipe: never published
    return target, None, stat.S_ISDIR(mode)


_MESSAGES: dict[Reason, tuple[str, str]] = {
    "outside": ("symbolic link to {target} leads outside the site, and only what is inside "
                "it is published",
                "copy what it points at into the site, or remove the link"),
    "hidden": ("symbolic link to {target} leads into a hidden folder, which is never "
               "published", "copy what it points at out of the hidden folder, or remove "
               "the link"),
    "loop": ("symbolic link to {target} loops back on itself", "remove the link, or point it at "
             "a file or folder"),
    "missing": ("symbolic link to {target} points at nothing; skipped",
                "remove the link or fix its target"),
    "unreadable": ("symbolic link to {target} cannot be followed to a file or folder",
                   "remove the link, or point it at a file or folder inside the site"),
}


def refusal_problem(refusal: Refusal, site_root: str) -> Problem:
    """The problem to report for a link the walk did not follow: an error, except for a link
    to nothing, which leaks nothing and is skipped with a warning."""
    display = os.path.relpath(refusal.path, site_root).replace(os.sep, "/")
    message, hint = _MESSAGES[refusal.reason]
    return Problem(display, None, message.format(target=refusal.target), hint,
                   severity="warning" if refusal.reason == "missing" else "error")
