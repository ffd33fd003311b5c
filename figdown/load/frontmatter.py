"""Split a content file into front matter and body, and parse the front matter."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from figdown.problems import Problem
from figdown.values import LONG_NUMBER, first_problem, is_digit_limit, long_number_line

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """A safe YAML loader that refuses duplicate keys, as Hugo does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool, date)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key must be a name, not {type(key).__name__}",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep=True)
        return result

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as err:  # 2024-13-45 looks like a date but is not
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({err})", node.start_mark) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              _StrictLoader.construct_yaml_timestamp)


@dataclass(frozen=True)
class RawFrontMatter:
    """Front matter as parsed, with the line of each top-level key for messages."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    format: str  # "yaml", "toml", "json" or "none"


class FrontMatterError(Exception):
    """The front matter cannot be read; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def split_front_matter(text: str, path: str) -> RawFrontMatter:
    """Detect the front matter format from its opening delimiter and parse it."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0].rstrip()
    if first_line in {"---", "+++"}:
        fence = first_line
        closing = re.compile(rf"^{re.escape(fence)}[ \t]*$", re.MULTILINE)
        match = closing.search(text, len(first_line) + 1)
        if match is None:
            hint = f"add a line `{fence}` after the last front matter key"
            raise FrontMatterError(Problem(path, 1, "front matter is not closed", hint))
        block = text[len(first_line) + 1:match.start()]
        body = text[match.end():].removeprefix("\n")
        body_line = block.count("\n") + 3 if block else 3
        fmt = "yaml" if fence == "---" else "toml"
        try:
            data = _parse_yaml(block, path) if fmt == "yaml" else _parse_toml(block, path)
        except ValueError as err:  # from int(): the parsers let it through
            if not is_digit_limit(err):
                raise
            raise FrontMatterError(_long_number(path, block, 1)) from None
        except RecursionError:
            raise FrontMatterError(_too_deep(path, 2)) from None
        lines = _key_lines(block, fmt, offset=2)
        return _checked(RawFrontMatter(data, lines, body, body_line, fmt), path)
    if text.startswith("{"):
        return _checked(_parse_json(text, path), path)
    return RawFrontMatter({}, {}, text, 1, "none")


def _checked(raw: RawFrontMatter, path: str) -> RawFrontMatter:
    """`raw`, or the error for a value no later stage can hold (see values.py)."""
    found = first_problem(raw.data)
    if found is None:
        return raw
    key, reason = found
    hint = ("flatten the front matter" if "nested" in reason
            else "write the character itself, or a pair of surrogates for one outside the BMP")
    raise FrontMatterError(Problem(path, raw.key_lines.get(key, 1),
                                   f"front matter `{key}`: {reason}", hint))


def _long_number(path: str, text: str, first_line: int) -> Problem:
    line = long_number_line(text)
    return Problem(path, line + first_line if line else None,
                   f"front matter is not valid: {LONG_NUMBER}", "quote it to make it text")


def _too_deep(path: str, line: int) -> Problem:
    return Problem(path, line, "front matter is nested too deeply to read",
                   "flatten the front matter")


def _parse_yaml(block: str, path: str) -> dict[str, Any]:
    try:
        data = yaml.load(block, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 2 if mark is not None else 1
        if err.context == "while scanning a quoted scalar" and err.context_mark is not None:
            # The scanner notices only at the end of the block; the mistake is the quote.
            opened = err.context_mark.line + 2
            raise FrontMatterError(Problem(path, opened, "front matter is not valid YAML",
                                           f"close the quote opened on line {opened}")) from None
        reason = err.problem or err.context or "invalid YAML"
        hint = ("write a real date such as 2024-11-20 or 2024-11-20T09:30:00+01:00"
                if "is not a date" in reason else "remove the repeated key"
                if "duplicate key" in reason else
                "fix the YAML (quote values containing `:` or `#`)")
        raise FrontMatterError(Problem(path, line, f"front matter is not valid YAML: {reason}",
                                       hint)) from None
    except yaml.YAMLError as err:
        raise FrontMatterError(Problem(path, 1, f"front matter is not valid YAML: {err}",
                                       "fix the YAML")) from None
    return _as_mapping(data, path)


def _parse_toml(block: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        line = int(match.group(1)) + 1 if match else 1
        reason = re.sub(r"\s*\(at line.*\)$", "", str(err))
        raise FrontMatterError(Problem(path, line, f"front matter is not valid TOML: {reason}",
                                       "fix the TOML (strings need quotes)")) from None


def _parse_json(text: str, path: str) -> RawFrontMatter:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    decoder = json.JSONDecoder(object_pairs_hook=no_duplicates)
    try:
        data, end = decoder.raw_decode(text)
    except RecursionError:
        raise FrontMatterError(_too_deep(path, 1)) from None
    except json.JSONDecodeError as err:
        raise FrontMatterError(Problem(path, err.lineno, f"front matter is not valid JSON: "
                                       f"{err.msg}", "fix the JSON object")) from None
    except ValueError as err:
        if is_digit_limit(err):
            raise FrontMatterError(_long_number(path, text, 0)) from None
        key = str(err).removeprefix("duplicate key ")
        pattern = re.compile(rf"^\s*{re.escape(json.dumps(key[1:-1]))}\s*:", re.MULTILINE)
        starts = [m.start() for m in pattern.finditer(text)]
        line = text[:starts[1]].count("\n") + 1 if len(starts) > 1 else 1
        raise FrontMatterError(Problem(path, line, f"front matter is not valid JSON: {err}",
                                       "remove the repeated key")) from None
    body = text[end:].removeprefix("\n")
    body_line = text[:end].count("\n") + 2
    return RawFrontMatter(_as_mapping(data, path), _key_lines(text[:end], "json", 1), body,
                          body_line, "json")


def _as_mapping(data: Any, path: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(Problem(path, 2, "front matter is not a mapping of keys to values",
                                       "write one `key: value` per line"))
    return {str(k): v for k, v in data.items()}


def _key_lines(block: str, fmt: str, offset: int) -> dict[str, int]:
    pattern = {
        "yaml": r"^([A-Za-z_][\w-]*)\s*:",
        "toml": r"^\s*([A-Za-z_][\w-]*)\s*=",
        "json": r'^\s*"([^"]+)"\s*:',
    }[fmt]
    lines: dict[str, int] = {}
    for number, line in enumerate(block.split("\n"), start=offset):
        match = re.match(pattern, line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return lines
