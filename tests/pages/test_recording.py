"""Record this run: a lab tab's run becomes an experiment note, shows on the Experiments page and
reopens in the lab with the same settings and numbers; read-only mode records nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.experiments import records as experiments
from core.journal.notes import load_library
from tests.conftest import APP
from tests.pages.apptest import opened

CASES = [
    ("bptt", "pages/bptt_lab.py", {"tab": "assignment", "w_rec": "1.1", "T": "30", "K": "5"}, "assignment"),
    ("bptt", "pages/bptt_lab.py", {"tab": "deep", "radius": "1.5", "H": "8", "deep_T": "40", "deep_part": "truncation"},
     "deep"),
    ("bptt", "pages/bptt_lab.py", {"tab": "assignment", "part": "steps", "seq": "1 0 1 1 0 1", "w_rec": "0.8"},
     "assignment"),
    ("bptt", "pages/bptt_lab.py", {"tab": "deep", "deep_part": "paths", "H": "8", "deep_T": "40", "paths_t": "20"},
     "deep"),
    ("bptt", "pages/bptt_lab.py", {"tab": "gated", "gate_bias": "3", "gated_H": "8", "gated_T": "30"}, "gated"),
    ("conv", "pages/conv_lab.py", {"view": "field", "input": "circle", "size": "12", "kernels": "laplacian",
                                   "pad": "1", "cell": "0,2,3"}, "field"),
]


lab_page = opened


def record(at: AppTest, lab: str, tab: str, comment: str) -> None:
    at.button(key=f"{lab}_record_{tab}").click().run()
    at.text_area(key="record_comment").input(comment).run()
    at.button(key="record_save").click().run()
    assert not at.exception, at.exception


@pytest.mark.parametrize(("lab", "page", "query", "tab"), CASES,
                         ids=[f"{case[3]}-{index}" for index, case in enumerate(CASES)])
def test_a_recorded_run_is_a_note_and_reopens_with_the_same_numbers(notes_dir, lab, page, query, tab):
    at = lab_page(page, query)
    record(at, lab, tab, "What I saw.")
    [run] = experiments.records(load_library(notes_dir).notes)
    assert run.lab == lab and run.tab == tab
    assert {name: str(value) for name, value in run.params.items() if name in query} == query
    assert run.series is not None and len(run.series.frame) > 0
    note = (notes_dir / f"{run.slug}.md").read_text(encoding="utf-8")
    assert "What I saw." in note and "[Open this run in the lab](" in note and "```series" in note

    experiments_page = AppTest.from_file(APP, default_timeout=90)
    experiments_page.switch_page("pages/experiments.py").run()
    assert list(experiments_page.dataframe[0].value["title"]) == [run.title]

    reopened = lab_page(page, {name: experiments_value(value) for name, value in run.params.items()})
    record(reopened, lab, tab, "Again.")
    runs = {record.slug: record for record in experiments.records(load_library(notes_dir).notes)}
    again = next(other for slug, other in runs.items() if slug != run.slug)
    assert again.params == run.params, "the link carried every setting"
    assert again.results == run.results, "the same settings give the same numbers"


def experiments_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_read_only_hides_recording_but_shows_records(notes_dir, monkeypatch):
    at = lab_page("pages/bptt_lab.py", {"tab": "assignment"})
    record(at, "bptt", "assignment", "kept")
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    readonly = lab_page("pages/bptt_lab.py", {"tab": "assignment"})
    assert not [button for button in readonly.button if button.key == "bptt_record_assignment"]
    page = AppTest.from_file(APP, default_timeout=90)
    page.switch_page("pages/experiments.py").run()
    assert len(page.dataframe[0].value) == 1


def test_cancel_closes_the_dialog_and_saves_nothing(notes_dir):
    at = lab_page("pages/bptt_lab.py", {"tab": "assignment"})
    at.button(key="bptt_record_assignment").click().run()
    at.button(key="record_cancel").click().run()
    assert not [button for button in at.button if button.key == "record_save"]
    assert experiments.records(load_library(notes_dir).notes) == []


def test_recording_confirms_with_a_toast_and_the_button_says_recorded(notes_dir):
    lab, page, query, tab = CASES[-1]
    at = lab_page(page, query)
    assert at.button(key=f"{lab}_record_{tab}").label == "Record this run"
    record(at, lab, tab, "Seen.")
    assert any("Recorded" in toast.value for toast in at.toast)
    assert at.button(key=f"{lab}_record_{tab}").label == "Recorded · record again"
