"""The HTML of an executable block's result, where the block was written: its code (shown
or folded), its error, its figures (alone, or as panels of one numbered figure) and what
it printed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from figdown.execute.blocks import BlockResult, FigureFile
from figdown.load.urls import with_base
from figdown.markdown.crossref import caption_prefix, number_label
from figdown.markdown.displays import display_html
from figdown.markdown.fences import AttrValue
from figdown.markdown.highlight import highlight_code
from figdown.markdown.presentation import (
    CodeDefaults,
    Presentation,
    grid_rows,
    panel_letter,
    read_presentation,
)

if TYPE_CHECKING:
    from figdown.markdown.engine import RenderContext

MOTION_SCRIPT = "/js/motion.js"  # in the theme's static folder


def render_block_result(token: Token, result: BlockResult | None,
                        context: RenderContext | None, env: dict[str, Any]) -> str:
    """A block's figures, echoed code and printed output where the block was written."""
    info = token.meta["fence"]
    if result is None:
        return highlight_code(token.content, "python")
    block = result.block
    display: Mapping[str, AttrValue] = token.meta.get("display", block.options)
    defaults = context.code_defaults if context else CodeDefaults()
    shown, _ = read_presentation(display, defaults)  # problems: reported when parsed
    md: MarkdownIt = env["md"]
    parts: list[str] = []
    if shown.code != "hide":
        parts.append(_code_html(highlight_code(block.code, info.lang or "python"), shown, md))
    if result.error is not None:
        parts.append(f'<div class="block-error" role="alert"><pre>{escape(str(result.error))}'
                     "</pre></div>\n")
    caption = str(display.get("caption", "") or "")
    alt_option = display.get("alt")
    alts = tuple(str(a) for a in alt_option) if isinstance(alt_option, list) else ()
    alt = str(alt_option or caption) if not alts else (alts[0] if len(alts) == 1 else caption)
    figure_url = context.figure_url if context and context.figure_url else (lambda p: p)
    prefix = caption_prefix(env, block.block_id)
    cap = f"<figcaption>{prefix}{md.renderInline(caption)}</figcaption>" if caption else ""
    panels = len(result.figures) > 1 and bool(shown.rows or shown.subcaps or prefix)
    if panels:
        parts.append(_panels_html(block.block_id, result.figures, shown, figure_url,
                                  alts or (alt,), cap, md))
    else:
        for number, figure in enumerate(result.figures):
            anchor = block.block_id if number == 0 else f"{block.block_id}-{number + 1}"
            kind = " block-animation" if figure.kind == "animation" else ""
            parts.append(f'<figure id="{escape(anchor)}" class="block-figure{kind}">'
                         f"{_media_html(figure, figure_url, alt)}{cap}</figure>\n")
    if any(f.kind == "animation" and f.format == "mp4" for f in result.figures) \
            and not env.get("motion_script"):
        env["motion_script"] = True
        base = context.base_path if context else "/"
        # Deferred, it runs once the page is parsed; here rather than in the layout,
        # so that a site's own layouts need nothing for animations to play.
        parts.append(f'<script src="{escape(with_base(base, MOTION_SCRIPT))}" defer>'
                     "</script>\n")
    show_output = display.get("output", True) is not False
    if result.output and show_output:
        parts.append(f'<pre class="block-output"><code>{escape(result.output)}</code></pre>\n')
    if result.displays and show_output:
        tables = sum(d.kind == "table" for d in result.displays)
        named = number_label(env, block.block_id) or f"Table shown by block {block.block_id}"
        shown_html = "".join(
            display_html(d, md, alt, named if tables == 1 else f"{named} ({n + 1})")
            for n, d in enumerate(result.displays))
        if cap and not result.figures and result.displays[0].kind == "table":
            # a table's caption goes above it, as Quarto's does
            shown_html = (f'<figure id="{escape(block.block_id)}" class="block-figure '
                          f'block-table-figure">{cap}\n{shown_html}</figure>\n')
        elif cap and not result.figures:  # an image saved in a notebook
            shown_html = (f'<figure id="{escape(block.block_id)}" class="block-figure">'
                          f"{shown_html}{cap}</figure>\n")
        parts.append(shown_html)
    return "".join(parts)


def _code_html(code: str, shown: Presentation, md: MarkdownIt) -> str:
    """The highlighted code, or a `<details>` holding it when the block folds its code."""
    if shown.code == "show":
        return code
    opened = " open" if shown.code == "open" else ""
    return (f'<details class="code-fold"{opened}><summary>{md.renderInline(shown.summary)}'
            f"</summary>\n{code}</details>\n")


def _panels_html(block_id: str, figures: tuple[FigureFile, ...], shown: Presentation,
                 figure_url: Callable[[str], str], alts: tuple[str, ...], cap: str,
                 md: MarkdownIt) -> str:
    """One figure of several panels, row by row, each with its own anchor and sub-caption;
    `alts`: one text per panel, or one for all (each panel then says its letter)."""
    rows = grid_rows(shown.rows, len(figures))
    html = [f'<figure id="{escape(block_id)}" class="block-figure block-panels">\n']
    index = 0
    for row in rows:
        columns = " ".join(f"{width:g}fr" for width in row)
        html.append(f'<div class="panel-row" style="grid-template-columns: {columns}">\n')
        for _ in row:
            figure = figures[index]
            letter = panel_letter(index)
            subcap = shown.subcaps[index] if index < len(shown.subcaps) else ""
            sub = ""
            if shown.subcaps:
                text = f" {md.renderInline(subcap)}" if subcap else ""
                sub = f'<figcaption><span class="panel-letter">({letter})</span>{text}</figcaption>'
            if len(alts) > 1:
                panel_alt = alts[index] if index < len(alts) else subcap
            else:
                panel_alt = f"{alts[0]} ({letter})" if alts[0] else subcap
            kind = " block-animation" if figure.kind == "animation" else ""
            html.append(f'<figure id="{escape(block_id)}-{letter}" class="block-panel{kind}">'
                        f"{_media_html(figure, figure_url, panel_alt)}{sub}</figure>\n")
            index += 1
        html.append("</div>\n")
    html.append(f"{cap}</figure>\n")
    return "".join(html)


def _media_html(figure: FigureFile, figure_url: Callable[[str], str], alt: str) -> str:
    src = figure_url(figure.store_path)
    if figure.kind == "animation":
        return _animation_html(figure, src, figure_url(figure.poster), alt)
    srcset = f' srcset="{escape(src)} 2x"' if figure.format == "png" else ""
    return (f'<img src="{escape(src)}"{srcset} alt="{escape(alt)}" width="{figure.width}" '
            f'height="{figure.height}" loading="lazy" decoding="async">')


def _animation_html(figure: FigureFile, src: str, poster: str, alt: str) -> str:
    """A looping, muted video that `motion.js` starts unless the reader asked for reduced
    motion; an animated WebP or GIF shows its still poster to such a reader."""
    size = f'width="{figure.width}" height="{figure.height}"'
    if figure.format == "mp4":
        return (f'<video {size} poster="{escape(poster)}" muted loop playsinline controls '
                f'preload="metadata" data-motion aria-label="{escape(alt)}">'
                f'<source src="{escape(src)}" type="video/mp4">'
                f'<a href="{escape(src)}">{escape(alt)}</a></video>')
    return (f'<picture><source srcset="{escape(poster)}" media="(prefers-reduced-motion: '
            f'reduce)"><img src="{escape(src)}" alt="{escape(alt)}" {size} loading="lazy" '
            'decoding="async"></picture>')
