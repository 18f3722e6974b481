"""The convolution lab in Korean (`?lang=ko`): no English left on the page in its main states (the
default, every input, every view, padding/stride/dilation changes, several kernels with the custom
one, the 1D picture with an empty cell and a followed input, settings with no output, a link with
refused values), and the texts core makes for it in Korean too: the URL notices, the practice
problems and the answer checker's feedback.

Two kinds of text are set aside, each by its exact text: what is not interface language (the
pages' <style> blocks, the notes' own titles, the language switch that names both languages on
purpose), and, until the other helpers' shares of issue 23 are merged, the English that
ui/lab_state.py and ui/widgets.py draw on this page (LAB_STATE_TEXTS; the verified badge's frame
around the lab's own translated label). Once those files are wrapped, their English never shows,
and the exceptions match nothing.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import messages, practice
from core.conv import state as conv_state
from core.journal import notes as notes_lib
from core.practice import exercise
from core.urlparams import parse
from tests.conftest import APP
from tests.i18n.korean_text import english_left, english_words, shown_texts
from tests.pages.apptest import opened

PAGE = "pages/conv_lab.py"
# The language switch names each language in its own language (ui/i18n.py), on purpose.
SWITCH_TEXTS = ("English", "Language · 언어")
# Drawn by ui/lab_state.py (another share of issue 23) while it is not wrapped yet.
LAB_STATE_TEXTS = (
    "Record this run",
    "Keep these settings and results as an experiment note in your journal",
    "**Runs recorded here**",
    "None yet: **Record this run** keeps the current settings and results in your journal.",
    "No notes are tagged for this lab yet.",
)
# ui/widgets.py's verified badge (another share): its English frame around the lab's own label and detail.
BADGE_FRAME = re.compile(r"^(Verified|Mismatch) · |: largest difference \S+ \(tolerance \S+\)")
URL_NOTICE_HEADING = "This link asked for settings the lab cannot use:"  # ui/lab_state.py, likewise


def not_interface(at, notes_dir) -> list[str]:
    titles = {note.title for note in notes_lib.load_library(notes_dir).notes}
    return [text for text in shown_texts(at)
            if text.lstrip().startswith("<style>") or text in titles or text in SWITCH_TEXTS
            or text in LAB_STATE_TEXTS]


def english_on_page(at, notes_dir) -> dict[str, list[str]]:
    """english_left, with the texts above set aside and the other shares' frames taken off."""
    skipped = not_interface(at, notes_dir)
    left = {}
    for text in shown_texts(at):
        if text in skipped:
            continue
        own = BADGE_FRAME.sub(" ", text).replace(URL_NOTICE_HEADING, " ")
        words = english_words(own)
        if words:
            left[text[:120]] = words
    assert set(left) <= set(english_left(at, skip=skipped))  # the checker itself agrees on what is left
    return left


def korean_page(query: dict[str, str]):
    at = opened(PAGE, {"lang": "ko", **query})
    assert at.title[0].value == "합성곱 실습"
    return at


INPUT_CODES = list(conv_state.INPUTS)
STATES = [
    {},
    *({"input": code} for code in INPUT_CODES),
    *({"view": view} for view in conv_state.VIEWS),
    {"input": "volume", "view": "field"},
    {"input": "volume", "view": "backward", "upstream": "random"},
    {"input": "volume", "view": "channels", "pad": "1"},
    {"input": "signal", "view": "backward", "upstream": "ones", "dil": "2"},
    {"input": "signal", "view": "field", "pad": "3", "stride": "2"},
    {"input": "rgb", "view": "channels", "in_channel": "1"},
    {"pad": "2", "stride": "3", "dil": "2", "flip": "true", "bias": "0.5"},
    {"view": "field", "pad": "1", "stride": "2", "dil": "2"},
    {"view": "backward", "pad": "2", "stride": "3", "dil": "2", "kernels": "sobel-x,gaussian,custom",
     "custom": "1,0;0,-1"},
    {"kernels": "sobel-x,1-1-edge,laplacian,emboss,sharpen,identity,box-blur,sobel-y"},
    {"size": "5", "dil": "4"},  # the kernel does not fit: no output
    {"view": "1d", "ex_x": "1,,3,4,5", "follow": "x1"},
    {"view": "1d", "stride": "2", "pad": "1", "follow": "x5"},
    {"view": "1d", "dil": "4"},  # the 5-input picture has no output
    {"size": "28", "stride": "4", "pad": "1"},  # the floor drops positions
]


@pytest.mark.parametrize("query", STATES, ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()) or "default")
def test_the_lab_shows_no_english_in_korean(notes_dir, query):
    at = korean_page(query)
    assert english_on_page(at, notes_dir) == {}


def test_a_link_with_refused_values_explains_them_in_korean(notes_dir):
    at = korean_page({"stride": "9", "kernels": "sobel-x,nope", "flip": "maybe", "size": "abc", "pad": "1.5",
                      "custom": "1,2;3", "bias": "inf", "view": "output", "cell": "0,1", "unknown": "1",
                      "ex_x": "x" * 900})
    notice = next(warning.value for warning in at.warning if "stride=9" in warning.value)
    assert "범위를 벗어남" in notice and "선택지에 없음" in notice and "`unknown`" in notice.replace("\\", "")
    assert english_on_page(at, notes_dir) == {}


def test_a_link_whose_cell_has_the_wrong_length_says_so_in_korean(notes_dir):
    at = korean_page({"cell": "0,1,2,3", "input": "signal"})
    assert any("cell" in warning.value and "숫자가 4개" in warning.value for warning in at.warning)
    assert english_on_page(at, notes_dir) == {}


def test_the_size_formula_and_the_tables_in_korean(notes_dir):
    # Set before the first run: AppTest cannot run a page again whose select boxes translate their
    # options with format_func (it looks the English value up among the shown Korean options).
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(PAGE)
    at.query_params["lang"], at.query_params["pad"] = "ko", "1"
    at.session_state["conv_size_help"] = True
    at.session_state["conv_as_tables"] = True
    at.run()
    assert not at.exception, at.exception
    assert any("출력 크기를 계산하는 방법" == expander.label for expander in at.expander)
    assert any(caption.value.startswith("n 입력 크기") for caption in at.caption)
    assert english_on_page(at, notes_dir) == {}


def test_the_english_page_is_unchanged(notes_dir):
    at = opened(PAGE, {"lang": "en"})
    assert at.title[0].value == "Convolution lab"
    assert at.selectbox(key="conv_input").value == "digit “2”"


@pytest.fixture
def korean():
    messages.set_language("ko")
    yield
    messages.set_language("en")


def test_url_notices_in_korean(korean):
    params = conv_state.params_for(2)
    bad = {"stride": "9", "kernels": "nope", "flip": "maybe", "size": "abc", "pad": "1.5", "custom": "1,2;3",
           "bias": "inf", "view": "nowhere", "cell": "1", "ex_x": "x" * 900, "ex_w": "a\tb", "what": "1"}
    _values, notices = parse(bad, params)
    assert len(notices) == len(bad)
    for notice in notices:  # URL names, codes and the link's own values stay as they are, as code
        assert english_words(notice) == [], notice


@pytest.mark.parametrize("name", [name for name, generator in practice.GENERATORS.items() if generator.lab == "conv"])
def test_practice_problems_in_korean(korean, name):
    for seed in range(40):
        problem = practice.draw(name, seed)
        texts = [problem.question, problem.solution, problem.tolerance, *(words for _, words in problem.slips)]
        for text in texts:
            assert english_words(text) == [], (seed, text)
        for answer in ("", "abc", "2*3", "1/0", "inf", "24x25", "24x24", str(problem.expected), "-12345"):
            assert english_words(_without_answer(exercise.check(problem, answer).message, answer)) == [], answer


def _without_answer(message: str, answer: str) -> str:
    """The checker's feedback without the student's own text it quotes."""
    return message.replace(f"'{answer[:40]}'", " ")


def test_the_checker_still_speaks_english_by_default():
    problem = practice.draw("conv1d-output", 3)
    assert exercise.check(problem, "inf").message == "Could not read 'inf': type a finite number."


def test_upload_errors_and_size_sentences_in_korean(korean):
    import io

    from PIL import Image

    from core import conv
    from core.conv import inputs, lecture, view

    def refusal(call) -> str:
        with pytest.raises(ValueError) as caught:
            call()
        return str(caught.value)

    tiny = io.BytesIO()
    Image.new("L", (2, 2)).save(tiny, format="PNG")
    sentences = [
        refusal(lambda: inputs.image_from_upload(b"")),
        refusal(lambda: inputs.image_from_upload(b"not an image at all")),
        refusal(lambda: inputs.image_from_upload(tiny.getvalue()[:40])),
        refusal(lambda: inputs.image_from_upload(b"x" * (inputs.UPLOAD_BYTES + 1))),
        refusal(lambda: conv.output_size(3, 5)),
        refusal(lambda: conv.output_size(5, 3, dilation=4)),
        refusal(lambda: conv.conv(np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), dilation=4)),
        refusal(lambda: conv.conv(np.zeros((1, 4, 5, 5)), np.zeros((1, 1, 3, 3, 3)), dilation=(1, 2, 3))),
        refusal(lambda: lecture.lecture_example([1, 2, 3, 4, 5], [1, 2, 3], [1])),
        refusal(lambda: lecture.lecture_example([1, float("nan"), 3, 4, 5], [1, 2, 3], [1, 1, 1])),
        *view.dropped_messages((28, 28), (3, 3), stride=4, padding=1, dilation=1),
        *view.dropped_messages((10, 10, 10), (3, 3, 3), stride=3, padding=2, dilation=1),
        view.shape_summary((3, 28, 28), (2, 26, 26), (2, 3, 3, 3)),
    ]
    for sentence in sentences:
        assert re.search("[가-힣]", sentence) and english_words(sentence) == [], sentence
