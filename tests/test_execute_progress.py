"""The progress bar drawn while blocks run."""

from __future__ import annotations

import io

from figdown.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_posts_done_and_running() -> None:
    stream = Terminal()
    bar = ProgressBar(4, stream, enabled=True)
    bar.start("content/posts/relu.md")
    bar.finish("content/posts/relu.md")
    bar.start("content/posts/tanh.md")
    assert stream.getvalue().rsplit("\r", 1)[-1].endswith("1/4 posts  content/posts/tanh.md")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_no_bar_off_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, stream, enabled=True)
    bar.start("a")
    bar.finish("a")
    bar.close()
    assert stream.getvalue() == ""
