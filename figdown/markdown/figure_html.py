"""The HTML of one figure a block drew: an SVG inline, a PNG as an image, an animation as a
video or an animated image; each in a frame that keeps its text legible on a phone."""

from __future__ import annotations

import math
from html import escape

from figdown.execute.blocks import FigureFile
from figdown.markdown.figure_svg import page_svg

# The smallest figure text a reader is asked to read, in CSS pixels; a figure is shrunk to
# fit a narrow column only as far as this allows, and scrolls sideways beyond.
LEGIBLE_TEXT_PX = 9.0


def legible_width(figure: FigureFile) -> int:
    """The narrowest width, in CSS pixels, at which the figure's smallest text is still
    LEGIBLE_TEXT_PX; its full width when even that is smaller, 0 for a figure without text."""
    if figure.text_px <= 0:
        return 0
    return min(figure.width, math.ceil(figure.width * LEGIBLE_TEXT_PX / figure.text_px))


def figure_media(figure: FigureFile, src: str, poster: str, alt: str, svg: str | None,
                 prefix: str) -> str:
    """The figure's media element in its frame; `svg` is the SVG's text when it is written
    inline, `prefix` a page-unique name for its ids."""
    if figure.kind == "animation":
        media = _animation_html(figure, src, poster, alt)
        kind = "video" if figure.format == "mp4" else "raster"
    elif svg:
        media = page_svg(svg, prefix, figure.width, figure.height, alt)
        kind = "svg"
    else:
        srcset = f' srcset="{escape(src)} 2x"' if figure.format == "png" else ""
        media = (f'<img src="{escape(src)}"{srcset} alt="{escape(alt)}" width="{figure.width}" '
                 f'height="{figure.height}" loading="lazy" decoding="async">')
        kind = "raster" if figure.format == "png" else "svg"
    narrowest = legible_width(figure)
    style = f' style="--legible-width: {narrowest}px"' if narrowest else ""
    return f'<div class="figure-frame figure-{kind}"{style}>{media}</div>'


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
