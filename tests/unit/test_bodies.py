"""The body cache and the parallel render: same HTML as a plain render, never a bad entry."""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from pathlib import Path

from figdown.cache.bodycache import BodyCache
from figdown.markdown.firstpass import (
    ENTRY_FORMAT,
    BodyJob,
    BodySettings,
    FirstPass,
    render_chunk,
    render_first_pass,
)

SETTINGS = BodySettings(unsafe_html=True, base_path="/", summary_length=70)


def jobs(count: int) -> list[BodyJob]:
    return [BodyJob(f"content/posts/p{n}.md", 5, f"/posts/p{n}/",
                    f"# Post {n}\n\nSome *text* with $x_{n}$ and [a link](/posts/p0/).\n\n"
                    "```python\nprint(1)\n```\n", None) for n in range(count)]


def test_parallel_render_equals_serial_render(tmp_path: Path) -> None:
    work = jobs(80)
    serial = render_chunk(SETTINGS, work)
    parallel = render_first_pass(work, SETTINGS, BodyCache(None, "x"), workers=2)
    assert [parallel[job.path] for job in work] == serial


def test_second_build_reads_every_body_from_the_cache(tmp_path: Path) -> None:
    work = jobs(5)
    first = render_first_pass(work, SETTINGS, BodyCache(tmp_path / "c.sqlite", "x"), workers=1)
    cache = BodyCache(tmp_path / "c.sqlite", "x")
    again = render_first_pass(work, SETTINGS, cache, workers=1)
    assert again == first and cache.hits == 5


def test_an_edited_body_is_rendered_again(tmp_path: Path) -> None:
    work = jobs(3)
    render_first_pass(work, SETTINGS, BodyCache(tmp_path / "c.sqlite", "x"), workers=1)
    edited = [*work[:2], BodyJob(work[2].path, 5, work[2].page_url, "New text.\n", None)]
    cache = BodyCache(tmp_path / "c.sqlite", "x")
    result = render_first_pass(edited, SETTINGS, cache, workers=1)
    assert cache.hits == 2
    body = result[work[2].path].body
    assert body is not None and "New text." in body.html


def test_other_code_or_settings_miss_the_cache(tmp_path: Path) -> None:
    work = jobs(2)
    render_first_pass(work, SETTINGS, BodyCache(tmp_path / "c.sqlite", "x"), workers=1)
    other_code = BodyCache(tmp_path / "c.sqlite", "y")
    render_first_pass(work, SETTINGS, other_code, workers=1)
    assert other_code.hits == 0
    other_base = BodyCache(tmp_path / "c.sqlite", "x")
    render_first_pass(work, BodySettings(True, "/blog/", 70), other_base, workers=1)
    assert other_base.hits == 0


def entries(path: Path) -> dict[str, bytes]:
    with sqlite3.connect(path) as db:
        return {k: bytes(v) for k, v in db.execute("SELECT key, data FROM bodies")}


def store(path: Path, key: str, data: bytes) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE bodies SET data = ? WHERE key = ?", (data, key))


def test_corrupt_or_foreign_entries_are_ignored(tmp_path: Path) -> None:
    work = jobs(4)
    path = tmp_path / "c.sqlite"
    expected = render_first_pass(work, SETTINGS, BodyCache(path, "x"), workers=1)
    found = sorted(entries(path).items())
    assert len(found) == 4
    store(path, found[0][0], found[0][1][:-10])  # truncated
    data = bytearray(found[1][1])
    data[-20] ^= 0xFF  # one flipped bit in the stored HTML
    store(path, found[1][0], bytes(data))
    store(path, found[2][0], b"not a pickle at all")
    payload = pickle.dumps((ENTRY_FORMAT + 1, found[3][0], FirstPass(None)))
    store(path, found[3][0], hashlib.sha256(payload).digest() + payload)  # another version
    cache = BodyCache(path, "x")
    assert render_first_pass(work, SETTINGS, cache, workers=1) == expected
    assert cache.hits == 0


def test_a_cache_file_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"garbage " * 1000)
    cache = BodyCache(path, "x")
    expected = render_first_pass(jobs(2), SETTINGS, cache, workers=1)
    again = BodyCache(path, "x")
    assert render_first_pass(jobs(2), SETTINGS, again, workers=1) == expected
    assert again.hits == 2


def test_unused_entries_are_pruned(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    render_first_pass(jobs(3), SETTINGS, BodyCache(path, "x"), workers=1)
    cache = BodyCache(path, "x")
    render_first_pass(jobs(1), SETTINGS, cache, workers=1)
    cache.prune()
    assert len(entries(path)) == 1


def test_memory_answers_a_second_build_in_one_process_and_refills_a_deleted_file(
        tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    memory: dict[str, object] = {}  # what one process keeps between its builds
    expected = render_first_pass(jobs(3), SETTINGS, BodyCache(path, "x", memory), workers=1)
    path.unlink()  # the user deletes the build cache while `serve` runs
    cache = BodyCache(path, "x", memory)
    assert render_first_pass(jobs(3), SETTINGS, cache, workers=1) == expected
    assert cache.hits == 3
    again = BodyCache(path, "x")
    assert render_first_pass(jobs(3), SETTINGS, again, workers=1) == expected
    assert again.hits == 3  # from the file, written back on save


def test_an_unwritable_cache_does_not_fail_the_render(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = BodyCache(blocker / "c.sqlite", "x")  # its folder cannot be made
    result = render_first_pass(jobs(2), SETTINGS, cache, workers=1)
    assert all(r.body is not None for r in result.values())


def test_parallel_render_with_other_threads_running_starts_clean_workers() -> None:
    import threading
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        work = jobs(70)
        parallel = render_first_pass(work, SETTINGS, BodyCache(None, "x"), workers=2)
    finally:
        stop.set()
        other.join()
    assert [parallel[job.path] for job in work] == render_chunk(SETTINGS, work)
