"""Jupyter notebooks as posts: an `.ipynb` file, read with nbformat, becomes the text of a
Markdown post, which every later stage reads as it reads any other.

The front matter is the first cell when it is a raw cell of YAML (as Quarto and Nikola
read it), else the notebook's `figdown` metadata; Markdown cells stay Markdown; each code
cell becomes an executable block, its `#|` lines its options. The outputs saved in the
notebook are kept, for a post whose front matter says `execute: false`. A problem is
reported at its cell (counting every cell from 1) and the line in that cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from figdown.problems import Problem

NOTEBOOK_SUFFIX = ".ipynb"
_IMAGE_TYPES = ("image/svg+xml", "image/png")
_TEXT_TYPES = ("text/html", "text/markdown", "text/plain")


@dataclass(frozen=True, slots=True)
class SavedOutput:
    """One output a code cell holds, as saved: a MIME type and its text (base64 for PNG)."""

    mime: str  # one of _IMAGE_TYPES or _TEXT_TYPES, "stream" or "error"
    data: str


@dataclass(frozen=True, slots=True)
class Notebook:
    """What a post made from a notebook keeps of it besides its text."""

    cell_lines: tuple[tuple[int, int], ...]  # (first line in the text, cell number), in order
    saved: tuple[tuple[SavedOutput, ...], ...]  # each code cell's outputs, in order


def notebook_text(data: bytes, path: str) -> tuple[str, Notebook] | Problem:
    """The notebook as the text of a Markdown file with front matter, or why it cannot be."""
    import nbformat  # only for a site with notebooks: it takes a tenth of a second to import

    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as err:  # nbformat raises JSON, validation and version errors alike
        return Problem(path, None, f"cannot read the notebook: {_one_line(err)}",
                       "open and save it in Jupyter, or check that it is a .ipynb file")
    cells = list(notebook.cells)
    front = _metadata_front(notebook.metadata)
    first_cell = 1
    cell_lines: list[tuple[int, int]] = []
    if cells and cells[0].cell_type == "raw" and _source(cells[0]).strip():
        raw = _source(cells[0]).strip()
        front = raw.removeprefix("---").removesuffix("---").strip("\n")
        # the text's line 2 is the cell's line 1, or its line 2 after a `---` of its own
        cell_lines.append((1 if raw.startswith("---") else 2, 1))
        cells, first_cell = cells[1:], 2
    lines = ["---", *front.splitlines(), "---", ""]
    saved: list[tuple[SavedOutput, ...]] = []
    for number, cell in enumerate(cells, start=first_cell):
        source = _source(cell).rstrip("\n")
        if cell.cell_type == "markdown":
            cell_lines.append((len(lines) + 1, number))
            lines += [*source.split("\n"), ""]
        elif cell.cell_type == "code":
            fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", source)),
                                         default=0))
            cell_lines.append((len(lines) + 2, number))
            lines += [fence + "{python}", *source.split("\n"), fence, ""]
            saved.append(tuple(_saved_outputs(cell.get("outputs", []))))
    return "\n".join(lines) + "\n", Notebook(tuple(cell_lines), tuple(saved))


def _metadata_front(metadata: Any) -> str:
    """Front matter from the notebook's metadata (`figdown`, else a `title`), as YAML."""
    found = metadata.get("figdown") if hasattr(metadata, "get") else None
    if not isinstance(found, dict):
        found = {"title": metadata["title"]} if isinstance(metadata.get("title"), str) else {}
    return yaml.safe_dump(dict(found), allow_unicode=True, sort_keys=False).strip() \
        if found else ""


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _saved_outputs(outputs: Sequence[Any]) -> list[SavedOutput]:
    found: list[SavedOutput] = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            found.append(SavedOutput("stream", _joined(output.get("text", ""))))
        elif kind == "error":
            trace = "\n".join(output.get("traceback", []))
            text = re.sub(r"\x1b\[[0-9;]*m", "", trace) or \
                f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
            found.append(SavedOutput("error", text))
        elif kind in ("execute_result", "display_data"):
            bundle = output.get("data", {})
            mime = next((m for m in (*_IMAGE_TYPES, *_TEXT_TYPES) if m in bundle), None)
            if mime is not None:
                found.append(SavedOutput(mime, _joined(bundle[mime]).strip("\n")
                                         if mime != "image/png" else _joined(bundle[mime])))
    return found


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def locate(problem: Problem, notebook: Notebook) -> Problem:
    """A problem of a notebook's text said at its cell: `cell 3, line 2: …`, and the lines
    of a traceback in its message too."""
    def where(line: int) -> str:
        start, number = next(((s, n) for s, n in reversed(notebook.cell_lines) if s <= line),
                             (1, 0))
        return f"cell {number}, line {line - start + 1}" if number else f"line {line}"

    def lines_in(text: str) -> str:
        return re.sub(re.escape(problem.path) + r":(\d+)",
                      lambda m: f"{problem.path} {where(int(m.group(1)))}", text)

    message, hint = lines_in(problem.message), lines_in(problem.hint)
    if problem.line is None:
        return replace(problem, message=message, hint=hint)
    return replace(problem, line=None, message=f"{where(problem.line)}: {message}", hint=hint)


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[:297] + "..." if len(text) > 300 else text
