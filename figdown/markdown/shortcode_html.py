"""The HTML of Hugo's built-in shortcodes that figdown renders itself."""

from __future__ import annotations

import posixpath
import re
from html import escape
from urllib.parse import quote

from figdown.load.urls import with_base
from figdown.markdown.fences import AttrValue, parse_value
from figdown.markdown.shortcode_context import Args, ShortcodeContext


def highlight_options(text: str) -> dict[str, AttrValue]:
    """`linenos=table,hl_lines=8 15-17` → typed options."""
    options: dict[str, AttrValue] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        if key.strip():
            options[key.strip()] = parse_value(value) if key.strip() != "hl_lines" else (
                value.strip())
    return options


def rooted_url(url: str, ctx: ShortcodeContext) -> str:
    """A figure's `src`/`link` under the base path; a relative one (a bundle's picture) from
    the page's folder, so that it also works in summaries shown on list pages."""
    if not url or url.startswith(("#", "//")) or re.match(r"^[a-zA-Z][\w+.-]*:", url):
        return url
    if not url.startswith("/"):
        folder = ctx.url if ctx.url.endswith("/") else posixpath.dirname(ctx.url) + "/"
        url = posixpath.normpath(posixpath.join(folder, url)) + ("/" if url.endswith("/")
                                                                  else "")
    return with_base(ctx.base_path, url)


def figure_html(args: Args, ctx: ShortcodeContext) -> str:
    """Hugo's built-in `figure`, with the caption's Markdown rendered."""
    src = rooted_url(args.get("src", 0), ctx)
    link = rooted_url(args.get("link"), ctx)
    alt = args.get("alt") or re.sub(r"<[^>]+>", "", ctx.render_inline(args.get("caption")))
    img = f'<img src="{escape(src)}" alt="{escape(alt)}"'
    for attr in ("width", "height", "loading"):
        if args.get(attr):
            img += f' {attr}="{escape(args.get(attr))}"'
    img += ">"
    if link:
        extra = "".join(f' {k}="{escape(args.get(k))}"' for k in ("target", "rel")
                        if args.get(k))
        img = f'<a href="{escape(link)}"{extra}>{img}</a>'
    caption = ""
    title, text, attr = args.get("title"), args.get("caption"), args.get("attr")
    if title or text or attr:
        caption = "<figcaption>"
        if title:
            caption += f"<h4>{escape(title)}</h4>"
        if text or attr:
            credit = ctx.render_inline(attr) if attr else ""
            if attr and args.get("attrlink"):
                credit = f'<a href="{escape(args.get("attrlink"))}">{credit}</a>'
            caption += "<p>" + " ".join(p for p in (ctx.render_inline(text), credit) if p) + \
                       "</p>"
        caption += "</figcaption>"
    css = f' class="{escape(args.get("class"))}"' if args.get("class") else ""
    return f"<figure{css}>{img}{caption}</figure>\n"


def embed_html(name: str, args: Args) -> str:
    """A link to the video, post or gist: nothing is fetched, no third-party script runs."""
    if name == "youtube":
        video = args.get("id", 0)
        url = f"https://www.youtube.com/watch?v={quote(video)}"
        label = args.get("title") or "Watch the video on YouTube"
    elif name in {"vimeo", "vimeo_simple"}:
        video = args.get("id", 0)
        url = f"https://vimeo.com/{quote(video)}"
        label = args.get("title") or "Watch the video on Vimeo"
    elif name == "gist":
        user, gist, file = args.get("user", 0), args.get("id", 1), args.get("file", 2)
        url = f"https://gist.github.com/{quote(user)}/{quote(gist)}"
        if file:
            url += "#file-" + quote(re.sub(r"[^\w-]", "-", file.lower()))
        label = f"View the gist {file or gist} by {user} on GitHub"
    elif name == "instagram":
        post = args.get("id", 0)
        url = f"https://www.instagram.com/p/{quote(post)}/"
        label = "View the post on Instagram"
    else:  # x, twitter, tweet
        user, post = args.get("user"), args.get("id", 0)
        url = f"https://x.com/{quote(user) if user else 'i'}/status/{quote(post)}"
        label = f"View the post by @{user} on X" if user else "View the post on X"
    return (f'<p class="embed embed-{escape(name)}"><a href="{escape(url)}" '
            f'rel="noopener">{escape(label)}</a></p>\n')
