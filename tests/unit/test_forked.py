"""Work shared with a forked process: every item once, errors and crashes reported."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from figdown.output.forked import can_fork, map_shares
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


def test_an_error_here_stops_the_child(tmp_path: Path) -> None:
    parent = os.getpid()
    started, finished = tmp_path / "started", tmp_path / "finished"

    def work(items: Iterable[int], found: Callable[[int], None]) -> None:
        if os.getpid() == parent:
            while not started.exists():
                time.sleep(0.01)
            raise OSError("disk full")
        started.write_text(str(os.getpid()))
        time.sleep(5)  # still working when this process fails
        finished.write_text("")
    with pytest.raises(OSError, match="disk full"):
        map_shares(list(range(100)), work, 2)
    assert not finished.exists()
    assert not Path(f"/proc/{started.read_text()}").exists()  # stopped and reaped
