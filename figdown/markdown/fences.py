"""Fence info strings: a language and Hugo-style `{key=value, …}` attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from figdown.execute.blocks import OptionValue

AttrValue = OptionValue | list[OptionValue]

_PAIR = re.compile(
    r"""\s*([A-Za-z_][\w-]*)\s*=\s*            # key
    ( "(?:[^"\\]|\\.)*"                        # "double quoted"
    | '(?:[^'\\]|\\.)*'                        # 'single quoted'
    | \[[^\]]*\]                               # [a, list]
    | [^,\s}]+ )                               # bare word or number
    \s*,?""",
    re.VERBOSE,
)
_QUARTO = re.compile(r"^\{\s*([A-Za-z][\w-]*)\s*(.*?)\}$")
_LIST_ITEM = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,\s]+""")


@dataclass(frozen=True)
class FenceInfo:
    """What a fence's info string says: its language, attributes, and whether it runs."""

    lang: str
    attrs: dict[str, AttrValue] = field(default_factory=dict)
    quarto: bool = False
    errors: tuple[str, ...] = ()

    @property
    def executable(self) -> bool:
        if self.quarto:
            return self.lang == "python"
        return self.lang == "python" and self.attrs.get("exec") is True


def parse_value(text: str) -> AttrValue:
    """A typed attribute value: quoted string, list, boolean, number or bare word."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if text.startswith("[") and text.endswith("]"):
        items = _LIST_ITEM.findall(text[1:-1])
        values: list[OptionValue] = []
        for item in items:
            value = parse_value(item)
            if not isinstance(value, list):
                values.append(value)
        return values
    lowered = text.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_attributes(text: str) -> tuple[dict[str, AttrValue], tuple[str, ...]]:
    """Parse `key=value, key="v"` pairs; what cannot be read is returned as errors."""
    attrs: dict[str, AttrValue] = {}
    errors: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _PAIR.match(text, pos)
        if match is None:
            rest = text[pos:].strip().strip(",").strip()
            if rest:
                errors.append(f"cannot read fence attribute {rest!r}")
            break
        attrs[match.group(1)] = parse_value(match.group(2))
        pos = match.end()
    return attrs, tuple(errors)


def parse_fence_info(info: str) -> FenceInfo:
    """Split ```` ```python {exec=true, id="x"} ```` or ```` ```{python} ```` into its parts."""
    info = info.strip()
    quarto = _QUARTO.match(info)
    if quarto:
        attrs, errors = parse_attributes(quarto.group(2).replace(" ", ",") if "=" not in
                                         quarto.group(2) else quarto.group(2))
        return FenceInfo(lang=quarto.group(1).lower(), attrs=attrs, quarto=True, errors=errors)
    if "{" in info:
        lang, _, rest = info.partition("{")
        attrs, errors = parse_attributes(rest.rsplit("}", 1)[0])
        return FenceInfo(lang=lang.strip().lower(), attrs=attrs, errors=errors)
    lang = info.split(maxsplit=1)[0].lower() if info else ""
    return FenceInfo(lang=lang)


_QUARTO_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
_QUARTO_ITEM = re.compile(r"^#\|\s+-\s+(.*)$")  # an item of the list the line before opened


def split_quarto_options(code: str) -> tuple[dict[str, AttrValue], str, int]:
    """Take the leading `#| key: value` lines off a Quarto block: (options, code, lines taken).

    A key with no value followed by `#|   - item` lines is a list, as in YAML."""
    options: dict[str, AttrValue] = {}
    lines = code.splitlines(keepends=True)
    taken = 0
    listed: str | None = None  # the key whose items follow
    for line in lines:
        item = _QUARTO_ITEM.match(line.strip())
        if item and listed is not None:
            value = parse_value(item.group(1))
            items = options[listed]
            if not isinstance(value, list) and isinstance(items, list):
                items.append(value)
            taken += 1
            continue
        match = _QUARTO_OPTION.match(line.strip())
        if not match:
            break
        listed = None
        if match.group(2).strip():
            options[match.group(1)] = parse_value(match.group(2))
        else:
            options[match.group(1)] = []
            listed = match.group(1)
        taken += 1
    return options, "".join(lines[taken:]), taken


def line_numbers(spec: AttrValue | None) -> set[int]:
    """Hugo's `hl_lines` ([2, "4-6"] or "2 4-6") as a set of 1-based line numbers."""
    if spec is None:
        return set()
    parts: list[str] = []
    items = spec if isinstance(spec, list) else [spec]
    for item in items:
        parts.extend(str(item).replace(",", " ").split())
    lines: set[int] = set()
    for part in parts:
        start, _, end = part.partition("-")
        if start.isdigit() and (not end or end.isdigit()):
            lines.update(range(int(start), int(end or start) + 1))
    return lines
