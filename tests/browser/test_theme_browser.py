"""The default theme in a real browser (Chromium) over the built example site.

Needs Debian's Chromium and axe-core from npm; see the install commands in the README.
Run with `pytest -m browser`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from theme_support import (
    ROOT,
    build_site,
    ensure_axe,
    serve,
)

pytestmark = pytest.mark.browser


AXE_PAGES = ["/", "/posts/relu/", "/posts/leaky-relu/", "/posts/softmax-temperature/",
             "/tags/relu/", "/archives/", "/search/"]
# light: system light; dark: system dark; dark-toggle: system light, reader chose dark.
SCHEMES = ["light", "dark", "dark-toggle"]
PHONE = {"width": 375, "height": 812}


class Visits:
    """Every request the browser made, and the ones it was stopped from making."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    build_site(out)
    return out


@pytest.fixture(scope="module")
def origin(built: Path) -> Iterator[str]:
    with serve(built) as url:
        yield url




@pytest.fixture(scope="module")
def axe_js() -> Path:
    return ensure_axe()


@pytest.fixture
def visits() -> Visits:
    return Visits()


def open_context(browser: Any, visits: Visits, scheme: str = "light",
                 viewport: dict[str, int] | None = None, javascript: bool = True) -> Any:
    context = browser.new_context(
        color_scheme="dark" if scheme == "dark" else "light",
        viewport=viewport or {"width": 1280, "height": 900},
        java_script_enabled=javascript, reduced_motion="reduce")
    context.route("**/*", visits.route)
    if scheme == "dark-toggle":
        context.add_init_script("localStorage.setItem('theme', 'dark')")
    return context


def site_pages(built: Path) -> list[str]:
    """Every HTML page of the built site, as a URL path; redirects left out."""
    paths = []
    for file in sorted(built.rglob("index.html")):
        text = file.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue
        rel = file.parent.relative_to(built).as_posix()
        paths.append("/" if rel == "." else f"/{rel}/")
    return paths


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_no_violations(browser: Any, origin: str, axe_js: Path, visits: Visits,
                                 path: str, scheme: str) -> None:
    run_axe(browser, origin, axe_js, visits, path, scheme)


@pytest.mark.parametrize("path", ["/", "/posts/elu/", "/posts/comparing-activations/",
                                  "/search/"])
def test_axe_finds_no_violations_on_a_phone(browser: Any, origin: str, axe_js: Path,
                                            visits: Visits, path: str) -> None:
    run_axe(browser, origin, axe_js, visits, path, "dark", PHONE)


def run_axe(browser: Any, origin: str, axe_js: Path, visits: Visits, path: str, scheme: str,
            viewport: dict[str, int] | None = None) -> None:
    context = open_context(browser, visits, scheme, viewport)
    page = context.new_page()
    page.goto(origin + path)
    page.wait_for_load_state("networkidle")
    if path == "/search/":  # the results list too, not only the empty form
        page.fill("#search-input", "gradient")
        page.wait_for_selector("#search-results li")
    expected = "dark" if scheme != "light" else "light"
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == expected
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(node["target"][0] + ": " + node["failureSummary"].replace("\n", " ")
                        for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not problems, f"axe-core on {path} ({scheme}):\n" + "\n".join(problems)
    assert not visits.blocked


def test_no_request_leaves_the_local_server(browser: Any, built: Path, origin: str,
                                            visits: Visits) -> None:
    for scheme in ("light", "dark"):
        context = open_context(browser, visits, scheme)
        page = context.new_page()
        for path in site_pages(built):
            page.goto(origin + path)
            page.wait_for_load_state("networkidle")
        page.goto(origin + "/search/?q=relu")
        page.wait_for_selector("#search-results li")
        context.close()
    assert visits.requests, "the route handler saw no request"
    assert not visits.blocked, f"requests to other hosts: {sorted(set(visits.blocked))}"


OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const allowed = "pre, .highlight, .table-wrap, .math.display, .figure-frame";
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(allowed)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                + " right=" + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}
"""


def test_nothing_overflows_a_phone_screen(browser: Any, built: Path, origin: str,
                                          visits: Visits) -> None:
    context = open_context(browser, visits, "light", viewport=PHONE)
    page = context.new_page()
    failures = []
    for path in site_pages(built):
        page.goto(origin + path)
        found = page.evaluate(OVERFLOW_JS)
        if found["scroll"] > found["width"] or found["wide"]:
            failures.append(f"{path}: page {found['scroll']}px wide; {found['wide']}")
    context.close()
    assert not failures, "overflow at 375 px:\n" + "\n".join(failures)


# The smallest text of each figure on the page, in CSS pixels as drawn: measured for SVG
# text; for a video or raster figure, the size recorded in the store times its scale.
FIGURE_TEXT_JS = """() => [...document.querySelectorAll(
  'figure.block-figure:not(.block-panels):not(.block-table-figure), figure.block-panel')
].map(figure => {
  const svg = figure.querySelector('svg.figure-svg');
  const media = figure.querySelector('video, img');
  const box = (svg || media).getBoundingClientRect();
  const sizes = svg ? [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    }) : [];
  return {id: figure.id, svg: !!svg, texts: sizes.length,
          smallest: sizes.length ? Math.min(...sizes) : null,
          src: media ? (media.currentSrc || media.querySelector('source').src) : null,
          scale: media ? box.width / media.width : box.width / svg.width.baseVal.value};
})"""


def _recorded_text_px(built: Path, url_path: str) -> float:
    """The smallest text the store recorded for the figure published at `url_path`."""
    digest = hashlib.sha256((built / url_path.lstrip("/")).read_bytes()).hexdigest()
    for entry in (ROOT / "figures").rglob("entry.json"):
        for item in json.loads(entry.read_text(encoding="utf-8"))["figures"]:
            if item["sha256"] == digest:
                return float(item["text_px"])
    raise AssertionError(f"{url_path} is not in the figure store")


def test_every_example_figure_keeps_its_text_legible_on_a_phone(
        browser: Any, built: Path, origin: str, visits: Visits) -> None:
    context = open_context(browser, visits, "light", viewport=PHONE)
    page = context.new_page()
    measured: dict[str, float] = {}
    for path in site_pages(built):
        page.goto(origin + path)
        for figure in page.evaluate(FIGURE_TEXT_JS):
            if figure["svg"]:
                assert figure["texts"], f"{path}#{figure['id']}: no text elements to measure"
                measured[f"{path}#{figure['id']}"] = figure["smallest"]
            else:
                recorded = _recorded_text_px(built, urlsplit(figure["src"]).path)
                measured[f"{path}#{figure['id']}"] = recorded * figure["scale"]
    context.close()
    assert len(measured) >= 14, measured  # every example figure, the two animations included
    small = {name: round(px, 1) for name, px in measured.items() if px < 9}
    assert not small, f"figure text under 9 CSS px at 375 px: {small}"


def background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_dark_toggle_persists_across_pages(browser: Any, origin: str, visits: Visits) -> None:
    context = open_context(browser, visits, "light")
    page = context.new_page()
    page.goto(origin + "/")
    light = background(page)
    toggle = page.locator("#theme-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dark = background(page)
    assert dark != light
    page.click("a[href='/posts/relu/']")
    page.wait_for_url("**/posts/relu/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert background(page) == dark
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator("#theme-toggle").click()
    page.goto(origin + "/tags/")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert background(page) == light
    context.close()


def test_system_dark_scheme_applies_without_javascript(browser: Any, origin: str,
                                                       visits: Visits) -> None:
    context = open_context(browser, visits, "dark", javascript=False)
    page = context.new_page()
    page.goto(origin + "/posts/relu/")
    assert background(page) != "rgb(255, 255, 255)"
    assert not page.locator("#theme-toggle").is_visible()  # a toggle that cannot work is hidden
    context.close()


def test_search_finds_a_post_by_a_word_from_its_body(browser: Any, built: Path, origin: str,
                                                     visits: Visits) -> None:
    index = json.loads((built / "index.json").read_text(encoding="utf-8"))
    relu = next(entry for entry in index if entry["url"] == "/posts/relu/")
    assert "homogeneous" in relu["text"] and "homogeneous" not in relu["title"].lower()
    context = open_context(browser, visits, "light")
    page = context.new_page()
    page.goto(origin + "/search/")
    page.fill("#search-input", "Homogeneous")
    page.wait_for_selector("#search-results li")
    links = page.locator("#search-results h2 a").evaluate_all("els => els.map(a => a.pathname)")
    assert "/posts/relu/" in links
    assert "/posts/sigmoid/" not in links  # every word of a query must match
    meta = page.locator("#search-results li:has(a[href=\"/posts/relu/\"]) .meta").inner_text()
    assert meta.startswith(relu["shown"]) and relu["date"] not in meta  # as the pages write it
    page.goto(origin + "/search/?q=dying+relu")  # a shared link to a search runs it
    page.wait_for_selector("#search-results li")
    assert "/posts/relu/" in page.locator("#search-results h2 a").evaluate_all(
        "els => els.map(a => a.pathname)")
    context.close()


def test_search_page_lists_every_post_without_javascript(browser: Any, origin: str,
                                                         visits: Visits) -> None:
    context = open_context(browser, visits, "light", javascript=False)
    page = context.new_page()
    page.goto(origin + "/search/?q=relu")
    assert page.locator(".search-fallback a[href='/posts/relu/']").is_visible()
    context.close()


def test_print_drops_navigation_and_keeps_figures_and_math(
        browser: Any, origin: str, visits: Visits) -> None:
    context = open_context(browser, visits, "dark-toggle")
    page = context.new_page()
    page.goto(origin + "/posts/relu/")
    page.emulate_media(media="print", color_scheme="dark")
    for hidden in (".site-header", ".site-footer", ".post-nav", ".toc", ".skip-link"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#relu-plot svg").is_visible()
    assert page.locator(".math.display").first.is_visible()
    style = page.evaluate("""() => ({
        body: getComputedStyle(document.body).backgroundColor,
        ink: getComputedStyle(document.querySelector('#relu-plot svg')).fill,
        keyword: getComputedStyle(document.querySelector('.highlight .k, .highlight .kn')).color,
    })""")
    context.close()
    assert style["body"] == "rgb(255, 255, 255)"
    assert style["ink"] == "rgb(0, 0, 0)"  # figures print as drawn, not in dark ink
    assert style["keyword"] == "rgb(169, 13, 145)"  # the light code style (xcode) on paper


def test_a_reader_on_a_dark_system_can_choose_light(browser: Any, origin: str,
                                                     visits: Visits) -> None:
    context = open_context(browser, visits, "dark")
    page = context.new_page()
    page.goto(origin + "/posts/relu/")
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator("#theme-toggle").click()
    assert background(page) == "rgb(255, 255, 255)"
    page.goto(origin + "/archives/")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert background(page) == "rgb(255, 255, 255)"
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
    context.close()


FOOTER_RULE_JS = """() => {
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const column = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const footer = document.querySelector('.site-footer');
  const rules = [footer, ...footer.querySelectorAll('*')].flatMap((node) =>
    [null, '::before', '::after'].map((pseudo) => [node, getComputedStyle(node, pseudo)]))
    .filter(([, s]) => s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) > 0);
  return {column, rules: rules.map(([node, s]) => s.width === 'auto' ? node.offsetWidth
                                                                  : parseFloat(s.width))};
}"""

BASELINES_JS = """() => [...document.querySelectorAll('.term-list li')].map((li) => {
  // An empty inline-block sits with its bottom edge on the baseline of its line.
  const at = (node) => {
    const probe = document.createElement('span');
    probe.style.cssText = 'display:inline-block;width:0;height:0';
    node.append(probe);
    const y = probe.getBoundingClientRect().bottom;
    probe.remove();
    return y;
  };
  return [at(li.querySelector('a')), at(li.querySelector('.count'))];
})"""


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_footer_rule_is_as_wide_as_the_text_column(
    browser: Any, origin: str, visits: Visits, viewport: dict[str, int] | None
) -> None:
    context = open_context(browser, visits, viewport=viewport)
    page = context.new_page()
    page.goto(origin + "/posts/relu/")
    found = page.evaluate(FOOTER_RULE_JS)
    context.close()
    assert found["rules"] == [pytest.approx(found["column"], abs=0.5)], found


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_term_counts_sit_on_the_baseline_of_their_term(
    browser: Any, origin: str, visits: Visits, viewport: dict[str, int] | None
) -> None:
    context = open_context(browser, visits, viewport=viewport)
    page = context.new_page()
    page.goto(origin + "/tags/")
    lines = page.evaluate(BASELINES_JS)
    context.close()
    assert lines
    for term, count in lines:
        assert count == pytest.approx(term, abs=0.5)
