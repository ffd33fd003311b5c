"""Write a synthetic Hugo-style blog, the same for the same arguments.

    python benchmarks/gen_site.py OUT --posts 1000 --blocks 0 --seed 1 [--hugo-layouts]

Each post is about 6 KB: headings, lists, two fenced code blocks, a table, display math,
links to other posts and outside; 3–5 tags from a pool of 50 and one of 8 categories.
`--blocks K` adds K executable Python blocks (`exec=true`) to every post.
`--hugo-layouts` adds the minimal layouts Hugo needs to write every page, paginated
lists and feeds; figdown builds the same content with its own theme.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

TAG_POOL = tuple(f"topic {n:02d}" for n in range(50))
CATEGORIES = ("Deep Learning", "Optimisation", "Statistics", "Tooling", "Visualisation",
              "Linear Algebra", "Probability", "Notes")
_PROSE = (
    "gradient activation network layer weight bias tensor neuron signal output input "
    "function derivative slope curve model training loss batch epoch sample value "
    "linear smooth sparse dense stable noisy large small deep shallow fast slow early "
    "late update step rate error mean variance norm scale shift vector matrix kernel "
    "feature channel filter window stride padding pool head token sequence")
WORDS = tuple(_PROSE.split())
START = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
CONFIG = """baseURL: https://example.org/
title: "Synthetic benchmark blog"
languageCode: en
timeZone: UTC
summaryLength: 70
math: true
params:
  description: "A generated blog for timing static site builds."
taxonomies:
  tag: tags
  category: categories
pagination:
  pagerSize: 10
markup:
  highlight:
    noClasses: false
"""
# figdown lists a taxonomy's terms on one page, with no feed; Hugo's copy is told the same,
# so both write the same files.
HUGO_CONFIG = """outputs:
  taxonomy: [html]
"""
# Hugo 0.146+ template lookup: list.html serves home, sections, taxonomies and terms.
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ "index.xml" | absURL }}">
</head><body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time>{{ .Date.Format "January 2, 2006" }}</time> · {{ .ReadingTime }} min read</p>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end }}</ul>
{{ .TableOfContents }}
{{ .Content }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ if eq .Kind "taxonomy" }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ else }}{{ $pager := .Paginator }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time>{{ .Date.Format "January 2, 2006" }}</time></p>{{ .Summary }}</article>{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">older</a>{{ end }}
{{ end }}{{ end }}
""",
}


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def sentence(rng: random.Random) -> str:
    text = words(rng, rng.randint(8, 16))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def post_name(n: int) -> str:
    return f"post-{n:05d}"


def post_text(n: int, total: int, blocks: int, rng: random.Random) -> str:
    """One post of about 6 KB; links point only at posts that exist."""
    tags = rng.sample(TAG_POOL, rng.randint(3, 5))
    category = CATEGORIES[rng.randrange(len(CATEGORIES))]
    date = START + timedelta(hours=7 * n)
    other = post_name(rng.randrange(total))
    front = "\n".join([
        "---",
        f'title: "Post {n}: {words(rng, 4)}"',
        f"date: {date.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "tags: [" + ", ".join(f'"{t}"' for t in tags) + "]",
        f'categories: ["{category}"]',
        "---",
    ])
    parts = [
        paragraph(rng, 3),
        paragraph(rng, 6),
        f"## The {rng.choice(WORDS)} problem",
        paragraph(rng, 5),
        f"See [an earlier note](/posts/{other}/) and "
        f"[the reference](https://example.com/{rng.choice(WORDS)}) for the {words(rng, 2)}.",
        "Things to check:\n\n" + "\n".join(f"- {words(rng, rng.randint(4, 9))}"
                                           for _ in range(5)),
        "$$\nf(x) = \\frac{1}{1 + e^{-x}}, \\quad f'(x) = f(x)\\,(1 - f(x))\n$$",
        paragraph(rng, 4),
        "```python\nimport numpy as np\n\n\ndef step(x, w, b):\n"
        f"    \"\"\"{sentence(rng)}\"\"\"\n    z = x @ w + b\n"
        "    return np.maximum(z, 0.01 * z)\n\n"
        f"for epoch in range({rng.randint(2, 50)}):\n    loss = step(x, w, b).mean()\n"
        "    print(epoch, loss)\n```",
        f"### Measuring the {rng.choice(WORDS)}",
        paragraph(rng, 5),
        "| setting | value | note |\n| --- | ---: | --- |\n" + "\n".join(
            f"| {rng.choice(WORDS)} | {rng.random():.3f} | {words(rng, 3)} |" for _ in range(6)),
        "1. " + words(rng, 6) + "\n2. " + words(rng, 6) + "\n3. " + words(rng, 6),
        paragraph(rng, 4),
        "```bash\npython train.py --epochs 10 --lr 0.001 \\\n    --batch-size 64 --seed "
        f"{rng.randint(0, 99)}\ngrep loss log.txt | tail -n 5\n```",
        f"## Going {rng.choice(WORDS)}er",
        paragraph(rng, 6),
        "- " + words(rng, 7) + "\n  - " + words(rng, 5) + "\n  - " + words(rng, 5)
        + "\n- " + words(rng, 7) + "\n- *" + words(rng, 3) + "* and `" + rng.choice(WORDS)
        + "` " + words(rng, 4),
        paragraph(rng, 6),
        "## Summary",
        paragraph(rng, 6),
        paragraph(rng, 5),
    ]
    for k in range(blocks):
        parts.append(f'```python {{exec=true, caption="Figure {k + 1}", alt="A line plot"}}\n'
                     "import matplotlib.pyplot as plt\nimport numpy as np\n\n"
                     f"x = np.linspace(-{k + 3}, {k + 3}, 200)\n"
                     f"plt.plot(x, np.tanh(x * {n % 7 + 1}))\n```")
    return front + "\n\n" + "\n\n".join(parts) + "\n"


def generate(root: Path, posts: int, blocks: int = 0, seed: int = 1,
             hugo_layouts: bool = False) -> None:
    """Write `root/config.yaml` and `root/content/` (replacing what was there)."""
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "posts").mkdir(parents=True)
    rng = random.Random(seed)
    root.joinpath("config.yaml").write_text(CONFIG, encoding="utf-8")
    content.joinpath("_index.md").write_text('---\ntitle: "Home"\n---\n\nWelcome.\n',
                                             encoding="utf-8")
    content.joinpath("posts", "_index.md").write_text('---\ntitle: "Posts"\n---\n',
                                                      encoding="utf-8")
    for n in range(posts):
        content.joinpath("posts", post_name(n) + ".md").write_text(
            post_text(n, posts, blocks, rng), encoding="utf-8")
    if hugo_layouts:
        with root.joinpath("config.yaml").open("a", encoding="utf-8") as config:
            config.write(HUGO_CONFIG)
        layouts = root / "layouts"
        layouts.mkdir(exist_ok=True)
        for name, text in HUGO_LAYOUTS.items():
            layouts.joinpath(name).write_text(text, encoding="utf-8")


def edit_post(root: Path, run: int) -> Path:
    """Change one word of prose in the middle post (as a writer fixing a typo would)."""
    posts = sorted((root / "content" / "posts").glob("post-*.md"))
    path = posts[len(posts) // 2]
    text = path.read_text(encoding="utf-8")
    marker = "## Summary\n\n"
    head, _, tail = text.partition(marker)
    if tail.startswith("Edited "):
        tail = tail.split(" ", 2)[2]
    path.write_text(f"{head}{marker}Edited {run} {tail}", encoding="utf-8")
    return path


def retitle_post(root: Path, run: int) -> Path:
    """Change the title of the middle post: the lists, feeds and neighbours showing it change
    too, so the rebuild is a full one (reusing every output that does not show it)."""
    posts = sorted((root / "content" / "posts").glob("post-*.md"))
    path = posts[len(posts) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("title: "))
    title = lines[at].removeprefix("title: ").strip('"').split(" (revised ")[0]
    lines[at] = f'title: "{title} (revised {run})"'
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hugo-layouts", action="store_true")
    args = parser.parse_args()
    generate(args.out, args.posts, args.blocks, args.seed, args.hugo_layouts)


if __name__ == "__main__":
    main()
