"""Real Hugo sites, built by figdown and compared with what Hugo 0.168 built from them.

Each corpus in `tests/corpora/` holds the content and config of a public Hugo example
site and `reference.json`, Hugo's own output at the same clock. For the default language,
figdown must publish every page path Hugo did, every alias redirect with Hugo's target, and
every taxonomy term with Hugo's slug and page count.

Deliberate differences, each asserted below so that a new one cannot slip in unnoticed:

- Pagination: the reference was built with pagination off; figdown paginates as the site's
  config asks (`pagerSize`), so it writes `…/page/N/` pages and Hugo's `…/page/1/` redirects.
- Other languages: the reference holds `/fr/…`, `/fa/…`, `/pt-br/…`; figdown builds the default
  language only and says so in one warning.
- These builds use `--warn-links`: the demo content links to files that are not in the
  corpus (`/path/to/your/audiofile.mp3`) and to a draft page, links Hugo never checks. In
  a user's own site a broken link fails the build.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hugo_compare import SiteShape, reference_shape, scan_output

from figdown.load.config import load_config
from figdown.pipeline import BuildOptions, BuildReport, build

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
CLOCK = datetime(2026, 11, 26, tzinfo=UTC)
NAMES = ("papermod", "hugo-coder")
PAGINATION = re.compile(r"/page/\d+/index\.html$")



class Built:
    """One corpus built by figdown, with Hugo's reference for its default language."""

    def __init__(self, name: str, destination: Path) -> None:
        source = CORPORA / name
        self.reference: dict[str, Any] = json.loads(
            (source / "reference.json").read_text(encoding="utf-8"))
        self.config = load_config(source)
        self.report: BuildReport = build(BuildOptions(
            source=source, destination=destination, now=CLOCK, warn_links=True))
        others = set(self.config.languages) - {self.config.default_language}
        self.hugo: SiteShape = reference_shape(self.reference, self.config.default_language,
                                               others, self.config.base_path)
        self.pages, self.aliases = scan_output(destination, self.config.base_path)
        self.terms = {t.plural: {term.slug: term.count for term in t.terms}
                      for t in self.report.taxonomies}
        self.destination = destination


@pytest.fixture(scope="module", params=NAMES)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    name = str(request.param)
    if not (CORPORA / name / "reference.json").is_file():
        pytest.skip(f"corpus {name} has no reference.json")
    return Built(name, tmp_path_factory.mktemp(name) / "public")


def test_corpus_builds_without_errors(corpus: Built) -> None:
    errors = [str(p) for p in corpus.report.problems if p.severity == "error"]
    assert corpus.report.ok, errors


def test_every_hugo_page_path_is_published(corpus: Built) -> None:
    found = corpus.hugo.pages & corpus.pages
    assert len(found) / len(corpus.hugo.pages) >= 0.98
    assert sorted(corpus.hugo.pages - corpus.pages) == []


def test_extra_pages_are_only_pagination(corpus: Built) -> None:
    extra = corpus.pages - corpus.hugo.pages
    assert [p for p in sorted(extra) if not PAGINATION.search(p)] == []


def test_every_alias_redirects_to_hugos_target(corpus: Built) -> None:
    assert {path: corpus.aliases.get(path) for path in corpus.hugo.aliases} == corpus.hugo.aliases
    extra = set(corpus.aliases) - set(corpus.hugo.aliases)
    assert [p for p in sorted(extra) if not p.endswith("/page/1/index.html")] == []


def test_every_term_has_hugos_slug_and_page_count(corpus: Built) -> None:
    assert corpus.terms == corpus.hugo.terms


def test_other_languages_are_named_once(corpus: Built) -> None:
    skipped = [p for p in corpus.report.problems if "other languages" in p.message]
    assert len(skipped) == 1


def test_unknown_shortcodes_are_named_once_each(corpus: Built) -> None:
    named = [re.search(r"shortcode `([^`]+)`", p.message) for p in corpus.report.problems]
    names = [m.group(1) for m in named if m]
    assert names and len(names) == len(set(names))
    stubbed = {s["name"] for s in corpus.reference["shortcode_stubs"]
               if s["uses_in_content"] and s["name"] not in {"x", "instagram", "vimeo_simple",
                                                             "gist", "twitter", "tweet"}}
    # The site's own shortcodes Hugo's reference had to stub are the ones figdown names.
    assert stubbed <= set(names)


def test_no_shortcode_or_placeholder_reaches_readers(corpus: Built) -> None:
    for page in corpus.destination.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "FIGDOWN" not in text, page
        prose = re.sub(r"<(pre|code)\b.*?</\1>", "", text, flags=re.DOTALL)
        assert "{{&lt;" not in prose and "{{<" not in prose and "{{%" not in prose, page
