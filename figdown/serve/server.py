"""The preview server: build, serve the preview folder, rebuild on every save, reload tabs.

It knows nothing about sites beyond a `build` callable and the folders to watch; it
keeps serving the last good build when a build fails, and shows the problems in the page.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import watchfiles

from figdown.serve.changes import (
    BuildOutcome,
    ChangeKind,
    RebuildPlan,
    SiteLayout,
    classify_change,
    plan_rebuild,
)
from figdown.serve.http import PreviewHTTPServer
from figdown.serve.http import is_loopback_host as is_loopback
from figdown.serve.livereload import Broadcaster, problem_lines

Builder = Callable[[RebuildPlan | None], BuildOutcome]
Echo = Callable[[str], None]

DEFAULT_PORT = 1313
PORT_TRIES = 20  # when the port is taken, the next ones are tried, up to this many more


def _print(line: str) -> None:
    print(line, flush=True)


def format_url(host: str, port: int) -> str:
    """The address to print and open."""
    any_address = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}
    shown = any_address.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


class ServeError(Exception):
    """The preview cannot start; the message is one line for the terminal."""


def check_preview_dir(preview_dir: Path, layout: SiteLayout) -> None:
    """Refuse a preview folder that holds the site's sources or lies inside one of them.

    The folder is emptied and removed when the preview stops, and every file written
    under a watched source folder would set off another build.
    """
    preview = preview_dir.resolve()
    overlapping = [layout.root] if layout.root.resolve().is_relative_to(preview) else []
    for source in layout.source_dirs():
        real = source.resolve()
        if real.is_relative_to(preview) or preview.is_relative_to(real):
            overlapping.append(source)
    if overlapping:
        raise ServeError(
            f"the preview folder {preview_dir} overlaps {overlapping[0]} — "
            "give the preview a folder of its own, outside content/, layouts/ and static/"
        )


def bind_server(
    host: str, port: int, preview_dir: Path, broadcaster: Broadcaster, heartbeat: float
) -> PreviewHTTPServer:
    """A server on `port`, or on the first free one of the next PORT_TRIES (0: any)."""
    last = port if port == 0 else port + PORT_TRIES
    for candidate in range(port, last + 1):
        try:
            return PreviewHTTPServer((host, candidate), preview_dir, broadcaster, heartbeat)
        except OSError as error:
            if error.errno != errno.EADDRINUSE or candidate == last:
                raise
    raise AssertionError("unreachable")


class PreviewServer:
    """A running preview: first build, HTTP server thread, watcher thread."""

    def __init__(
        self,
        build: Builder,
        preview_dir: Path,
        layout: SiteLayout,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        watch: bool = True,
        echo: Echo = _print,
        heartbeat: float = 15.0,
        step_ms: int = 50,
        debounce_ms: int = 1600,
        on_bind: Callable[[str], None] | None = None,
        on_progress: Callable[[Callable[[str], None]], None] | None = None,
    ) -> None:
        self.build = build
        self.on_bind = on_bind
        self.preview_dir = preview_dir
        self.layout = layout
        self.host = host
        self.requested_port = port
        self.echo = echo
        self.broadcaster = Broadcaster()
        if on_progress is not None:  # the builder tells the tabs what blocks run
            on_progress(self.broadcaster.publish_progress)
        self._watch = watch
        self._heartbeat = heartbeat
        self._step_ms = step_ms
        self._debounce_ms = debounce_ms
        self._build_lock = threading.Lock()  # never two builds at once
        self._stop = threading.Event()
        self._httpd: PreviewHTTPServer | None = None
        self._serving = False
        self._threads: list[threading.Thread] = []
        self.watching = threading.Event()  # set once the watcher is ready for changes

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the preview server is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return format_url(self.host, self.port)

    def start(self) -> None:
        """Bind, build once, then serve and watch; a failed first build shows as an overlay.

        The port is bound before the first build so that `on_bind` can hand the real
        address to the builder: the preview's links point at this server.
        """
        check_preview_dir(self.preview_dir, self.layout)
        if not is_loopback(self.host):
            self.echo(
                f"Warning: listening on {self.host}, not on loopback: anyone who can reach "
                "this machine can read the preview, drafts included."
            )
        try:
            self._httpd = bind_server(
                self.host, self.requested_port, self.preview_dir, self.broadcaster, self._heartbeat
            )
        except OSError as error:
            last = self.requested_port + PORT_TRIES if self.requested_port else 0
            ports = f"{self.requested_port}-{last}" if last else "any port"
            raise ServeError(
                f"cannot listen on {self.host} ({ports}): {error.strerror or error}"
            ) from None
        if self.requested_port and self.port != self.requested_port:
            self.echo(f"Port {self.requested_port} is taken; using {self.port}.")
        if self.on_bind is not None:
            self.on_bind(self.url)
        self.preview_dir.mkdir(parents=True, exist_ok=True)
        self.rebuild(None)
        self._spawn("figdown-http", self._httpd.serve_forever, 0.2)
        self._serving = True
        if self._watch:
            self._spawn("figdown-watch", self._watch_loop)
            self.watching.wait(timeout=5)
        self.echo(f"Serving the preview at {self.url} (Ctrl-C to stop)")

    def rebuild(self, plan: RebuildPlan | None) -> BuildOutcome:
        """Run the build for `plan` (None: everything), report it, and tell every tab."""
        with self._build_lock:
            started = time.perf_counter()
            try:
                outcome = self.build(plan)
            except Exception as error:  # a bug in the builder must not stop the preview
                traceback.print_exc()
                outcome = BuildOutcome(ok=False, problems=(f"build crashed: {error!r}",))
            seconds = time.perf_counter() - started
            self._report(plan, outcome, seconds)
            self.broadcaster.publish_outcome(outcome)
        return outcome

    def stop(self) -> None:
        """Stop watching and serving; ends every event stream. Safe to call twice."""
        self._stop.set()
        self.broadcaster.close()
        if self._httpd is not None:
            if self._serving:  # shutdown() waits for serve_forever, which may never have run
                self._httpd.shutdown()
                self._serving = False
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
            if thread.is_alive():
                self.echo(f"Warning: {thread.name} did not stop (a build is still running).")
        self._threads.clear()

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True once the server has been stopped."""
        return self._stop.wait(timeout)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, name: str, target: Callable[..., object], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self, change: watchfiles.Change, path: str) -> bool:
        if Path(path).is_dir():  # a folder event says nothing its files do not
            return False
        return classify_change(Path(path), self.layout) is not ChangeKind.IGNORED

    def _watch_loop(self) -> None:
        self.echo(f"Watching {self._describe_watched()} for changes.")
        try:
            self._watch_changes(force_polling=None)
        except Exception as error:  # e.g. the system's limit of watched folders
            if self._stop.is_set():
                return
            self.echo(f"Warning: cannot watch for changes ({error}); checking every 0.3 s instead.")
            self._watch_changes(force_polling=True)

    def _watch_changes(self, force_polling: bool | None) -> None:
        roots = [root for root in self.layout.watch_roots() if root.is_dir()]
        changes: Iterator[set[tuple[watchfiles.Change, str]]] = watchfiles.watch(
            *roots,
            watch_filter=self._accept,
            debounce=self._debounce_ms,
            step=self._step_ms,
            stop_event=self._stop,
            rust_timeout=200,
            yield_on_timeout=True,
            raise_interrupt=False,
            force_polling=force_polling,
            poll_delay_ms=300,
        )
        for batch in changes:
            self.watching.set()
            if self._stop.is_set():
                return
            plan = plan_rebuild(((int(c), Path(p)) for c, p in batch), self.layout)
            if not plan.is_empty:
                self.rebuild(plan)

    def _describe_watched(self) -> str:
        names = [self._relative(d) + "/" for d in self.layout.source_dirs() if d.is_dir()] + [
            self._relative(f) for f in self.layout.config_files if f.is_file()
        ]
        return ", ".join(names) or str(self.layout.root)

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.layout.root).as_posix()
        except ValueError:
            return str(path)

    def _report(self, plan: RebuildPlan | None, outcome: BuildOutcome, seconds: float) -> None:
        what = "Built the site" if plan is None else f"Changed {self._describe(plan)}: rebuilt"
        timing = f"{what} in {seconds:.2f} s"
        if outcome.ok:
            self.echo(timing + (" (stylesheets only)" if outcome.css_only else ""))
            return
        count = len(outcome.problems)
        self.echo(f"{timing}, with {count} problem{'' if count == 1 else 's'}:")
        if outcome.problems:
            self.echo(problem_lines(outcome.problems))

    def _describe(self, plan: RebuildPlan) -> str:
        changed = [self._relative(p) for p in plan.changed]
        more = len(changed) - 3
        return ", ".join(changed[:3]) + (f" and {more} more" if more > 0 else "")


def serve(
    build: Builder,
    preview_dir: Path,
    layout: SiteLayout,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    cleanup: Callable[[], None] | None = None,
    echo: Echo = _print,
    on_bind: Callable[[str], None] | None = None,
    on_progress: Callable[[Callable[[str], None]], None] | None = None,
) -> int:
    """Preview a site until Ctrl-C or SIGTERM; `cleanup` runs last. Returns the exit status.

    `build(None)` builds everything, `build(plan)` what a burst of changes needs; it writes
    into `preview_dir` only. `on_bind(url)` is called with the server's address before the
    first build. `on_progress(tell)` is handed the function that tells every tab what the
    build runs now. `cleanup` runs after the server and watcher have stopped, even on errors.
    """
    server = PreviewServer(build, preview_dir, layout, host, port, echo=echo, on_bind=on_bind,
                           on_progress=on_progress)
    status = 0
    with _interrupt_on_sigterm():
        try:
            server.start()
            if open_browser:
                webbrowser.open(server.url)
            while not server.wait(0.5):
                pass
        except KeyboardInterrupt:
            echo("Stopping the preview server.")
        except ServeError as error:
            echo(f"Error: {error}")
            status = 1
        finally:
            with _ignoring_sigint():  # a second Ctrl-C must not skip the cleanup
                server.stop()
                if cleanup is not None:
                    cleanup()
    return status


@contextlib.contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM stops the server like Ctrl-C does (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _ignoring_sigint() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
