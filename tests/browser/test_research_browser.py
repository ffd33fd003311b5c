"""Sidenotes, callouts and citations in a real Chromium: where a note shows, and axe-core.

Needs Debian's Chromium and axe-core from npm; see the install commands in the README.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_theme_browser import PHONE, SCHEMES, Visits, open_context, run_axe
from theme_support import build_site, ensure_axe, serve

pytestmark = pytest.mark.browser

LONG = ("Activation functions decide what a unit passes on to the next layer, and how much "
        "gradient flows back through it when the network learns. ")
POST = f"""---
title: "Notes, callouts and citations"
date: 2024-01-01
bibliography: refs.bib
series: ["Activation functions from scratch"]
---

{LONG * 2}The rectifier is the simplest of them.[^relu] {LONG}

{LONG * 3}

> [!NOTE]
> Rectifiers train deep networks without pre-training [@glorot2011].

> [!TIP]
> Start with ReLU, then try GELU.

> [!IMPORTANT] Read this
> A unit whose inputs are all negative stops learning.

> [!WARNING]
> The learning rate matters more than the activation.

> [!CAUTION]- A folded caution
> Hidden until opened.

[^relu]: ReLU is $\\max(0, x)$: zero for negative inputs, the input itself otherwise.
"""
REFS = """@inproceedings{glorot2011,
  title = {Deep Sparse Rectifier Neural Networks},
  author = {Glorot, Xavier and Bordes, Antoine and Bengio, Yoshua},
  booktitle = {Proceedings of AISTATS},
  pages = {315--323},
  year = {2011},
  url = {https://proceedings.mlr.press/v15/glorot11a.html},
}
"""
PATH = "/posts/notes/"
WIDE = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("research") / "site"
    (root / "content/posts/notes").mkdir(parents=True)
    (root / "config.yaml").write_text("baseURL: /\ntitle: Research\ntaxonomies:\n"
                                      "  tag: tags\n  series: series\n")
    (root / "content/posts/notes/index.md").write_text(POST)
    for name, date in (("leaky", "2024-02-01"), ("smooth", "2024-03-01")):
        (root / f"content/posts/{name}.md").write_text(
            f'---\ntitle: "Part {name}"\ndate: {date}\n'
            'series: ["Activation functions from scratch"]\n---\n\nMore.\n')
    (root / "content/posts/notes/refs.bib").write_text(REFS)
    out = root.parent / "public"
    build_site(out, source=root)
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def axe_js() -> Path:
    return ensure_axe()


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] | None = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def test_a_sidenote_shows_beside_its_paragraph_on_a_wide_screen(browser: Any, origin: str) -> None:
    context = open_context(browser, Visits(), "light", WIDE, javascript=False)
    page = context.new_page()
    page.goto(origin + PATH)
    note, paragraph = box(page, ".sidenote"), box(page, ".content > p:has(.sidenote)")
    ref = box(page, "sup#fnref\\:1")
    assert note["x"] >= paragraph["x"] + paragraph["width"]  # in the margin, right of the text
    assert note["x"] + note["width"] <= WIDE["width"]  # and on the screen
    assert paragraph["y"] <= note["y"] <= paragraph["y"] + paragraph["height"]
    assert abs(note["y"] - ref["y"]) < 40  # level with the line that refers to it
    assert "zero for negative inputs" in page.locator(".sidenote").inner_text()
    context.close()


def test_a_tap_shows_a_sidenote_under_its_line_on_a_phone(browser: Any, origin: str) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(origin + PATH)
    note = page.locator(".sidenote")
    assert not note.is_visible()
    page.locator("sup#fnref\\:1 a").tap()
    assert note.is_visible()
    assert page.url.endswith(PATH)  # shown in place: no jump to the list at the end
    assert note.get_attribute("aria-hidden") == "false"
    shown, ref = box(page, ".sidenote"), box(page, "sup#fnref\\:1")
    assert shown["y"] > ref["y"] and shown["x"] >= 0
    assert shown["x"] + shown["width"] <= PHONE["width"]
    page.locator("h1").tap()
    assert not note.is_visible()
    context.close()


def test_without_a_script_a_footnote_link_still_reaches_its_note(browser: Any,
                                                                origin: str) -> None:
    context = open_context(browser, Visits(), "light", PHONE, javascript=False)
    page = context.new_page()
    page.goto(origin + PATH)
    page.locator("sup#fnref\\:1 a").focus()
    assert page.locator(".sidenote").is_visible()  # focus shows it, as hover does
    page.keyboard.press("Enter")
    page.wait_for_url("**/posts/notes/#fn:1")
    context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_callouts_citations_and_sidenotes_pass_axe(browser: Any, origin: str, axe_js: Path,
                                                    scheme: str) -> None:
    run_axe(browser, origin, axe_js, Visits(), PATH, scheme, WIDE)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_callouts_pass_axe_on_a_phone(browser: Any, origin: str, axe_js: Path,
                                      scheme: str) -> None:
    run_axe(browser, origin, axe_js, Visits(), PATH, scheme, PHONE)


def test_a_folded_callout_opens_and_each_kind_has_its_colour(browser: Any, origin: str) -> None:
    context = open_context(browser, Visits(), "light", WIDE)
    page = context.new_page()
    page.goto(origin + PATH)
    assert not page.locator("details.alert-caution p:not(.alert-heading)").is_visible()
    page.locator("details.alert-caution summary").click()
    assert page.locator("details.alert-caution p").first.is_visible()
    colours = {kind: page.locator(f".alert-{kind}").evaluate(
        "e => getComputedStyle(e).borderLeftColor")
        for kind in ("note", "tip", "important", "warning", "caution")}
    assert len(set(colours.values())) == 5
    context.close()


def test_the_series_box_links_its_parts_in_order(browser: Any, origin: str) -> None:
    context = open_context(browser, Visits(), "light", PHONE, javascript=False)
    page = context.new_page()
    page.goto(origin + PATH)
    box = page.locator("nav.series")
    assert box.locator(".series-title").inner_text().startswith("Part 1 of 3")
    assert box.locator("li").all_inner_texts() == [
        "Notes, callouts and citations", "Part leaky", "Part smooth"]
    for number, title in ((2, "Part leaky"), (3, "Part smooth")):
        page.locator("nav.series a", has_text=title).click()
        assert page.locator("h1").inner_text() == title
        assert page.locator("nav.series .series-title").inner_text().startswith(
            f"Part {number} of 3")
        assert page.locator("nav.series [aria-current=page]").inner_text() == title
    page.locator("nav.series .series-title a").click()
    assert page.url.endswith("/series/activation-functions-from-scratch/")
    assert page.locator(".post-list h2").all_inner_texts() == [
        "Notes, callouts and citations", "Part leaky", "Part smooth"]
    context.close()


def test_one_click_copies_the_bibtex_of_the_post(browser: Any, origin: str) -> None:
    context = open_context(browser, Visits(), "light", WIDE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.goto(origin + PATH)
    page.locator("button[data-copy=cite-bibtex]").click()
    page.wait_for_function("document.querySelector('.copy-status').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-bibtex").inner_text()
    assert copied.startswith("@misc{") and "title" in copied
    context.close()


def test_without_a_script_the_copy_buttons_stay_hidden(browser: Any, origin: str) -> None:
    context = open_context(browser, Visits(), "light", WIDE, javascript=False)
    page = context.new_page()
    page.goto(origin + PATH)
    assert page.locator("#cite-bibtex").is_visible()
    assert not page.locator("button[data-copy]").first.is_visible()
    context.close()
