"""What a build publishes stays inside the site: symbolic links under content/ and static/
are followed only to files and folders of the site, and the no-op check follows them the same
way; a page named with a dot keeps Hugo's folder URL. Each runs `build.py` as a user does."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_build

POST = "---\ntitle: {title}\ndate: 2024-03-01\n---\n\n{body}\n"


def make_site(root: Path) -> Path:
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\n", encoding="utf-8")
    (site / "content" / "posts" / "a.md").write_text(POST.format(title="A", body="A."),
                                                     encoding="utf-8")
    return site


def published(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("folder", ["content/posts", "static"])
def test_a_symlink_to_a_file_outside_the_site_is_refused(tmp_path: Path, folder: str) -> None:
    site = make_site(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n", encoding="utf-8")
    (site / folder).mkdir(parents=True, exist_ok=True)
    (site / folder / "notes.txt").symlink_to(secret)
    done = run_build("-s", site)
    assert done.returncode == 1, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"error: {folder}/notes.txt: symbolic link to {secret} leads "
                            "outside the site"), first
    assert " — " in first
    assert not (site / "output").exists()  # nothing written, so nothing published


def test_a_symlink_refused_after_a_good_build_leaves_the_output_as_it_was(tmp_path: Path
                                                                          ) -> None:
    site = make_site(tmp_path)
    assert run_build("-s", site).returncode == 0
    before = published(site / "output")
    (site / "content" / "posts" / "passwd").symlink_to("/etc/passwd")
    done = run_build("-s", site)
    assert done.returncode == 1, done.stderr
    assert "content/posts/passwd: symbolic link to /etc/passwd" in done.stderr
    assert published(site / "output") == before
    first_line = Path("/etc/passwd").read_bytes().splitlines()[0]
    assert not any(first_line in data for data in before.values())


def test_posts_in_a_folder_linked_from_outside_the_site_are_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "s.md").write_text(POST.format(title="S", body="Shared."), encoding="utf-8")
    (site / "content" / "posts" / "shared").symlink_to(shared)
    done = run_build("-s", site)
    assert done.returncode == 1
    assert "content/posts/shared: symbolic link to" in done.stderr


def test_a_symlink_into_a_hidden_folder_of_the_site_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[remote]\n", encoding="utf-8")
    (site / "content" / "posts" / "config.txt").symlink_to(site / ".git" / "config")
    done = run_build("-s", site)
    assert done.returncode == 1
    assert "content/posts/config.txt: symbolic link to" in done.stderr
    assert "hidden folder" in done.stderr


def test_a_symlink_to_nothing_is_skipped_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "content" / "posts" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert "warning: content/posts/gone.png: symbolic link to" in done.stderr
    assert "points at nothing" in done.stderr
    assert not (site / "output" / "posts" / "gone.png").exists()


def test_symlinks_inside_the_site_are_followed(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "shared").mkdir()
    (site / "shared" / "s.md").write_text(POST.format(title="S", body="Shared."),
                                          encoding="utf-8")
    (site / "shared" / "s.png").write_bytes(b"\x89PNG picture")
    (site / "content" / "posts" / "shared").symlink_to("../../shared")
    (site / "content" / "posts" / "logo.png").symlink_to("../../shared/s.png")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    out = site / "output"
    assert "Shared." in (out / "posts" / "shared" / "s" / "index.html").read_text("utf-8")
    assert (out / "posts" / "logo.png").read_bytes() == b"\x89PNG picture"
    assert (out / "posts" / "shared" / "s.png").read_bytes() == b"\x89PNG picture"


def test_an_edit_in_a_linked_folder_is_rebuilt(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "shared").mkdir()
    shared_post = site / "shared" / "s.md"
    shared_post.write_text(POST.format(title="S", body="Version one."), encoding="utf-8")
    (site / "content" / "posts" / "shared").symlink_to("../../shared")
    page = site / "output" / "posts" / "shared" / "s" / "index.html"
    assert run_build("-s", site).returncode == 0
    assert "Version one." in page.read_text("utf-8")
    shared_post.write_text(POST.format(title="S", body="Version two."), encoding="utf-8")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert "Version two." in page.read_text("utf-8")
    # a folder link added later is noticed too
    (site / "more").mkdir()
    (site / "more" / "m.md").write_text(POST.format(title="M", body="More."), encoding="utf-8")
    (site / "content" / "posts" / "more").symlink_to("../../more")
    assert run_build("-s", site).returncode == 0
    assert (site / "output" / "posts" / "more" / "m" / "index.html").is_file()


@pytest.mark.parametrize("name", ["python-3.12-notes", "release-v1.2"])
def test_a_page_named_with_a_dot_is_a_folder_with_index_html(tmp_path: Path, name: str
                                                              ) -> None:
    site = make_site(tmp_path)
    (site / "content" / "posts" / f"{name}.md").write_text(
        POST.format(title="N", body="Notes."), encoding="utf-8")
    (site / "content" / "posts" / "b.md").write_text(
        POST.format(title="B", body=f"See [the notes](/posts/{name}/)."), encoding="utf-8")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr  # the link to Hugo's URL resolves
    out = site / "output"
    assert (out / "posts" / name).is_dir()
    assert "Notes." in (out / "posts" / name / "index.html").read_text("utf-8")
    assert f"<loc>/posts/{name}/</loc>" in (out / "sitemap.xml").read_text("utf-8")


def test_a_permalink_pattern_naming_a_file_keeps_it(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\npermalinks:\n"
                                      "  posts: /:slug.html\n", encoding="utf-8")
    (site / "content" / "posts" / "v1.2.md").write_text(POST.format(title="N", body="N."),
                                                        encoding="utf-8")
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert (site / "output" / "n.html").is_file()
