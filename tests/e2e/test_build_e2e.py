"""End to end: `build.py` run as a user runs it, on the example site and the user's own post."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_build

from figdown.output.links import check_links

POSTS = ["relu", "leaky-relu", "prelu", "elu", "gelu", "swish", "sigmoid", "tanh", "softmax",
         "layer-normalization"]


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "output"
    result = run_build("-d", out)
    assert result.returncode == 0, result.stderr
    # figures/ is committed: a fresh clone (like this build) runs no block at all
    assert re.search(r"Blocks: 0 run, \d+ reused", result.stdout), result.stdout
    return out


def test_example_site_has_every_post_and_hugo_urls(example_output: Path) -> None:
    for slug in POSTS:
        page = example_output / "posts" / slug / "index.html"
        assert page.is_file(), slug
        assert "<math" in page.read_text(encoding="utf-8"), f"{slug} has no formula"
    for path in ["index.html", "posts/index.html", "tags/index.html", "categories/index.html",
                 "tags/relu/index.html", "categories/neural-networks/index.html", "index.xml",
                 "posts/index.xml", "tags/relu/index.xml", "sitemap.xml", "404.html",
                 "robots.txt", ".nojekyll", "about/index.html", "css/syntax.css"]:
        assert (example_output / path).exists(), path


def test_every_internal_link_resolves_at_the_root(example_output: Path) -> None:
    assert check_links(example_output, "/", {}) == []


def test_every_internal_link_resolves_under_a_base_path(tmp_path: Path) -> None:
    out = tmp_path / "blog"
    result = run_build("-d", out, "-b", "https://user.github.io/blog/")
    assert result.returncode == 0, result.stderr
    assert check_links(out, "/blog/", {}) == []
    post = (out / "posts" / "relu" / "index.html").read_text(encoding="utf-8")
    assert 'href="/blog/posts/leaky-relu/"' in post
    assert 'href="/posts/' not in post
    feed = (out / "index.xml").read_text(encoding="utf-8")
    assert "<link>https://user.github.io/blog/posts/" in feed


def test_terms_list_every_term_with_its_count(example_output: Path) -> None:
    tags = (example_output / "tags" / "index.html").read_text(encoding="utf-8")
    relu_posts = [p for p in (REPO / "content" / "posts").glob("*.md")
                  if re.search(r'^tags:.*"relu"', p.read_text(encoding="utf-8"), re.M)]
    match = re.search(r'href="/tags/relu/">relu</a> <span class="count">(\d+) posts?</span>', tags)
    assert match and int(match.group(1)) == len(relu_posts)


def test_drafts_future_and_expired_are_left_out_unless_asked(make_site, tmp_path: Path
                                                            ) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "content/posts/live.md": "---\ntitle: Live\ndate: 2024-01-01\n---\nText\n",
        "content/posts/draft.md": "---\ntitle: Draft\ndate: 2024-01-02\ndraft: true\n---\nText\n",
        "content/posts/future.md": "---\ntitle: Future\ndate: 2999-01-01\n---\nText\n",
        "content/posts/old.md": "---\ntitle: Old\ndate: 2020-01-01\n"
                                "expiryDate: 2021-01-01\n---\nText\n",
    })
    out = tmp_path / "out"
    assert run_build("-s", site, "-d", out).returncode == 0
    assert sorted(p.name for p in (out / "posts").iterdir() if p.is_dir() and p.name != "page"
                  ) == ["live"]
    assert run_build("-s", site, "-d", out, "-D", "-F", "-E").returncode == 0
    assert sorted(p.name for p in (out / "posts").iterdir() if p.is_dir() and p.name != "page"
                  ) == ["draft", "future", "live", "old"]


def test_the_summary_says_a_new_draft_was_left_out(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/live.md": "---\ntitle: Live\ndate: 2024-01-01\n---\nText\n"})
    assert "left out" not in run_build("-s", site).stdout
    assert run_build("new", "posts/x.md", "-s", site).returncode == 0
    built = run_build("-s", site)
    assert built.returncode == 0, built.stderr
    assert "1 draft left out (build with -D to include it)" in built.stdout.splitlines()
    assert "1 draft left out" in run_build("-s", site).stdout  # also when nothing changed
    assert run_build("new", "posts/y.md", "-s", site).returncode == 0
    assert "2 drafts left out (build with -D to include them)" in run_build("-s", site).stdout
    assert "left out" not in run_build("-s", site, "-D").stdout


def test_the_summary_gives_no_running_time_when_no_block_ran(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/live.md": "---\ntitle: Live\ndate: 2024-01-01\n---\nText\n"})
    built = run_build("-s", site)
    assert re.search(r"^Blocks: 0 run, 0 reused from the store\. Warnings: 0\.", built.stdout,
                     re.M), built.stdout
    assert "running them" not in built.stdout


def test_drafts_carry_a_badge_on_their_page_and_in_lists(make_site, tmp_path: Path
                                                         ) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "config.yaml": "baseURL: /\ntitle: T\n",
        "content/posts/live.md": "---\ntitle: Live\ndate: 2024-01-01\ntags: [a]\n---\nText\n",
        "content/posts/wip.md": "---\ntitle: Wip\ndate: 2024-01-02\ndraft: true\ntags: [a]\n"
                                "---\nText\n",
    })
    out = tmp_path / "out"
    assert run_build("-s", site, "-d", out, "-D").returncode == 0
    badge = '<span class="draft-badge">Draft</span>'

    def badges(path: str) -> list[str]:
        html = (out / path).read_text(encoding="utf-8")
        return re.findall(r'<a href="/posts/(\w+)/">\w+</a> ' + re.escape(badge), html)

    assert badge in (out / "posts/wip/index.html").read_text(encoding="utf-8")
    assert badge not in (out / "posts/live/index.html").read_text(encoding="utf-8")
    for listing in ("index.html", "posts/index.html", "tags/a/index.html"):
        assert badges(listing) == ["wip"], listing


def test_the_home_page_heading_is_the_title_of_its_content_file(make_site, tmp_path: Path
                                                                ) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "config.yaml": "baseURL: /\ntitle: Site name\n",
        "content/_index.md": "---\ntitle: Welcome to the notes\n---\nIntro.\n",
        "content/posts/live.md": "---\ntitle: Live\ndate: 2024-01-01\n---\nText\n",
    })
    out = tmp_path / "out"
    assert run_build("-s", site, "-d", out).returncode == 0
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<h1>(.*?)</h1>", home) == ["Welcome to the notes"]
    (site / "content" / "_index.md").write_text("Intro only.\n", encoding="utf-8")
    assert run_build("-s", site, "-d", out).returncode == 0
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<h1>(.*?)</h1>", home) == ["Site name"]


def test_list_command_prints_what_production_leaves_out(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "content/posts/draft.md": "---\ntitle: Draft\ndate: 2024-01-02\ndraft: true\n---\nT\n",
    })
    result = run_build("list", "drafts", "-s", site)
    assert result.returncode == 0
    assert result.stdout.startswith("content/posts/draft.md\t2024-01-02T00:00:00+00:00\tDraft")


def test_help_documents_every_flag() -> None:
    result = run_build("--help")
    assert result.returncode == 0
    for flag in ["-s", "-d", "-D", "-F", "-E", "-b", "-j", "--refresh-figures", "--keep-going",
                 "--warn-links", "-q", "-v", "--clock"]:
        assert re.search(rf"(^|\s){re.escape(flag)}[\s,]", result.stdout), flag


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    bad_flag = run_build("--no-such-flag")
    assert bad_flag.returncode == 2 and "Traceback" not in bad_flag.stderr
    missing = run_build("-s", tmp_path / "nope")
    assert missing.returncode == 2 and "no such folder" in missing.stderr


# The user's own post, exactly as they wrote it.
USERS_POST = REPO / "tests" / "data" / "users-relu.md"


def test_the_users_own_post_builds_into_a_correct_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    shutil.copytree(REPO / "lib", site / "lib")
    if (REPO / "figures").is_dir():
        shutil.copytree(REPO / "figures", site / "figures")
    shutil.copy(USERS_POST, site / "content" / "posts" / "relu.md")
    out = tmp_path / "out"
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 0, result.stderr
    html = (out / "posts" / "relu" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<p>Happens when:</p>\s*<ul>\s*<li>Learning rate too high</li>", html)
    assert re.search(r"<p>Last layer:</p>\s*<ul>\s*<li>Classification: Softmax</li>", html)
    assert html.count("<math") == 6  # every formula of the post, none left as TeX
    assert "math-error" not in html
    assert '<span class="n">nn</span><span class="o">.</span><span class="n">Sequential' in html
    assert '<span class="n">tf</span><span class="o">.</span><span class="n">keras' in html
    assert "block-figure" not in html  # plain ```python blocks are shown, never run
    for tag in ["relu", "activation", "neural-networks", "deep-learning"]:
        assert (out / "tags" / tag / "index.html").is_file(), tag
        assert f'href="/tags/{tag}/"' in html
    assert (out / "categories" / "neural-networks" / "index.html").is_file()
    assert 'id="what-is-relu"' in html


def test_the_installed_package_carries_the_default_theme(tmp_path: Path) -> None:
    """A wheel of figdown builds a site with no layouts/ of its own."""
    import subprocess
    import sys
    import zipfile

    wheel_dir = tmp_path / "wheel"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                           "-w", str(wheel_dir), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [wheel] = wheel_dir.glob("figdown-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ["base.html", "single.html", "list.html", "terms.html", "term.html",
                     "404.html", "rss.xml", "sitemap.xml", "alias.html"]:
        assert f"figdown/_theme/layouts/{template}" in names, template
    # Every file of the theme, in every folder, and nothing else of the repository's top.
    theme = {f"figdown/_theme/{path.relative_to(REPO).as_posix()}"
             for folder in ("layouts", "static") for path in (REPO / folder).rglob("*")
             if path.is_file()}
    assert {name for name in names if name.startswith("figdown/_theme/")} == theme
    assert "would be ignored" not in done.stderr
    assert "figdown/styles/author-date.csl" in names  # the default citation style


def test_new_creates_a_draft_and_refuses_to_overwrite(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"content/posts/_index.md": "---\ntitle: Posts\n---\n"})
    created = run_build("new", "posts/mish-activation.md", "-s", site)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created content/posts/mish-activation.md"
    text = (site / "content" / "posts" / "mish-activation.md").read_text(encoding="utf-8")
    assert 'title: "Mish Activation"' in text or "title: Mish Activation" in text
    assert "draft: true" in text
    again = run_build("new", "posts/mish-activation.md", "-s", site)
    assert again.returncode == 1 and "Traceback" not in again.stderr


def test_the_committed_figure_store_is_what_a_fresh_run_draws(tmp_path: Path) -> None:
    """Deleting figures/ and building again gives the same bytes: no churn in git."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "lib", site / "lib")
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    result = run_build("-s", site, "-d", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Blocks: [1-9]\d* run, 0 reused", result.stdout), result.stdout
    fresh = {p.relative_to(site / "figures").as_posix(): p.read_bytes()
             for p in sorted((site / "figures").rglob("*")) if p.is_file()}
    committed = {p.relative_to(REPO / "figures").as_posix(): p.read_bytes()
                 for p in sorted((REPO / "figures").rglob("*")) if p.is_file()}
    assert sorted(fresh) == sorted(committed)
    for name, data in committed.items():
        assert fresh[name] == data, name
