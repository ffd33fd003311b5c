"""Animations a block leaves in its namespace: capture, encoding, store, page, build."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import imageio_ffmpeg
import matplotlib
import pytest
from conftest import run_build
from execsite import ExecSite, errors

from figdown.execute.animate import encode_animation, find_animations

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

PNG = b"\x89PNG\r\n\x1a\n"

# A small animation: a dot moving along a line, `FRAMES` frames.
ANIMATION = """\
from matplotlib.animation import FuncAnimation
fig, ax = plt.subplots(figsize=(2, 1.5))
ax.set_xlim(0, 10)
dot, = ax.plot([0], [0], "o")
def step(i):
    dot.set_xdata([i])
    return [dot]
anim = FuncAnimation(fig, step, frames=10, interval=100)
"""

FAILING = """\
from matplotlib.animation import FuncAnimation
fig, ax = plt.subplots(figsize=(2, 1.5))
dot, = ax.plot([0], [0], "o")
def step(i):
    if i == 4:
        raise ValueError("frame 4 is broken")
    dot.set_xdata([i])
    return [dot]
anim = FuncAnimation(fig, step, frames=10)
"""


def frames_of(path: Path) -> int:
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    return int(frames)


# --- capture ---------------------------------------------------------------


def test_animations_are_found_in_values_lists_and_dicts_once() -> None:
    fig = plt.figure()
    a, b, c = (FuncAnimation(fig, lambda i: [], frames=2) for _ in range(3))
    seen: set[int] = set()
    namespace = {"a": a, "several": [b, 1], "by_name": {"c": c}, "again": a}
    assert find_animations(namespace, seen) == [a, b, c]
    assert find_animations(namespace, seen) == []  # already taken
    for anim in (a, b, c):
        anim._draw_was_started = True
    plt.close(fig)


def test_without_an_encoder_an_animation_falls_back_to_webp() -> None:
    fig = plt.figure(figsize=(2, 1.5))
    anim = FuncAnimation(fig, lambda i: [], frames=4, interval=50)
    encoded = encode_animation(anim, "mp4", None, None, 48, (None, "imageio-ffmpeg is missing"))
    plt.close(fig)
    assert encoded.format == "webp" and encoded.data[8:12] == b"WEBP"
    assert "imageio-ffmpeg is missing" in encoded.fallback
    assert encoded.frames == 4 and encoded.poster.startswith(PNG)
    assert (encoded.width, encoded.height) == (96, 72)


# --- through the executor ----------------------------------------------------


def test_an_animation_is_stored_as_mp4_with_a_poster_and_not_as_a_still(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [(ANIMATION, {"id": "moving", "caption": "A dot"})])
    report = site.run([post])
    assert errors(report) == []
    (result,) = report.results.values()
    (figure,) = result.figures
    assert (figure.kind, figure.format, figure.width, figure.height) == ("animation", "mp4",
                                                                         192, 144)
    video = site.stored("p", "moving.mp4")
    folder = video.parent.relative_to(site.store).as_posix()
    assert figure.store_paths == (f"{folder}/moving.mp4", f"{folder}/moving.poster.png")
    assert video.read_bytes()[4:8] == b"ftyp" and frames_of(video) == 10
    assert site.stored("p", "moving.poster.png").read_bytes().startswith(PNG)
    assert sorted(p.name for p in video.parent.iterdir()) == [
        "entry.json", "moving.mp4", "moving.poster.png"]  # no still figure of it
    manifest = json.loads(site.stored("p", "moving.json").read_text())
    assert manifest["schema"] == 3 and manifest["figures"][0]["kind"] == "animation"
    assert report.encoders and "imageio-ffmpeg" in report.encoders[0]

    again = site.run([post])
    assert (again.ran, again.reused) == (0, 1)
    assert again.encoders == ()


def test_an_animation_of_an_earlier_block_is_not_encoded_again(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [ANIMATION, "plt.plot([1, 2])\n"])
    report = site.run([post])
    assert errors(report) == []
    kinds = [[f.kind for f in r.figures] for _, r in sorted(report.results.items())]
    assert kinds == [["animation"], ["image"]]


def test_a_block_run_again_only_for_its_namespace_encodes_nothing(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    first = site.run([site.post("p", [(ANIMATION, {"id": "moving"}), "x = 1\n"])])
    assert errors(first) == []
    video = site.stored("p", "moving.mp4")
    stamp = video.stat().st_mtime_ns
    changed = site.run([site.post("p", [(ANIMATION, {"id": "moving"}), "x = 2\n"])])
    assert errors(changed) == [] and changed.encoders == ()
    assert changed.problems == ()  # no warning that the animation was never drawn
    assert video.stat().st_mtime_ns == stamp
    (moving,) = changed.results[("content/posts/p.md", 0)].figures
    assert moving.kind == "animation"


def test_an_animation_without_frames_is_an_error(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    code = ANIMATION.replace("frames=10", "frames=[]")
    (error,) = errors(site.run([site.post("p", [(code, {"id": "empty"})])]))
    assert "block empty: ValueError: the animation has no frames to draw" in error


def test_the_encoded_file_is_the_same_bytes_on_every_run(tmp_path: Path) -> None:
    digests = []
    for run in ("one", "two"):
        site = ExecSite(tmp_path / run)
        report = site.run([site.post("p", [(ANIMATION, {"id": "moving"})])])
        assert errors(report) == []
        digests.append([hashlib.sha256(site.stored("p", name).read_bytes()).hexdigest()
                        for name in ("moving.mp4", "moving.poster.png")])
    assert digests[0] == digests[1]


def test_frames_fps_and_format_options(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [
        (ANIMATION, {"id": "short", "frames": 4, "fps": 5}),
        ("anim2 = FuncAnimation(fig, step, frames=6)\nplt.close(fig)\n",
         {"id": "gif", "format": "gif"}),
    ])
    report = site.run([post])
    assert errors(report) == []
    short = site.stored("p", "short.mp4")
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(short))
    assert frames == 4 and seconds == pytest.approx(0.8, abs=0.05)
    gif = site.stored("p", "gif.gif").read_bytes()
    assert gif.startswith(b"GIF89a")


def test_a_block_whose_animation_fails_mid_way_is_reported_at_its_line(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [(FAILING, {"id": "broken"}), "print('after')\n"])
    report = site.run([post])
    first = post.blocks[0].line
    (error,) = errors(report)
    assert error.startswith(f"content/posts/p.md:{first + 5}: block broken: ValueError: "
                            "frame 4 is broken")
    assert not (site.store / "p").exists() or not list((site.store / "p").iterdir())


def test_without_imageio_ffmpeg_the_build_warns_and_writes_webp(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    # A helper module of that name hides the real package from the blocks' worker.
    site.helper("imageio_ffmpeg", "raise ImportError('hidden by the test')\n")
    report = site.run([site.post("p", [(ANIMATION, {"id": "moving"})])])
    assert errors(report) == []
    (warning,) = [p for p in report.problems if p.severity == "warning"]
    assert "block moving: animation saved as WEBP with Pillow" in str(warning)
    assert "pip install imageio-ffmpeg" in str(warning)
    assert site.stored("p", "moving.webp").is_file()
    assert any(e.startswith("Pillow") for e in report.encoders)


def test_a_large_animation_is_a_warning_naming_the_block_on_every_build(tmp_path: Path) -> None:
    site = ExecSite(tmp_path)
    post = site.post("p", [(ANIMATION, {"id": "moving"})])
    for _ in range(2):  # fresh, then from the store
        report = site.run([post], animation_limit=100)
        (warning,) = [str(p) for p in report.problems if p.severity == "warning"]
        assert re.search(r"content/posts/p.md:\d+: block moving: animation moving.mp4 is "
                         r"0\.0 MB, over the limit", warning)
    assert report.reused == 1


# --- the built site ----------------------------------------------------------


def _site(make_site, code: str) -> Path:  # type: ignore[no-untyped-def]
    return make_site({
        "config.yaml": "title: T\nbaseURL: /\n",
        "content/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\n\nText.\n\n"
        '```python {exec=true, id="moving", caption="A *dot*", alt="A dot moves right"}\n'
        f"{code}```\n\nEnd.\n",
    })


def test_the_page_has_a_muted_looping_video_without_autoplay(make_site, tmp_path: Path  # type: ignore[no-untyped-def]
                                                             ) -> None:
    site = _site(make_site, ANIMATION)
    out = tmp_path / "out"
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 0, result.stderr
    assert "Animations encoded with ffmpeg" in result.stdout
    html = (out / "posts/a/index.html").read_text()
    video = re.search(r"<video [^>]*>", html)
    assert video is not None
    tag = video.group(0)
    for attribute in ("muted", "loop", "playsinline", "controls", 'width="192"',
                      'height="144"', 'poster="/posts/a/moving.poster.png"',
                      'aria-label="A dot moves right"', 'preload="metadata"'):
        assert attribute in tag
    assert "autoplay" not in tag and "data-motion" in tag  # motion.js starts it
    assert '<source src="/posts/a/moving.mp4" type="video/mp4">' in html
    assert '<figcaption><span class="figure-number">Figure 1:</span> A <em>dot</em>' in html
    assert html.count('<script src="/js/motion.js" defer></script>') == 1
    assert (out / "posts/a/moving.mp4").is_file() and (out / "posts/a/moving.poster.png").is_file()
    assert (out / "js/motion.js").is_file()

    again = run_build("-s", site, "-d", out)
    assert again.returncode == 0 and "Blocks: 0 run, 1 reused" in again.stdout


def test_a_failing_animation_fails_the_build_and_keeps_the_output(make_site, tmp_path: Path  # type: ignore[no-untyped-def]
                                                                  ) -> None:
    site = _site(make_site, ANIMATION)
    out = tmp_path / "out"
    assert run_build("-s", site, "-d", out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    post = site / "content/posts/a.md"
    post.write_text(post.read_text().replace(ANIMATION, FAILING))
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 1
    # the `raise` is line 6 of the block, whose code starts on line 9 of the file
    assert "content/posts/a.md:14: block moving: ValueError: frame 4 is broken" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_without_an_encoder_the_page_shows_webp_and_the_poster_for_reduced_motion(
    make_site, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    site = _site(make_site, ANIMATION)
    (site / "lib").mkdir()
    # A helper module of that name hides the real package from the blocks' worker.
    (site / "lib" / "imageio_ffmpeg.py").write_text("raise ImportError('hidden by the test')\n")
    out = tmp_path / "out"
    result = run_build("-s", site, "-d", out)
    assert result.returncode == 0, result.stderr
    assert "warning: content/posts/a.md:9: block moving: animation saved as WEBP" in result.stderr
    assert "Animations encoded with Pillow" in result.stdout
    html = (out / "posts/a/index.html").read_text()
    assert ('<picture><source srcset="/posts/a/moving.poster.png" '
            'media="(prefers-reduced-motion: reduce)"><img src="/posts/a/moving.webp" '
            'alt="A dot moves right"') in html
    assert "<video" not in html and "motion.js" not in html
