"""The URL rules, one by one: every notice's exact words, every kind's edge, the links' defaults.

Each test here was written against a mutant of core/urlparams.py that survived the older tests
(docs/mutation.md): a word of a notice, a bound off by one, a value read as its opposite.
"""

from __future__ import annotations

import pytest

from core.conv import state as conv_state
from core.rnn import state as rnn_state
from core.urlparams import Param, _same, _shown, encode, parse, read, write

TEXT = Param("seq", "k_seq", "text", "1 0 1", size=(0, 5))
EMPTY_TEXT = Param("note", "k_note", "text", "", size=(0, 5))
FLIP = Param("flip", "k_flip", "bool", False)
CHOICE = Param("tab", "k_tab", "choice", "A", codes={"a": "A", "b": "B"})
CHOICES = Param("kernels", "k_kernels", "choices", ["A"], codes={"a": "A", "b": "B"}, size=(1, 2))
FLOATS = Param("compare", "k_compare", "floats", [0.5], low=-3.0, high=3.0, size=(0, 3))
INTS = Param("cell", "k_cell", "ints", None, low=0, high=10_000, size=(2, 4))
MATRIX = Param("custom", "k_custom", "matrix", None, low=-10.0, high=10.0)
KERNEL = Param("kernel", "k_kernel", "matrix", [[1.0, 0.0, -1.0]], low=-10.0, high=10.0)
T = Param("T", "k_T", "int", 50, low=1, high=1000)
DRAWS = Param("draws", "k_draws", "int", 200, low=10, high=400, step=10)
RATE = Param("w_rec", "k_w_rec", "float", 0.9, low=-3.0, high=3.0, step=0.01)
BIAS = Param("bias", "k_bias", "float", 0, low=-10.0, high=10.0)
LOW_ONLY = Param("lr", "k_lr", "float", 0.5, low=0.0)
ALL = [TEXT, EMPTY_TEXT, FLIP, CHOICE, CHOICES, FLOATS, INTS, MATRIX, KERNEL, T, DRAWS, RATE, BIAS, LOW_ONLY]


def notice(name: str, text: str) -> str:
    values, notices = parse({name: text}, ALL)
    assert values == {} and len(notices) == 1, (values, notices)
    return notices[0]


# --- what each kind accepts, in words ---------------------------------------------------------

@pytest.mark.parametrize(("param", "words"), [
    (CHOICE, "one of a, b"),
    (CHOICES, "a comma-separated list of a, b"),
    (FLIP, "true or false"),
    (TEXT, "text of at most 5 characters"),
    (T, "a whole number from 1 to 1000"),
    (RATE, "a number from -3 to 3"),
    (LOW_ONLY, "a number"),
    (Param("x", "k_x", "float", 0.0, high=1.0), "a number"),
    (FLOATS, "a comma-separated list of numbers from -3 to 3"),
    (INTS, "a comma-separated list of whole numbers from 0 to 10000"),
    (MATRIX, "rows of numbers from -10 to 10, numbers split by ',' and rows by ';' (at most 7×7)"),
    (Param("x", "k_x", "colour", None), "colour"),
])
def test_each_kind_says_what_it_accepts(param, words):
    assert param.describe() == words


# --- parse: notices, unknown names, repeated keys ----------------------------------------------

def test_an_unknown_parameter_leaves_the_ones_after_it_working():
    values, notices = parse({"utm": "x", "pad": "2"}, conv_state.params_for(2))
    assert values == {"conv_padding": 2}
    assert notices == ["The link's parameter 'utm' is not a setting of this lab, so it was ignored."]


def test_a_repeated_key_uses_its_last_value():
    assert parse({"T": ["3", "4", "5"]}, ALL) == ({"k_T": 5}, [])
    assert parse({"T": ["7"]}, ALL) == ({"k_T": 7}, [])


def test_a_refused_value_names_the_default_it_keeps():
    assert notice("T", "0") == ("The link's T=0 could not be used (out of range); T is a whole number from 1 to "
                                "1000. It stays at 50.")


@pytest.mark.parametrize("param", [MATRIX, EMPTY_TEXT])
def test_a_refused_value_without_a_written_default_keeps_the_labs_default(param):
    bad = "x" * 9 if param is EMPTY_TEXT else "1;2,3"
    assert notice(param.name, bad).endswith(". It stays at the lab's default.")


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("seq", "1 0 1 1 0 1", "longer than 5 characters"),
    ("seq", "1\x1b0", "it holds characters that are not text"),
    ("flip", "maybe", "not true or false"),
    ("tab", "c", "not one of the choices"),
    ("kernels", "a,c", "'c' is not one of the choices"),
    ("kernels", "", "a list of 0, not 1 to 2 items"),
    ("T", "x", "not a number"),
    ("T", "inf", "not a finite number"),
    ("T", "2.5", "not a whole number"),
    ("T", "1001", "out of range"),
    ("T", "0", "out of range"),
    ("cell", "1.5,2", "not a whole number"),
    ("cell", "1", "a list of 1, not 2 to 4 items"),
    ("custom", ";", "the rows must all have the same length, at most 7 numbers in at most 7 rows"),
    ("custom", ";".join(["1,2"] * 8), "the rows must all have the same length, at most 7 numbers in at most 7 rows"),
    ("custom", ",".join(["1"] * 8), "the rows must all have the same length, at most 7 numbers in at most 7 rows"),
    ("custom", "1,2;3", "the rows must all have the same length, at most 7 numbers in at most 7 rows"),
    ("draws", "15", "not on the slider's steps (10, 20, 30, …)"),
    ("bias", "11", "out of range"),
])
def test_a_bad_value_is_refused_with_its_reason(name, text, reason):
    assert f"could not be used ({reason});" in notice(name, text)


def test_an_over_long_or_control_character_text_value_is_refused():
    params = conv_state.params_for(1)
    for text in ("1 2 " * 201, "1 2\x003", "1\u202e2"):
        values, notices = parse({"ex_x": text}, params)
        assert values == {} and len(notices) == 1 and "ex_x=" in notices[0]


# --- read: the edges of each kind --------------------------------------------------------------

def test_text_up_to_its_length_is_read_as_it_is():
    assert read(TEXT, " 1 0 1 ") == "1 0 1"
    assert read(TEXT, "12345") == "12345"
    assert read(EMPTY_TEXT, "") == ""


@pytest.mark.parametrize("word", ["true", "1", "yes", "on", "TRUE", "Yes", "ON"])
def test_every_word_for_on_reads_as_on(word):
    assert read(FLIP, word) is True


@pytest.mark.parametrize("word", ["false", "0", "no", "off", "FALSE", "No", "OFF", " off "])
def test_every_word_for_off_reads_as_off(word):
    assert read(FLIP, word) is False
    assert parse({"flip": word}, conv_state.params_for(2)) == ({"conv_flip": False}, [])


def test_a_recorded_run_with_flip_off_reopens_with_flip_off():
    values = {"conv_flip": False, "conv_input": conv_state.INPUTS["digit"]}
    query = conv_state.record_query(values, 2, 1)
    assert query["flip"] == "false"
    parsed, notices = parse(query, conv_state.params_for(2))
    assert notices == [] and parsed["conv_flip"] is False
    parsed_on, _ = parse(conv_state.record_query({**values, "conv_flip": True}, 2, 1), conv_state.params_for(2))
    assert parsed_on["conv_flip"] is True


def test_lists_keep_their_order_and_drop_blank_items_and_repeats():
    assert read(CHOICES, "b, ,a,b") == ["B", "A"]
    assert read(FLOATS, "0.5,-1.25,,") == [0.5, -1.25]
    assert read(FLOATS, "") == []
    assert read(INTS, "0,3,4,10000") == [0, 3, 4, 10000]
    assert read(INTS, "2,3") == [2, 3]


def test_a_matrix_of_seven_rows_of_seven_is_read():
    text = ";".join([",".join(["1"] * 7)] * 7)
    assert read(MATRIX, text) == [[1.0] * 7] * 7
    assert read(MATRIX, "1,2.5;;0,-1;") == [[1.0, 2.5], [0.0, -1.0]]


def test_whole_numbers_on_the_grid_are_read_and_floats_round_to_it():
    assert read(DRAWS, "20") == 20 and read(DRAWS, "400") == 400 and read(DRAWS, "10") == 10
    assert read(Param("n", "k_n", "int", 4, step=2), "5") == 5  # a step without a low end: no grid to check
    assert read(RATE, "0.904") == 0.9 and read(RATE, "0.906") == 0.91
    assert read(T, "7.0") == 7 and isinstance(read(T, "7.0"), int)
    assert read(LOW_ONLY, "1e6") == 1e6


def test_the_bptt_draws_link_off_its_grid_is_refused():
    values, notices = parse({"draws": "15", "p": "0.7"}, rnn_state.PARAMS)
    assert values == {"bptt_p": 0.7}
    assert len(notices) == 1 and "draws=15" in notices[0] and "It stays at 200." in notices[0]


# --- write and encode: the inverse, and defaults stay out ----------------------------------------

def test_each_kind_is_written_as_the_link_reads_it():
    assert write(FLIP, False) == "false" and write(FLIP, True) == "true"
    assert write(TEXT, "1 0") == "1 0"
    assert write(FLOATS, [0.5, 1.0, -2.25]) == "0.5,1,-2.25"
    assert write(INTS, [0, 3]) == "0,3"
    assert write(CHOICE, "unknown label") == "unknown label"
    assert write(T, True) == "1" and write(T, False) == "0"
    assert write(RATE, 2.0) == "2" and write(RATE, 0.1 + 0.2) == "0.3"
    assert write(KERNEL, [[1.0, 0.5], [2.0, -1.0]]) == "1,0.5;2,-1"


def test_parameters_at_their_defaults_stay_out_of_links():
    at_default = {"k_seq": "1 0 1", "k_flip": False, "k_tab": "A", "k_kernels": ["A"], "k_compare": [0.5],
                  "k_kernel": [[1.0, 0.0, -1.0]], "k_T": 50, "k_draws": 200, "k_w_rec": 0.9 + 1e-14,
                  "k_bias": 1e-13, "k_lr": 0.5, "k_cell": None, "k_custom": None}
    assert encode(at_default, ALL) == {}
    assert encode(at_default, ALL, always=["T"]) == {"T": "50"}


def test_a_value_off_its_default_by_more_than_noise_is_written():
    assert encode({"k_w_rec": 0.9 + 1e-9, "k_bias": 1e-6}, ALL) == {"w_rec": "0.900000001", "bias": "1e-06"}
    assert encode({"k_cell": [0, 3], "k_custom": [[1.0]]}, ALL) == {"cell": "0,3", "custom": "1"}
    assert encode({"k_compare": [0.5, 0.9], "k_kernel": [[1.0, 0.0, -2.0]]}, ALL) == {
        "compare": "0.5,0.9", "kernel": "1,0,-2"}


def test_sameness_compares_numbers_by_value_and_nothing_else_loosely():
    assert _same(1, 1.0) and _same(0, 1e-13) and not _same(0, 1e-9)
    assert not _same("abc", 0.5) and not _same([0.5], 0.5)
    assert not _same([0, 3], None) and not _same([1.0, 2.0], [1.0])


def test_a_shown_value_is_cut_at_forty_characters_and_made_printable():
    assert _shown("x" * 40) == "x" * 40
    assert _shown("x" * 41) == "x" * 39 + "…"
    assert _shown("a\x1bb\nc") == "a?b?c"
    assert "T=" + "9" * 39 + "…" in notice("T", "9" * 60)


def test_the_grid_of_whole_numbers_starts_at_the_low_end():
    odd = Param("k", "k_k", "int", 1, low=1, high=100, step=3)  # 1, 4, 7, ...
    assert read(odd, "4") == 4 and read(odd, "100") == 100
    with pytest.raises(ValueError, match=r"not on the slider's steps \(1, 4, 7, …\)"):
        read(odd, "3")


def test_whole_valued_floats_are_written_without_a_point_or_an_exponent():
    assert write(LOW_ONLY, 1e15) == "1000000000000000" and write(LOW_ONLY, 1e20) == "100000000000000000000"
    assert write(LOW_ONLY, 1.5e20) == "150000000000000000000"


def test_a_large_value_a_hair_off_its_default_is_still_written():
    big = Param("steps", "k_steps", "float", 1000.0)
    assert set(encode({"k_steps": 1000.0000001}, [big])) == {"steps"}  # within 1e-9 relative, but not the default
    assert encode({"k_steps": 1000.0 + 1e-13}, [big]) == {}
