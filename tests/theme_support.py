"""Helpers for the theme's browser tests and screenshots: build, serve, launch Chromium."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = ROOT / "tests" / "browser"
AXE_JS = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
SITE_FILES = ("config.yaml", "content", "lib", "static", "layouts", "figures")

# Alt text and caption of the demo figure: the ReLU plot the post's block draws.
DEMO_ALT = ("ReLU is zero for negative inputs and equal to the input for positive ones. "
            "Its derivative is 0 for negative inputs and jumps to 1 at x = 0.")


def build_site(destination: Path, source: Path = ROOT) -> None:
    """Run `build.py` as a user would; fail with its output if the build fails."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-s", str(source), "-d", str(destination), "-q"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"build.py failed:\n{result.stdout}\n{result.stderr}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 on a free port; yields the origin `http://127.0.0.1:N`."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def ensure_axe() -> Path:
    """axe-core as pinned in tests/browser/package.json; installed with npm when missing."""
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise AssertionError("axe-core is not installed and npm is missing: run "
                                 "`npm ci --prefix tests/browser` on a machine with Node.js")
        subprocess.run([npm, "ci", "--prefix", str(BROWSER_DIR), "--no-audit", "--no-fund"],
                       check=True, capture_output=True)
    return AXE_JS


def write_demo_svg(path: Path, transparent: bool = True) -> None:
    """The ReLU figure as the executor draws it: matplotlib defaults, Agg, SVG.

    Run in a fresh interpreter so rcParams and pyplot state stay out of the test process.
    """
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        f"sys.path.insert(0, {str(ROOT / 'lib')!r})\n"
        "from activations import plot_activation\n"
        "plt.rcParams['svg.hashsalt'] = 'figdown'\n"
        "plot_activation('relu')\n"
        f"plt.savefig({str(path)!r}, format='svg', transparent={transparent!r},"
        " metadata={'Date': None})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def make_figure_site(folder: Path) -> Path:
    """A copy of the example site whose ReLU post shows a real matplotlib SVG figure.

    The figure is put in as the HTML the executor writes for a block, in place of the
    post's first executable block, so the theme can be checked with figures before the
    executor produces them in every build.
    """
    source = folder / "site"
    for name in SITE_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name)
        elif path.is_file():
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    figure_dir = source / "static" / "demo"
    figure_dir.mkdir(parents=True, exist_ok=True)
    write_demo_svg(figure_dir / "relu-plot.svg")
    post = source / "content" / "posts" / "relu.md"
    text = post.read_text(encoding="utf-8")
    html = (f'<figure id="relu-plot" class="block-figure"><img src="/demo/relu-plot.svg" '
            f'alt="{DEMO_ALT}" width="576" height="336" loading="lazy" decoding="async">'
            "<figcaption>ReLU and its derivative</figcaption></figure>\n")
    text, count = re.subn(r"```python \{exec=true[^\n]*\n.*?\n```\n", lambda m: html, text,
                          count=1, flags=re.DOTALL)
    assert count == 1, "the ReLU post has no executable block to stand in for"
    # The blocks after it would be keyed anew (their key holds the code before them) and
    # drawn again, an animation among them: shown as code instead.
    text = text.replace("```python {exec=true", "```python {exec=false")
    post.write_text(text, encoding="utf-8")
    return source


SHOTS = (("home", "/"), ("post", "/posts/relu/"), ("tag", "/tags/relu/"),
         ("archive", "/archives/"), ("search", "/search/?q=vanishing"))
WIDTHS = {"phone": 375, "desktop": 1280}


def take_screenshots(out: Path, full_page: bool = False) -> list[Path]:
    """Home, a post with a figure and math, a tag page, archive and search; light and dark;
    phone and desktop. `python tests/theme_support.py OUT_DIR` writes them."""
    import tempfile

    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        source = make_figure_site(Path(tmp))
        build_site(Path(tmp) / "out", source)
        with serve(Path(tmp) / "out") as origin, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for scheme in ("light", "dark"):
                for device, width in WIDTHS.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": 900 if device == "desktop" else 812},
                        color_scheme=scheme, device_scale_factor=1)
                    page = context.new_page()
                    for name, path in SHOTS:
                        page.goto(origin + path)
                        page.wait_for_load_state("networkidle")
                        target = out / f"{name}-{scheme}-{device}.png"
                        page.screenshot(path=str(target), full_page=full_page)
                        written.append(target)
                        if name == "post":  # the figure and the math, further down
                            page.locator("#relu-plot").scroll_into_view_if_needed()
                            page.evaluate("window.scrollBy(0, -260)")
                            target = out / f"post-figure-{scheme}-{device}.png"
                            page.screenshot(path=str(target))
                            written.append(target)
                    context.close()
            browser.close()
    return written


if __name__ == "__main__":
    full = "--full" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--full"]
    for shot in take_screenshots(Path(args[0] if args else "screenshots"), full):
        print(shot)
