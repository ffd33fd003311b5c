"""A notebook post that says `execute: false`: its blocks' results are the outputs saved in
the notebook, and nothing runs."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from figdown.execute.blocks import BlockResult, CodeBlock, Display
from figdown.load.notebook import Notebook, SavedOutput
from figdown.problems import Problem


def executes(params: Mapping[str, Any]) -> bool:
    """Whether a notebook post's cells run: `execute: false` (or Quarto's
    `execute: {enabled: false}` / `{eval: false}`) in its front matter says no."""
    value = params.get("execute", True)
    if isinstance(value, Mapping):
        return value.get("enabled", True) is not False and value.get("eval", True) is not False
    return value is not False


def saved_results(blocks: Sequence[CodeBlock], notebook: Notebook) -> dict[int, BlockResult]:
    """Each block's result from the outputs its cell holds (block index → result)."""
    results: dict[int, BlockResult] = {}
    for block, outputs in zip(blocks, notebook.saved, strict=False):
        results[block.index] = _result(block, outputs)
    return results


def _result(block: CodeBlock, outputs: Sequence[SavedOutput]) -> BlockResult:
    text = "".join(o.data for o in outputs if o.mime == "stream")
    errors = [o.data for o in outputs if o.mime == "error"]
    error = Problem(block.path, block.line, errors[0]) if errors else None
    displays = tuple(_display(o) for o in outputs if o.mime not in ("stream", "error"))
    return BlockResult(block=block, output=text, error=error, reused=True, displays=displays)


def _display(output: SavedOutput) -> Display:
    kind = "table" if output.mime == "text/html" and output.data.lstrip().startswith(
        ("<table", "<div")) and "<table" in output.data else ""
    if output.mime == "image/svg+xml":
        return Display(output.mime, base64.b64encode(output.data.encode("utf-8")).decode("ascii"))
    return Display(output.mime, output.data, kind)
