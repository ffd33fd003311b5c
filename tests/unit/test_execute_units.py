"""Pure parts of the block executor: options, Quarto option lines, keys, the store."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from figdown.execute.blocks import CodeBlock
from figdown.execute.keys import KeyContext, block_keys, helper_hashes, make_key_context
from figdown.execute.messages import RenderedFigure as Fig
from figdown.execute.options import (
    check_block_ids,
    coerce_options,
    key_options,
    parse_option_value,
    split_quarto_options,
)
from figdown.execute.store import (
    can_prune,
    is_safe_slug,
    read_result,
    remove_results,
    stored_results,
    trim_history,
    write_result,
)


def block(code: str = "x = 1\n", index: int = 0, **options: object) -> CodeBlock:
    return CodeBlock("content/posts/a.md", 10, index, code, options)  # type: ignore[arg-type]


# Quarto option lines


def test_quarto_lines_become_typed_options() -> None:
    code = '#| label: relu-plot\n#| fig-cap: "The ReLU"\n#| echo: false\n#| fig-width: 6.5\nx = 1\n'
    options, rest, removed = split_quarto_options(code)
    assert options == {"label": "relu-plot", "fig-cap": "The ReLU", "echo": False, "fig-width": 6.5}
    assert rest == "x = 1\n"
    assert removed == 4


def test_quarto_lines_only_count_at_the_top() -> None:
    code = "x = 1\n#| echo: false\n"
    assert split_quarto_options(code) == ({}, code, 0)


def test_quarto_values_are_typed_like_yaml() -> None:
    assert parse_option_value("true") is True
    assert parse_option_value("30") == 30
    assert parse_option_value("3.5") == 3.5
    assert parse_option_value("'it''s'") == "it's"
    assert parse_option_value("png") == "png"


@given(st.lists(st.text(alphabet="abc =\n#|:1", max_size=20), max_size=5))
def test_split_quarto_options_keeps_every_other_line(lines: list[str]) -> None:
    code = "\n".join(lines)
    _, rest, removed = split_quarto_options(code)
    kept = code.splitlines(keepends=True)[removed:]
    assert rest == "".join(kept)


# Block options


def test_quarto_names_are_figdown_options() -> None:
    quarto = CodeBlock("a.md", 3, 0, "x = 1\n", {"label": "p", "fig-cap": "C", "fig-width": 4})
    options, problems = coerce_options(quarto)
    assert problems == []
    assert (options.block_id, options.caption, options.width) == ("p", "C", 4.0)


def test_bad_option_values_are_problems_at_the_block() -> None:
    _, problems = coerce_options(
        block(format="jpeg", width=-1, timeout="soon", dpi=1.5, fps=0, frames="all")
    )
    assert len(problems) == 6
    assert all(p.line == 10 and p.path == "content/posts/a.md" for p in problems)
    assert "format='jpeg'" in problems[0].message


def test_an_animation_format_leaves_still_figures_in_the_default_format() -> None:
    opts, problems = coerce_options(block(format="gif", fps=10, frames=40), "png")
    assert problems == []
    assert (opts.format, opts.animation_format, opts.fps, opts.frames) == ("png", "gif", 10, 40)
    assert coerce_options(block())[0].animation_format == "mp4"


def test_block_ids_must_not_clash() -> None:
    blocks = (block(index=0, id="plot"), block(index=1, id="plot"), block(index=2, id="plot-2"))
    messages = [p.message for p in check_block_ids(blocks, [b.block_id for b in blocks])]
    assert any("same id" in m for m in messages)
    assert any("figure 2 of block plot" in m for m in messages)


def test_captions_and_echo_do_not_change_the_key_options() -> None:
    assert key_options({"caption": "A", "echo": False}) == key_options({"caption": "B"})
    assert key_options({"caption": "A"}) != key_options({})
    assert key_options({"width": 5}) != key_options({"width": 6})


# Keys


def keys_of(blocks: list[CodeBlock], context: KeyContext, fmt: str = "svg") -> list[str]:
    return block_keys(blocks, [coerce_options(b, fmt)[0] for b in blocks], context)


def test_key_covers_code_before_the_block() -> None:
    context = make_key_context({}, None, None)
    first = keys_of([block("a = 1\n"), block("b = 2\n", 1)], context)
    changed = keys_of([block("a = 3\n"), block("b = 2\n", 1)], context)
    assert first[0] != changed[0] and first[1] != changed[1]
    later = keys_of([block("a = 1\n"), block("b = 9\n", 1)], context)
    assert first[0] == later[0] and first[1] != later[1]


def test_library_versions_are_in_the_key_only_in_strict_mode() -> None:
    here, elsewhere = make_key_context({}, None, None), make_key_context({}, None, None)
    elsewhere = KeyContext({**here.versions, "matplotlib": "0.1"}, here.style, here.style_file,
                           None)
    assert keys_of([block()], here) == keys_of([block()], elsewhere)
    strict_here = KeyContext(here.versions, here.style, here.style_file, None, strict=True)
    strict_elsewhere = KeyContext(elsewhere.versions, here.style, here.style_file, None,
                                  strict=True)
    assert keys_of([block()], strict_here) != keys_of([block()], strict_elsewhere)
    assert keys_of([block()], strict_here) != keys_of([block()], here)


def test_key_depends_on_style_and_site_defaults() -> None:
    plain = keys_of([block()], make_key_context({}, None, None))
    styled = keys_of([block()], make_key_context({"lines.linewidth": 2}, None, None))
    assert plain != styled
    assert plain != keys_of([block()], make_key_context({}, None, None), fmt="png")


def test_helper_imports_are_followed_between_helpers(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "acts.py").write_text("import shapes\n")
    (lib / "shapes.py").write_text("X = 1\n")
    (lib / "other.py").write_text("Y = 1\n")
    assert sorted(helper_hashes(["from acts import relu\n"], lib)) == ["acts.py", "shapes.py"]
    assert sorted(helper_hashes(["from lib import acts\n"], lib)) == [
        "acts.py",
        "other.py",
        "shapes.py",
    ]
    assert helper_hashes(["import numpy\n"], lib) == {}


# Store

ENV = {"python": "3.11.7", "matplotlib": "3.10.0"}
K1 = "1" * 64


def key(n: int) -> str:
    return f"{n:016x}" + "b" * 48


def nothing_read(path: str) -> str | None:
    raise AssertionError(f"{path} was not read by the block")


def write(store: Path, slug: str, block: str, k: str, figures: list[Fig] | None = None,
          output: str = "", reads: dict[str, str] | None = None) -> None:
    write_result(store, slug, block, k, figures or [Fig(b"<svg/>", "svg", 1, 1)], output,
                 reads or {}, ENV)


def test_stored_result_reads_back(tmp_path: Path) -> None:
    write(tmp_path, "relu", "plot", K1, [Fig(b"<svg/>", "svg", 576, 336)], "hi\n")
    stored = read_result(tmp_path, "relu", "plot", K1, nothing_read)
    assert stored is not None
    assert stored.output == "hi\n"
    assert stored.environment == ENV
    assert [(f.store_path, f.width, f.height) for f in stored.figures] == [
        (f"relu/plot/{K1[:16]}/plot.svg", 576, 336)
    ]
    assert read_result(tmp_path, "relu", "plot", key(2), nothing_read) is None


def test_a_result_is_valid_while_the_files_its_block_read_are_unchanged(tmp_path: Path) -> None:
    write(tmp_path, "relu", "plot", K1, reads={"content/posts/relu/losses.csv": "d1"})
    digests = {"content/posts/relu/losses.csv": "d1"}
    assert read_result(tmp_path, "relu", "plot", K1, digests.get) is not None
    digests["content/posts/relu/losses.csv"] = "d2"
    assert read_result(tmp_path, "relu", "plot", K1, digests.get) is None
    assert read_result(tmp_path, "relu", "plot", K1, {}.get) is None  # the file is gone


def test_damaged_entries_are_never_served(tmp_path: Path) -> None:
    folder = tmp_path / "relu" / "plot" / K1[:16]
    write(tmp_path, "relu", "plot", K1)
    (folder / "plot.svg").write_bytes(b"<svg")
    assert read_result(tmp_path, "relu", "plot", K1, nothing_read) is None
    (folder / "plot.svg").unlink()
    assert read_result(tmp_path, "relu", "plot", K1, nothing_read) is None
    (folder / "entry.json").write_text("{not json")
    assert read_result(tmp_path, "relu", "plot", K1, nothing_read) is None
    entry = {"schema": 3, "key": K1, "figures": [{"file": "../../etc/passwd"}], "output": ""}
    (folder / "entry.json").write_text(json.dumps(entry))
    assert read_result(tmp_path, "relu", "plot", K1, nothing_read) is None


def test_earlier_results_of_a_block_are_kept_up_to_the_history_limit(tmp_path: Path) -> None:
    for n in range(1, 7):
        write(tmp_path, "relu", "plot", key(n), [Fig(f"<svg>{n}</svg>".encode(), "svg", 1, 1)])
    removed = trim_history(tmp_path, "relu", "plot", key(2), keep=3)
    # the one in use (2) and the three most recently drawn others (6, 5, 4) stay
    assert sorted(removed) == sorted(f"relu/plot/{key(n)[:16]}" for n in (1, 3))
    for n in (2, 4, 5, 6):
        assert read_result(tmp_path, "relu", "plot", key(n), nothing_read) is not None


def test_trimming_leaves_other_blocks_and_posts_alone(tmp_path: Path) -> None:
    for n in range(1, 4):
        write(tmp_path, "relu", "plot", key(n))
        write(tmp_path, "relu", "other", key(n))
        write(tmp_path, "drafted", "plot", key(n))
    trim_history(tmp_path, "relu", "plot", key(3), keep=0)
    assert len(list((tmp_path / "relu" / "plot").iterdir())) == 1
    assert len(list((tmp_path / "relu" / "other").iterdir())) == 3
    assert len(list((tmp_path / "drafted" / "plot").iterdir())) == 3


def test_trimming_removes_what_an_earlier_figdown_stored_for_the_block(tmp_path: Path) -> None:
    (tmp_path / "relu").mkdir()
    old = {"schema": 2, "block": "plot", "key": "k", "output": "",
           "figures": [{"file": "plot.svg", "sha256": "x"}]}
    (tmp_path / "relu" / "plot.json").write_text(json.dumps(old))
    (tmp_path / "relu" / "plot.svg").write_text("<svg/>")
    (tmp_path / "relu" / "notes.txt").write_text("not the store's")
    write(tmp_path, "relu", "plot", K1)
    assert sorted(trim_history(tmp_path, "relu", "plot", K1)) == ["relu/plot.json",
                                                                  "relu/plot.svg"]
    assert (tmp_path / "relu" / "notes.txt").exists()


def test_removing_results_keeps_other_files_and_removes_empty_folders(tmp_path: Path) -> None:
    write(tmp_path, "posts/relu", "plot", K1)
    write(tmp_path, "posts/gone", "plot", K1)
    (tmp_path / "README.md").write_text("kept")
    found = stored_results(tmp_path)
    assert found == [f"posts/gone/plot/{K1[:16]}", f"posts/relu/plot/{K1[:16]}"]
    remove_results(tmp_path, [found[0]])
    assert sorted(p.name for p in (tmp_path / "posts").iterdir()) == ["relu"]
    assert (tmp_path / "README.md").read_text() == "kept"


def test_prune_refuses_a_store_holding_sources(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    assert not can_prune(tmp_path, [tmp_path / "content"])
    assert not can_prune(tmp_path / "missing", [])
    (tmp_path / "figures").mkdir()
    assert can_prune(tmp_path / "figures", [tmp_path, tmp_path / "content"])


def test_slugs_are_plain_folder_paths() -> None:
    assert is_safe_slug("posts/relu") and is_safe_slug("relu")
    assert not any(map(is_safe_slug, ["", "../x", "a//b", "/abs", "a/./b"]))
