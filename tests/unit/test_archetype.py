"""`new`: content files started from archetypes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from figdown.commands.archetype import (
    ArchetypeError,
    ContentExistsError,
    new_content,
    title_from_name,
)

NOW = datetime(2026, 11, 27, 9, 30, 5, tzinfo=timezone(timedelta(hours=2)))


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    block = text.split("---\n")[1]
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


def test_builtin_archetype_makes_a_draft_with_title_and_date(tmp_path: Path) -> None:
    path = new_content(tmp_path, "posts/my-post.md", NOW)
    assert path == tmp_path / "content" / "posts" / "my-post.md"
    meta = front_matter(path)
    assert meta["title"] == "My Post"
    assert meta["date"] == NOW  # YAML reads the RFC 3339 timestamp back, offset included
    assert "2026-11-27T09:30:05+02:00" in path.read_text()
    assert meta["draft"] is True
    assert meta["tags"] == []
    assert meta["categories"] == []


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = new_content(tmp_path, "posts/relu.md", NOW)
    path.write_text("my words\n")
    with pytest.raises(ContentExistsError, match=r"content/posts/relu.md already exists"):
        new_content(tmp_path, "posts/relu.md", NOW)
    assert path.read_text() == "my words\n"


def test_site_default_archetype_is_a_jinja_template(tmp_path: Path) -> None:
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text(
        "---\ntitle: {{ title | yaml_string }}\ndate: {{ date }}\nslug: {{ slug }}\n"
        "draft: true\n---\n\nWrite about {{ title }} in {{ section }}.\n"
    )
    path = new_content(tmp_path, "posts/leaky-relu.md", NOW)
    meta = front_matter(path)
    assert meta["slug"] == "leaky-relu"
    assert meta["draft"] is True
    assert path.read_text().endswith("Write about Leaky Relu in posts.\n")


def test_section_archetype_wins_over_the_default(tmp_path: Path) -> None:
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text("---\ntitle: default\n---\n")
    (tmp_path / "archetypes" / "notes.md").write_text("---\ntitle: {{ title }}\n---\nnote\n")
    assert front_matter(new_content(tmp_path, "notes/quick-one.md", NOW))["title"] == "Quick One"
    assert front_matter(new_content(tmp_path, "posts/other.md", NOW))["title"] == "default"


def test_page_bundle_is_named_by_its_folder(tmp_path: Path) -> None:
    path = new_content(tmp_path, "posts/swish-and-mish/index.md", NOW)
    assert front_matter(path)["title"] == "Swish And Mish"


def test_naive_time_gets_the_local_offset(tmp_path: Path) -> None:
    path = new_content(tmp_path, "about.md", datetime(2026, 1, 2, 3, 4, 5))
    date = front_matter(path)["date"]
    assert isinstance(date, datetime)
    assert date.tzinfo is not None


def test_utc_date_keeps_its_offset(tmp_path: Path) -> None:
    path = new_content(tmp_path, "about.md", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert "date: 2026-01-02T03:04:05+00:00" in path.read_text()


def test_content_prefix_is_accepted(tmp_path: Path) -> None:
    path = new_content(tmp_path, "content/posts/x.md", NOW)
    assert path == tmp_path / "content" / "posts" / "x.md"


def test_quotes_in_the_title_stay_valid_yaml(tmp_path: Path) -> None:
    path = new_content(tmp_path, "posts/why-it's-#1:-relu.md", NOW)
    assert front_matter(path)["title"] == "Why It's #1: Relu"


@pytest.mark.parametrize(
    "relpath",
    ["../outside.md", "/etc/evil.md", "posts/../../x.md", "posts/notes.txt", "posts/", "a\\b.md"],
)
def test_paths_outside_content_or_not_markdown_are_refused(tmp_path: Path, relpath: str) -> None:
    with pytest.raises(ArchetypeError):
        new_content(tmp_path, relpath, NOW)
    assert not (tmp_path / "content").exists() or not any((tmp_path / "content").rglob("*.md"))


def test_hugo_go_template_archetype_gets_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text(
        "---\ntitle: {{ .Title }}\ndate: {{ .Date }}\n---\n"
    )
    with pytest.raises(ArchetypeError, match=r"^archetypes/default.md:2: .*Jinja2"):
        new_content(tmp_path, "posts/x.md", NOW)
    assert not (tmp_path / "content" / "posts" / "x.md").exists()


def test_unknown_variable_names_what_is_available(tmp_path: Path) -> None:
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text("---\nauthor: {{ author }}\n---\n")
    with pytest.raises(ArchetypeError, match=r"date, section, slug, title"):
        new_content(tmp_path, "posts/x.md", NOW)


def test_archetype_making_broken_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text("---\ntitle: {{ title }}: [\n---\n")
    with pytest.raises(ArchetypeError, match=r"^archetypes/default.md:2: .*not valid YAML"):
        new_content(tmp_path, "posts/x.md", NOW)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("my-post", "My Post"),
        ("gelu_vs_relu", "Gelu Vs Relu"),
        ("GELU-explained", "GELU Explained"),
    ],
)
def test_title_from_name(name: str, title: str) -> None:
    assert title_from_name(name) == title
