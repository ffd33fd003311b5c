"""A tiny stand-in site and builder for the preview server's tests."""

from __future__ import annotations

import http.client
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from figdown.serve.changes import BuildOutcome, RebuildPlan, SiteLayout
from figdown.serve.server import PreviewServer

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main id="text">{text}</main></body>
</html>
"""


def make_site(root: Path) -> SiteLayout:
    """A site with one page, one stylesheet and a template."""
    (root / "content").mkdir(parents=True)
    (root / "static").mkdir()
    (root / "layouts").mkdir()
    (root / "content" / "_index.md").write_text("Hello from the first build\n")
    (root / "content" / "about.md").write_text("About this site\n")
    (root / "static" / "style.css").write_text("main { color: rgb(0, 0, 255); }\n")
    (root / "static" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (root / "layouts" / "page.html").write_text(PAGE)
    (root / "config.yaml").write_text("title: Test\n")
    return SiteLayout.for_site(root, ignored=[root / "preview"])


@dataclass
class FakeBuild:
    """Writes one HTML page per Markdown file; a file starting `BROKEN` is a mistake."""

    site: SiteLayout
    preview: Path
    plans: list[RebuildPlan | None] = field(default_factory=list)
    delay: float = 0.0

    def __call__(self, plan: RebuildPlan | None) -> BuildOutcome:
        self.plans.append(plan)
        time.sleep(self.delay)
        pages: dict[Path, str] = {}
        problems: list[str] = []
        for source in sorted(self.site.content_dir.rglob("*.md")):
            text = source.read_text()
            relative = source.relative_to(self.site.root).as_posix()
            if text.startswith("BROKEN"):
                problems.append(f"{relative}:1: front matter is not valid YAML — close the quote")
                continue
            stem = source.relative_to(self.site.content_dir).with_suffix("")
            folder = Path() if stem.name == "_index" else stem
            pages[folder / "index.html"] = text.strip()
        if problems:
            return BuildOutcome(ok=False, problems=tuple(problems))
        template = (self.site.layouts_dir / "page.html").read_text()
        self.preview.mkdir(parents=True, exist_ok=True)
        for relative, text in pages.items():
            target = self.preview / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(template.format(title=text, text=text))
        (self.preview / "404.html").write_text(template.format(title="Lost", text="No such page"))
        for source in self.site.static_dir.rglob("*"):
            if source.is_file():
                target = self.preview / source.relative_to(self.site.static_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        return BuildOutcome(ok=True, css_only=plan is not None and plan.css_only)


def get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request, the path sent exactly as given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class EventStream:
    """A raw Server-Sent Events client reading `(event, data)` pairs."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(b"GET /__figdown/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert b" 200 " in status, status
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass

    def events(self) -> Iterator[tuple[str, str]]:
        name, data = "", ""
        for raw in self.file:
            line = raw.decode().rstrip("\r\n")
            if line.startswith(":"):  # a heartbeat
                yield "", ""
                continue
            if not line:
                if name:
                    yield name, data
                name, data = "", ""
            elif line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]

    def next_event(self, skip: tuple[str, ...] = (), within: float = 5.0) -> tuple[str, str]:
        """The next event not in `skip`; heartbeats keep the socket busy, hence the deadline."""
        deadline = time.monotonic() + within
        for name, data in self.events():
            if name and name not in skip:
                return name, data
            if time.monotonic() > deadline:
                break
        raise TimeoutError(f"no event within {within} s")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class Preview:
    """A started server, its stand-in builder and what it printed."""

    def __init__(self, root: Path, watch: bool = False) -> None:
        self.site = make_site(root / "site")
        self.preview = root / "site" / "preview"
        self.build = FakeBuild(self.site, self.preview)
        self.lines: list[str] = []
        self.server = PreviewServer(
            self.build,
            self.preview,
            self.site,
            port=0,
            watch=watch,
            echo=self.lines.append,
            heartbeat=0.3,
        )

    @property
    def port(self) -> int:
        return self.server.port
