"""Citations: Pandoc's syntax, a BibTeX or CSL JSON bibliography, a References section."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import SiteWriter, run_build
from hypothesis import given, settings
from hypothesis import strategies as st

from figdown.load.bibliography import DEFAULT_STYLE, Bibliography
from figdown.markdown import firstpass
from figdown.markdown.citations import parse_citation
from figdown.markdown.engine import RenderContext, create_markdown, parse_body, render_tokens
from figdown.markdown.firstpass import BodyJob, BodySettings, FirstPass
from figdown.pipeline import BuildOptions, build

REFS = r"""
@article{hendrycks2016,
  title = {Gaussian Error Linear Units ({GELU}s)},
  author = {Hendrycks, Dan and Gimpel, Kevin},
  journal = {arXiv preprint},
  year = {2016},
  doi = {10.48550/arXiv.1606.08415},
}

@inproceedings{glorot2011,
  title = {Deep Sparse Rectifier Neural Networks},
  author = {Glorot, Xavier and Bordes, Antoine and Bengio, Yoshua},
  booktitle = {Proceedings of the Fourteenth International Conference on Artificial
               Intelligence and Statistics},
  pages = {315--323},
  year = {2011},
  url = {https://proceedings.mlr.press/v15/glorot11a.html},
}

@misc{unused2020,
  title = {Never Cited},
  author = {Nobody, Anne},
  year = {2020},
}
"""
CONFIG = "baseURL: https://example.org/\ntitle: T\nparams:\n  bibliography: refs.bib\n"


def post(title: str, body: str, front: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2024-01-01\n{front}---\n\n{body}\n"


CITING = post("Gelu", "GELU weights its input by $\\Phi(x)$ [@hendrycks2016].\n\n"
              "@glorot2011 showed that rectifiers train deep networks "
              "[see @glorot2011, p. 318; @hendrycks2016].")


def built(root: Path, *args: str) -> Path:
    result = run_build("-s", root, "-d", root / "output", *args)
    assert result.returncode == 0, result.stderr
    return root / "output"


def test_citations_render_in_the_default_style_and_link_to_the_references(
        make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": CITING})
    html = (built(root) / "posts/gelu/index.html").read_text()
    assert ('<span class="citation" data-cites="hendrycks2016">(<a href="#ref-hendrycks2016" '
            'role="doc-biblioref">Hendrycks and Gimpel, 2016</a>)</span>') in html
    assert ">Glorot et al. (2011)</a>" in html  # in the text: authors, then the year
    assert ('(see <a href="#ref-glorot2011" role="doc-biblioref">Glorot et al., 2011, p. 318'
            '</a>; <a href="#ref-hendrycks2016"') in html
    references = html[html.index('<section class="references"'):]
    assert "<h2>References</h2>" in references
    # sorted by author; only the works cited
    assert references.index('id="ref-glorot2011"') < references.index('id="ref-hendrycks2016"')
    assert "unused2020" not in html and "Never Cited" not in html
    assert ("Hendrycks, D., and K. Gimpel. 2016. Gaussian Error Linear Units (GELUs). "
            "<i>arXiv preprint</i>.") in references
    assert ('<a href="https://doi.org/10.48550/arXiv.1606.08415">'
            "doi:10.48550/arXiv.1606.08415</a>") in references
    assert "pp. 315–323" in references
    assert '<a href="https://proceedings.mlr.press/v15/glorot11a.html">' in references


def test_the_feed_search_index_and_summary_carry_the_text_not_the_markup(
        make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": CITING})
    out = built(root)
    summary = feedparser.parse((out / "index.xml").read_bytes()).entries[0].summary
    assert "(<a href=\"https://example.org/posts/gelu/#ref-hendrycks2016\"" in summary
    assert "[@" not in summary and "@glorot2011" not in summary
    entries = json.loads((out / "index.json").read_text())
    text = json.dumps(entries)
    assert "Hendrycks and Gimpel, 2016" in text and "@hendrycks2016" not in text
    listing = (out / "posts/index.html").read_text()
    assert 'href="/posts/gelu/#ref-hendrycks2016" role="doc-biblioref">Hendrycks' in listing
    assert 'class="references"' not in listing  # the list shows summaries, not references


def test_an_unknown_key_fails_with_its_line_and_the_closest_keys(
        make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": CITING})
    page = built(root) / "posts/gelu/index.html"
    before = page.read_bytes()
    body = "First line.\n\nGELU [@hendricks2016] is smooth."
    (root / "content/posts/gelu.md").write_text(post("Gelu", body))
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1
    assert ("content/posts/gelu.md:8: unknown citation key 'hendricks2016' — did you mean "
            "hendrycks2016? (the keys of content/refs.bib)") in result.stderr
    assert "Traceback" not in result.stderr
    assert page.read_bytes() == before


def test_a_narrative_key_with_a_typo_is_a_warning_with_the_closest_key(
        make_site: SiteWriter) -> None:
    body = "First line.\n\nAs @hendricks2016 showed, and as @someone wrote to me@x.org."
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": post("Gelu", body)})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 0, result.stderr
    assert ("content/posts/gelu.md:8: @hendricks2016 is not a citation key, and is shown as "
            "text — did you mean @hendrycks2016? (the keys of content/refs.bib)"
            ) in result.stderr
    assert "@someone" not in result.stderr and "@x.org" not in result.stderr  # no key is near
    page = (root / "output/posts/gelu/index.html").read_text(encoding="utf-8")
    assert "As @hendricks2016 showed" in page


def test_a_broken_bibliography_is_named_with_its_line(make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG,
                      "content/refs.bib": "@article{a,\n  title = {x},\n  year = \n}\n",
                      "content/posts/gelu.md": post("Gelu", "Cited [@a].")})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1
    assert re.search(r"content/refs\.bib:\d+: BibTeX cannot be read", result.stderr)
    assert "Traceback" not in result.stderr


def test_a_missing_bibliography_is_an_error(make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/gelu.md": post("Gelu", "Cited [@a].",
                                                    "bibliography: nowhere.bib\n")})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1
    assert "content/posts/nowhere.bib: bibliography cannot be read (not found)" in result.stderr


def test_without_a_bibliography_brackets_and_handles_stay_text(make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/a.md": post("A", "Follow [@gohugoio] or write to "
                                                      "me@example.org.")})
    html = (built(root) / "posts/a/index.html").read_text()
    assert "[@gohugoio]" in html and 'class="citation"' not in html


def test_a_handle_that_is_not_a_key_and_a_link_text_stay_text(make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/a.md": post("A", "Ask @someone about @hendrycks2016. "
                                                      "Read [@glorot2011](https://x.org/).")})
    html = (built(root) / "posts/a/index.html").read_text()
    assert "Ask @someone about <span" in html and ">Hendrycks and Gimpel (2016)</a>" in html
    assert 'Read <a href="https://x.org/">@glorot2011</a>.' in html  # no link in a link


def test_csl_json_and_a_style_named_in_front_matter(make_site: SiteWriter) -> None:
    items = [{"id": "ba2016", "type": "article", "title": "Layer Normalization",
              "author": [{"family": "Ba", "given": "Jimmy Lei"},
                         {"family": "Kiros", "given": "Jamie Ryan"},
                         {"family": "Hinton", "given": "Geoffrey E."}],
              "issued": {"date-parts": [[2016]]}, "URL": "https://arxiv.org/abs/1607.06450"}]
    numeric = DEFAULT_STYLE.read_text()
    numeric = numeric.replace('<layout prefix="(" suffix=")" delimiter="; ">',
                              '<layout prefix="[" suffix="]" delimiter=", ">')
    root = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/ln/refs.json": json.dumps(items),
                      "content/posts/ln/brackets.csl": numeric,
                      "content/posts/ln/index.md": post(
                          "LN", "Normalise each layer [@ba2016].",
                          "bibliography: refs.json\ncsl: brackets.csl\n")})
    html = (built(root) / "posts/ln/index.html").read_text()
    assert '[<a href="#ref-ba2016" role="doc-biblioref">Ba et al., 2016</a>]' in html
    assert '<a href="https://arxiv.org/abs/1607.06450">' in html


def test_pandoc_citation_syntax_is_read() -> None:
    items = parse_citation("see @a, pp. 33-35, and elsewhere; -@b; @c, chap. 2")
    assert items is not None
    assert [(i.key, i.prefix, i.locator, i.suffix, i.suppress_author) for i in items] == [
        ("a", "see", ("page", "33-35"), ", and elsewhere", False),
        ("b", "", None, "", True),
        ("c", "", ("chapter", "2"), "", False)]
    assert parse_citation("mail me@example.org") is None
    assert parse_citation("a note") is None


NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_an_edit_to_the_bibliography_renders_again_only_the_citing_posts(
        make_site: SiteWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": CITING,
                      "content/posts/plain.md": post("Plain", "No citations here.")})
    options = BuildOptions(source=root, destination=root / "output", now=NOW, jobs=1)
    assert build(options).ok
    rendered: list[str] = []
    real = firstpass.render_chunk

    def recording(settings: BodySettings, jobs: Sequence[BodyJob]) -> list[FirstPass]:
        rendered.extend(job.path for job in jobs)
        return real(settings, jobs)
    monkeypatch.setattr(firstpass, "render_chunk", recording)
    bib = root / "content/refs.bib"
    bib.write_text(REFS.replace("{arXiv preprint}", "{arXiv e-prints}"))
    report = build(options)
    assert report.ok, report.problems
    assert rendered == ["content/posts/gelu.md"]
    assert "arXiv e-prints" in (root / "output/posts/gelu/index.html").read_text()


def test_a_bibliography_outside_the_site_is_refused(make_site: SiteWriter,
                                                     tmp_path: Path) -> None:
    (tmp_path / "elsewhere.bib").write_text(REFS)
    root = make_site({"config.yaml": "baseURL: /\ntitle: T\n",
                      "content/posts/a.md": post("A", "Cited [@glorot2011].",
                                                 "bibliography: ../../../elsewhere.bib\n")})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1
    assert "a bibliography or citation style outside the site folder — move it under " \
           "content/" in result.stderr


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "@", "a1", "b2", ";", "-", ", p. 3", " ", "\n",
                                  "\n\n", "[^1]", "[^1]: ", "> [!NOTE]", "`", "*", "(", ")",
                                  ":", "x", "see ", "me@x.org"]), max_size=40).map("".join))
def test_any_text_with_a_bibliography_renders_or_reports(text: str) -> None:
    records = [{"id": "a1", "type": "article", "title": "T",
                "author": [{"family": "F", "given": "G"}], "issued": {"date-parts": [[2020]]}}]
    style = DEFAULT_STYLE.read_text()
    bibliography = Bibliography("refs.json", "digest", json.dumps(records), style)
    md = create_markdown()
    context = RenderContext(path="p.md", line_offset=1, bibliography=bibliography)
    tokens, env = parse_body(md, text, context)
    body = render_tokens(md, tokens, env, text, None, 70)
    errors = [p for p in body.problems if p.severity == "error"]
    assert all(p.message.startswith("unknown citation key") for p in errors)
    assert "@a1" in text or 'class="citation"' not in body.html


def test_a_style_that_is_not_csl_is_named_once(make_site: SiteWriter) -> None:
    root = make_site({"config.yaml": CONFIG + "  csl: broken.csl\n", "content/refs.bib": REFS,
                      "content/broken.csl": "<style>\n<citation>\n</style>\n",
                      "content/posts/a.md": post("A", "Cited [@glorot2011]."),
                      "content/posts/b.md": post("B", "Cited [@hendrycks2016].")})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("content/broken.csl:3: the citation style is not XML") == 1


@pytest.mark.parametrize(("text", "message"), [
    ('{"id": "a"}', 'content/refs.json:1: CSL JSON must be a list of items, each with an "id"'),
    ('[{"id": "a"},\n {"id": "a"}]', "content/refs.json: repeated item id 'a'"),
    ('[{"id": "a"},\n oops]', "content/refs.json:2: CSL JSON cannot be read: Expecting value"),
])
def test_a_broken_csl_json_file_is_named(make_site: SiteWriter, text: str,
                                         message: str) -> None:
    root = make_site({"config.yaml": "baseURL: /\ntitle: T\nparams:\n  bibliography: refs.json\n",
                      "content/refs.json": text,
                      "content/posts/a.md": post("A", "Cited [@a].")})
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_a_prose_edit_of_a_citing_post_is_a_quick_rebuild_with_its_citations(
        make_site: SiteWriter) -> None:
    body = CITING.split("---\n\n", 1)[1]
    front = "summary: About GELU.\n"  # what lists show stays the same: a quick rebuild
    root = make_site({"config.yaml": CONFIG, "content/refs.bib": REFS,
                      "content/posts/gelu.md": post("Gelu", body, front),
                      "content/posts/plain.md": post("Plain", "No citations here.")})
    built(root)
    (root / "content/posts/gelu.md").write_text(
        post("Gelu", body.replace("GELU weights", "GELU scales"), front))
    result = run_build("-s", root, "-d", root / "output")
    assert result.returncode == 0, result.stderr
    assert "Only the edited pages were made again: content/posts/gelu.md" in result.stdout
    html = (root / "output/posts/gelu/index.html").read_text()
    assert "GELU scales" in html and ">Hendrycks and Gimpel, 2016</a>)" in html
    assert 'id="ref-glorot2011"' in html


def test_a_bracketed_figure_reference_is_not_a_citation() -> None:
    records = [{"id": "a1", "type": "article", "title": "T"}]
    bibliography = Bibliography("refs.json", "d", json.dumps(records), DEFAULT_STYLE.read_text())
    md = create_markdown()
    text = "As [@fig-relu] shows, and @a1 too."
    tokens, env = parse_body(md, text, RenderContext(path="p.md", line_offset=1,
                                                     bibliography=bibliography))
    body = render_tokens(md, tokens, env, text, None, 70)
    assert not [p for p in body.problems if "citation key" in p.message]
    assert 'data-cites="fig-relu"' not in body.html and 'data-cites="a1"' in body.html
