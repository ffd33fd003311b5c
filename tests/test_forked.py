"""Work shared with a forked process: every item once, errors and crashes reported."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

import pytest

from figdown.forked import can_fork, map_shares
from figdown.problems import ContentError, Problem


def test_this_process_can_fork() -> None:
    assert can_fork(), "the tests below need fork and a single thread"


def record(items: Iterable[int], found: Callable[[tuple[int, int]], None]) -> None:
    for item in items:
        time.sleep(0.002)  # long enough for the child to start and take its share
        found((item, os.getpid()))


def test_every_item_is_taken_once_and_both_processes_take_some() -> None:
    found = map_shares(list(range(400)), record, 2)
    assert sorted(item for item, _ in found) == list(range(400))
    assert len({pid for _, pid in found}) == 2
    assert all(pid == os.getpid() for _, pid in found[:10])  # this process's first


def test_a_content_error_in_the_child_is_raised_here() -> None:
    parent = os.getpid()

    def failing(items: Iterable[int], found: Callable[[int], None]) -> None:
        for item in items:
            if os.getpid() != parent:
                raise ContentError([Problem("content/posts/x.md", 3, "bad")])
            time.sleep(0.002)
            found(item)
    with pytest.raises(ContentError) as caught:
        map_shares(list(range(100)), failing, 2)
    assert str(caught.value.problems[0]) == "content/posts/x.md:3: bad"


def test_a_child_that_dies_is_an_error_not_missing_work() -> None:
    parent = os.getpid()

    def dying(items: Iterable[int], found: Callable[[int], None]) -> None:
        for item in items:
            if os.getpid() != parent:
                os._exit(3)
            time.sleep(0.002)
            found(item)
    with pytest.raises(RuntimeError, match="exit code 3"):
        map_shares(list(range(100)), dying, 2)


def test_an_error_here_stops_the_child() -> None:
    parent = os.getpid()

    def slow_child(items: Iterable[int], found: Callable[[int], None]) -> None:
        if os.getpid() == parent:
            raise OSError("disk full")
        for item in items:
            found(item)
    with pytest.raises(OSError, match="disk full"):
        map_shares(list(range(100)), slow_child, 2)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_child(int(p), parent)]


def _is_child(pid: int, parent: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1]) == parent
    except OSError:
        return False
