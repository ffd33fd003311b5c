"""A rebuild leaves unchanged output files alone: same bytes, same mtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from figdown.output.render import OutputFile
from figdown.output.write import MARKER, write_site
from figdown.problems import ContentError


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


def write_with_spare(tmp_path: Path, outputs: list[OutputFile]) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    return write_site(outputs, tmp_path / "out", site, None,
                      spare=tmp_path / "cache" / "spare").destination


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def test_the_replaced_folder_is_kept_as_the_spare_and_staged_into(tmp_path: Path) -> None:
    first = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a"),
             OutputFile("b/index.html", b"b"), OutputFile("c", b"file"),
             OutputFile("d/index.html", b"folder")]
    out = write_with_spare(tmp_path, first)
    assert not (tmp_path / "cache" / "spare").exists()
    out = write_with_spare(tmp_path, first[:3])
    assert (tmp_path / "cache" / "spare" / "c").is_file()  # the first output, kept
    # a folder where a file was and a file where a folder was, in the folder staged into
    later = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a2"),
             OutputFile("c/index.html", b"now a folder"), OutputFile("d", b"now a file")]
    before = (out / "index.html").stat().st_ino
    out = write_with_spare(tmp_path, later)
    assert tree(out) == {p.path: p.data for p in later}
    assert (out / "index.html").stat().st_ino == before
    assert tree(tmp_path / "cache" / "spare") == {"index.html": b"home", "a/index.html": b"a",
                                                   "b/index.html": b"b"}
    out = write_with_spare(tmp_path, later)  # into the spare of two builds ago
    assert tree(out) == {p.path: p.data for p in later}


def test_a_symlink_in_the_spare_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    outputs = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a")]
    write_with_spare(tmp_path, outputs)
    write_with_spare(tmp_path, outputs)
    spare = tmp_path / "cache" / "spare"
    (spare / "a" / "index.html").unlink()
    (spare / "a").rmdir()
    (spare / "a").symlink_to(outside)
    out = write_with_spare(tmp_path, [*outputs[:1], OutputFile("a/index.html", b"new")])
    assert list(outside.iterdir()) == []
    assert (out / "a" / "index.html").read_bytes() == b"new"
    assert not (out / "a").is_symlink()


def test_a_failed_write_into_the_spare_leaves_the_output_alone(tmp_path: Path) -> None:
    outputs = [OutputFile("index.html", b"old")]
    write_with_spare(tmp_path, outputs)
    out = write_with_spare(tmp_path, outputs)
    with pytest.raises(OSError):
        write_with_spare(tmp_path, [OutputFile("file", b"x"), OutputFile("file/index.html",
                                                                          b"y")])
    assert tree(out) == {"index.html": b"old"}
    out = write_with_spare(tmp_path, [OutputFile("index.html", b"new")])
    assert tree(out) == {"index.html": b"new"}
