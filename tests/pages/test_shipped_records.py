"""The journal as it ships, example records included: every page renders, the Experiments page
lists the three records, each reopens in its lab, and the notes they were made for list them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.experiments import records as experiments
from core.journal.notes import load_library
from tests.conftest import APP, copy_shipped

PAGES = re.findall(r'"(pages/\w+\.py)"', Path(APP).read_text(encoding="utf-8"))
LAB_PAGES = {"bptt": "pages/bptt_lab.py", "conv": "pages/conv_lab.py"}


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> Path:
    folder = copy_shipped(tmp_path / "notes", records=True)
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(folder))
    monkeypatch.delenv("STUDYLAB_READONLY", raising=False)
    return folder


def text_of(at: AppTest) -> str:
    """Markdown, captions and page links' labels, as one text."""
    shown = [str(element.value) for kind in ("markdown", "caption") for element in at.get(kind)]
    return "\n".join(shown + [element.proto.label for element in at.get("page_link")])


def test_every_page_renders_with_the_shipped_records(shipped):
    runs = experiments.records(load_library(shipped).notes)
    assert len(runs) == 3
    for run in runs:       # examples made with the app, dated the day they were made, not the student's day
        assert run.title.startswith("Example: ") and str(run.date) != "2021-08-05", run.slug
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=120)
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_the_shipped_records_are_listed_and_reopen_with_their_settings(shipped):
    runs = experiments.records(load_library(shipped).notes)
    page = AppTest.from_file(APP, default_timeout=120)
    page.switch_page("pages/experiments.py").run()
    assert sorted(page.dataframe[0].value["title"]) == sorted(run.title for run in runs)
    for run in runs:
        lab = AppTest.from_file(APP, default_timeout=120)
        lab.switch_page(LAB_PAGES[run.lab])
        for name, value in run.params.items():
            lab.query_params[name] = "true" if value is True else "false" if value is False else str(value)
        lab.run()
        assert not lab.exception, (run.slug, lab.exception)
        assert not [warning.value for warning in lab.warning if "link asked" in str(warning.value)], run.slug
        assert run.title in text_of(lab), "the lab's sidebar lists the runs recorded from it"


def test_a_note_lists_the_experiments_made_for_it(shipped):
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/notes.py")
    at.query_params["note"] = "2021-08-05-rnn-first-steps"
    at.run()
    assert not at.exception, at.exception
    [made_for] = [element.value for element in at.markdown if "Experiments made for this note" in element.value]
    assert "note=2026-11-30-example-gradient-decay-for-several-w_rec)" in made_for
    assert "note=2026-11-30-example-truncation-error-against-k-in-a-tanh-rnn)" in made_for
