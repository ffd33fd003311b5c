"""Bare URLs made links as Goldmark's Linkify makes them (GitHub's extended autolinks).

Goldmark, and so Hugo, links `http://`, `https://` and `ftp://` URLs, `www.` addresses and
e-mail addresses written as plain text, with `https://` put before a `www.` address (Hugo's
`linkifyProtocol`) — not a bare domain such as `matplotlib.org` or a `mailto:` URL, which
linkify-it alone would also link. Text with none of `://`, `www.` or `@` in it cannot hold such a
link, and is not handed to linkify-it's regular expressions at all: that test ran on every
text token and was half of the Markdown parse.
"""

from __future__ import annotations

import re
from typing import Any

from linkify_it import LinkifyIt

_TRIGGER = re.compile(r"://|www\.|@", re.IGNORECASE)
_SCHEMES = ("http://", "https://", "ftp://")


class GoldmarkLinkify(LinkifyIt):  # type: ignore[misc]  # linkify-it has no type hints
    """linkify-it, keeping only the links Goldmark's Linkify extension makes."""

    def pretest(self, text: str) -> bool:
        return _TRIGGER.search(text) is not None and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        return bool(self.match(text))

    def match_at_start(self, text: str) -> Any:
        """A URL right at the start of `text` (markdown-it's inline rule, at each `://`)."""
        return super().match_at_start(text) if text.startswith(_SCHEMES) else None

    def match(self, text: str) -> list[Any] | None:
        if _TRIGGER.search(text) is None:
            return None
        found = []
        for link in super().match(text) or ():
            raw = link.raw  # Goldmark's prefixes are lower case only
            if raw.startswith("www."):
                link.url = "https://" + link.url.removeprefix("http://")  # Hugo's linkifyProtocol
            elif not (raw.startswith(_SCHEMES) or (link.schema == "mailto:" and "@" in raw
                                                    and not raw.startswith("mailto:"))):
                continue
            found.append(link)
        return found or None


__all__ = ["GoldmarkLinkify"]
