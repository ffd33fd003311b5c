"""Limits on parsed front matter and config values: what later stages can hold safely.

The parsers accept values that no stage after them can use: a string with a lone UTF-16
surrogate (JSON's `"\\ud800"`) cannot be written as UTF-8, nesting thousands of levels deep
overflows every recursive walk (repr, pickle, templates), and an integer of more than 4,300
digits cannot be turned into text. Each is found once, right after parsing, and reported at
the key that holds it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

# The most seconds a block may run: the worker pool waits with select(), which refuses an
# infinite or enormous timeout, and a block that needs longer than a day is stuck.
MAX_TIMEOUT = 86400
MAX_DEPTH = 100  # levels of lists and mappings; real front matter uses three or four
_SURROGATE = re.compile("[\ud800-\udfff]")


def value_problem(value: Any) -> str | None:
    """Why `value` cannot be used as front matter or config, or None when it can.

    Each container is walked once: YAML aliases share one object, so a document of nested
    aliases (the "billion laughs") costs what its text does, not what its expansion would.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return "a string holds a lone surrogate (an escape from \\ud800 to \\udfff)"
            continue
        if not isinstance(item, (dict, list, tuple, set, frozenset)):
            continue
        if depth >= MAX_DEPTH:
            return f"lists and mappings are nested more than {MAX_DEPTH} levels deep"
        if id(item) in seen:
            continue
        seen.add(id(item))
        children = [*item.keys(), *item.values()] if isinstance(item, Mapping) else item
        stack.extend((child, depth + 1) for child in children)
    return None


def first_problem(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first top-level key whose value (or name) cannot be used, and why."""
    for key, value in data.items():
        problem = value_problem(key) or value_problem(value)
        if problem is not None:
            return str(key).encode("utf-8", "backslashreplace").decode(), problem
    return None


def is_digit_limit(err: ValueError) -> bool:
    """The error Python raises for an integer longer than `sys.get_int_max_str_digits()`."""
    return "integer string conversion" in str(err)


def long_number_line(text: str) -> int | None:
    """The 1-based line of `text` holding a number too long to convert, if any."""
    limit = sys.get_int_max_str_digits()
    match = re.search(rf"\d{{{limit + 1},}}", text)
    return text[:match.start()].count("\n") + 1 if match else None


LONG_NUMBER = f"a number has more than {sys.get_int_max_str_digits()} digits"
