"""What the link check counts as a link and as a target, through `build.py`."""

from __future__ import annotations

from conftest import SiteWriter, run_build

from figdown.output.pagescan import scan_text

POST = """---
title: A
date: 2024-03-01
---
Jump to [the top](#top) or [the end](/posts/a/#end).

<a name="top"></a>

```go-html-template
{{</* figure src="/nowhere.png" alt="x" */>}}
<img src="/missing.png">
```

Inline `<a href="/gone/">` code, and a comment: <!-- <a href="/commented/">x</a> -->

<a name="end">The end</a>
"""


def test_name_anchors_are_targets_and_text_that_looks_like_links_is_not(
        make_site: SiteWriter) -> None:
    site = make_site({"config.yaml": "baseURL: /\ntitle: T\n", "content/posts/a.md": POST})
    done = run_build("-s", site)
    assert done.returncode == 0, done.stderr
    assert "broken link" not in done.stderr


def test_a_real_broken_link_beside_them_is_still_found(make_site: SiteWriter) -> None:
    post = POST + '\n<a href="/really-missing/">x</a> and [a name elsewhere](#nowhere)\n'
    site = make_site({"config.yaml": "baseURL: /\ntitle: T\n", "content/posts/a.md": post})
    done = run_build("-s", site)
    assert done.returncode == 1
    assert "broken link /really-missing/" in done.stderr
    assert "broken link #nowhere" in done.stderr
    assert done.stderr.count("broken link") == 2


def test_only_a_tags_own_attributes_count() -> None:
    ids, refs = scan_text(
        '<meta name="description" content="see href=&quot;/x/&quot; and id=&quot;no&quot;">'
        '<span name="not-an-anchor" id="s"></span><script src="/s.js">var a = '
        '"<a href=\'/in-script/\'>";</script><img alt="a" src=/u.png srcset="/1.png 1x, '
        '/2.png 2x"><!-- <a href="/c/"> --><p>src="/text.png"</p>')
    assert ids == {"s"}
    assert refs == ["/s.js", "/u.png", "/1.png", "/2.png"]
