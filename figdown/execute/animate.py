"""Encoding of matplotlib animations a block left in its namespace (runs inside a worker).

MP4 is encoded by the ffmpeg binary of the imageio-ffmpeg package, with flags that make
the file the same bytes on every run; without that package, animations fall back to an
animated WebP written by matplotlib's Pillow writer. WebP and GIF, when asked for, are
always written by Pillow.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

DEFAULT_FPS = 20
MAX_FPS = 60

# yuv420p is the pixel format every browser plays; +faststart puts the index at the front
# so playback starts early. The rest keep the bytes the same on every run: no metadata or
# encoder tags from ffmpeg and the muxer, and x264 on one thread, since how frames are
# split between threads can change its decisions.
FFMPEG_ARGS = (
    "-pix_fmt", "yuv420p",
    "-preset", "medium",
    "-crf", "23",
    "-threads", "1",
    "-x264-params", "threads=1:sliced-threads=0",
    "-movflags", "+faststart",
    "-map_metadata", "-1",
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
)


@dataclass(frozen=True)
class EncodedAnimation:
    """An encoded animation and its poster (the first frame, PNG)."""

    data: bytes
    format: str  # "mp4", "webp" or "gif"
    poster: bytes
    width: int  # CSS pixels
    height: int
    frames: int
    encoder: str  # what encoded it, for the build's summary
    fallback: str = ""  # why the asked-for format could not be written, when it could not


def find_animations(namespace: dict[str, Any], seen: set[int]) -> list[Any]:
    """Animations among the namespace's values, and one level into its lists, tuples and
    dicts, that are not in `seen` (ids of animations already taken); in namespace order."""
    from matplotlib.animation import Animation

    found: list[Any] = []

    def take(value: object) -> None:
        if isinstance(value, Animation) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)

    for name, value in list(namespace.items()):
        if name.startswith("__"):
            continue
        take(value)
        if isinstance(value, list | tuple):
            for item in value:
                take(item)
        elif isinstance(value, dict):
            for item in value.values():
                take(item)
    return found


def ffmpeg_executable() -> tuple[str | None, str]:
    """The ffmpeg binary of imageio-ffmpeg and a description, or None and why not."""
    try:
        import imageio_ffmpeg

        exe = str(imageio_ffmpeg.get_ffmpeg_exe())
        version = str(imageio_ffmpeg.get_ffmpeg_version())
    except ImportError:
        return None, "imageio-ffmpeg is not installed"
    except Exception as exc:  # the package is there but has no usable binary
        return None, f"imageio-ffmpeg has no usable ffmpeg ({type(exc).__name__}: {exc})"
    package = metadata.version("imageio-ffmpeg")
    return exe, f"ffmpeg {version} from imageio-ffmpeg {package} (libx264, H.264)"


def mark_unrendered(anim: Any) -> None:
    """An animation that will not be encoded (its block runs only to rebuild the
    namespace): keep matplotlib from warning that it was never drawn."""
    anim._draw_was_started = True


def encode_animation(
    anim: Any,
    fmt: str,
    fps: int | None,
    frames: int | None,
    dpi: int,
    ffmpeg: tuple[str | None, str],
) -> EncodedAnimation:
    """Draw every frame of an animation (at most `frames`) into an MP4, WebP or GIF file.

    `dpi` is CSS pixels per inch; an MP4 is drawn at twice this, as PNG figures are, for
    sharp lines on high-density screens (H.264 keeps it small); WebP and GIF, which grow
    fast with size, are drawn at it."""
    import matplotlib as mpl
    from matplotlib.animation import FFMpegWriter, PillowWriter

    rate = fps or _natural_fps(anim)
    exe, about = ffmpeg
    fallback = ""
    if fmt == "mp4" and exe is None:
        fallback = f"no video encoder: {about}"
        fmt = "webp"
    if frames is not None:
        _limit_frames(anim, frames)
    file_dpi = 2 * dpi if fmt == "mp4" else dpi
    fig = anim._fig
    poster = io.BytesIO()
    count = 0

    def on_frame(number: int, total: int | None) -> None:
        nonlocal count
        count = number + 1
        if number == 0:  # the first frame is drawn and not yet grabbed: that is the poster
            fig.savefig(poster, format="png", dpi=file_dpi, metadata={"Software": None})
            # The first frame's layout holds for the rest: axes that do not jump as tick
            # labels and titles change, and no layout solved again for every frame.
            fig.set_layout_engine("none")

    writer: Any
    if fmt == "mp4":
        writer = FFMpegWriter(fps=rate, codec="h264", extra_args=list(FFMPEG_ARGS))
        encoder = about
    else:
        writer = PillowWriter(fps=rate)
        encoder = f"Pillow {metadata.version('pillow')} (matplotlib's Pillow writer, {fmt})"
    with tempfile.TemporaryDirectory(prefix="figdown-anim-") as folder:
        path = os.path.join(folder, f"animation.{fmt}")
        with mpl.rc_context({"animation.ffmpeg_path": exe or "ffmpeg"}):
            anim.save(path, writer=writer, dpi=file_dpi, progress_callback=on_frame)
        with open(path, "rb") as stream:
            data = stream.read()
    if count == 0:
        raise ValueError("the animation has no frames to draw")
    width_in, height_in = fig.get_size_inches()
    return EncodedAnimation(
        data=data,
        format=fmt,
        poster=poster.getvalue(),
        width=round(width_in * dpi),
        height=round(height_in * dpi),
        frames=count,
        encoder=encoder,
        fallback=fallback,
    )


def _natural_fps(anim: Any) -> int:
    """The frame rate the animation's own interval asks for, within 1…MAX_FPS."""
    interval = getattr(anim, "_interval", None)
    if not isinstance(interval, int | float) or interval <= 0:
        return DEFAULT_FPS
    return max(1, min(MAX_FPS, round(1000 / interval)))


def _limit_frames(anim: Any, limit: int) -> None:
    """Make `anim.save` draw at most `limit` frames."""
    original = anim.new_saved_frame_seq

    def limited() -> Iterator[object]:
        frames: Iterable[object] = original()
        return itertools.islice(frames, limit)

    anim.new_saved_frame_seq = limited
    save_count = getattr(anim, "_save_count", None)
    if isinstance(save_count, int):
        anim._save_count = min(save_count, limit)
