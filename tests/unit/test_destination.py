"""The output folder is replaced whole, only when the build succeeded, and never a folder
that figdown did not make."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from figdown.cli import main
from figdown.output.write import MARKER

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\n"
POST = "---\ntitle: Alpha\ndate: 2024-01-02\n---\n\nAlpha text.\n"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "content" / "posts" / "alpha.md").write_text(POST, encoding="utf-8")
    return root


def build(site: Path, destination: Path | str) -> int:
    return main(["-q", "-s", str(site), "-d", str(destination)])


def refused(site: Path, destination: Path | str, capsys: pytest.CaptureFixture[str]) -> str:
    assert build(site, destination) == 1
    err = capsys.readouterr().err
    assert "refusing to write the site into" in err
    assert "choose another folder with -d/--destination" in err
    return err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name or ".old-" in p.name)


def test_site_root_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_hashes(site)
    assert "it holds the site itself" in refused(site, site, capsys)
    assert tree_hashes(site) == before
    assert leftovers(site.parent) == []


def test_parent_of_the_site_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_hashes(site.parent)
    assert "it holds the site itself" in refused(site, site.parent, capsys)
    assert tree_hashes(site.parent) == before


def test_content_folder_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_hashes(site)
    assert "inside the site's sources" in refused(site, site / "content", capsys)
    assert "inside the site's sources" in refused(site, site / "content" / "out", capsys)
    assert tree_hashes(site) == before


@pytest.mark.parametrize("name", ["content", "config.yaml", "hugo.toml"])
def test_folder_holding_another_site_is_refused(site: Path, tmp_path: Path, name: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / MARKER).write_text("", encoding="utf-8")  # even with a marker
    if name == "content":
        (other / name).mkdir()
        (other / name / "post.md").write_text("text", encoding="utf-8")
    else:
        (other / name).write_text("title: x\n", encoding="utf-8")
    before = tree_hashes(other)
    assert "looks like a site" in refused(site, other, capsys)
    assert tree_hashes(other) == before


def test_file_system_root_is_refused(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "is the file system root" in refused(site, "/", capsys)


def test_home_folder_is_refused(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / MARKER).write_text("", encoding="utf-8")
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    before = tree_hashes(home)
    assert "is your home folder" in refused(site, home, capsys)
    assert tree_hashes(home) == before


def test_non_empty_folder_without_marker_is_refused(site: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious", encoding="utf-8")
    before = tree_hashes(folder)
    assert f"no {MARKER} file in it" in refused(site, folder, capsys)
    assert tree_hashes(folder) == before
    assert leftovers(tmp_path) == []


def test_a_file_is_refused(site: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out"
    target.write_text("precious", encoding="utf-8")
    assert "is a file" in refused(site, target, capsys)
    assert target.read_text(encoding="utf-8") == "precious"


def test_empty_folder_and_new_folder_are_accepted(site: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(site, empty) == 0
    assert (empty / MARKER).is_file()
    assert (empty / "posts" / "alpha" / "index.html").is_file()
    assert build(site, tmp_path / "new" / "deep") == 0
    assert (tmp_path / "new" / "deep" / MARKER).is_file()


def test_relative_destination_is_inside_the_working_folder(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert build(site, "public") == 0
    assert (tmp_path / "public" / "posts" / "alpha" / "index.html").is_file()


def test_stale_files_do_not_survive_a_rebuild(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (site / "content" / "posts" / "beta.md").write_text(POST.replace("Alpha", "Beta"),
                                                         encoding="utf-8")
    assert build(site, out) == 0
    assert (out / "posts" / "beta" / "index.html").is_file()
    (out / "posts" / "stray.txt").write_text("left by hand", encoding="utf-8")
    (site / "content" / "posts" / "beta.md").unlink()
    assert build(site, out) == 0
    assert not (out / "posts" / "beta").exists()
    assert not (out / "posts" / "stray.txt").exists()
    assert (out / "posts" / "alpha" / "index.html").is_file()
    assert leftovers(tmp_path) == []


def test_failed_build_leaves_output_untouched(site: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    before = tree_hashes(out)
    (site / "content" / "posts" / "alpha.md").write_text(
        POST + "\nA [broken link](/posts/nope/).\n", encoding="utf-8")
    assert build(site, out) == 1  # fails only after every file was written to the staging folder
    assert "broken link /posts/nope/" in capsys.readouterr().err
    assert tree_hashes(out) == before
    assert leftovers(tmp_path) == []


def test_folders_only_named_like_leftovers_are_kept(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(site, out) == 0
    for name in (".out.new-999999", ".out.old-999999"):
        stale = tmp_path / name
        stale.mkdir()
        (stale / MARKER).write_text("", encoding="utf-8")
        (stale / "index.html").write_text("old", encoding="utf-8")
    assert build(site, out) == 0
    # no build recorded making them (see tests/e2e/test_output_safety.py for those that did)
    assert leftovers(tmp_path) == [".out.new-999999", ".out.old-999999"]
    assert (tmp_path / ".out.old-999999" / "index.html").read_text(encoding="utf-8") == "old"


def test_refusal_is_reported_once_without_traceback(site: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(site, site, capsys)
    assert "Traceback" not in err
    assert err.count("refusing") == 1


def test_destination_under_a_file_is_an_error_not_a_crash(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("precious", encoding="utf-8")
    assert build(site, tmp_path / "afile" / "out") == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'afile'}: cannot read or write: File exists" in err
    assert "Traceback" not in err
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "precious"


@pytest.mark.parametrize("name", ["layouts", "static", "lib", "figures", "config"])
def test_source_folders_are_refused_even_before_they_exist(
        site: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "inside the site's sources" in refused(site, site / name, capsys)
    assert not (site / name).exists()
