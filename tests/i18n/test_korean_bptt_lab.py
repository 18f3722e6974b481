"""The BPTT explorer in Korean (`?lang=ko`): every tab and part, the overflow warnings, a link's
notice, a training run, and the record dialog with what follows a recorded run leave no English
word on the page (math, code, names and the lab's ASCII notation aside)."""

from __future__ import annotations

import pytest

from core import messages
from core.journal.notes import load_library
from tests.i18n.korean_text import english_left, english_words
from tests.pages.apptest import opened
from ui import frame, i18n, lab_state

PAGE = "pages/bptt_lab.py"
# The lab writes its quantities in ASCII outside math, as the assignment's code names them
# (w_rec, dL/dS_k, W_hh, float64, inf): these pieces of notation are not English words.
NOTATION = {"rec", "dL", "dS", "dh", "dw", "hh", "xh", "float", "inf", "nan", "sqrt", "Rprop", "Tallec", "Ollivier"}


# Not interface language: the language switch names each language in its own (on purpose), and
# the pages' style sheets (st.html) are CSS.
NOT_PROSE = {messages.NAMES["en"], i18n.SWITCH_LABEL, frame.PAGE_CSS, lab_state.LAYOUT_CSS}


def note_titles(notes_dir) -> set[str]:
    """The notes' own titles (listed in the sidebar): the student's content, not the interface."""
    return {note.title for note in load_library(notes_dir).notes}


def left(at, notes_dir) -> dict[str, list[str]]:
    return english_left(at, allowed=NOTATION, skip=NOT_PROSE | note_titles(notes_dir))


STATES = [
    {"tab": "assignment", "part": "rules"},
    {"tab": "assignment", "part": "truncation"},
    {"tab": "assignment", "part": "training"},
    {"tab": "assignment", "part": "steps"},
    {"tab": "assignment", "part": "rules", "w_rec": "3", "T": "1000"},  # overflow: the warning and the crosses
    {"tab": "assignment", "part": "truncation", "w_rec": "3", "T": "1000"},
    {"tab": "assignment", "part": "steps", "seq": "1 0 ?"},  # a sequence that cannot be read
    {"tab": "assignment", "part": "steps", "seq": "1 1 1 1 1 1", "w_rec": "3"},
    {"tab": "assignment", "part": "rules", "T": "5", "K": "10"},  # the link's K is longer than T: a notice
    {"tab": "deep", "deep_part": "decay"},
    {"tab": "deep", "deep_part": "decay", "radius": "2.5"},
    {"tab": "deep", "deep_part": "truncation"},
    {"tab": "deep", "deep_part": "montecarlo"},
    {"tab": "deep", "deep_part": "montecarlo", "deep_T": "10", "deep_K": "10"},
    {"tab": "deep", "deep_part": "paths"},
    {"tab": "gated", "gated_part": "decay"},
    {"tab": "gated", "gated_part": "sweep"},
]


@pytest.mark.parametrize("query", STATES, ids=lambda query: "-".join(f"{v}" for v in query.values()).replace(" ", "_"))
def test_every_tab_and_part_is_korean(notes_dir, query):
    at = opened(PAGE, {"lang": "ko", **query})
    assert left(at, notes_dir) == {}


def test_a_training_run_is_korean(notes_dir):
    at = opened(PAGE, {"lang": "ko", "tab": "assignment", "part": "training", "steps": "50"})
    at.button(key="bptt_train").click().run()
    assert not at.exception, at.exception
    assert [line.value for line in at.markdown if "**경사 하강법**" in line.value]
    assert left(at, notes_dir) == {}


@pytest.mark.parametrize("tab", ["assignment", "deep", "gated"])
def test_the_record_dialog_and_the_recorded_run_are_korean(notes_dir, tab):
    at = opened(PAGE, {"lang": "ko", "tab": tab})
    at.button(key=f"bptt_record_{tab}").click().run()
    assert not at.exception, at.exception
    assert at.button(key="record_save").label == "일지에 저장"
    dialog = left(at, notes_dir)
    [results] = [frame.value for frame in at.dataframe if "값의 종류" in frame.value.columns]
    assert not [name for name in results["값의 종류"] if english_words(name, NOTATION)], results
    # The proposed title is the note's (it goes into the file, in English): the student names it here.
    at.text_input(key="record_title").input("기울기 실험").run()
    at.text_area(key="record_comment").input("기울기가 사라진다.").run()
    at.button(key="record_save").click().run()
    assert not at.exception, at.exception
    assert at.button(key=f"bptt_record_{tab}").label == "기록됨 · 다시 기록하기"
    assert [toast.value for toast in at.toast] == ["“기울기 실험”을(를) 기록했습니다"]
    assert dialog == {}
    assert left(at, notes_dir) == {}
