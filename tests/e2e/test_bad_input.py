"""Bad input gets one clear line, exit 1, no traceback, and the previous output untouched.

Each row builds a small good site first (so there is a previous `out/`), then introduces one
bad input and runs `build.py` as a user would. Rows marked "works" are inputs that look odd but
must build (exit 0).

Choices made where Hugo leaves room:
- `tags: relu` (a plain string) is one tag, as in Hugo.
- An empty regular page is an error (it is almost always a slip); an empty `_index.md` is a
  section with no text, as in Hugo.
- A front matter key that names no taxonomy of the config (`categories` when the config only
  declares `tag: tags`) is a page param, as in Hugo; it makes no term pages. A config
  `taxonomies` entry that cannot be a URL segment (`tag: "t/s"`, `tag: [a]`) is an error.
- Terms that differ only by case or accents are one term; `-v` prints a note.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CONFIG = "baseURL: https://example.org/\ntitle: Test blog\ntaxonomies:\n  tag: tags\n"
POST_A = "---\ntitle: Alpha\ndate: 2024-01-02\ntags: [relu]\n---\n\nAlpha text.\n"
POST_B = "---\ntitle: Beta\ndate: 2024-01-03\n---\n\nBeta text, see [alpha](/posts/alpha/).\n"


def write(site: Path, rel: str, data: str | bytes) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))


def _has(page: Path, text: str) -> None:
    assert text in page.read_text(encoding="utf-8")


BLOCK = "Intro.\n\n```python {{{}}}\n{}```\n"


def post(front: str, body: str = "Some text.\n") -> str:
    return f"---\n{front}---\n\n{body}"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(site: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "-s", str(site), "-d",
                           str(out), *flags], capture_output=True, text=True, timeout=120)


@dataclass(frozen=True)
class Case:
    id: str
    change: Callable[[Path], None]
    expect: tuple[str, ...]  # substrings of stderr (or stdout+stderr for rows that work)
    code: int = 1
    flags: tuple[str, ...] = ()
    check: Callable[[Path], None] | None = None  # extra checks of out/ for rows that work


def files(**items: str | bytes) -> Callable[[Path], None]:
    """A change writing files; keys use `__` for `/` and `_D_` for `.`."""
    def change(site: Path) -> None:
        for key, data in items.items():
            write(site, key.replace("__", "/").replace("_D_", "."), data)
    return change


def a_post(text: str | bytes) -> Callable[[Path], None]:
    return files(content__posts__alpha_D_md=text)


def big_post(site: Path) -> None:
    paragraph = "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit. " * 20 + "\n\n"
    body = paragraph * (5_000_000 // len(paragraph) + 1)
    write(site, "content/posts/big.md", post("title: Big\ndate: 2024-01-04\n", body))


def page_exists(rel: str) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        assert (out / rel).is_file(), rel
    return check


LAYOUT = '{% extends "base.html" %}{% block title %}T{% endblock %}\n{% block main %}\n'


def remove_config(site: Path) -> None:
    (site / "config.yaml").unlink()


CASES = [
    # --- front matter
    Case("front matter not closed", a_post("---\ntitle: Alpha\n\nAlpha text.\n"),
         ("content/posts/alpha.md:1: front matter is not closed",)),
    Case("toml front matter not closed", a_post("+++\ntitle = 'Alpha'\n\nAlpha text.\n"),
         ("content/posts/alpha.md:1: front matter is not closed",)),
    Case("invalid yaml", a_post(post("title: Alpha\ndate: 2024-01-02\ntags: [relu\n")),
         ("content/posts/alpha.md:", "front matter is not valid YAML")),
    Case("unclosed double quote", a_post(post('title: "Alpha\ndate: 2024-01-02\n')),
         ("content/posts/alpha.md:2: front matter is not valid YAML — close the quote opened "
          "on line 2",)),
    Case("unclosed single quote", a_post(post("date: 2024-01-02\ntitle: 'Alpha\ntags: [a]\n")),
         ("content/posts/alpha.md:3: front matter is not valid YAML — close the quote opened "
          "on line 3",)),
    Case("invalid yaml colon", a_post(post("title: Alpha: the first\n")),
         ("content/posts/alpha.md:2: front matter is not valid YAML",)),
    Case("invalid toml", a_post("+++\ntitle = 'Alpha'\ndate = yesterday\n+++\n\nText.\n"),
         ("content/posts/alpha.md:3: front matter is not valid TOML",)),
    Case("invalid json", a_post('{\n  "title": "Alpha",\n  "date": 2024-01-02\n}\n\nText.\n'),
         ("content/posts/alpha.md:3: front matter is not valid JSON",)),
    Case("yaml front matter not a mapping", a_post(post("- a\n- b\n")),
         ("content/posts/alpha.md:2: front matter is not a mapping",)),
    Case("list where a string belongs", a_post(post("title: [a, b]\n")),
         ("content/posts/alpha.md:2: `title` must be a string, not a list",)),
    Case("mapping where a string belongs", a_post(post("title: Alpha\nslug: {a: 1}\n")),
         ("content/posts/alpha.md:3: `slug` must be a string, not a mapping",)),
    Case("tags as a plain string works", a_post(post("title: Alpha\ntags: relu\n")),
         ("Built",), code=0, check=page_exists("tags/relu/index.html")),
    Case("tags as a mapping", a_post(post("title: Alpha\ntags: {a: 1}\n")),
         ("content/posts/alpha.md:3: `tags` must be a list of strings, not a mapping",)),
    Case("unparseable date", a_post(post("title: Alpha\ndate: next tuesday\n")),
         ("content/posts/alpha.md:3: `date` is not a date: 'next tuesday'",)),
    Case("impossible yaml date", a_post(post("title: Alpha\ndate: 2024-13-45\n")),
         ("content/posts/alpha.md:3:", "date")),
    Case("impossible toml date", a_post("+++\ntitle = 'Alpha'\ndate = 2024-13-45\n+++\n\nT.\n"),
         ("content/posts/alpha.md:3:", "TOML")),
    Case("date of the wrong type", a_post(post("title: Alpha\ndate: [2024]\n")),
         ("content/posts/alpha.md:3: `date` is not a date",)),
    Case("draft as a quoted string", a_post(post('title: Alpha\ndraft: "yes"\n')),
         ("content/posts/alpha.md:3: `draft` must be true or false, not 'yes'",)),
    Case("weight not a number", a_post(post("title: Alpha\nweight: heavy\n")),
         ("content/posts/alpha.md:3: `weight` must be a whole number",)),
    Case("duplicate yaml keys", a_post(post("title: Alpha\ndate: 2024-01-02\ntitle: Again\n")),
         ("content/posts/alpha.md:4: front matter is not valid YAML: duplicate key 'title'",)),
    Case("duplicate toml keys", a_post("+++\ntitle = 'A'\ntitle = 'B'\n+++\n\nText.\n"),
         ("content/posts/alpha.md:3: front matter is not valid TOML",)),
    Case("duplicate json keys", a_post('{\n"title": "A",\n"title": "B"\n}\n\nText.\n'),
         ("content/posts/alpha.md:3: front matter is not valid JSON: duplicate key 'title'",)),
    Case("impossible time offset", a_post(post("title: Alpha\ndate: 2024-01-01T00:00:00+25:00\n")),
         ("content/posts/alpha.md:3: front matter is not valid YAML: '2024-01-01T00:00:00+25:00' "
          "is not a date",)),
    Case("empty draft is false", a_post(post("title: Alpha\ndraft:\n")), ("Built",), code=0,
         check=page_exists("posts/alpha/index.html")),
    Case("build list not a choice", a_post(post("title: Alpha\nbuild:\n  list: sometimes\n")),
         ("content/posts/alpha.md:3: `build.list` must be one of always, never, local, "
          "not 'sometimes'",)),
    Case("build render never works",
         files(content__posts__gamma_D_md=post("title: G\ndate: 2024-01-09\n"
                                               "build: {render: never, list: never}\n")),
         ("Built",), code=0),
    # --- files
    Case("not utf-8", a_post(b"---\ntitle: Alpha\n---\n\nCaf" + b"\xe9 au lait.\n"),
         ("content/posts/alpha.md:5: file is not UTF-8 text",)),
    Case("bom and crlf work",
         a_post(b"\xef\xbb\xbf" + post("title: Alpha CRLF\ndate: 2024-01-02\n",
                                      "Alpha text.\n").replace("\n", "\r\n").encode()),
         ("Built",), code=0, check=page_exists("posts/alpha/index.html")),
    Case("empty file", files(content__posts__empty_D_md=""),
         ("content/posts/empty.md:1: file is empty",)),
    Case("empty section index works", files(content__posts___index_D_md=""),
         ("Built",), code=0),
    Case("five megabyte post works", big_post, ("Built",), code=0,
         check=page_exists("posts/big/index.html")),
    Case("binary markdown file", files(content__posts__blob_D_md=b"\x89PNG\r\n\x1a\n\x00\x00"),
         ("content/posts/blob.md: file is binary, not Markdown",)),
    Case("binary resource works", files(content__posts__data_D_bin=bytes(range(256))),
         ("Built",), code=0, check=page_exists("posts/data.bin")),
    # --- URL collisions
    Case("two files one url",
         files(content__posts__Alpha_D_markdown=post("title: Alpha again\n")),
         ("/posts/alpha/", "content/posts/alpha.md", "content/posts/Alpha.markdown")),
    Case("slug collides", files(content__posts__gamma_D_md=post("title: G\nslug: beta\n")),
         ("content/posts/gamma.md:3: /posts/beta/ is also the URL of content/posts/beta.md",)),
    Case("url collides", files(content__posts__gamma_D_md=post("title: G\nurl: /posts/beta/\n")),
         ("content/posts/gamma.md:3: /posts/beta/ is also the URL of content/posts/beta.md",)),
    # As in Hugo (and real Hugo sites rely on it), a page's own URL wins over another page's
    # alias: the redirect is not written, and the user is told so.
    Case("alias collides",
         files(content__posts__gamma_D_md=post("title: G\naliases: [/posts/alpha/]\n")),
         ("warning: content/posts/gamma.md:3: alias '/posts/alpha/' is the URL of "
          "content/posts/alpha.md",), code=0),
    Case("url collides with a list page",
         files(content__posts__gamma_D_md=post("title: G\nurl: /tags/\n")),
         ("content/posts/gamma.md:3:", "/tags/", "tags")),
    Case("url takes the home page", files(content__posts__gamma_D_md=post("title: G\nurl: /\n")),
         ("content/posts/gamma.md:3: two outputs would be written to /index.html: "
          "content/posts/gamma.md and content (home /)",)),
    Case("url takes the feed",
         files(content__posts__gamma_D_md=post("title: G\nurl: /index.xml\n")),
         ("content/posts/gamma.md:3: two outputs would be written to /index.xml",)),
    Case("url takes a static file",
         files(content__posts__gamma_D_md=post("title: G\nurl: /css/style.css\n")),
         ("content/posts/gamma.md:3: two outputs would be written to /css/style.css: "
          "content/posts/gamma.md and static/css/style.css",)),
    Case("alias takes the home page",
         files(content__posts__gamma_D_md=post("title: G\naliases: [/]\n")),
         ("content/posts/gamma.md:3: alias '/' is the home page's URL",)),
    Case("slug too long for a file name",
         files(content__posts__gamma_D_md=post("title: G\nslug: " + "a" * 300 + "\n")),
         ("content/posts/gamma.md:3: output path /posts/aaaa", "longer than 255 bytes")),
    # --- leaving the output folder
    Case("slug with dot dot", files(content__posts__gamma_D_md=post("title: G\nslug: ../../x\n")),
         ("content/posts/gamma.md:3: slug '../../x' is not a single path segment",)),
    Case("slug dot dot", files(content__posts__gamma_D_md=post("title: G\nslug: '..'\n")),
         ("content/posts/gamma.md:3: slug '..' is not a single path segment",)),
    Case("url with dot dot", files(content__posts__gamma_D_md=post("title: G\nurl: ../../x\n")),
         ("content/posts/gamma.md:3: url '../../x' leaves the site's output folder",)),
    Case("url dot dot after normalising",
         files(content__posts__gamma_D_md=post("title: G\nurl: /a/b/../../../x/\n")),
         ("content/posts/gamma.md:3: url '/a/b/../../../x/' leaves the site's output folder",)),
    Case("url is a url", files(content__posts__gamma_D_md=post("title: G\nurl: file:///etc/\n")),
         ("content/posts/gamma.md:3: url 'file:///etc/' leaves the site's output folder",)),
    Case("url is a windows path",
         files(content__posts__gamma_D_md=post("title: G\nurl: 'C:\\x\\y'\n")),
         ("content/posts/gamma.md:3: url 'C:\\\\x\\\\y' leaves the site's output folder",)),
    Case("alias with dot dot",
         files(content__posts__gamma_D_md=post("title: G\naliases: [../../x]\n")),
         ("content/posts/gamma.md:3: alias '../../x' leaves the site's output folder",)),
    # --- taxonomies
    Case("term with no letters", a_post(post('title: Alpha\ntags: ["???"]\n')),
         ("content/posts/alpha.md:3: tags term '???' has no letters or digits",)),
    Case("terms differing by case and accent are merged",
         files(content__posts__gamma_D_md=post("title: G\ntags: [ReLU, Relú]\n")),
         ("note: content/posts/gamma.md:3: tags term 'Relú' merged with",), code=0,
         flags=("-v",), check=page_exists("tags/relu/index.html")),
    Case("undeclared taxonomy is a param", a_post(post("title: Alpha\ncategories: [x]\n")),
         ("Built",), code=0),
    Case("config taxonomy not a segment", files(config_D_yaml=CONFIG + "  cat: 'c/d'\n"),
         ("config.yaml:5: taxonomy 'c/d'",)),
    Case("config taxonomy a list", files(config_D_yaml=CONFIG + "  cat: [a]\n"),
         ("config.yaml:5: taxonomy",)),
    Case("two taxonomies with one name", files(config_D_yaml=CONFIG + "  category: tags\n"),
         ("config.yaml:5: two taxonomies are called 'tags'",)),
    # --- templates
    Case("template syntax error",
         files(layouts__single_D_html=LAYOUT +
               "{% if page.title %}\n{% endblock %}\n"),
         ("layouts/single.html:", "template syntax error")),
    Case("template undefined variable",
         files(layouts__single_D_html=LAYOUT +
               "<p>{{ page.nope }}</p>\n{% endblock %}\n"),
         ("layouts/single.html:3: template error:", "nope")),
    Case("template missing include",
         files(layouts__single_D_html=LAYOUT +
               '{% include "partials/nope.html" %}\n{% endblock %}\n'),
         ("layouts/single.html:3: layout not found: partials/nope.html",)),
    Case("template missing base", files(layouts__single_D_html='{% extends "nope.html" %}\n'),
         ("layouts/single.html:1: layout not found: nope.html",)),
    Case("template without a block base needs",
         files(layouts__single_D_html='{% extends "base.html" %}\n'
               '{% block main %}x{% endblock %}\n'),
         ("layouts/base.html:", "there is no block `title` for `self.title()`")),
    Case("template raising", files(layouts__single_D_html="ok\n{{ 1 / 0 }}\n"),
         ("layouts/single.html:2: template error: ZeroDivisionError",)),
    Case("template including itself", files(layouts__single_D_html='{% include "single.html" %}'),
         ("layouts/single.html: templates include or extend each other without end",)),
    # --- config
    Case("config yaml does not parse", files(config_D_yaml=CONFIG + "title: [oops\n"),
         ("config.yaml:", "config does not parse")),
    Case("config toml does not parse",
         lambda site: (remove_config(site), write(site, "hugo.toml", "title = 'x'\nbaseURL =\n")),
         ("hugo.toml:2: config does not parse",)),
    Case("config not utf-8", files(config_D_yaml=b"title: caf\xe9\n"),
         ("config.yaml:1: config is not UTF-8 text",)),
    Case("config key of the wrong type", files(config_D_yaml=CONFIG + "params: [a]\n"),
         ("config.yaml:5: `params` must be a mapping",)),
    Case("permalink pattern leaving the site",
         files(config_D_yaml=CONFIG + "permalinks:\n  posts: /../:slug/\n"),
         ("content/posts/alpha.md: page URL '/../alpha/' leaves the site",)),
    Case("menu weight not a number",
         files(config_D_yaml=CONFIG + "menu:\n  main:\n    - {name: About, url: /, weight: a}\n"),
         ("config.yaml:7: menu weight must be a whole number, not 'a'",)),
    Case("figures timeout not a number", files(config_D_yaml=CONFIG + "figures:\n  timeout: x\n"),
         ("config.yaml:6: figures.timeout must be a number of seconds, not 'x'",)),
    Case("languages not a mapping", files(config_D_yaml=CONFIG + "languages: 5\n"),
         ("config.yaml:5: `languages` must map language codes to settings",)),
    Case("baseURL not a url", files(config_D_yaml="baseURL: 'ht tp://x'\ntitle: T\n"),
         ("config.yaml:1: baseURL 'ht tp://x' is not a URL",)),
    Case("baseURL without host", files(config_D_yaml="baseURL: 'https:///blog/'\ntitle: T\n"),
         ("config.yaml:1: baseURL 'https:///blog/' is not a URL",)),
    # Executable blocks: the body puts the block's first line of code on line 8 of the file.
    Case("block raises",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             'exec=true, id="boom"', "x = 1\ny = x / 0\n"))),
         ("content/posts/gamma.md:9: block boom: ZeroDivisionError: division by zero",)),
    Case("block never ends",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             "exec=true, timeout=2", "while True:\n    pass\n"))),
         ("content/posts/gamma.md:", "block fig-1:", "2 s")),
    Case("block kills its worker",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             "exec=true", "import os\nos._exit(3)\n"))),
         ("content/posts/gamma.md:", "block fig-1:", "exit")),
    Case("block writes outside its post's folder",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             "exec=true", "open('../../escaped.txt', 'w').write('x')\n"))),
         ("content/posts/gamma.md:8: block fig-1:", "escaped.txt")),
    Case("block raises, with --keep-going",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             'exec=true, id="boom"', "x = 1\ny = x / 0\n"))),
         ("warning: content/posts/gamma.md:9: block boom: ZeroDivisionError",), code=0,
         flags=("--keep-going",),
         check=lambda out: _has(out / "posts/gamma/index.html", 'class="block-error"')),
    Case("block with a caption draws no figure",
         files(content__posts__gamma_D_md=post("title: G\n", BLOCK.format(
             'exec=true, caption="A plot", alt="nothing"', "x = 1\n"))),
         ("content/posts/gamma.md:8: block fig-1:", "no figure")),
]


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good site and its built output, copied by each test."""
    root = tmp_path_factory.mktemp("good")
    site = root / "site"
    write(site, "config.yaml", CONFIG)
    write(site, "content/posts/alpha.md", POST_A)
    write(site, "content/posts/beta.md", POST_B)
    result = run_build(site, root / "out")
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_reported_and_output_kept(case: Case, good_site: Path,
                                               tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(good_site / "site", site)
    shutil.copytree(good_site / "out", out)
    before = tree_hashes(out)
    case.change(site)
    result = run_build(site, out, *case.flags)
    shown = result.stderr if case.code else result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == case.code, shown
    for expected in case.expect:
        assert expected in shown, shown
    if case.code:
        assert tree_hashes(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    elif case.check is not None:
        case.check(out)
