"""The preview's HTTP side: safe path resolution, content types, script injection, events."""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import queue
import shutil
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from figdown.serve.livereload import (
    EVENTS_URL,
    RELOAD_JS,
    SCRIPT_URL,
    WORKER_JS,
    WORKER_URL,
    Broadcaster,
    format_event,
    inject_script,
    script_tag,
)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
}
_STREAM_CHUNK = 64 * 1024
REQUEST_TIMEOUT = 10.0  # seconds
BUSY_BODY = b"503 Service Unavailable: too many connections to the preview at once\n"
BUSY_RESPONSE = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" % len(BUSY_BODY)
) + BUSY_BODY
NOT_FOUND_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>404 Not Found</h1><p>Nothing in the preview at this address.</p></body></html>
"""


def content_type(path: Path) -> str:
    """The Content-Type to send for a file, decided by its suffix."""
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def url_segments(url_path: str) -> tuple[str, ...] | None:
    """The decoded segments of a URL path, or None when it tries to leave its folder.

    `..` (also as `%2e%2e`, or next to an encoded `%2f`), backslashes and NUL bytes are
    refused; empty and `.` segments are dropped, so `//etc/passwd` is `etc/passwd`.
    """
    if "\\" in url_path or "\x00" in url_path:
        return None
    decoded = unquote(url_path)
    if "\\" in decoded or "\x00" in decoded:
        return None
    segments = decoded.split("/")
    if any(segment == ".." for segment in segments):
        return None
    # A drive letter or stream name ("C:", "x::$DATA") is absolute on Windows.
    if any(":" in segment for segment in segments) and os.name == "nt":
        return None
    return tuple(segment for segment in segments if segment not in ("", "."))


def resolve_in(root: Path, segments: tuple[str, ...]) -> Path | None:
    """The real path `segments` name inside `root`, or None when it lies outside it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, *segments))
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return None  # a symlink pointing out of the preview folder
    return Path(real)


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that only reach this machine."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host part of a Host header: `127.0.0.1:1313` → `127.0.0.1`, `[::1]:1313` → `::1`."""
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte of a single `bytes=` range, or None when it cannot be served."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first_text:  # `bytes=-500`: the last 500 bytes
            length = int(last_text)
            return (max(size - length, 0), size - 1) if length > 0 and size else None
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first < 0 or first >= size or last < first:
        return None
    return first, min(last, size - 1)


def request_path(target: str) -> str:
    """The path part of a request target, without query or fragment.

    Not `urlsplit` on the raw target: it reads `//etc/passwd` as a host named `etc`.
    """
    if target.startswith(("http://", "https://")):
        return urlsplit(target).path or "/"
    return target.split("?", 1)[0].split("#", 1)[0]


def folder_location(segments: tuple[str, ...], query: str) -> str:
    """The `Location` of the redirect to a folder's address, ending in `/`, percent-encoded.

    Built from the cleaned segments, so `//evil.example` cannot become a redirect away;
    encoded, because a header holds ASCII only: a raw `日本語` cannot be sent, a raw `ï`
    would arrive as a byte no browser reads as UTF-8, and a CR LF in a folder's name would
    start a header of its own. `query` is as the request line carried it (Latin-1 text).
    """
    location = "/" + "/".join(quote(segment, safe="") for segment in segments) + "/"
    if query:
        location += "?" + quote(query.encode("latin-1", "replace"), safe="&=+%;,/?:@!$'()*~")
    return location


class PreviewHTTPServer(ThreadingHTTPServer):
    """Serves one preview folder; one thread per connection, so many tabs at once."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # ten tabs reloading at once open dozens of connections
    # A browser holds at most six connections to one host, plus the event stream; more than
    # this many at once is a client that opens connections and never closes them.
    max_connections = 64

    def __init__(
        self,
        address: tuple[str, int],
        preview_dir: Path,
        broadcaster: Broadcaster,
        heartbeat: float = 15.0,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview_dir = preview_dir
        self.broadcaster = broadcaster
        self.heartbeat = heartbeat
        # On loopback, only requests naming a local host are answered: a web page that
        # points its own domain at 127.0.0.1 (DNS rebinding) cannot read the drafts.
        self.check_host = is_loopback_host(address[0])
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__(address, PreviewRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hand the connection to a thread of its own, or refuse it when all are taken."""
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        # Answered from the accepting thread, so it must never wait on the client.
        try:
            request.setblocking(False)
            request.send(BUSY_RESPONSE)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about tabs that went away mid-response."""
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class PreviewRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD on the preview folder, plus the live-reload endpoints."""

    server: PreviewHTTPServer
    server_version = "figdown-preview"
    protocol_version = "HTTP/1.0"
    # A socket read or write that waits longer ends the connection: a browser sends its
    # request at once, and a connection that says nothing would hold its thread for ever.
    timeout = REQUEST_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal is for builds and their problems."""

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        if self.server.check_host and not is_loopback_host(host_name(self.headers["Host"] or "")):
            body = b"403 Forbidden: this preview answers to localhost and 127.0.0.1 only\n"
            self._send_bytes(body, CONTENT_TYPES[".txt"], HTTPStatus.FORBIDDEN, send_body)
            return
        path = request_path(self.path)
        if path == EVENTS_URL and send_body:
            self._stream_events()
            return
        if path == SCRIPT_URL:
            self._send_bytes(RELOAD_JS.encode(), CONTENT_TYPES[".js"], send_body=send_body)
            return
        if path == WORKER_URL:
            self._send_bytes(WORKER_JS.encode(), CONTENT_TYPES[".js"], send_body=send_body)
            return
        segments = url_segments(path) if path.startswith("/") else None
        target = resolve_in(self.server.preview_dir, segments) if segments is not None else None
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                self._redirect_to_folder(segments or (), send_body)
                return
            target = target / "index.html"
        if target is None or not target.is_file():
            self._send_not_found(send_body)
            return
        self._send_file(target, HTTPStatus.OK, send_body)

    def _redirect_to_folder(self, segments: tuple[str, ...], send_body: bool) -> None:
        location = folder_location(segments, self.path.partition("?")[2])
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send_not_found(self, send_body: bool) -> None:
        page = resolve_in(self.server.preview_dir, ("404.html",))
        if page is not None and page.is_file():
            self._send_file(page, HTTPStatus.NOT_FOUND, send_body)
            return
        # Still a page with the script: after a failed first build it carries the overlay.
        body = inject_script(NOT_FOUND_PAGE, script_tag(self.server.broadcaster.state))
        self._send_bytes(body, CONTENT_TYPES[".html"], HTTPStatus.NOT_FOUND, send_body)

    def _send_file(self, path: Path, status: HTTPStatus, send_body: bool) -> None:
        kind = content_type(path)
        try:
            if kind.startswith("text/html"):
                html = path.read_bytes()
                tag = script_tag(self.server.broadcaster.state)
                self._send_bytes(inject_script(html, tag), kind, status, send_body)
                return
            handle = path.open("rb")
        except OSError:  # removed between the check and the read, by a rebuild
            self._send_bytes(b"404 Not Found\n", CONTENT_TYPES[".txt"], HTTPStatus.NOT_FOUND)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            wanted = self.headers["Range"]
            if wanted and status == HTTPStatus.OK:
                self._send_range(handle, kind, size, wanted, send_body)
                return
            self._send_headers(status, kind, size)
            if send_body:
                shutil.copyfileobj(handle, self.wfile, _STREAM_CHUNK)

    def _send_range(
        self, handle: BinaryIO, kind: str, size: int, wanted: str, send_body: bool
    ) -> None:
        """Part of a file, as video players ask for (Safari will not play an mp4 without)."""
        span = parse_range(wanted, size)
        if span is None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = span
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            handle.seek(first)
            remaining = last - first + 1
            while remaining > 0:
                chunk = handle.read(min(_STREAM_CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def _send_bytes(
        self,
        body: bytes,
        kind: str,
        status: HTTPStatus = HTTPStatus.OK,
        send_body: bool = True,
    ) -> None:
        self._send_headers(status, kind, len(body))
        if send_body:
            self.wfile.write(body)

    def _send_headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        broadcaster = self.server.broadcaster
        client = broadcaster.subscribe()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while True:
                try:
                    event = client.get(timeout=self.server.heartbeat)
                except queue.Empty:
                    # A write to a tab that went away fails: that is how it gets dropped.
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    continue
                if event is None:
                    return
                name, data = event
                self.wfile.write(format_event(name, data))
                self.wfile.flush()
        except OSError:
            return
        finally:
            broadcaster.unsubscribe(client)
            self.close_connection = True
