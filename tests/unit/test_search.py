"""The search index: its text kept as UTF-8 bytes and written into the JSON as json does."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from figdown.markdown.engine import search_text
from figdown.output.search import _escape


@given(st.text())
def test_text_is_escaped_as_json_writes_it(text: str) -> None:
    encoded = text.encode("utf-8", "surrogatepass")
    escaped = b'"' + _escape(encoded) + b'"'
    assert escaped == json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass")


def test_search_text_keeps_words_and_math_but_not_code() -> None:
    html = ('<p>ReLU is <em>simple</em> — f&#39;(x) &lt; 1</p><math><mi>x</mi></math>'
            '<pre><code>print("secret")</code></pre>')
    text = search_text(html).decode("utf-8")
    assert text == "ReLU is simple — f'(x) < 1 x"
