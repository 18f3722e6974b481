"""The import rules in pyproject.toml really fail on a wrong import (lint-imports on a copy)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_project(destination: Path) -> Path:
    for folder in ("core", "ui", "pages"):
        shutil.copytree(ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def _lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, capture_output=True, text=True,
                          env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(project)})


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("core/conv/ops.py", "import streamlit", "core never imports streamlit"),
    ("core/conv/view.py", "from core.rnn import linear", "never import one another"),
    ("core/rnn/view.py", "from core.journal import notes", "never import one another"),
    ("core/journal/stats.py", "from core.conv import ops", "never import one another"),
    ("pages/notes.py", "from pages import write", "pages never import each other"),
    ("core/practice/exercise.py", "from core.review import cards", "core.practice uses the labs"),
    ("core/journal/notes.py", "from core.review import cards", "review, experiments and sync"),
    ("core/sync/merge.py", "from core.review import log", "review, experiments and sync"),
    ("core/review/schedule.py", "from core.experiments import records", "review, experiments and sync"),
    ("core/rnn/view.py", "from core.experiments import records", "the labs import no journal-side package"),
    ("ui/widgets.py", "from pages import notes", "ui never imports a page"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, line, broken):
    project = _copy_project(tmp_path)
    assert _lint(project).returncode == 0
    with (project / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    result = _lint(project)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
