"""A gallery of formulas: every formula of the example posts worth typesetting (display
formulas, and inline ones past a single symbol), beside KaTeX's MathML for the same TeX.

`python tests/formula_gallery.py DIR` writes DIR/index.html (with the theme's stylesheet),
for looking at it in a browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

from latex2mathml.converter import convert
from markdown_it.token import Token

from figdown.markdown.engine import create_markdown
from figdown.markdown.math import tex_to_mathml

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "tests" / "browser" / "node_modules" / "katex"
KATEX_MATHML_JS = ROOT / "tests" / "browser" / "katex_mathml.js"
DISPLAY_TYPES = ("math_block", "math_block_bracket", "math_inline_double")
# The defects the gallery is for, whether or not the posts happen to write them
DEFECTS = (r"\operatorname{ReLU}(x)", r"\tanh(\operatorname{softplus}(x))",
           r"\operatorname{ReLU}'(x)", r"f''(x)", r"(-\infty, \infty)", r"\approx -0.75",
           r"\operatorname{ELU}(\alpha = 1)",
           r"\left(1 + \operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right)")


def _math_tokens(tokens: list[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        if token.type.startswith("math"):
            found.append(token)
        if token.children:
            found += _math_tokens(token.children)
    return found


def gallery_formulas() -> list[tuple[str, bool]]:
    """(TeX, display) of each formula of the gallery, in the order the posts write them."""
    md = create_markdown(True, False)
    seen: dict[str, bool] = {tex: False for tex in DEFECTS}
    for path in sorted((ROOT / "content").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        for token in _math_tokens(md.parse(body, {})):
            tex = token.content.strip()
            display = token.type in DISPLAY_TYPES
            if tex not in seen and (display or (len(tex) > 20 and "\\" in tex)):
                seen[tex] = display
    return list(seen.items())


def katex_mathml(formulas: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's MathML of each formula (KaTeX from tests/browser, run by Node.js)."""
    node = shutil.which("node")
    if node is None or not KATEX.is_dir():
        raise AssertionError("KaTeX is not installed: `npm ci --prefix tests/browser` on a "
                             "machine with Node.js")
    result = subprocess.run([node, str(KATEX_MATHML_JS), str(KATEX)], input=json.dumps(formulas),
                            capture_output=True, text=True, check=True)
    return list(json.loads(result.stdout))


def gallery_html(formulas: list[tuple[str, bool]], references: list[str]) -> str:
    """One row per formula: its TeX, latex2mathml's MathML as it comes, figdown's, KaTeX's."""
    rows = []
    for number, ((tex, display), reference) in enumerate(zip(formulas, references, strict=True)):
        ours = tex_to_mathml(tex, display)
        raw = convert(tex, display="block" if display else "inline")
        rows.append(f'<tr id="f{number}"><td><code>{escape(tex)}</code></td>'
                    f'<td class="raw">{raw}</td><td class="ours">{ours}</td>'
                    f'<td class="katex-ref">{reference}</td></tr>')
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Formulas'
            '</title><link rel="stylesheet" href="style.css"><style>'
            "td{padding:.3rem .6rem;border-bottom:1px solid var(--rule)}"
            "td code{font-size:.75rem}.katex-ref math{font-size:1em}main{max-width:none}"
            "</style></head><body><main>"
            "<table><thead><tr><th>TeX</th><th>latex2mathml</th><th>figdown</th><th>KaTeX (MathML)"
            "</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></main></body></html>")


def write_gallery(folder: Path) -> Path:
    """The gallery page and the theme's stylesheet in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    formulas = gallery_formulas()
    page = folder / "index.html"
    page.write_text(gallery_html(formulas, katex_mathml(formulas)), encoding="utf-8")
    shutil.copy2(ROOT / "static" / "css" / "style.css", folder / "style.css")
    return page


if __name__ == "__main__":
    print(write_gallery(Path(sys.argv[1] if len(sys.argv) > 1 else "formulas")))
