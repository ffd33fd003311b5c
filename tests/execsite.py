"""A small site on disk for executor tests: posts given as lists of blocks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from figdown.execute.blocks import CodeBlock, OptionValue, PostBlocks
from figdown.execute.executor import ExecOptions, ExecReport, execute_posts

Block = str | tuple[str, dict[str, OptionValue]]


@dataclass
class ExecSite:
    """A site root with `content/posts/`, a `lib/` helper folder and a `figures/` store."""

    root: Path

    @property
    def store(self) -> Path:
        return self.root / "figures"

    def stored(self, slug: str, name: str) -> Path:
        """The file `name` of a post's newest stored result (`<block-id>.json`: that block's
        entry), or where it would be when there is none."""
        if name.endswith(".json"):
            pattern, name = f"{name[:-5]}/*/entry.json", "entry.json"
        else:
            pattern = f"*/*/{name}"
        found = sorted((self.store / slug).glob(pattern), key=_generation)
        return found[-1] if found else self.store / slug / "missing" / name

    @property
    def posts_dir(self) -> Path:
        return self.root / "content" / "posts"

    def helper(self, name: str, source: str) -> None:
        (self.root / "lib").mkdir(exist_ok=True)
        (self.root / "lib" / f"{name}.py").write_text(source)

    def post(self, slug: str, blocks: list[Block], prose_lines: int = 5) -> PostBlocks:
        """A post whose blocks start after `prose_lines` lines of prose, 3 lines apart
        plus their length, as in a Markdown file with fences."""
        path = f"content/posts/{slug}.md"
        line = prose_lines + 2
        made = []
        for index, block in enumerate(blocks):
            code, options = (block, {}) if isinstance(block, str) else block
            made.append(CodeBlock(path, line, index, code, options))
            line += len(code.splitlines()) + 3
        self.posts_dir.mkdir(parents=True, exist_ok=True)
        return PostBlocks(path, slug, self.posts_dir, tuple(made))

    def options(self, **changes: object) -> ExecOptions:
        settings: dict[str, object] = {
            "store": self.store,
            "site_root": self.root,
            "helpers": self.root / "lib",
            "jobs": 2,
        }
        settings.update(changes)
        return ExecOptions(**settings)  # type: ignore[arg-type]

    def run(self, posts: list[PostBlocks], **changes: object) -> ExecReport:
        return execute_posts(posts, self.options(**changes))


def _generation(path: Path) -> int:
    try:
        return int(json.loads((path.parent / "entry.json").read_text())["generation"])
    except (OSError, ValueError, KeyError):
        return 0


def errors(report: ExecReport) -> list[str]:
    return [str(p) for p in report.problems if p.severity == "error"]
