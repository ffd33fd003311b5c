"""`build.py serve` run as a user runs it, spoken to over raw sockets."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO

from figdown.serve.http import PreviewHTTPServer

POST = """---
title: "U"
date: 2024-03-01
tags: ["日本語", "naïve"]
---

Text.
"""
DRAFT = """---
title: "Work in progress"
date: 2024-03-02
draft: true
---

Not yet.
"""
INJECTING_FOLDER = "x\r\nSet-Cookie: pwn=1"


@dataclass
class Served:
    """A running `build.py serve`: its port and every line it printed so far."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)


def _follow(process: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving the preview at"):
            ready.set()
    ready.set()


def write_site(site: Path, posts: dict[str, str]) -> None:
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: /\ntitle: T\n", encoding="utf-8")
    for name, text in posts.items():
        (site / "content" / "posts" / name).write_text(text, encoding="utf-8")


@contextlib.contextmanager
def serving(site: Path) -> Iterator[Served]:
    """`build.py serve -s SITE` on a free port, from its first build until Ctrl-C."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "-s", str(site), "-p", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    lines: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_follow, args=(process, lines, ready), daemon=True).start()
    ready.wait(timeout=120)
    address = next((m for line in lines if (m := re.search(r":(\d+)/ \(Ctrl-C", line))), None)
    assert address, "\n".join(lines)
    try:
        yield Served(process, int(address.group(1)), lines)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = tmp_path_factory.mktemp("serve-cli") / "site"
    write_site(site, {"u.md": POST, "wip.md": DRAFT})
    (site / "static" / INJECTING_FOLDER).mkdir(parents=True)
    (site / "static" / INJECTING_FOLDER / "f.txt").write_text("hi\n", encoding="utf-8")
    with serving(site) as running:
        yield running


def raw_get(port: int, target: bytes) -> bytes:
    """The server's whole answer to one request line, sent byte for byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def headers_of(answer: bytes) -> list[bytes]:
    return answer.partition(b"\r\n\r\n")[0].split(b"\r\n")


@pytest.mark.parametrize(("target", "location"), [
    (b"/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E", b"/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
    (b"/tags/na%C3%AFve", b"/tags/na%C3%AFve/"),
    (b"/tags/na%C3%AFve?q=caf\xe9&x=1", b"/tags/na%C3%AFve/?q=caf%E9&x=1"),
    (b"/x%0d%0aSet-Cookie:%20pwn=1", b"/x%0D%0ASet-Cookie%3A%20pwn%3D1/"),
])
def test_folder_redirect_sends_a_percent_encoded_location(
    served: Served, target: bytes, location: bytes
) -> None:
    answer = raw_get(served.port, target)
    lines = headers_of(answer)
    assert lines[0] == b"HTTP/1.0 301 Moved Permanently", answer
    assert b"Location: " + location in lines
    assert not any(line.lower().startswith(b"set-cookie") for line in lines)
    assert all(byte < 0x80 for byte in answer.partition(b"\r\n\r\n")[0])
    assert not any("Traceback" in line for line in served.lines)


def test_the_redirect_leads_to_the_folder(served: Served) -> None:
    for target, inside in ((b"/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E", b""),
                           (b"/x%0d%0aSet-Cookie:%20pwn=1", b"f.txt")):
        location = next(line for line in headers_of(raw_get(served.port, target))
                        if line.startswith(b"Location: "))[len(b"Location: "):]
        assert raw_get(served.port, location + inside).startswith(b"HTTP/1.0 200 OK")


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=120) as sock:
        # The server's read timeout ends it; without one this recv waits for ever.
        assert sock.recv(1) == b""
    assert raw_get(served.port, b"/").startswith(b"HTTP/1.0 200 OK")


def test_connections_beyond_the_cap_are_refused_at_once(served: Served) -> None:
    held = [socket.create_connection(("127.0.0.1", served.port), timeout=120)
            for _ in range(PreviewHTTPServer.max_connections)]
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=120) as extra:
            answer = b""
            while chunk := extra.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 503 Service Unavailable"), answer
    finally:
        for sock in held:
            sock.close()


def test_each_problem_is_printed_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, {"a.md": '---\ntitle: "A\ndate: 2024-03-01\n---\n\nText.\n'})
    with serving(site) as running:
        pass
    problem = "content/posts/a.md:2: front matter is not valid YAML"
    assert [line for line in running.lines if problem in line] == [
        f"  {problem} — close the quote opened on line 2"]
    assert running.lines[0].startswith("Built the site in ")


def test_drafts_are_marked_in_the_preview(served: Served) -> None:
    badge = b'<span class="draft-badge">Draft</span>'
    assert badge in raw_get(served.port, b"/posts/wip/")
    assert badge not in raw_get(served.port, b"/posts/u/")
    home = raw_get(served.port, b"/")
    assert home.count(badge) == 1 and b'href="/posts/wip/"' in home
