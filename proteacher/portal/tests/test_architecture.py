"""The arrows between the apps are checked (make lint runs import-linter with pyproject's
contracts): they hold now, and an import against them breaks the lint."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "proteacher", tree / "proteacher", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_apps_keep_their_arrows_and_a_wrong_import_breaks_the_lint(tmp_path):
    tree = copy_of_the_code(tmp_path)
    kept = lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    with (tree / "proteacher" / "certification" / "answers.py").open("a", encoding="utf-8") as module:
        module.write("\nfrom proteacher.review import models as back_office  # noqa: E402, F401\n")
    broken = lint(tree)

    assert broken.returncode != 0
    assert "proteacher.certification is not allowed to import proteacher.review" in broken.stdout


def test_production_code_may_not_import_the_test_support(tmp_path):
    tree = copy_of_the_code(tmp_path)
    with (tree / "proteacher" / "portal" / "views.py").open("a", encoding="utf-8") as module:
        module.write("\nfrom proteacher.testing import factories  # noqa: E402, F401\n")

    broken = lint(tree)

    assert broken.returncode != 0
    assert "No production module imports the test support BROKEN" in broken.stdout
