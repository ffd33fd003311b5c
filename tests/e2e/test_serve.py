"""The preview server over real sockets, with a stand-in builder."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import watchfiles
from serve_support import EventStream, Preview, get

from figdown.serve.changes import BuildOutcome, Change, RebuildPlan, plan_rebuild
from figdown.serve.http import resolve_in, url_segments
from figdown.serve.livereload import inject_script
from figdown.serve.server import ServeError, format_url, is_loopback, serve

SCRIPT = b'<script src="/__figdown/reload.js"'


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    running = Preview(tmp_path)
    running.server.start()
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Preview]:
    running = Preview(tmp_path, watch=True)
    running.server.start()
    try:
        yield running
    finally:
        running.server.stop()


def test_pages_are_served_with_the_reload_script(preview: Preview) -> None:
    status, headers, body = get(preview.port, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert b"Hello from the first build" in body
    assert SCRIPT in body
    assert body.index(SCRIPT) < body.index(b"</body>")


def test_no_file_on_disk_contains_the_reload_script(preview: Preview) -> None:
    for path in ("/", "/about/", "/missing/", "/style.css"):
        get(preview.port, path)
    preview.server.rebuild(None)
    files = [p for p in preview.preview.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for path in files:
        assert b"__figdown" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "path",
    [
        "/../config.yaml",
        "/%2e%2e/config.yaml",
        "/%2E%2E/config.yaml",
        "/..%2fconfig.yaml",
        "/about/../../config.yaml",
        "/about/%2e%2e/%2e%2e/config.yaml",
        "/..\\config.yaml",
        "/%5c..%5cconfig.yaml",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/etc/passwd",
        "/%00",
        "http://127.0.0.1/../config.yaml",
    ],
)
def test_paths_out_of_the_preview_folder_get_404(preview: Preview, path: str) -> None:
    status, _, body = get(preview.port, path)
    assert status == 404
    assert b"Test" not in body or b"No such page" in body


def test_symlink_out_of_the_preview_folder_gets_404(preview: Preview, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (preview.preview / "leak.txt").symlink_to(secret)
    (preview.preview / "leakdir").symlink_to(tmp_path)
    assert get(preview.port, "/leak.txt")[0] == 404
    assert get(preview.port, "/leakdir/secret.txt")[0] == 404


def test_symlink_inside_the_preview_folder_is_served(preview: Preview) -> None:
    (preview.preview / "alias.css").symlink_to(preview.preview / "style.css")
    assert get(preview.port, "/alias.css")[0] == 200


def test_segments_are_decoded_and_checked() -> None:
    assert url_segments("/posts/relu/") == ("posts", "relu")
    assert url_segments("/a%20b/./c") == ("a b", "c")
    assert url_segments("//etc/passwd") == ("etc", "passwd")
    assert url_segments("/%2e%2e/x") is None
    assert url_segments("/..%2fx") is None
    assert url_segments("/a\\b") is None


def test_resolution_stays_inside_the_root(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    assert resolve_in(tmp_path / "site", ("a", "b")) == (tmp_path / "site/a/b").resolve()
    (tmp_path / "site" / "out").symlink_to(tmp_path)
    assert resolve_in(tmp_path / "site", ("out", "x")) is None


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("logo.svg", "<svg/>", "image/svg+xml"),
        ("index.xml", "<rss/>", "application/xml"),
        ("sitemap.xml", "<urlset/>", "application/xml"),
        ("style.css", "a{}", "text/css; charset=utf-8"),
        ("app.js", "1", "text/javascript; charset=utf-8"),
        ("photo.webp", "x", "image/webp"),
        ("clip.mp4", "x", "video/mp4"),
        ("plot.png", "x", "image/png"),
        ("data.json", "{}", "application/json"),
        ("font.woff2", "x", "font/woff2"),
    ],
)
def test_content_types(preview: Preview, name: str, body: str, kind: str) -> None:
    (preview.preview / name).write_text(body)
    status, headers, served = get(preview.port, f"/{name}")
    assert status == 200
    assert headers["Content-Type"] == kind
    assert served == body.encode()
    assert SCRIPT not in served


def test_head_sends_headers_only(preview: Preview) -> None:
    status, headers, body = get(preview.port, "/style.css", method="HEAD")
    assert status == 200
    assert int(headers["Content-Length"]) > 0
    assert body == b""


def test_folder_without_slash_is_redirected(preview: Preview) -> None:
    status, headers, _ = get(preview.port, "/about?x=1")
    assert status == 301
    assert headers["Location"] == "/about/?x=1"


def test_redirect_never_leaves_the_site(preview: Preview) -> None:
    (preview.preview / "evil.example").mkdir()
    status, headers, _ = get(preview.port, "//evil.example")
    assert status == 301
    assert headers["Location"] == "/evil.example/"


def test_missing_page_gets_the_sites_404_page(preview: Preview) -> None:
    status, headers, body = get(preview.port, "/no/such/page/")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert b"No such page" in body
    assert SCRIPT in body


def test_missing_page_without_a_404_page_gets_a_plain_404(preview: Preview) -> None:
    (preview.preview / "404.html").unlink()
    status, headers, body = get(preview.port, "/nothing.html")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert b"404 Not Found" in body
    assert SCRIPT in body


def test_reload_script_and_worker_are_served_from_memory(preview: Preview) -> None:
    for path in ("/__figdown/reload.js", "/__figdown/worker.js"):
        status, headers, body = get(preview.port, path)
        assert status == 200
        assert headers["Content-Type"].startswith("text/javascript")
        assert b"/__figdown/events" in body
    assert not (preview.preview / "__figdown").exists()


def test_event_stream_says_hello_then_reload_after_a_rebuild(preview: Preview) -> None:
    stream = EventStream(preview.port)
    try:
        name, data = stream.next_event()
        assert name == "hello"
        hello = json.loads(data)
        assert hello["problems"] == []
        preview.server.rebuild(RebuildPlan(content=(preview.site.content_dir / "about.md",)))
        name, data = stream.next_event()
        assert name == "reload"
        assert json.loads(data)["build"] != hello["build"]
    finally:
        stream.close()


def test_failed_build_sends_problems_then_ok_when_fixed(preview: Preview) -> None:
    stream = EventStream(preview.port)
    page = preview.site.content_dir / "about.md"
    try:
        assert stream.next_event()[0] == "hello"
        page.write_text("BROKEN: 'x\n")
        outcome = preview.server.rebuild(plan_rebuild([(Change.MODIFIED, page)], preview.site))
        assert not outcome.ok
        name, data = stream.next_event()
        assert name == "broken"
        assert json.loads(data)["problems"] == [
            "content/about.md:1: front matter is not valid YAML — close the quote"
        ]
        assert any("content/about.md:1: front matter" in line for line in preview.lines)
        assert get(preview.port, "/about/")[0] == 200  # the last good build is still served
        page.write_text("Fixed\n")
        preview.server.rebuild(plan_rebuild([(Change.MODIFIED, page)], preview.site))
        assert stream.next_event()[0] == "ok"
    finally:
        stream.close()


def test_tab_opened_on_a_broken_site_is_told_the_problems(preview: Preview) -> None:
    (preview.site.content_dir / "about.md").write_text("BROKEN\n")
    preview.server.rebuild(None)
    stream = EventStream(preview.port)
    try:
        name, data = stream.next_event()
        assert name == "hello"
        assert len(json.loads(data)["problems"]) == 1
    finally:
        stream.close()


def test_stylesheet_only_build_sends_css(preview: Preview) -> None:
    stream = EventStream(preview.port)
    css = preview.site.static_dir / "style.css"
    try:
        stream.next_event()
        preview.server.rebuild(plan_rebuild([(Change.MODIFIED, css)], preview.site))
        assert stream.next_event()[0] == "css"
    finally:
        stream.close()


def test_many_tabs_get_every_event(preview: Preview) -> None:
    streams = [EventStream(preview.port) for _ in range(12)]
    try:
        for stream in streams:
            assert stream.next_event()[0] == "hello"
        preview.server.rebuild(None)
        for stream in streams:
            assert stream.next_event()[0] == "reload"
    finally:
        for stream in streams:
            stream.close()


def test_dead_tabs_are_dropped(preview: Preview) -> None:
    stream = EventStream(preview.port)
    stream.next_event()
    assert preview.server.broadcaster.client_count == 1
    stream.close()
    deadline = time.monotonic() + 5
    while preview.server.broadcaster.client_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert preview.server.broadcaster.client_count == 0


def test_builder_crash_is_a_problem_not_the_end(preview: Preview) -> None:
    def crash(plan: RebuildPlan | None) -> BuildOutcome:
        raise RuntimeError("boom")

    preview.server.build = crash
    outcome = preview.server.rebuild(None)
    assert not outcome.ok
    assert "boom" in outcome.problems[0]
    assert get(preview.port, "/")[0] == 200


def test_server_starts_when_the_first_build_fails(tmp_path: Path) -> None:
    running = Preview(tmp_path)
    (running.site.content_dir / "about.md").write_text("BROKEN\n")
    running.server.start()
    try:
        assert running.server.broadcaster.state.problems
        assert any("1 problem" in line for line in running.lines)
        assert any(line.startswith("Serving the preview at http://") for line in running.lines)
        status, _, body = get(running.port, "/")
        assert status == 404  # nothing was built yet; the overlay still comes with the page
        assert SCRIPT in body
    finally:
        running.server.stop()


def test_saving_a_watched_file_rebuilds_and_reloads(watched: Preview) -> None:
    stream = EventStream(watched.port)
    try:
        assert stream.next_event()[0] == "hello"
        page = watched.site.content_dir / "about.md"
        page.write_text("About, edited\n")
        assert stream.next_event()[0] == "reload"
        assert b"About, edited" in get(watched.port, "/about/")[2]
        plan = watched.build.plans[-1]
        assert plan is not None
        assert plan.content == (page.resolve(),)
        rebuilt = "Changed content/about.md: rebuilt in"
        assert any(line.startswith(rebuilt) for line in watched.lines)
    finally:
        stream.close()


def test_build_output_and_editor_scratch_files_do_not_trigger_builds(watched: Preview) -> None:
    builds = len(watched.build.plans)
    (watched.preview / "extra.html").write_text("x")
    (watched.site.content_dir / ".about.md.swp").write_text("x")
    (watched.site.content_dir / "about.md~").write_text("x")
    time.sleep(0.6)
    assert len(watched.build.plans) == builds


def test_a_burst_of_saves_is_one_build(watched: Preview) -> None:
    stream = EventStream(watched.port)
    try:
        stream.next_event()
        builds = len(watched.build.plans)
        for index in range(5):
            (watched.site.content_dir / f"post{index}.md").write_text(f"Post {index}\n")
        assert stream.next_event()[0] == "reload"
        time.sleep(0.4)
        assert len(watched.build.plans) - builds <= 2
        plans = [p for p in watched.build.plans[builds:] if p is not None]
        assert sum(len(p.content) for p in plans) == 5
    finally:
        stream.close()


def test_config_change_is_watched_through_an_atomic_save(watched: Preview) -> None:
    stream = EventStream(watched.port)
    try:
        stream.next_event()
        config = watched.site.root / "config.yaml"
        for title in ("One", "Two"):
            temporary = config.with_name("config.yaml.tmp")
            temporary.write_text(f"title: {title}\n")
            os.replace(temporary, config)
            assert stream.next_event()[0] == "reload"
        plan = watched.build.plans[-1]
        assert plan is not None
        assert plan.full
    finally:
        stream.close()


def test_taken_port_moves_to_the_next_one(tmp_path: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    running = Preview(tmp_path)
    running.server.requested_port = taken
    try:
        running.server.start()
        assert running.port > taken
        assert f"Port {taken} is taken; using {running.port}." in running.lines
    finally:
        running.server.stop()
        blocker.close()


def test_binding_beyond_loopback_warns(tmp_path: Path) -> None:
    running = Preview(tmp_path)
    running.server.host = "0.0.0.0"
    try:
        running.server.start()
        assert running.lines[0].startswith("Warning: listening on 0.0.0.0")
    finally:
        running.server.stop()


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.20")
    assert format_url("::1", 1313) == "http://[::1]:1313/"
    assert format_url("0.0.0.0", 1313) == "http://127.0.0.1:1313/"
    assert format_url("::", 1313) == "http://[::1]:1313/"


def test_script_goes_before_the_last_body_end() -> None:
    tag = b"<script></script>"
    page = b"<p>x</p></BODY></html>"
    assert inject_script(page, tag) == b"<p>x</p><script></script></BODY></html>"
    assert inject_script(b"<p>no body</p>", tag) == b"<p>no body</p><script></script>"


SERVE_SCRIPT = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from serve_support import FakeBuild, make_site
    from figdown.serve.server import serve

    root = Path(sys.argv[1])
    site = make_site(root)
    preview = root / "preview"
    sys.exit(serve(FakeBuild(site, preview), preview, site, port=0,
                   cleanup=lambda: shutil.rmtree(preview)))
    """
)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_cleanly_and_removes_the_preview(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, str(tmp_path / "site"),
         str(Path(__file__).parents[1])],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("Serving the preview at"):
                break
        assert (tmp_path / "site" / "preview" / "index.html").exists()
        process.send_signal(stop_signal)
        rest, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert "Traceback" not in rest
    assert not (tmp_path / "site" / "preview").exists()


def test_builder_learns_the_server_address_before_the_first_build(tmp_path: Path) -> None:
    running = Preview(tmp_path)
    seen: list[str] = []
    build = running.build

    def remember_then_build(plan: RebuildPlan | None) -> BuildOutcome:
        assert seen, "on_bind must come before the first build"
        return build(plan)

    running.server.build = remember_then_build
    running.server.on_bind = seen.append
    running.server.start()
    try:
        assert seen == [running.server.url]
        assert seen[0] == f"http://127.0.0.1:{running.port}/"
    finally:
        running.server.stop()


def test_interrupted_first_build_still_stops_and_cleans_up(tmp_path: Path) -> None:
    running = Preview(tmp_path)
    cleaned: list[bool] = []

    def interrupted(plan: RebuildPlan | None) -> BuildOutcome:
        raise KeyboardInterrupt

    status = serve(
        interrupted,
        running.preview,
        running.site,
        port=0,
        cleanup=lambda: cleaned.append(True),
        echo=running.lines.append,
    )
    assert status == 0
    assert cleaned == [True]
    assert "Stopping the preview server." in running.lines


def test_unavailable_address_is_a_one_line_error(tmp_path: Path) -> None:
    running = Preview(tmp_path)
    cleaned: list[bool] = []
    status = serve(
        running.build,
        running.preview,
        running.site,
        host="192.0.2.1",  # TEST-NET-1: never an address of this machine
        port=0,
        cleanup=lambda: cleaned.append(True),
        echo=running.lines.append,
    )
    assert status == 1
    assert cleaned == [True]
    assert running.lines[-1].startswith("Error: cannot listen on 192.0.2.1")


def get_with(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_byte_ranges_are_served_for_video(preview: Preview) -> None:
    (preview.preview / "clip.mp4").write_bytes(bytes(range(100)))
    status, headers, body = get_with(preview.port, "/clip.mp4", {"Range": "bytes=10-19"})
    assert status == 206
    assert headers["Content-Range"] == "bytes 10-19/100"
    assert body == bytes(range(10, 20))
    status, _, body = get_with(preview.port, "/clip.mp4", {"Range": "bytes=-5"})
    assert (status, body) == (206, bytes(range(95, 100)))
    status, headers, _ = get_with(preview.port, "/clip.mp4", {"Range": "bytes=200-"})
    assert status == 416
    assert headers["Content-Range"] == "bytes */100"


def test_foreign_host_names_are_refused_on_loopback(preview: Preview) -> None:
    assert get_with(preview.port, "/", {"Host": "evil.example"})[0] == 403
    assert get_with(preview.port, "/", {"Host": "evil.example:1313"})[0] == 403
    for host in ("localhost", f"127.0.0.1:{preview.port}", "[::1]:1313", "blog.localhost"):
        assert get_with(preview.port, "/", {"Host": host})[0] == 200, host


@pytest.mark.parametrize("where", ["", "content", "static", "content/preview"])
def test_preview_folder_overlapping_the_sources_is_refused(tmp_path: Path, where: str) -> None:
    running = Preview(tmp_path)
    running.server.preview_dir = running.site.root / where
    with pytest.raises(ServeError, match="overlaps"):
        running.server.start()
    running.server.stop()


def test_watching_falls_back_to_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_watch = watchfiles.watch

    def failing_watch(*paths: Any, **options: Any) -> Any:
        if not options.get("force_polling"):
            raise OSError("OS file watch limit reached")
        return real_watch(*paths, **options)

    monkeypatch.setattr(watchfiles, "watch", failing_watch)
    running = Preview(tmp_path, watch=True)
    running.server.start()
    stream = EventStream(running.port)
    try:
        assert stream.next_event()[0] == "hello"
        time.sleep(1.1)  # polling compares modification times in whole seconds
        (running.site.content_dir / "about.md").write_text("Polled\n")
        assert stream.next_event()[0] == "reload"
        assert any("checking every 0.3 s instead" in line for line in running.lines)
    finally:
        stream.close()
        running.server.stop()


def test_a_real_session_leaves_the_build_cache_as_it_found_it(tmp_path: Path) -> None:
    """`figdown serve` keeps its preview's records only while it runs: the records of
    `output/` (its snapshot, reuse keys, link index and spare folder) stay, and nothing of
    the preview is left in the cache once it stops."""
    from conftest import REPO, run_build

    from figdown.cache.folders import output_records

    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "config.yaml").write_text("baseURL: https://example.org/\ntitle: T\n")
    for n in (1, 2):
        (site / "content" / "posts" / f"p{n}.md").write_text(
            f"---\ntitle: Post {n}\ndate: 2024-01-0{n}\n---\n\nBody {n}.\n")
    assert run_build("-s", site).returncode == 0
    (site / "content" / "posts" / "p2.md").write_text(
        "---\ntitle: Second\ndate: 2024-01-02\n---\n\nBody 2.\n")
    assert run_build("-s", site).returncode == 0  # a second full build leaves a spare
    cache = site / ".figdown-cache"
    kept = output_records(cache, site / "output")
    before = sorted(p.relative_to(kept).as_posix() for p in kept.iterdir())
    assert "spare-output" in before and "site.pickle" in before
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "-s", str(site), "-p", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("Serving the preview at"):
                break
        assert len(list(cache.glob("output-*"))) == 2  # the preview's, while it runs
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert list(cache.glob("output-*")) == [kept]
    assert sorted(p.relative_to(kept).as_posix() for p in kept.iterdir()) == before
