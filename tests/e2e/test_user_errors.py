"""Inputs a user can get wrong, run through `build.py` as a user runs it: each answer is one
line naming the file (and line) that caused it, what is wrong and what to do, with exit 1
(content) or 2 (usage); never exit 70 ("internal error … a bug in figdown"), never a
traceback, never a message naming figdown's own staging folder or an output page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_build

CONFIG = "baseURL: /\ntitle: T\n"


def site_with(root: Path, post: str, config: str = CONFIG, name: str = "a.md") -> Path:
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (site / "config.yaml").write_text(config, encoding="utf-8")
    (site / "content" / "posts" / name).write_text(post, encoding="utf-8")
    return site


def front(extra: str = "", body: str = "Text.\n") -> str:
    return f"---\ntitle: A\ndate: 2024-03-01\n{extra}---\n\n{body}"


def assert_one_line_error(done: subprocess.CompletedProcess[str], code: int,
                          *expected: str) -> str:
    """The first error line, after checking the exit code and that nothing crashed."""
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert "internal error" not in output and "Traceback" not in output, output
    assert ".output.new" not in output, output
    first = next(line for line in done.stderr.splitlines() if "error" in line)
    for text in expected:
        assert text in first, first
    assert " — " in first, first
    return first


# --- front matter and config the parsers accept but nothing after them can hold

def test_json_front_matter_with_a_lone_surrogate_is_refused_at_its_line(tmp_path: Path
                                                                        ) -> None:
    site = site_with(tmp_path, '{\n"title": "T\\ud800x",\n"date": "2024-03-01"\n}\n\nBody.\n')
    assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:2:", "surrogate")


@pytest.mark.parametrize("text", [
    '{"title": "T", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\nBody.\n",
    '+++\ntitle = "T"\nx = ' + "[" * 10_000 + "]" * 10_000 + "\n+++\n\nB.\n",
    "---\ntitle: T\nx: " + "[" * 150 + "]" * 150 + "\n---\n\nB.\n",
], ids=["json 100000 deep", "toml 10000 deep", "yaml 150 deep"])
def test_front_matter_nested_too_deep_is_refused(tmp_path: Path, text: str) -> None:
    site = site_with(tmp_path, text)
    assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:", "nested")


@pytest.mark.parametrize("text", [
    front("weight: " + "9" * 5000 + "\n"),
    "---\ntitle: " + "9" * 5000 + "\ndate: 2024-03-01\n---\n\nB.\n",
    '+++\ntitle = "T"\nweight = ' + "9" * 5000 + "\n+++\n\nB.\n",
    '{"title": "T",\n"weight": ' + "9" * 5000 + "}\nB.\n",
], ids=["yaml weight", "yaml title", "toml", "json"])
def test_a_number_of_5000_digits_is_refused_at_its_line(tmp_path: Path, text: str) -> None:
    site = site_with(tmp_path, text)
    first = assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:",
                                  "more than 4300 digits")
    assert "quote it" in first


def test_a_config_title_of_5000_digits_is_refused(tmp_path: Path) -> None:
    site = site_with(tmp_path, front(), config="baseURL: /\ntitle: " + "9" * 5000 + "\n")
    assert_one_line_error(run_build("-s", site), 1, "config.yaml:2:", "digits")


@pytest.mark.parametrize("value", [".inf", ".nan", "1e300", "-1"])
def test_figures_timeout_must_be_a_finite_number_of_seconds(tmp_path: Path, value: str
                                                            ) -> None:
    site = site_with(tmp_path, front(body="```python {exec=true}\nplt.plot([1, 2])\n```\n"),
                     config=f"baseURL: /\ntitle: T\nfigures:\n  timeout: {value}\n")
    assert_one_line_error(run_build("-s", site), 1, "config.yaml:4:", "figures.timeout")


def test_a_block_timeout_of_infinity_is_reported_at_the_block(tmp_path: Path) -> None:
    site = site_with(tmp_path, front(
        body="```python {exec=true, timeout=1e999}\nplt.plot([1, 2])\n```\n"))
    done = run_build("-s", site)
    assert_one_line_error(done, 1, "content/posts/a.md:7:", "timeout")


# --- command lines

def test_a_destination_name_of_300_bytes_is_refused(tmp_path: Path) -> None:
    site = site_with(tmp_path, front())
    done = run_build("-s", site, "-d", tmp_path / ("x" * 300))
    assert_one_line_error(done, 1, "too long")


def test_new_with_a_file_name_of_300_bytes_is_refused(tmp_path: Path) -> None:
    site = site_with(tmp_path, front())
    done = run_build("new", "-s", site, "posts/" + "x" * 300 + ".md")
    assert_one_line_error(done, 1, "cannot create it", "File name too long")


def test_a_site_folder_name_of_300_bytes_is_a_usage_error(tmp_path: Path) -> None:
    done = run_build("-s", tmp_path / ("x" * 300))
    assert done.returncode == 2, done.stderr
    assert "File name too long" in done.stderr and "internal error" not in done.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_with_an_impossible_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    site = site_with(tmp_path, front())
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "-s", str(site),
                           "-p", port], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "-p/--port" in done.stderr and "internal error" not in done.stderr


def test_an_output_folder_that_is_a_symlink_to_itself_is_refused(tmp_path: Path) -> None:
    site = site_with(tmp_path, front())
    (site / "output").symlink_to("output")
    first = assert_one_line_error(run_build("-s", site), 1, "output",
                                  "symbolic link that leads back to itself")
    assert first.startswith(f"error: {site / 'output'}:")


def test_a_missing_library_names_the_package_to_install(tmp_path: Path) -> None:
    """`build.py serve` with a Python that lacks watchfiles (outside the virtual
    environment): here a watchfiles that cannot be imported, first on the path."""
    site = site_with(tmp_path, front())
    hidden = tmp_path / "hidden" / "watchfiles"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'watchfiles'\", name='watchfiles')\n")
    env = {**os.environ, "PYTHONPATH": str(hidden.parent)}
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "-s", str(site),
                           "-p", "0"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "the Python package watchfiles is not installed" in done.stderr
    assert "pip install watchfiles" in done.stderr
    assert "internal error" not in done.stderr and "bug" not in done.stderr


def test_a_missing_library_at_start_names_the_package(tmp_path: Path) -> None:
    site = site_with(tmp_path, front())
    hidden = tmp_path / "hidden" / "yaml"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'yaml'\", name='yaml')\n")
    env = {**os.environ, "PYTHONPATH": str(hidden.parent)}
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "-s", str(site)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "the Python package PyYAML is not installed" in done.stderr


# --- paired shortcodes

@pytest.mark.parametrize(("body", "where", "what"), [
    ("Before.\n\n{{< details >}}x\n", ":8:", "{{< details >}} is not closed"),
    ("Before.\n\nx\n{{< /details >}}\n", ":9:", "{{< /details >}} closes no"),
    ("{{< highlight go >}}\nx := 1\n", ":6:", "{{< highlight >}} is not closed"),
    ("{{< details >}}\n\nx\n\n{{< /details >}}\n{{< /details >}}\n", ":11:", "closes no"),
], ids=["unclosed details", "stray details", "unclosed highlight", "closed twice"])
def test_unpaired_shortcodes_are_errors_at_their_line(tmp_path: Path, body: str, where: str,
                                                      what: str) -> None:
    site = site_with(tmp_path, front(body=body))
    assert_one_line_error(run_build("-s", site), 1, f"content/posts/a.md{where}", what)


def test_details_sharing_a_line_with_text_is_valid_html(tmp_path: Path) -> None:
    html5lib = pytest.importorskip("html5lib")
    site = site_with(tmp_path, front(body="Before.\n\n{{< details >}}x *y*\nmore{{< /details >}}"
                                          "\n\nAfter.\n"))
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    page = (site / "output" / "posts" / "a" / "index.html").read_bytes()
    parser = html5lib.HTMLParser()
    parser.parse(page)
    assert parser.errors == []
    assert b"<details><summary>Details</summary>\n<p>x <em>y</em>\nmore</p>\n</details>" in page


# --- messages that name the file and line that caused them

def test_a_broken_figure_shortcode_src_is_reported_at_its_line(tmp_path: Path) -> None:
    body = "Intro.\n\n<!--more-->\n\n{{< figure src=\"/a.png\" >}}\n"
    site = site_with(tmp_path, front(body=body))
    assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:10:",
                          "broken link /a.png")


@pytest.mark.parametrize("alias", ["/index.xml", "/css/syntax.css"])
def test_an_alias_onto_a_file_of_the_site_is_reported_at_the_alias(tmp_path: Path,
                                                                    alias: str) -> None:
    site = site_with(tmp_path, front(f'aliases: ["{alias}"]\n'))
    assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:4:",
                          f"{alias} is a file of the site")


@pytest.mark.parametrize("key", ["url", "aliases"])
def test_a_url_or_alias_with_a_query_or_fragment_is_refused(tmp_path: Path, key: str) -> None:
    value = '"/a/?x=1#f"' if key == "url" else '["/a/?x=1#f"]'
    site = site_with(tmp_path, front(f"{key}: {value}\n"))
    assert_one_line_error(run_build("-s", site), 1, "content/posts/a.md:4:",
                          "query or fragment")


def test_a_javascript_menu_url_is_refused_at_its_config_line(tmp_path: Path) -> None:
    config = CONFIG + 'menu:\n  main:\n    - {name: X, url: "javascript:alert(1)"}\n'
    site = site_with(tmp_path, front(), config=config)
    assert_one_line_error(run_build("-s", site), 1, "config.yaml:5:", "runs a script")


def test_an_unknown_permalink_token_is_refused_at_its_config_line(tmp_path: Path) -> None:
    site = site_with(tmp_path, front(), config=CONFIG + "permalinks:\n  posts: /:nosuch/:slug/\n")
    assert_one_line_error(run_build("-s", site), 1, "config.yaml:4:", "unknown token :nosuch")


def test_a_self_looping_symlink_is_named_not_the_staging_folder(tmp_path: Path) -> None:
    site = site_with(tmp_path, front())
    (site / "content" / "posts" / "loop").symlink_to("loop")
    first = assert_one_line_error(run_build("-s", site), 1, "content/posts/loop:",
                                  "loops back on itself")
    assert str(tmp_path) not in first


def test_a_time_zone_name_too_long_for_the_file_system_is_unknown(tmp_path: Path) -> None:
    site = site_with(tmp_path, front(), config=CONFIG + "timeZone: " + "9" * 400 + "\n")
    assert_one_line_error(run_build("-s", site), 1, "config.yaml:3:", "unknown timeZone")
