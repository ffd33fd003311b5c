"""How a block's result is shown: its code (hidden, shown or folded) and its figures' layout.

These options change the page only, never what the code draws, so they are not in the
block's key. Quarto's names are read beside figdown's: `code-fold`, `code-summary`,
`layout-ncol`, `layout`, `fig-subcap`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from figdown.markdown.fences import AttrValue

CODE_MODES = ("hide", "show", "fold", "open")  # open: folded, but shown opened
DEFAULT_SUMMARY = "Code"


@dataclass(frozen=True, slots=True)
class CodeDefaults:
    """The site's defaults for showing a block's code (`figures.echo`, `figures.codeSummary`)."""

    echo: bool | str = False  # False, True or "fold"
    summary: str = DEFAULT_SUMMARY


@dataclass(frozen=True, slots=True)
class Presentation:
    """What the page shows of one block, and how."""

    code: str = "hide"  # one of CODE_MODES
    summary: str = DEFAULT_SUMMARY
    rows: tuple[tuple[float, ...], ...] = ()  # relative widths of the panels, row by row
    subcaps: tuple[str, ...] = ()


def code_mode(options: Mapping[str, AttrValue], default: bool | str) -> tuple[str, str]:
    """How the code is shown (one of CODE_MODES), and a problem with `echo`/`code-fold` ("")."""
    echo = options.get("echo", default)
    fold = options.get("code-fold")
    if echo not in (True, False, "fold"):
        return "hide", f"option echo={echo!r} is not true, false or fold"
    if fold not in (None, True, False, "show"):
        return "hide", f"option code-fold={fold!r} is not true, false or show"
    if echo is False and "echo" in options:
        return "hide", ""
    if fold is True:
        return "fold", ""
    if fold == "show":
        return "open", ""
    if fold is False:
        return ("show" if echo else "hide"), ""
    return {True: "show", "fold": "fold"}.get(echo, "hide"), ""


def panel_rows(options: Mapping[str, AttrValue]) -> tuple[tuple[tuple[float, ...], ...], str]:
    """The panel grid `layout` or `layout-ncol` asks for (() for none), and a problem ("")."""
    layout = options.get("layout")
    if layout is not None:
        try:
            rows = json.loads(str(layout))
        except ValueError:
            rows = None
        if (not isinstance(rows, list) or not rows or not all(
                isinstance(row, list) and row and all(
                    isinstance(w, int | float) and not isinstance(w, bool) and w > 0
                    for w in row) for row in rows)):
            return (), (f"option layout={layout!r} is not a list of rows of positive widths, "
                        'as "[[1,1],[1]]"')
        return tuple(tuple(float(w) for w in row) for row in rows), ""
    ncol = options.get("layout-ncol")
    if ncol is None:
        return (), ""
    if isinstance(ncol, bool) or not isinstance(ncol, int) or not 1 <= ncol <= 12:
        return (), f"option layout-ncol={ncol!r} is not a whole number from 1 to 12"
    return ((1.0,) * ncol,), ""


def subcaptions(options: Mapping[str, AttrValue]) -> tuple[str, ...]:
    """The sub-captions `fig-subcap` gives, one per panel (a single text is one panel's)."""
    value = options.get("fig-subcap")
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, str) and value:
        return (value,)
    return ()


def read_presentation(options: Mapping[str, AttrValue],
                      defaults: CodeDefaults) -> tuple[Presentation, list[str]]:
    """A block's presentation, and what is wrong with its options (one text per problem)."""
    code, code_problem = code_mode(options, defaults.echo)
    rows, rows_problem = panel_rows(options)
    summary = options.get("code-summary", defaults.summary)
    return (Presentation(code=code, summary=str(summary) or DEFAULT_SUMMARY, rows=rows,
                         subcaps=subcaptions(options)),
            [p for p in (code_problem, rows_problem) if p])


def grid_rows(rows: tuple[tuple[float, ...], ...], count: int) -> list[tuple[float, ...]]:
    """The rows `count` panels fill: the layout's rows in order, then rows like its last."""
    if not rows:
        rows = ((1.0,),)
    filled: list[tuple[float, ...]] = []
    left = count
    index = 0
    while left > 0:
        row = rows[min(index, len(rows) - 1)]
        filled.append(row[:left])
        left -= len(row)
        index += 1
    return filled


def panel_letter(index: int) -> str:
    """a, b, …, z, aa, ab, …: the letter of the index-th panel (from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
