"""Problems found in a user's site: collected, then reported together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as precisely as it can be."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return one_line(text)


def one_line(text: str) -> str:
    """`text` as one printable line, whatever a quoted name in it holds: a newline in a front
    matter key or a file name would split a message, and a lone surrogate cannot be printed."""
    return text.translate(_ONE_LINE).encode("utf-8", "backslashreplace").decode("utf-8")


# Every character str.splitlines() breaks at, written as its escape.
_ONE_LINE = {ord(c): c.encode("unicode_escape").decode("ascii")
             for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


class ContentError(Exception):
    """Raised once, at the end of a stage, when the user's input has errors."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that fail a build."""
    return [p for p in problems if p.severity == "error"]
