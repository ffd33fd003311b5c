"""Live reload: the build state every open tab is told about, and the script tabs run.

The server sends Server-Sent Events on `/__figdown/events`; every event's data is a
JSON object `{"build": id, "problems": [...]}`:

- `hello`  on connect: the current state, so a tab opened on a broken site shows the errors
- `reload` a build succeeded: reload the page
- `css`    only stylesheets changed: swap them without a reload
- `broken` a build failed: show the problems over the page (not `error`: an event of that
           name would also fire the EventSource's own `onerror`, which means "disconnected")
- `ok`     a build succeeded after a failure: hide the problems and reload
- `progress` blocks are running: show which, and for how long (`running`), over the last
           good page, which stays until the build is done

In the browser one shared worker holds the event stream for every tab of the preview,
so any number of tabs cost one connection (browsers allow six per host).
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from figdown.serve.changes import BuildOutcome

SCRIPT_URL = "/__figdown/reload.js"
WORKER_URL = "/__figdown/worker.js"
EVENTS_URL = "/__figdown/events"

Event = tuple[str, str]  # (event name, JSON data)
_CLIENT_BACKLOG = 64  # events a slow client may fall behind by before it is dropped


@dataclass(frozen=True)
class BuildState:
    """The last build as tabs see it."""

    build: str  # changes with every build; a tab showing an older one is stale
    problems: tuple[str, ...]

    def as_json(self) -> str:
        return json.dumps({"build": self.build, "problems": list(self.problems)})


def format_event(name: str, data: str, event_id: str | None = None) -> bytes:
    """One Server-Sent Event, ready to write."""
    lines = [f"event: {name}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in data.splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class Broadcaster:
    """Hands each build's event to every connected tab; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[Event | None]] = set()
        self._instance = uuid.uuid4().hex[:8]  # a restarted server makes every tab reload
        self._generation = 0
        self._state = BuildState(build=f"{self._instance}-0", problems=())
        self._closed = False

    @property
    def state(self) -> BuildState:
        with self._lock:
            return self._state

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    def subscribe(self) -> queue.Queue[Event | None]:
        """A new tab's queue; its first event is `hello` with the current state."""
        client: queue.Queue[Event | None] = queue.Queue(maxsize=_CLIENT_BACKLOG)
        with self._lock:
            client.put_nowait(("hello", self._state.as_json()))
            if self._closed:
                client.put_nowait(None)
            else:
                self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.Queue[Event | None]) -> None:
        with self._lock:
            self._clients.discard(client)

    def publish_outcome(self, outcome: BuildOutcome) -> str:
        """Record a finished build and tell every tab; returns the event name sent."""
        with self._lock:
            was_broken = bool(self._state.problems)
            self._generation += 1
            build = f"{self._instance}-{self._generation}"
            if not outcome.ok:
                problems = outcome.problems or ("the build failed without saying why",)
                self._state = BuildState(build=build, problems=tuple(problems))
                name = "broken"
            else:
                self._state = BuildState(build=build, problems=())
                name = "ok" if was_broken else "css" if outcome.css_only else "reload"
            self._send_locked((name, self._state.as_json()))
        return name

    def publish_progress(self, running: str) -> None:
        """Tell every tab what the build is running now (blocks, in words)."""
        with self._lock:
            data = json.loads(self._state.as_json())
            data["running"] = running
            self._send_locked(("progress", json.dumps(data)))

    def close(self) -> None:
        """End every event stream; later subscribers are ended at once."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                self._put(client, None)
            self._clients.clear()

    def _send_locked(self, event: Event) -> None:
        for client in list(self._clients):
            if not self._put(client, event):
                self._clients.discard(client)

    @staticmethod
    def _put(client: queue.Queue[Event | None], item: Event | None) -> bool:
        try:
            client.put_nowait(item)
        except queue.Full:
            return False
        return True


def script_tag(state: BuildState) -> bytes:
    """The tag injected into served pages (never into files on disk)."""
    return f'<script src="{SCRIPT_URL}" data-build="{state.build}"></script>'.encode()


def inject_script(html: bytes, tag: bytes) -> bytes:
    """`html` with `tag` before its last `</body>`, or at its end when there is none."""
    at = html.lower().rfind(b"</body")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


def problem_lines(problems: Sequence[str]) -> str:
    """Problems as the terminal shows them, one indented line each."""
    return "\n".join(f"  {p}" for p in problems)


RELOAD_JS = r"""// figdown preview: reloads this page, swaps stylesheets, shows build errors.
(() => {
  "use strict";
  if (window.__figdownLiveReload) return;
  window.__figdownLiveReload = true;
  const script = document.currentScript;
  let build = (script && script.dataset.build) || "";
  const OVERLAY = "figdown-overlay";
  const PROGRESS = "figdown-progress";
  const TYPES = ["hello", "reload", "css", "broken", "ok", "progress"];

  const make = (tag, style, text) => {
    const node = document.createElement(tag);
    node.setAttribute("style", style);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const inherit = "font:inherit;color:inherit;background:transparent;";

  function hideOverlay() {
    const old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  function showOverlay(problems) {
    hideOverlay();
    // Fixed colours, not the page's: readable whatever the site's light or dark theme.
    const box = make("div", "all:initial;position:fixed;z-index:2147483647;top:0;left:0;" +
      "right:0;max-height:70vh;overflow:auto;box-sizing:border-box;padding:16px 20px;" +
      "background:#1d1216;color:#fdeaea;border-bottom:4px solid #e5484d;" +
      "box-shadow:0 6px 24px rgba(0,0,0,.45);color-scheme:dark;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    const head = make("div", inherit + "display:flex;justify-content:space-between;" +
      "align-items:baseline;gap:1em;");
    const count = problems.length;
    head.append(make("strong", inherit + "font-weight:700;color:#ffa3a3;",
      `Build failed: ${count} problem${count === 1 ? "" : "s"}`));
    const hide = make("button", inherit + "cursor:pointer;border:1px solid currentColor;" +
      "border-radius:4px;padding:0 .6em;", "Hide");
    hide.type = "button";
    hide.addEventListener("click", hideOverlay);
    head.append(hide);
    const list = make("ul", inherit + "display:block;margin:10px 0 0;padding:0;list-style:none;");
    for (const problem of problems) {
      list.append(make("li", inherit + "display:block;margin:4px 0;white-space:pre-wrap;" +
        "overflow-wrap:anywhere;", problem));
    }
    const note = make("p", inherit + "display:block;margin:10px 0 0;opacity:.8;font-size:12px;",
      "Fix the file and save: this page comes back by itself.");
    box.append(head, list, note);
    (document.body || document.documentElement).append(box);
  }

  function hideProgress() {
    const old = document.getElementById(PROGRESS);
    if (old) old.remove();
  }

  function showProgress(running) {
    let box = document.getElementById(PROGRESS);
    if (!box) {
      box = make("div", "all:initial;position:fixed;z-index:2147483646;bottom:12px;right:12px;" +
        "max-width:min(36em,calc(100vw - 24px));box-sizing:border-box;padding:8px 12px;" +
        "background:#13202b;color:#e6f1fb;border-left:4px solid #3b9eff;border-radius:4px;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.35);color-scheme:dark;" +
        "font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;");
      box.id = PROGRESS;
      box.setAttribute("role", "status");
      (document.body || document.documentElement).append(box);
    }
    box.textContent = running;
  }

  function swapStylesheets() {
    const links = document.querySelectorAll('link[rel~="stylesheet"]:not([data-figdown-old])');
    for (const link of links) {
      if (!link.href) continue;
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("v", Date.now().toString(36));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      link.setAttribute("data-figdown-old", "");
      // Keep the old sheet until the new one is in, so the page never flashes unstyled.
      const drop = () => link.remove();
      fresh.addEventListener("load", drop, { once: true });
      fresh.addEventListener("error", drop, { once: true });
      link.after(fresh);
    }
  }

  function handle(type, data) {
    const problems = (data && data.problems) || [];
    if (type === "progress") {
      showProgress((data && data.running) || "running blocks");
      return;
    }
    hideProgress();
    if (type === "hello") {
      if (problems.length) showOverlay(problems);
      else if (data.build !== build) location.reload();
      else hideOverlay();
    } else if (type === "reload") {
      location.reload();
    } else if (type === "css") {
      build = data.build;
      swapStylesheets();
    } else if (type === "broken") {
      showOverlay(problems);
    } else if (type === "ok") {
      hideOverlay();
      location.reload();
    }
  }

  function connectDirectly() {
    const open = () => {
      const source = new EventSource("__EVENTS__");
      for (const type of TYPES) {
        source.addEventListener(type, (event) => handle(type, JSON.parse(event.data)));
      }
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) setTimeout(open, 1000);
      };
    };
    open();
  }

  function connectThroughWorker() {
    const worker = new SharedWorker("__WORKER__", { name: "figdown-live-reload" });
    worker.port.onmessage = (event) => handle(event.data.type, event.data.data);
    worker.onerror = () => connectDirectly();
    window.addEventListener("pagehide", () => worker.port.postMessage("bye"));
    window.addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
  }

  try {
    if (window.SharedWorker) connectThroughWorker();
    else connectDirectly();
  } catch (error) {
    connectDirectly();
  }
})();
""".replace("__EVENTS__", EVENTS_URL).replace("__WORKER__", WORKER_URL)

WORKER_JS = r"""// figdown preview: one event stream shared by every tab of the preview.
const ports = new Set();
const TYPES = ["hello", "reload", "css", "broken", "ok", "progress"];
let state = null;

function open() {
  const source = new EventSource("__EVENTS__");
  for (const type of TYPES) {
    source.addEventListener(type, (event) => {
      const data = JSON.parse(event.data);
      state = { build: data.build, problems: data.problems || [] };
      for (const port of ports) port.postMessage({ type, data });
    });
  }
  source.onerror = () => {
    // Forget the old server's state: a tab opening now must wait for the new hello.
    state = null;
    if (source.readyState === EventSource.CLOSED) setTimeout(open, 1000);
  };
}

onconnect = (event) => {
  const port = event.ports[0];
  ports.add(port);
  port.onmessage = (message) => { if (message.data === "bye") ports.delete(port); };
  if (state) port.postMessage({ type: "hello", data: state });
};

open();
""".replace("__EVENTS__", EVENTS_URL)
