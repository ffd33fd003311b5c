"""What the build shows while blocks run: a line redrawn on a terminal, a line per block
elsewhere."""

from __future__ import annotations

import io

from figdown.execute.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_shows_blocks_done_and_the_block_running() -> None:
    stream = Terminal()
    bar = ProgressBar(4, stream, enabled=True)
    bar.start("content/posts/relu.md", "relu-plot")
    bar.block_done("content/posts/relu.md", "relu-plot", "relu-gradient-flow")
    line = stream.getvalue().rsplit("\r", 1)[-1]
    assert line.endswith("1/4  content/posts/relu.md relu-gradient-flow 0 s")
    bar.block_done("content/posts/relu.md", "relu-gradient-flow", None)
    assert stream.getvalue().rsplit("\r", 1)[-1].endswith("2/4  ")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_off_a_terminal_each_finished_block_is_one_line() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, stream, enabled=True)
    bar.start("content/posts/a.md", "one")
    bar.block_done("content/posts/a.md", "one", "two")
    bar.block_done("content/posts/a.md", "two", None)
    bar.tick()
    bar.close()
    lines = stream.getvalue().splitlines()
    assert [line.rsplit(" (", 1)[0] for line in lines] == ["ran content/posts/a.md one",
                                                           "ran content/posts/a.md two"]
    assert "\r" not in stream.getvalue()


def test_nothing_is_shown_when_disabled() -> None:
    stream = Terminal()
    bar = ProgressBar(4, stream, enabled=False)
    bar.start("a", "one")
    bar.block_done("a", "one", None)
    bar.close()
    assert stream.getvalue() == ""


def test_a_sink_is_told_the_running_block_in_words_off_a_terminal_too() -> None:
    told: list[str] = []
    bar = ProgressBar(2, io.StringIO(), enabled=False, sink=told.append)
    bar.start("content/posts/relu.md", "relu-gradient-flow")
    bar.block_done("content/posts/relu.md", "relu-gradient-flow", None)
    assert told == ["running relu-gradient-flow in content/posts/relu.md, 0 s "
                    "(0 of 2 blocks done)"]
