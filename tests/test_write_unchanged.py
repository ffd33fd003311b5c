"""A rebuild leaves unchanged output files alone: same bytes, same mtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from figdown.problems import ContentError
from figdown.render import OutputFile
from figdown.write import write_site


def write(tmp_path: Path, outputs: list[OutputFile]) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    return write_site(outputs, tmp_path / "out", site, None).destination


def test_unchanged_files_keep_their_mtime_and_changed_ones_are_rewritten(
        tmp_path: Path) -> None:
    static = tmp_path / "style.css"
    static.write_text("body {}\n")
    out = write(tmp_path, [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a"),
                           OutputFile("css/style.css", source=static)])
    old = {name: (out / name).stat() for name in ("index.html", "a/index.html",
                                                  "css/style.css")}
    past = old["index.html"].st_mtime_ns - 10**9
    for name in old:  # as if the first build ran a second ago
        os.utime(out / name, ns=(past, past))
    out = write(tmp_path, [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"A!"),
                           OutputFile("css/style.css", source=static)])
    assert (out / "index.html").stat().st_mtime_ns == past
    assert (out / "css/style.css").stat().st_mtime_ns == past
    assert (out / "a/index.html").read_bytes() == b"A!"
    assert (out / "a/index.html").stat().st_mtime_ns != past
    assert (out / "index.html").read_bytes() == b"home"
    assert (out / "css/style.css").read_text() == "body {}\n"


def test_a_file_of_the_same_size_but_other_bytes_is_rewritten(tmp_path: Path) -> None:
    out = write(tmp_path, [OutputFile("index.html", b"abc")])
    out = write(tmp_path, [OutputFile("index.html", b"abd")])
    assert (out / "index.html").read_bytes() == b"abd"


def test_files_no_longer_built_are_gone(tmp_path: Path) -> None:
    out = write(tmp_path, [OutputFile("index.html", b"x"), OutputFile("old/index.html", b"y")])
    out = write(tmp_path, [OutputFile("index.html", b"x")])
    assert not (out / "old").exists()
    assert (out / "index.html").read_bytes() == b"x"


def test_a_failed_write_leaves_the_previous_output_and_no_staging(tmp_path: Path) -> None:
    out = write(tmp_path, [OutputFile("index.html", b"old")])
    many = [OutputFile(f"p{n}/index.html", b"x") for n in range(200)]
    with pytest.raises(ContentError):
        write(tmp_path, [*many, OutputFile("p7/index.html", b"again")])
    with pytest.raises(OSError):  # a file where a folder must go, found by a writer thread
        write(tmp_path, [*many, OutputFile("file", b"x"), OutputFile("file/index.html", b"y")])
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
