from datetime import UTC, datetime

import pytest

from figdown.load.urls import (
    absolute,
    clean_path,
    encode,
    expand_permalink,
    fold,
    pager_path,
    path_name,
    urlize,
    with_base,
)


@pytest.mark.parametrize(("text", "slug"), [
    ("Deep Learning", "deep-learning"),
    ("deep learning", "deep-learning"),
    ("Neural Networks", "neural-networks"),
    ("C++", "c++"),
    ("Théorie des graphes", "théorie-des-graphes"),
    ("  spaced   out  ", "spaced-out"),
    ("what? why!", "what-why"),
    ("a - b", "a-b"),
    ("???", ""),
    ("code_syntax", "code_syntax"),
])
def test_urlize_follows_hugo(text: str, slug: str) -> None:
    assert urlize(text) == slug


@pytest.mark.parametrize(("text", "path"), [
    ("Career / work", "career-/-work"),
    ("Life/Work", "life/work"),
    ("/leading", "leading"),
    ("a//b/", "a/b"),
    ("../up", "up"),
    ("two  spaces", "two--spaces"),
    (" leading space", "-leading-space"),
    ("Emoji 🎉", "emoji-"),
    ("templates & more", "templates--more"),
    ("C#", "c#"),
    ("Q&A", "qa"),
])
def test_path_names_follow_hugo(text: str, path: str) -> None:
    assert path_name(text) == path


def test_a_hash_inside_a_path_is_encoded_but_a_fragment_is_kept() -> None:
    assert encode("/tags/c#/") == "/tags/c%23/"
    assert encode("/tags/c#/index.xml") == "/tags/c%23/index.xml"
    assert encode("/about/#team") == "/about/#team"


def test_fold_merges_case_and_accents() -> None:
    assert fold("Café") == fold("cafe")
    assert fold("Relu") == fold("relu")
    assert fold("relu") != fold("gelu")


@pytest.mark.parametrize(("path", "expected"), [
    ("/about", "/about/"),
    ("about/", "/about/"),
    ("/a//b/./c/", "/a/b/c/"),
    ("/feed.xml", "/feed.xml"),
    ("/", "/"),
    ("../../x", None),
    ("/a/../../x", None),
    ("a\\b", None),
])
def test_clean_path_refuses_to_leave_the_site(path: str, expected: str | None) -> None:
    assert clean_path(path) == expected


def test_permalink_tokens() -> None:
    when = datetime(2024, 11, 20, tzinfo=UTC)
    url = expand_permalink("/:year/:month/:day/:slug/", slug=None, title="Why ReLU Works",
                           filename="relu", section="posts", sections="posts", date=when)
    assert url == "/2024/11/20/why-relu-works/"
    url = expand_permalink("/:section/:slugorfilename/", slug=None, title="T", filename="relu",
                           section="posts", sections="posts", date=when)
    assert url == "/posts/relu/"
    url = expand_permalink("/:section/:slug/", slug="My Slug", title="T", filename="f",
                           section="posts", sections="posts", date=None)
    assert url == "/posts/my-slug/"


def test_base_path_and_absolute_urls() -> None:
    assert with_base("/blog/", "/posts/x/") == "/blog/posts/x/"
    assert with_base("/", "/posts/x/") == "/posts/x/"
    assert with_base("/blog/", "https://example.org/") == "https://example.org/"
    assert absolute("https://u.github.io/blog/", "/posts/x/") == \
        "https://u.github.io/blog/posts/x/"
    assert pager_path("/tags/relu/", 1) == "/tags/relu/"
    assert pager_path("/tags/relu/", 3) == "/tags/relu/page/3/"
