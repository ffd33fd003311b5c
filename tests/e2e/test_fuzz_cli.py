"""Whatever a user puts in the config, the front matter or the command line, figdown answers
with exit 0, 1 or 2 and at most a few lines: never exit 70 ("internal error"), never a
traceback.

The command's entry (`figdown.cli.main`) is called in this process, as `build.py` calls it,
in a scratch folder that is also the working directory (relative `-d` paths land there).
`serve` is called with the server loop replaced by one preview build: what is tried is how
the command reads its arguments and builds, not the HTTP server.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from figdown import cli
from figdown.load.config import KNOWN_KEYS

POST = "---\ntitle: A\ndate: 2024-03-01\ntags: [x]\n---\n\nText with a [link](/posts/b/).\n"
POST_B = "---\ntitle: B\ndate: 2024-03-02\n---\n\nOther text.\n"

huge_ints = st.sampled_from([10 ** 30, -(10 ** 30), 2 ** 63, -1, 0, 10 ** 4000])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.dates(), st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.sampled_from(["", " ", "/", "//", "../..", "/a/../../x", "javascript:alert(1)", "?#",
                     "https://", "http://x y/", ":slug", "/:nosuch/", "/:year/:title/",
                     "\x00", "\u2028", "é", "9" * 4400, "-1", "1e999", "nan", ".inf",
                     "Europe/Nowhere", "png", "svg", "always", "never"]),
)


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


values = st.one_of(
    scalars,
    st.integers(min_value=90, max_value=130).map(nested),
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=6) | st.sampled_from(["name", "url", "weight", "posts", "tag"]),
        inner, max_size=3), max_leaves=8),
)
CONFIG_KEYS = [*sorted(KNOWN_KEYS), "figures.timeout", "figures.format", "figures.store",
               "figures.helpers", "figures.animationLimit", "figures.style",
               "pagination.pagerSize", "permalinks.posts", "permalinks.tags", "taxonomies.tag",
               "menu.main", "markup.goldmark", "languages.en"]
configs = st.dictionaries(st.sampled_from(CONFIG_KEYS), values, max_size=4)
FRONT_KEYS = ["title", "date", "lastmod", "publishDate", "expiryDate", "draft", "slug", "url",
              "aliases", "summary", "description", "weight", "keywords", "headless", "build",
              "params", "tags", "categories", "menu", "linkTitle", "layout", "outputs"]
fronts = st.dictionaries(st.sampled_from(FRONT_KEYS) | st.text(max_size=6), values, max_size=5)


def expand(flat: dict[str, Any]) -> dict[str, Any]:
    """`{"figures.timeout": 1}` → `{"figures": {"timeout": 1}}`."""
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, rest = key.partition(".")
        if rest:
            branch = tree.get(head)
            tree[head] = {**(branch if isinstance(branch, dict) else {}), rest: value}
        else:
            tree[key] = value
    return tree


def as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str, indent=1)


@contextlib.contextmanager
def scratch_site(config: str, name: str = "config.yaml",
                 posts: dict[str, str] | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="figdown-fuzz-") as folder, \
            contextlib.chdir(folder):
        site = Path(folder) / "site"
        (site / "content" / "posts").mkdir(parents=True)
        (site / name).write_text(config, encoding="utf-8", errors="surrogatepass")
        for rel, text in (posts or {"a.md": POST, "b.md": POST_B}).items():
            (site / "content" / "posts" / rel).write_text(text, encoding="utf-8",
                                                          errors="surrogatepass")
        yield site


def run_cli(argv: list[str]) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, err.getvalue()


def assert_answered(code: int, stderr: str, argv: list[str]) -> None:
    assert code in (0, 1, 2), f"exit {code} for {argv}:\n{stderr}"
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    for line in stderr.splitlines():
        if line.startswith("error: "):
            assert " — " in line, f"an error without a hint: {line}"


@pytest.fixture(autouse=True)
def one_preview_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` builds its preview once and returns, instead of serving until Ctrl-C."""
    import figdown.serve.server

    def serve_once(build: Any, preview_dir: Path, layout: Any, **options: Any) -> int:
        cleanup = options.get("cleanup")
        try:
            return 0 if build(None).ok else 1
        finally:
            if cleanup is not None:
                cleanup()

    monkeypatch.setattr(figdown.serve.server, "serve", serve_once)


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(config=configs, form=st.sampled_from(["yaml", "json"]))
def test_any_config_builds_or_is_reported(config: dict[str, Any], form: str) -> None:
    data = {"baseURL": "/", "title": "T", **expand(config)}
    text, name = (as_yaml(data), "config.yaml") if form == "yaml" else (as_json(data),
                                                                        "hugo.json")
    with scratch_site(text, name) as site:
        argv = ["-q", "-s", str(site), "-d", "out"]
        assert_answered(*run_cli(argv), argv)


@FUZZ
@given(front=fronts, form=st.sampled_from(["yaml", "json"]), raw=st.sampled_from(
    ["", '"t": "\\ud800",', '"t": "\\udfff\\ud800",', '"t": 1e400,', '"t": -0,']))
def test_any_front_matter_builds_or_is_reported(front: dict[str, Any], form: str,
                                                raw: str) -> None:
    if form == "yaml":
        text = "---\n" + as_yaml(front) + "---\n\nBody.\n"
    else:  # JSON escapes that no serialiser writes: a lone surrogate, an overflowing float
        text = "{" + raw + as_json(front)[1:] + "\nBody.\n"
    with scratch_site("baseURL: /\ntitle: T\n", posts={"a.md": text, "b.md": POST_B}) as site:
        argv = ["-q", "-s", str(site), "-d", "out", "-D", "-F", "-E"]
        assert_answered(*run_cli(argv), argv)


paths = st.one_of(
    st.sampled_from(["out", "output", ".", "..", "/", "site", "site/content", "site/output",
                     "x" * 300, "a/" + "y" * 300, "out/../out", "~", "\x01", "-",
                     "site/config.yaml"]),
    # no "/": a random absolute path or one climbing out would write outside the scratch folder
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00/"),
            min_size=1, max_size=12).filter(lambda name: name not in (".", "..")))
flag_values = {
    "-d": paths, "-s": st.sampled_from(["site", "nosuch", "x" * 300, "site/config.yaml"]),
    "-b": scalars.map(str), "--clock": st.one_of(
        st.datetimes(timezones=st.sampled_from([None, UTC])).map(datetime.isoformat),
        st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "now",
                         "2026-01-01T00:00:00Z", "", "2026"]),
        st.dates(min_value=date(1, 1, 1)).map(date.isoformat)),
    "-j": st.sampled_from(["0", "1", "2", "-1", "x", "1.5"]),
    "-p": st.sampled_from(["0", "1313", "65535", "65536", "99999", "-1", "x", ""]),
    "--bind": st.sampled_from(["127.0.0.1", "localhost", "::1", "", "nosuch.invalid"]),
}
FLAGS = {
    "build": ["-d", "-s", "-b", "--clock", "-j", "-D", "-F", "-E", "--warn-links",
              "--keep-going", "--refresh-figures", "-q", "--bogus"],
    "list": ["-s", "-q"], "new": ["-s", "-q"], "serve": ["-s", "-p", "--bind", "--no-drafts", "-q"],
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(FLAGS)))
    argv = [] if command == "build" and draw(st.booleans()) else [command]
    if command == "list":
        argv.append(draw(st.sampled_from(["drafts", "future", "expired", "other"])))
    if command == "new":
        argv.append(draw(st.one_of(st.sampled_from(
            ["posts/n.md", "posts/a.md", "n.txt", "../n.md", "/tmp/n.md", "posts/" + "z" * 300
             + ".md", "a/b/c/_index.md", ".md", "posts/.md"]), paths)))
    for flag in draw(st.lists(st.sampled_from(FLAGS[command]), max_size=4, unique=True)):
        argv.append(flag)
        if flag in flag_values:
            argv.append(draw(flag_values[flag]))
    if "-s" not in argv:
        argv += ["-s", "site"]
    if command in ("build", "serve") and "-d" not in argv and command == "build":
        argv += ["-d", "out"]
    return argv


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=command_lines())
def test_any_command_line_is_answered(argv: list[str]) -> None:
    with scratch_site("baseURL: /\ntitle: T\n"):
        assert_answered(*run_cli(argv), argv)
