from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from figdown.load.config import SiteConfig
from figdown.load.content import parse_date, parse_front_matter
from figdown.load.frontmatter import FrontMatterError, split_front_matter

CONFIG = SiteConfig(root=Path("/site"))


def front(text: str, config: SiteConfig = CONFIG):  # type: ignore[no-untyped-def]
    raw = split_front_matter(text, "content/posts/x.md")
    return parse_front_matter(raw, "content/posts/x.md", config)


def test_yaml_toml_and_json_give_the_same_fields() -> None:
    yaml_text = '---\ntitle: "ReLU"\ndate: 2024-11-20\ntags: ["a", "b"]\nmood: calm\n---\nBody\n'
    toml_text = ('+++\ntitle = "ReLU"\ndate = 2024-11-20\ntags = ["a", "b"]\n'
                 'mood = "calm"\n+++\nBody\n')
    json_text = ('{\n"title": "ReLU",\n"date": "2024-11-20",\n"tags": ["a", "b"],\n'
                 '"mood": "calm"\n}\nBody\n')
    results = [front(t) for t in (yaml_text, toml_text, json_text)]
    for fm, problems in results:
        assert problems == []
        assert fm.title == "ReLU"
        assert fm.date == datetime(2024, 11, 20, tzinfo=UTC)
        assert fm.terms["tags"] == ("a", "b")
        assert fm.params["mood"] == "calm"


def test_body_line_counts_the_front_matter() -> None:
    raw = split_front_matter("---\ntitle: x\ndate: 2024-01-01\n---\n\nHello\n", "p.md")
    assert raw.body_line == 5
    assert raw.body == "\nHello\n"
    assert raw.key_lines["date"] == 3


def test_bom_and_crlf_just_work() -> None:
    fm, problems = front("\ufeff---\r\ntitle: Windows\r\ntags: relu\r\n---\r\nText\r\n")
    assert problems == []
    assert fm.title == "Windows"
    assert fm.terms["tags"] == ("relu",)


def test_unclosed_front_matter_names_line_one() -> None:
    with pytest.raises(FrontMatterError) as err:
        split_front_matter("---\ntitle: x\n\nBody", "content/posts/x.md")
    assert str(err.value.problem).startswith("content/posts/x.md:1: front matter is not closed")


def test_invalid_yaml_names_its_line() -> None:
    with pytest.raises(FrontMatterError) as err:
        split_front_matter("---\ntitle: ok\ntags: [a, b\n---\n", "p.md")
    assert err.value.problem.line in {3, 4}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(FrontMatterError) as err:
        split_front_matter("---\ntitle: a\ndate: 2024-01-01\ntitle: b\n---\n", "p.md")
    assert "duplicate key 'title'" in err.value.problem.message
    assert err.value.problem.line == 4


def test_wrong_types_are_problems_with_lines() -> None:
    _fm, problems = front('---\ntitle: [a, b]\ndraft: "yes"\ndate: someday\n---\n')
    messages = {p.line: p.message for p in problems}
    assert "`title` must be a string" in messages[2]
    assert "`draft` must be true or false" in messages[3]
    assert "`date` is not a date" in messages[4]


def test_dates_without_offset_use_the_site_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert parse_date("2024-11-20T10:00:00", paris) == datetime(2024, 11, 20, 10, tzinfo=paris)
    with_offset = parse_date("2024-11-20T10:00:00+05:30", paris)
    assert with_offset is not None
    assert with_offset.utcoffset() == timedelta(hours=5, minutes=30)
    assert parse_date("2024-11-20T10:00:00Z", paris) == datetime(2024, 11, 20, 10,
                                                                    tzinfo=UTC)
    assert parse_date("not a date", paris) is None
