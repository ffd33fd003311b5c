"""Random front matter and Markdown either render or give a content error, nothing else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from figdown.load.config import SiteConfig
from figdown.load.content import parse_front_matter
from figdown.load.frontmatter import FrontMatterError, split_front_matter
from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens
from figdown.problems import Problem

CONFIG = SiteConfig(root=Path("/site"))
MD = create_markdown()
KEYS = ["title", "date", "lastmod", "publishDate", "expiryDate", "draft", "slug", "url",
        "aliases", "summary", "description", "weight", "keywords", "headless", "build",
        "params", "tags", "categories", "Tags", "linkTitle", "layout", "series"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.sampled_from(["2024-13-45", "yes", "no", "???", "../../x", "/a/../..", "<script>",
                     "2024-02-30T25:61:00Z", "", " ", "\x00", "café", "ÀÉ"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=10)
front_matter = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), values,
                               max_size=8)

MD_PIECES = ["# ", "## ", "*", "_", "**", "`", "```", "```python\n", "```{python}\n", "~~~",
             "[", "]", "(", ")", "![", "<", ">", "</div>", "<div>", "&", "&amp;", "$", "$$",
             "\\(", "\\[", "\\frac{1}{", "[^1]", "[^1]: ", "<!--more-->", "|", "---", "- ",
             "1. ", "> ", "\n", "\n\n", "    ", "http://x.y/", "#x", "{#id}", " ", "word",
             "é", "\x00", "\r", "\t", "[x]: /a/", "- [ ] ", "#| caption: x\n", "<script>",
             "{{< figure >}}", "\\", "'", '"']
markdown_text = st.lists(st.sampled_from(MD_PIECES) | st.text(max_size=5), max_size=40).map(
    "".join)


def serialise(data: dict[str, Any], form: str) -> str:
    if form == "yaml":
        return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
    if form == "json":
        return json.dumps(data, default=str, indent=1) + "\n"
    lines = [f"{json.dumps(k)} = {json.dumps(v, default=str)}" for k, v in data.items()
             if isinstance(v, (str, int, bool)) and not isinstance(v, float)]
    return "+++\n" + "\n".join(lines) + "\n+++\n"


def render_file(text: str) -> list[Problem]:
    """The content path of a build for one file: split, type-check, parse, render."""
    path = "content/posts/fuzz.md"
    try:
        raw = split_front_matter(text, path)
    except FrontMatterError as err:
        assert isinstance(err.problem, Problem)
        assert err.problem.line is None or 1 <= err.problem.line <= text.count("\n") + 2
        return [err.problem]
    front, problems = parse_front_matter(raw, path, CONFIG)
    context = RenderContext(path=path, line_offset=raw.body_line, base_path="/blog/",
                            page_url="/posts/fuzz/")
    tokens, env = parse_body(MD, raw.body, context)
    body = render_tokens(MD, tokens, env, raw.body, front.summary, 70)
    assert isinstance(body.html, str) and isinstance(body.summary, str)
    for link in body.links:
        assert link.line is None or link.line >= 1
    return [*problems, *body.problems]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matter, form=st.sampled_from(["yaml", "json", "toml"]), body=markdown_text)
def test_structured_front_matter_renders_or_reports(front: dict[str, Any], form: str,
                                                    body: str) -> None:
    render_file(serialise(front, form) + "\n" + body)


@settings(max_examples=200, deadline=None)
@given(fence=st.sampled_from(["---\n", "+++\n", "{", "\ufeff---\n", ""]),
       head=st.text(max_size=60), body=markdown_text,
       close=st.sampled_from(["---\n", "+++\n", "}\n", ""]))
def test_arbitrary_text_renders_or_reports(fence: str, head: str, body: str,
                                           close: str) -> None:
    render_file(fence + head + "\n" + close + body)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_at_all(text: str) -> None:
    render_file(text)


def test_known_awkward_inputs() -> None:
    for text in ["---\n---\n", "---\n", "+++\n+++\n", "{}", "{", "---\n: x\n---\n",
                 "---\ndate: 2024-13-45\n---\n", "---\n? [a, b]\n: c\n---\n",
                 "---\n&a [*a]\n---\n", "---\ntitle: !!python/object:os.system x\n---\n",
                 '{"title": "\\ud800"}\n', "---\ntags: [[a]]\n---\n",
                 "---\nbuild: {list: [1]}\n---\n", f"---\ndate: {date(1, 1, 1)}\n---\n",
                 f"---\ndate: {datetime(9999, 12, 31, 23, 59)}\n---\n"]:
        render_file(text)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(posts=st.lists(st.tuples(front_matter, markdown_text), min_size=1, max_size=3))
def test_whole_builds_succeed_or_report(posts: list[tuple[dict[str, Any], str]],
                                        tmp_path_factory: Any) -> None:
    from figdown.pipeline import BuildOptions, build

    site = tmp_path_factory.mktemp("fuzz")
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: https://example.org/blog/\ntitle: T\n",
                                      encoding="utf-8")
    for number, (front, body) in enumerate(posts):
        text = serialise(front, "yaml") + "\n" + body
        (site / "content" / "posts" / f"p{number}.md").write_text(text, encoding="utf-8",
                                                                 errors="surrogatepass")
    report = build(BuildOptions(source=site, destination=site.parent / f"{site.name}-out",
                                drafts=True, future=True, expired=True, warn_links=True))
    for problem in report.problems:
        assert problem.path and problem.message
