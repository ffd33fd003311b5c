"""What a block shows besides its figures and printed text, as a notebook does: the value
of its last expression and each object given to `display(obj)`.

Runs in the post's process; an object becomes a `Display` (a MIME type and text) there,
so that only text crosses to the build and into the store. The page sanitises HTML.
"""

from __future__ import annotations

import ast
import base64
from collections.abc import Mapping, Sequence
from html import escape
from types import CodeType
from typing import Any

from figdown.execute.blocks import Display
from figdown.execute.observe import clean_text

_MATPLOTLIB_TYPES = ("matplotlib.artist.Artist", "matplotlib.animation.Animation")
MAX_ROWS = 1000  # rows of a table kept; the rest is said in a last row


class Displayed:
    """`display(*objs)` inside a block: the objects are kept, in order, for the page."""

    def __init__(self) -> None:
        self.shown: list[Any] = []

    def __call__(self, *objects: Any, **options: Any) -> None:
        self.shown.extend(objects)

    def take(self) -> list[Any]:
        shown, self.shown = self.shown, []
        return shown


def compile_cell(code: str, filename: str) -> tuple[CodeType, CodeType | None]:
    """The block's code to `exec`, and its last statement to `eval` when it is an
    expression (its value is shown); line numbers stay those of the block."""
    tree = ast.parse(code, filename)
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr):
        return compile(tree, filename, "exec", dont_inherit=True), None
    body = ast.Module(body=tree.body[:-1], type_ignores=[])
    return (compile(body, filename, "exec", dont_inherit=True),
            compile(ast.Expression(last.value), filename, "eval", dont_inherit=True))


def represent_all(objects: Sequence[Any]) -> tuple[Display, ...]:
    """The displays of `objects`, those the page shows otherwise (figures, None) left out."""
    return tuple(Display(found.mime, clean_text(found.data), found.kind) for obj in objects
                 if (found := represent(obj)) is not None)


def represent(obj: Any) -> Display | None:
    """How the page shows one value: a table, sanitisable HTML, SVG, Markdown or text."""
    if obj is None or _is_matplotlib(obj):
        return None
    frame = _as_dataframe(obj)
    if frame is not None:
        return Display("text/html", str(frame.to_html(border=0, max_rows=MAX_ROWS)), "table")
    rows = table_rows(obj)
    if rows is not None:
        return Display("text/html", rows_html(*rows), "table")
    for method, mime in (("_repr_html_", "text/html"), ("_repr_svg_", "image/svg+xml"),
                         ("_repr_markdown_", "text/markdown")):
        data = _call_repr(obj, method)
        if data is not None:
            if mime == "image/svg+xml":
                data = base64.b64encode(data.encode("utf-8")).decode("ascii")
            return Display(mime, data)
    return Display("text/plain", repr(obj))


def _call_repr(obj: Any, method: str) -> str | None:
    if isinstance(obj, type):  # a class has the method, unbound
        return None
    function = getattr(obj, method, None)
    if not callable(function):
        return None
    data = function()
    if isinstance(data, tuple):  # (data, metadata), as IPython allows
        data = data[0]
    return data if isinstance(data, str) else None


def _is_matplotlib(obj: Any) -> bool:
    """A figure, axes, artist or animation (or a list of them): drawn, not shown as a value."""
    if isinstance(obj, list | tuple) and obj:
        return all(_is_matplotlib(item) for item in obj)
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(obj).__mro__}
    return any(name in names for name in _MATPLOTLIB_TYPES)


def _as_dataframe(obj: Any) -> Any:
    """A pandas DataFrame as it is, a Series as a one-column frame; None for anything else."""
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(obj).__mro__}
    if "pandas.core.frame.DataFrame" in names:
        return obj
    if "pandas.core.series.Series" in names:
        return obj.to_frame()
    return None


def table_rows(obj: Any) -> tuple[list[str], list[list[Any]]] | None:
    """A list of rows as (header, rows): dicts (the keys are the header) or lists/tuples of
    equal length (no header); None for anything else."""
    if not isinstance(obj, list | tuple) or not obj:
        return None
    if all(isinstance(row, Mapping) for row in obj):
        header: list[str] = []
        for row in obj:
            header += [str(k) for k in row if str(k) not in header]
        return header, [[_cell(row, name) for name in header] for row in obj]
    if all(isinstance(row, list | tuple) for row in obj):
        width = len(obj[0])
        if width and all(len(row) == width for row in obj):
            return [], [list(row) for row in obj]
    return None


def _cell(row: Mapping[Any, Any], name: str) -> Any:
    for key, value in row.items():
        if str(key) == name:
            return value
    return ""


def rows_html(header: list[str], rows: list[list[Any]]) -> str:
    """An HTML table of rows; numbers are right-aligned by the theme (`td.num`)."""
    parts = ["<table>"]
    if header:
        parts.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                     + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows[:MAX_ROWS]:
        parts.append("<tr>" + "".join(_td(value) for value in row) + "</tr>")
    if len(rows) > MAX_ROWS:
        span = max(len(header), len(rows[0]))
        parts.append(f'<tr><td colspan="{span}">… {len(rows) - MAX_ROWS} more rows</td></tr>')
    parts.append("</tbody></table>")
    return "".join(parts)


def _td(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"<td>{escape(str(value))}</td>"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f'<td class="num">{escape(text)}</td>'
