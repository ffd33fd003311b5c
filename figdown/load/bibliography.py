"""Bibliographies a post cites from: BibTeX read with pybtex, or CSL JSON, made into the CSL
JSON records citeproc-py formats, with the CSL style they are formatted in."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from figdown.problems import Problem

if TYPE_CHECKING:
    from pybtex.database import Entry, Person

CSL = "{http://purl.org/net/xbiblio/csl}"  # the namespace of CSL styles
DEFAULT_STYLE = Path(__file__).resolve().parent.parent / "styles" / "author-date.csl"

# BibTeX entry types as CSL names them; any other type is a generic "article".
_CSL_TYPES = {
    "article": "article-journal", "inproceedings": "paper-conference",
    "conference": "paper-conference", "incollection": "chapter", "inbook": "chapter",
    "book": "book", "phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report",
    "online": "webpage", "misc": "article", "unpublished": "manuscript",
}
_TEXT_FIELDS = {"title": "title", "journal": "container-title", "booktitle": "container-title",
                "journaltitle": "container-title", "volume": "volume", "publisher": "publisher",
                "doi": "DOI", "url": "URL", "note": "note", "edition": "edition",
                "address": "publisher-place", "school": "publisher", "institution": "publisher"}
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


@dataclass(frozen=True)
class Bibliography:
    """A post's bibliography and style. Only `path` and `digest` are in its repr, which is
    what a cached body's key holds: the records travel with a body job, the digest keys it."""

    path: str  # as shown in messages: content/refs.bib
    digest: str  # of the bibliography's bytes and the style's
    records: str = field(repr=False)  # CSL JSON: a list of items, each with its "id"
    style: str = field(repr=False)  # the CSL style's XML
    style_path: str = ""  # as shown in messages

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(str(item["id"]) for item in json.loads(self.records))


class BibliographyError(Exception):
    """A bibliography or style that cannot be read; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_bibliography(source: Path, display: str, style: Path, style_display: str
                      ) -> Bibliography:
    """The bibliography in `source` (.bib or .json) formatted in `style` (a .csl file)."""
    data = _read_bytes(source, display, "bibliography")
    style_data = _read_bytes(style, style_display, "citation style")
    text = data.decode("utf-8", "replace")
    if source.suffix.lower() == ".json":
        records = csl_json_records(text, display)
    else:
        records = bibtex_records(text, display)
    style_text = style_data.decode("utf-8", "replace")
    check_style(style_text, style_display)
    digest = hashlib.sha256(data + b"\0" + style_data).hexdigest()
    return Bibliography(display, digest, json.dumps(records, ensure_ascii=False,
                                                    sort_keys=True),
                        style_text, style_display)


def check_style(text: str, display: str) -> None:
    """A CSL style is XML whose root is `<style>` with a `<citation>` and a `<layout>` in it."""
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as err:
        raise BibliographyError(Problem(display, err.position[0], f"the citation style is not "
                                        f"XML ({err})", "fix the file, or name another with "
                                        "`csl:`")) from None
    if root.tag != f"{CSL}style" or root.find(f"{CSL}citation/{CSL}layout") is None:
        raise BibliographyError(Problem(display, None, "not a CSL style (no <style> with a "
                                        "<citation> layout)", "name a .csl file with `csl:`"))


def _read_bytes(path: Path, display: str, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        reason = "not found" if isinstance(err, FileNotFoundError) else err.strerror
        raise BibliographyError(Problem(display, None, f"{what} cannot be read ({reason})",
                                        "check the path in `bibliography:` or `csl:`; it is "
                                        "relative to the post's folder")) from None


def bibtex_records(text: str, display: str) -> list[dict[str, Any]]:
    """CSL JSON records of a BibTeX file, read by pybtex."""
    # Imported here: pybtex takes a fifth of a second to import, and most sites cite nothing.
    from pybtex.database.input.bibtex import Parser as BibTeXParser
    from pybtex.exceptions import PybtexError
    try:
        data = BibTeXParser().parse_string(text)
    except PybtexError as err:
        line = getattr(err, "lineno", None) or _entry_line(text, str(err))
        message = str(err).replace(" in line", " at line") if line is None else re.sub(
            r"^syntax error in line \d+: ", "", str(err))
        raise BibliographyError(Problem(display, line, f"BibTeX cannot be read: {message}",
                                        "fix the entry there (each is @type{key, field = "
                                        "{value}, …})")) from None
    return [bibtex_record(key, entry) for key, entry in data.entries.items()]


def _entry_line(text: str, message: str) -> int | None:
    """The line of the entry a pybtex message names (`repeated bibliography entry: key`)."""
    key = message.rsplit(": ", 1)[-1]
    matches = list(re.finditer(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", text))
    return text.count("\n", 0, matches[-1].start()) + 1 if matches else None


def bibtex_record(key: str, entry: Entry) -> dict[str, Any]:
    """One BibTeX entry as a CSL JSON item: LaTeX in its fields made plain text."""
    fields = {name.lower(): value for name, value in entry.fields.items()}
    kind = entry.type.lower()
    record: dict[str, Any] = {"id": key, "type": _CSL_TYPES.get(kind, "article")}
    for name, value in fields.items():
        if name in _TEXT_FIELDS:
            record[_TEXT_FIELDS[name]] = _plain(value)
    if "pages" in fields:
        record["page"] = re.sub(r"-+", "-", _plain(fields["pages"]))
    if "number" in fields:
        record["issue" if kind == "article" else "number"] = _plain(fields["number"])
    eprint = _plain(fields.get("eprint", ""))
    if eprint and fields.get("archiveprefix", "").lower() == "arxiv":
        record["number"] = f"arXiv:{eprint}"
        record.setdefault("URL", f"https://arxiv.org/abs/{eprint}")
    date = _date_parts(fields)
    if date:
        record["issued"] = {"date-parts": [date]}
    for role in ("author", "editor"):
        people = entry.persons.get(role, [])
        if people:
            record[role] = [_name(person) for person in people]
    return record


def _plain(value: str) -> str:
    """A BibTeX value as text: braces gone, LaTeX accents and dashes as characters."""
    from pybtex.backends.plaintext import Backend as PlainText
    from pybtex.richtext import Text
    # The backend itself, not looked up by name (as the parser above): pybtex's lookup reads
    # every installed package's entry points on each call.
    text = Text.from_latex(value).render(PlainText())
    return re.sub(r"\s+", " ", text).strip()


def _date_parts(fields: Mapping[str, str]) -> list[int]:
    year = re.search(r"\d{4}", fields.get("year", "") or fields.get("date", ""))
    if not year:
        return []
    parts = [int(year.group(0))]
    month = fields.get("month", "").strip().lower()[:3]
    if month in _MONTHS:
        parts.append(_MONTHS[month])
    elif month.isdigit() and 1 <= int(month) <= 12:
        parts.append(int(month))
    return parts


def _name(person: Person) -> dict[str, str]:
    name = {"family": _plain(" ".join([*person.prelast_names, *person.last_names])),
            "given": _plain(" ".join([*person.first_names, *person.middle_names]))}
    if person.lineage_names:
        name["suffix"] = _plain(" ".join(person.lineage_names))
    return {k: v for k, v in name.items() if v}


def csl_json_records(text: str, display: str) -> list[dict[str, Any]]:
    """The items of a CSL JSON file: a list of objects, each with a string `id`."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        raise BibliographyError(Problem(display, err.lineno, f"CSL JSON cannot be read: "
                                        f"{err.msg}", "fix the JSON there")) from None
    if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("id"), str) for item in items):
        raise BibliographyError(Problem(display, 1, "CSL JSON must be a list of items, each "
                                        'with an "id"', 'write [{"id": "key", "type": …}, …]'))
    seen: set[str] = set()
    for item in items:
        if item["id"] in seen:
            raise BibliographyError(Problem(display, None, f"repeated item id {item['id']!r}",
                                            "give each item its own id"))
        seen.add(item["id"])
    return items


__all__ = ["CSL", "DEFAULT_STYLE", "Bibliography", "BibliographyError", "bibtex_record",
           "bibtex_records", "check_style", "csl_json_records", "read_bibliography"]
