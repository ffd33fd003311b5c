"""Run executable blocks in worker processes and keep their results in the figure store."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from figdown.execute.blocks import BlockResult, CodeBlock, PostBlocks
from figdown.execute.keys import KeyContext, block_keys, make_key_context
from figdown.execute.messages import BlockFailure, BlockOutcome, BlockTask, PostTask, WorkerInit
from figdown.execute.options import BlockOptions, check_block_ids, coerce_options
from figdown.execute.pool import run_tasks
from figdown.execute.progress import ProgressBar
from figdown.execute.store import (
    StoredResult,
    can_prune,
    entry_folder,
    file_sha256,
    is_safe_slug,
    read_result,
    trim_history,
    write_result,
)
from figdown.problems import Problem


@dataclass(frozen=True)
class ExecOptions:
    """How blocks are run for one build."""

    store: Path  # the figure store, `<site>/figures`
    site_root: Path
    helpers: Path | None = None  # site folder of importable helper modules (`lib/`)
    style: Mapping[str, object] = field(default_factory=dict)  # rcParams from the config
    style_file: Path | None = None  # a matplotlib style file from the config
    format: str = "svg"  # image format of blocks that name none: "svg" or "png"
    timeout: float = 60.0  # seconds a block may run, unless it says otherwise
    jobs: int = 0  # 0: one worker per core
    refresh: bool = False  # run every block, ignoring the store
    # Run the blocks of these posts again (paths relative to the site, or slugs).
    refresh_posts: frozenset[str] = frozenset()
    prune: bool = True  # trim each block's history of stored results
    progress: bool = False  # show the blocks running (a line on a terminal)
    on_progress: Callable[[str], None] | None = None  # told the blocks running, in words
    animation_limit: int = 5_000_000  # bytes; a larger animation is a warning
    strict_environment: bool = False  # the library versions are part of every key
    output_limit: int = 1_000_000  # characters of printed output kept per block
    unrecorded: tuple[Path, ...] = ()  # folders whose reads do not matter (output, cache)


@dataclass(frozen=True)
class ExecReport:
    """Every block's result, keyed by (post path, block index)."""

    results: Mapping[tuple[str, int], BlockResult]
    ran: int = 0  # blocks executed in this build
    reused: int = 0  # blocks whose result came from the store without running
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()
    pruned: tuple[str, ...] = ()  # store paths removed, relative to the store
    encoders: tuple[str, ...] = ()  # what encoded the animations made in this build
    # Reused results drawn with other library versions than this build's, and how the
    # versions differ ("matplotlib 3.10.7 in the store, 3.9.4 here").
    elsewhere: int = 0
    elsewhere_versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class _PostPlan:
    post: PostBlocks
    options: tuple[BlockOptions, ...]
    keys: tuple[str, ...]
    stored: tuple[StoredResult | None, ...]
    problems: tuple[Problem, ...]  # problems that keep the post from running
    refresh: bool = False  # run again whatever the store holds

    def needs_run(self) -> bool:
        return not self.problems and (self.refresh or any(s is None for s in self.stored))


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def execute_posts(posts: Sequence[PostBlocks], options: ExecOptions) -> ExecReport:
    """Run (or reuse from the store) every block of every post; never raises for user code."""
    started = time.perf_counter()
    store = options.store
    context = make_key_context(options.style, options.style_file, options.helpers,
                               options.strict_environment)
    digests = _Digests(options.site_root)
    plans = _plan_posts(posts, options, context, digests)
    results: dict[tuple[str, int], BlockResult] = {}
    problems: list[Problem] = []
    to_run: list[_PostPlan] = []
    reused = 0
    for plan in plans:
        if plan.problems:
            problems += plan.problems
            _fill_not_run(plan, results, problems, "fix the errors reported for this post first")
        elif plan.needs_run():
            to_run.append(plan)
        else:
            for block, stored in zip(plan.post.blocks, plan.stored, strict=True):
                assert stored is not None
                results[(plan.post.path, block.index)] = _from_store(block, stored)
                reused += 1

    ran = 0
    encoders: set[str] = set()
    if to_run:
        # Made before any block runs, so that its appearance is not taken for a block's write.
        store.mkdir(parents=True, exist_ok=True)
        by_path = {plan.post.path: plan for plan in to_run}

        progress = ProgressBar(sum(len(p.post.blocks) for p in to_run), sys.stderr,
                               options.progress, options.on_progress)

        def on_outcome(task: PostTask, outcome: BlockOutcome) -> None:
            nonlocal ran
            ran += 1
            plan = by_path[task.path]
            result = _record(plan, outcome, store, digests, context)
            results[(task.path, outcome.index)] = result
            position = _position(plan, outcome.index)
            progress.block_done(task.path, plan.options[position].block_id,
                                _next_block_id(plan, position))
            if outcome.output_dropped:
                problems.append(_output_warning(plan, position, outcome, options.output_limit))
            if result.error is not None:
                problems.append(result.error)
            elif not result.reused:
                problems.extend(_fallback_warnings(plan, position, outcome))
                encoders.update(f.encoder for f in outcome.figures if f.kind == "animation")

        def on_start(task: PostTask) -> None:
            plan = by_path[task.path]
            progress.start(task.path, plan.options[0].block_id)

        def on_done(task: PostTask) -> None:
            _fill_not_run(by_path[task.path], results, problems, "a block above it failed")
            progress.finish(task.path)

        tasks = [_make_task(plan, options, plans) for plan in to_run]
        jobs = options.jobs if options.jobs > 0 else default_jobs()
        init = _worker_init(options)
        try:
            style_errors = run_tasks(tasks, init, jobs, on_outcome, on_start, on_done,
                                     progress.tick)
        finally:
            progress.close()
        problems += _style_problems(style_errors, options)

    problems += _size_warnings(plans, results, options.animation_limit)
    pruned: list[str] = []
    if options.prune and store.is_dir():
        protected = [options.site_root, *(p.post.source_dir for p in plans)]
        if options.helpers is not None:
            protected.append(options.helpers)
        if can_prune(store, protected):
            pruned = _trim_histories(plans, results, store)
    elsewhere = _drawn_elsewhere(plans, results, context)

    return ExecReport(
        results=results,
        ran=ran,
        reused=reused,
        seconds=time.perf_counter() - started,
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.line or 0))),
        pruned=tuple(pruned),
        encoders=tuple(sorted(encoders)),
        elsewhere=sum(elsewhere.values()),
        elsewhere_versions=tuple(sorted(elsewhere)),
    )


class _Digests:
    """sha256 of files inside the site by relative path, each read once per build."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.known: dict[str, str | None] = {}

    def __call__(self, relative: str) -> str | None:
        if relative not in self.known:
            self.known[relative] = self.fresh(relative)
        return self.known[relative]

    def fresh(self, relative: str) -> str | None:
        """Read again: after a block ran, a file it read may be one it also wrote."""
        path = (self.root / relative).resolve()
        digest = file_sha256(path) if path.is_relative_to(self.root) else None
        self.known[relative] = digest
        return digest


def used_results(posts: Sequence[PostBlocks], options: ExecOptions) -> set[str]:
    """The store folders of the results these posts' blocks have now (whether stored or not)."""
    context = make_key_context(options.style, options.style_file, options.helpers,
                               options.strict_environment)
    used: set[str] = set()
    for post in posts:
        block_options = [coerce_options(b, options.format, options.timeout)[0]
                         for b in post.blocks]
        for opts, key in zip(block_options, block_keys(post.blocks, block_options, context),
                             strict=True):
            used.add(entry_folder(post.slug, opts.block_id, key))
    return used


def _plan_posts(
    posts: Sequence[PostBlocks], options: ExecOptions, context: KeyContext,
    digests: _Digests,
) -> list[_PostPlan]:
    """Check each post's options and look up each block's stored result."""
    plans = []
    slugs: dict[str, str] = {}
    for post in posts:
        problems: list[Problem] = []
        coerced = [coerce_options(b, options.format, options.timeout) for b in post.blocks]
        block_options = tuple(opts for opts, _ in coerced)
        for _, found in coerced:
            problems += found
        problems += check_block_ids(post.blocks, [o.block_id for o in block_options])
        if not is_safe_slug(post.slug):
            problems.append(
                Problem(
                    post.path,
                    None,
                    f"post slug {post.slug!r} cannot name a folder of the figure store",
                    "use letters, digits, '-', '_' and '.' in the slug ('/' between folders)",
                )
            )
        elif post.slug in slugs and post.blocks:
            problems.append(
                Problem(
                    post.path,
                    None,
                    f"post slug {post.slug!r} is also the slug of {slugs[post.slug]}",
                    "give the post its own slug: figures are stored by slug",
                )
            )
        elif post.blocks:
            slugs[post.slug] = post.path
        keys = tuple(block_keys(post.blocks, block_options, context))
        stored = tuple(
            None if problems else read_result(options.store, post.slug, o.block_id, key,
                                              digests)
            for o, key in zip(block_options, keys, strict=True)
        )
        refresh = options.refresh or bool(
            options.refresh_posts & {post.path, post.slug, Path(post.path).stem})
        plans.append(_PostPlan(post, block_options, keys, stored, tuple(problems), refresh))
    return plans


def _make_task(plan: _PostPlan, options: ExecOptions, plans: list[_PostPlan]) -> PostTask:
    blocks = tuple(
        BlockTask(
            index=block.index,
            block_id=opts.block_id,
            code=block.code,
            line=block.line,
            save=plan.refresh or stored is None,
            format=opts.format,
            dpi=opts.dpi,
            width=opts.width,
            height=opts.height,
            timeout=opts.timeout,
            animation_format=opts.animation_format,
            fps=opts.fps,
            frames=opts.frames,
        )
        for block, opts, stored in zip(plan.post.blocks, plan.options, plan.stored, strict=True)
    )
    return PostTask(
        path=plan.post.path,
        source_dir=str(plan.post.source_dir.resolve()),
        watch=_watched_folders(plan.post, options, plans),
        blocks=blocks,
    )


def _watched_folders(
    post: PostBlocks, options: ExecOptions, plans: list[_PostPlan]
) -> tuple[tuple[str, bool], ...]:
    """Folders a block of this post must not write to: the site root, the post folder's
    parent and the helpers (recursively) — less any folder that holds some post, where
    another post's blocks may be writing at the same time, and the store."""
    root = options.site_root.resolve()
    post_dirs = {p.post.source_dir.resolve() for p in plans}
    store = options.store.resolve()
    candidates = [(root, False), (post.source_dir.resolve().parent, False)]
    if options.helpers is not None:
        candidates.append((options.helpers.resolve(), True))
    watched: dict[Path, bool] = {}
    for folder, recursive in candidates:
        if not folder.is_relative_to(root) or folder.is_relative_to(store):
            continue
        if any(folder.is_relative_to(d) for d in post_dirs):
            continue
        watched[folder] = watched.get(folder, False) or recursive
    return tuple((str(folder), recursive) for folder, recursive in watched.items())


def _worker_init(options: ExecOptions) -> WorkerInit:
    return WorkerInit(
        site_root=str(options.site_root.resolve()),
        helpers=str(options.helpers.resolve()) if options.helpers else None,
        style=dict(options.style),
        style_file=str(options.style_file.resolve()) if options.style_file else None,
        unrecorded=tuple(str(p.resolve()) for p in (options.store, *options.unrecorded)),
        output_limit=options.output_limit,
    )


def _from_store(block: CodeBlock, stored: StoredResult) -> BlockResult:
    return BlockResult(block=block, figures=stored.figures, output=stored.output, reused=True,
                       displays=stored.displays)


def _record(plan: _PostPlan, outcome: BlockOutcome, store: Path, digests: _Digests,
            context: KeyContext) -> BlockResult:
    """Turn a worker's outcome into a result, storing fresh figures with the digests of the
    files the post's blocks read and the environment that drew them."""
    position = _position(plan, outcome.index)
    block = plan.post.blocks[position]
    opts = plan.options[position]
    if outcome.failure is not None:
        error = _failure_problem(block, opts, outcome.failure)
        return BlockResult(block=block, output=outcome.output, error=error)
    stored = plan.stored[position]
    if stored is None or plan.refresh:
        figures = outcome.figures
        if opts.caption and not figures and not outcome.displays:
            error = Problem(
                block.path,
                block.line,
                f"block {opts.block_id}: has a caption but drew no figure",
                "draw a figure in this block (or end it with a table), or remove its caption",
            )
            return BlockResult(block=block, output=outcome.output, error=error)
        key = plan.keys[position]
        reads = {path: digest for path in outcome.reads
                 if (digest := digests.fresh(path)) is not None}
        stored = write_result(store, plan.post.slug, opts.block_id, key, figures,
                              outcome.output, reads, context.versions, outcome.displays)
        return BlockResult(block=block, figures=stored.figures, output=stored.output,
                           displays=stored.displays)
    return _from_store(block, stored)


def _position(plan: _PostPlan, index: int) -> int:
    return next(i for i, b in enumerate(plan.post.blocks) if b.index == index)


def _fallback_warnings(plan: _PostPlan, position: int, outcome: BlockOutcome) -> list[Problem]:
    """A warning for each animation written in another format than the block asked for."""
    block = plan.post.blocks[position]
    block_id = plan.options[position].block_id
    return [
        Problem(
            block.path,
            block.line,
            f"block {block_id}: animation saved as {f.format.upper()} with {f.encoder}, "
            f"not as MP4: {f.fallback}",
            "install imageio-ffmpeg (`pip install imageio-ffmpeg`), which ships an ffmpeg "
            "binary, then run the build with --refresh-figures",
            "warning",
        )
        for f in outcome.figures
        if f.kind == "animation" and f.fallback
    ]


def _size_warnings(
    plans: Sequence[_PostPlan], results: Mapping[tuple[str, int], BlockResult], limit: int
) -> list[Problem]:
    """A warning for each animation larger than the limit, fresh or from the store."""
    problems = []
    for plan in plans:
        for block, opts in zip(plan.post.blocks, plan.options, strict=True):
            result = results.get((plan.post.path, block.index))
            for figure in result.figures if result is not None else ():
                if figure.kind != "animation" or figure.size <= limit:
                    continue
                problems.append(
                    Problem(
                        block.path,
                        block.line,
                        f"block {opts.block_id}: animation "
                        f"{PurePosixPath(figure.store_path).name} is "
                        f"{figure.size / 1e6:.1f} MB, over the limit of {limit / 1e6:g} MB",
                        "draw fewer frames (`frames`), a smaller figure (`width`, `height`), "
                        "a lower `dpi` or `fps`; or raise figures.animationLimit (MB)",
                        "warning",
                    )
                )
    return problems


_HINTS = {
    "timeout": "make the block faster, or give it more time with its `timeout` option (seconds)",
    "crash": "the block ended its post's process (os._exit, a crash in compiled code, or no "
    "memory left); the post's later blocks did not run",
    "start": "lower -j, or raise the limit on processes (`ulimit -u`, a container's pids.max)",
    "outside": "write files beside the post (its folder is the working directory) or in a "
    "temporary folder",
    "exception": "fix the block's code",
}


def _failure_problem(block: CodeBlock, opts: BlockOptions, failure: BlockFailure) -> Problem:
    """`path:line: block <id>: <error>`, with the user's traceback frames in the hint."""
    hint = _HINTS.get(failure.kind, "")
    if failure.frames:
        lines = ["traceback (most recent call last):"]
        for frame in failure.frames:
            lines.append(f"  {frame.path}:{frame.line}, in {frame.name}")
            if frame.source:
                lines.append(f"    {frame.source}")
        hint = "\n".join(lines) if failure.kind == "exception" else hint + "\n" + "\n".join(lines)
    return Problem(
        block.path,
        failure.line or block.line,
        f"block {opts.block_id}: {failure.message}",
        hint,
    )


def _fill_not_run(
    plan: _PostPlan,
    results: dict[tuple[str, int], BlockResult],
    problems: list[Problem],
    reason: str,
) -> None:
    """A note for each block of the post that has no result: it did not run."""
    for block, opts in zip(plan.post.blocks, plan.options, strict=True):
        key = (plan.post.path, block.index)
        if key in results:
            continue
        note = Problem(
            block.path, block.line, f"block {opts.block_id}: not run: {reason}", "", "note"
        )
        if not any(p.line == block.line and p.path == block.path for p in plan.problems):
            problems.append(note)
        results[key] = BlockResult(block=block, error=_first(plan.problems, block) or note)


def _first(problems: Sequence[Problem], block: CodeBlock) -> Problem | None:
    return next((p for p in problems if p.path == block.path and p.line == block.line), None)


def _style_problems(errors: list[str], options: ExecOptions) -> list[Problem]:
    """One problem for each part of the site's figure style that matplotlib refused."""
    where = "config"
    if options.style_file is not None:
        where = str(options.style_file)
        if options.style_file.resolve().is_relative_to(options.site_root.resolve()):
            relative = options.style_file.resolve().relative_to(options.site_root.resolve())
            where = relative.as_posix()
    return [
        Problem(where, None, f"figure style: {error}", "fix the figure style in the config")
        for error in errors
    ]


def _trim_histories(
    plans: list[_PostPlan], results: Mapping[tuple[str, int], BlockResult], store: Path
) -> list[str]:
    """Trim the stored history of each block that has a result in this build. Blocks no
    page of this build has (drafts left out, posts removed) are not touched."""
    pruned: list[str] = []
    for plan in plans:
        if not is_safe_slug(plan.post.slug):
            continue
        for block, opts, key in zip(plan.post.blocks, plan.options, plan.keys, strict=True):
            result = results.get((plan.post.path, block.index))
            if result is not None and result.error is None:
                pruned += trim_history(store, plan.post.slug, opts.block_id, key)
    return pruned


def _drawn_elsewhere(
    plans: list[_PostPlan], results: Mapping[tuple[str, int], BlockResult],
    context: KeyContext,
) -> dict[str, int]:
    """How the library versions of reused results differ from this build's → how many."""
    found: dict[str, int] = {}
    here = context.versions
    for plan in plans:
        for block, stored in zip(plan.post.blocks, plan.stored, strict=True):
            result = results.get((plan.post.path, block.index))
            if stored is None or result is None or not result.reused or result.error:
                continue
            differences = [f"{name} {stored.environment.get(name, 'unknown')} in the store, "
                           f"{version} here"
                           for name, version in sorted(here.items())
                           if stored.environment.get(name) != version]
            if differences:
                text = "; ".join(differences)
                found[text] = found.get(text, 0) + 1
    return found


def _next_block_id(plan: _PostPlan, position: int) -> str | None:
    return plan.options[position + 1].block_id if position + 1 < len(plan.options) else None


def _output_warning(plan: _PostPlan, position: int, outcome: BlockOutcome,
                    limit: int) -> Problem:
    block = plan.post.blocks[position]
    return Problem(
        block.path, block.line,
        f"block {plan.options[position].block_id}: printed more than {limit:,} characters; "
        f"{outcome.output_dropped:,} in the middle were left out",
        "print less, or raise figures.outputLimit (characters)", "warning")
