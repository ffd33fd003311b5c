"""classify_change and plan_rebuild: which rebuild each changed path asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from figdown.serve.changes import Change, ChangeKind, SiteLayout, classify_change, plan_rebuild

ROOT = Path("/site")
SITE = SiteLayout(
    root=ROOT,
    content_dir=ROOT / "content",
    layouts_dir=ROOT / "layouts",
    static_dir=ROOT / "static",
    config_files=(ROOT / "config.yaml", ROOT / "hugo.toml"),
    helpers_dir=ROOT / "lib",
    ignored_dirs=(ROOT / "output", ROOT / "figures", ROOT / ".figdown-preview-1313"),
)


@pytest.mark.parametrize(
    ("relpath", "kind"),
    [
        ("content/posts/relu.md", ChangeKind.CONTENT),
        ("content/_index.md", ChangeKind.CONTENT),
        ("content/posts/gelu/index.md", ChangeKind.CONTENT),
        ("content/posts/Notes.MARKDOWN", ChangeKind.CONTENT),
        ("content/posts/sedatives.md", ChangeKind.CONTENT),
        ("content/posts/gelu/sedation", ChangeKind.CONTENT_RESOURCE),
        ("content/posts/gelu/sedatives", ChangeKind.CONTENT_RESOURCE),
        ("content/posts/gelu/cover.png", ChangeKind.CONTENT_RESOURCE),
        ("content/posts/gelu/data.csv", ChangeKind.CONTENT_RESOURCE),
        ("layouts/_default/single.html", ChangeKind.TEMPLATE),
        ("layouts/partials/head.html", ChangeKind.TEMPLATE),
        ("static/css/style.css", ChangeKind.STATIC_CSS),
        ("static/style.CSS", ChangeKind.STATIC_CSS),
        ("static/favicon.svg", ChangeKind.STATIC),
        ("static/css/style.css.map", ChangeKind.STATIC),
        ("static/.nojekyll", ChangeKind.STATIC),
        ("config.yaml", ChangeKind.CONFIG),
        ("hugo.toml", ChangeKind.CONFIG),
        ("lib/plotting.py", ChangeKind.HELPER),
        ("lib/paper.mplstyle", ChangeKind.HELPER),
    ],
)
def test_sources_are_classified_by_folder_and_suffix(relpath: str, kind: ChangeKind) -> None:
    assert classify_change(ROOT / relpath, SITE) is kind


@pytest.mark.parametrize(
    "relpath",
    [
        "content/posts/relu.md~",
        "content/posts/.relu.md.swp",
        "content/posts/.relu.md.swx",
        "content/posts/4913",
        "content/posts/.#relu.md",
        "content/posts/#relu.md#",
        "content/posts/relu.md.tmp.1234.5678",
        "layouts/base.html___jb_tmp___",
        "static/.DS_Store",
        "lib/__pycache__/plotting.cpython-311.pyc",
        "lib/plotting.pyc",
        "content/.git/HEAD",
        ".git/index",
        "output/index.html",
        "output/posts/relu/index.html",
        "figures/relu/relu-plot.svg",
        ".figdown-preview-1313/index.html",
        "README.md",
        "build.py",
        "archetypes/default.md",
        "config.yaml.tmp",
        "content/posts/sedq3ZxPa",
        "layouts/.goutputstream-K1XQ2Z",
        "content",
        "static",
    ],
)
def test_scratch_files_output_and_unrelated_files_are_ignored(relpath: str) -> None:
    assert classify_change(ROOT / relpath, SITE) is ChangeKind.IGNORED


def test_a_path_outside_the_site_is_ignored() -> None:
    assert classify_change(Path("/elsewhere/content/x.md"), SITE) is ChangeKind.IGNORED


def test_source_folders_outside_the_root_are_classified_and_watched() -> None:
    theme = Path("/usr/lib/figdown/theme/layouts")
    site = SiteLayout(
        root=ROOT,
        content_dir=ROOT / "content",
        layouts_dir=theme,
        static_dir=ROOT / "static",
        config_files=(ROOT / "config.yaml",),
    )
    assert classify_change(theme / "base.html", site) is ChangeKind.TEMPLATE
    assert site.watch_roots() == (ROOT, theme)


def test_conventional_layout_names_the_usual_folders(tmp_path: Path) -> None:
    site = SiteLayout.for_site(tmp_path, ignored=[Path(".figdown-preview")])
    root = tmp_path.resolve()
    assert site.content_dir == root / "content"
    assert root / "config.yaml" in site.config_files
    assert classify_change(root / ".figdown-preview/index.html", site) is ChangeKind.IGNORED
    assert classify_change(root / "output/index.html", site) is ChangeKind.IGNORED
    assert site.watch_roots() == (root,)


def test_prose_edit_plans_that_page_only() -> None:
    plan = plan_rebuild([(Change.MODIFIED, ROOT / "content/posts/relu.md")], SITE)
    assert plan.content == (ROOT / "content/posts/relu.md",)
    assert not plan.full
    assert not plan.css_only
    assert not plan.is_empty


def test_deleted_page_is_removed_not_rebuilt() -> None:
    plan = plan_rebuild([(Change.DELETED, ROOT / "content/posts/relu.md")], SITE)
    assert plan.removed_content == (ROOT / "content/posts/relu.md",)
    assert plan.content == ()


def test_atomic_save_counts_as_a_change_not_a_removal() -> None:
    page = ROOT / "content/posts/relu.md"
    plan = plan_rebuild([(Change.DELETED, page), (Change.ADDED, page)], SITE)
    assert plan.content == (page,)
    assert plan.removed_content == ()


@pytest.mark.parametrize("relpath", ["layouts/base.html", "config.yaml", "lib/plotting.py"])
def test_templates_config_and_helpers_rebuild_everything(relpath: str) -> None:
    plan = plan_rebuild([(Change.MODIFIED, ROOT / relpath)], SITE)
    assert plan.full
    assert plan.site_wide == (ROOT / relpath,)
    assert plan.changed == (ROOT / relpath,)
    assert not plan.css_only


def test_stylesheet_only_burst_is_css_only() -> None:
    plan = plan_rebuild(
        [
            (Change.MODIFIED, ROOT / "static/css/style.css"),
            (Change.ADDED, ROOT / "static/css/.style.css.swp"),
            (Change.MODIFIED, ROOT / "output/css/style.css"),
        ],
        SITE,
    )
    assert plan.css_only
    assert plan.static == (ROOT / "static/css/style.css",)
    assert not plan.full


def test_stylesheet_with_another_change_is_not_css_only() -> None:
    plan = plan_rebuild(
        [
            (Change.MODIFIED, ROOT / "static/css/style.css"),
            (Change.MODIFIED, ROOT / "content/posts/relu.md"),
        ],
        SITE,
    )
    assert not plan.css_only


def test_deleted_stylesheet_is_not_swapped_in_place() -> None:
    plan = plan_rebuild([(Change.DELETED, ROOT / "static/old.css")], SITE)
    assert plan.removed_static == (ROOT / "static/old.css",)
    assert not plan.css_only


def test_static_file_is_copied_without_a_full_build() -> None:
    plan = plan_rebuild([(Change.ADDED, ROOT / "static/favicon.svg")], SITE)
    assert plan.static == (ROOT / "static/favicon.svg",)
    assert not plan.full
    assert not plan.css_only


def test_bundle_resource_is_listed_as_a_resource() -> None:
    data = ROOT / "content/posts/gelu/data.csv"
    plan = plan_rebuild([(Change.MODIFIED, data)], SITE)
    assert plan.resources == (data,)
    assert plan.kinds == {ChangeKind.CONTENT_RESOURCE}


def test_only_ignored_changes_make_an_empty_plan() -> None:
    plan = plan_rebuild(
        [
            (Change.MODIFIED, ROOT / "output/index.html"),
            (Change.ADDED, ROOT / "content/posts/4913"),
        ],
        SITE,
    )
    assert plan.is_empty


def test_plain_watchfiles_integers_are_accepted() -> None:
    plan = plan_rebuild([(2, ROOT / "content/posts/relu.md")], SITE)
    assert plan.content == (ROOT / "content/posts/relu.md",)


def test_changed_lists_every_path_once() -> None:
    page = ROOT / "content/a.md"
    css = ROOT / "static/s.css"
    plan = plan_rebuild([(Change.MODIFIED, page), (Change.MODIFIED, css)], SITE)
    assert plan.changed == (page, css)
