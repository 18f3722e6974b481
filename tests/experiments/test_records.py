"""Experiment records: the note text they become, and reading it back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.experiments import records as experiments
from core.journal import storage
from core.journal.notes import parse_note

DAY = dt.date(2026, 11, 30)


def _record_note(params, results, series=None, comment="It decays.", made_for=("2021-08-05-rnn-first-steps",)):
    meta = experiments.record_meta(title="Decay run", day=DAY, lab="bptt", tab="assignment", params=params,
                                   results=results)
    body = experiments.record_body(title="Decay run", comment=comment, results=results, series=series,
                                   lab_url="bptt_lab?w_rec=0.9", made_for=made_for)
    return parse_note(storage.note_text(storage.clean_meta(meta), body).encode(), "2026-11-30-decay-run.md")


def test_a_record_reads_back_with_its_parameters_results_and_series():
    frame = pd.DataFrame({"x": np.arange(5.0), "y": 0.9 ** np.arange(5.0)})
    note = _record_note({"w_rec": np.float64(0.9), "T": np.int64(50), "loss_on": "last", "clip": True},
                        {"loss": 3.25, "rel_error": float("inf")}, experiments.Series("k", "|dL/dS_k|", frame))
    record = experiments.read_record(note)
    assert record.lab == "bptt" and record.tab == "assignment"
    assert record.params == {"w_rec": 0.9, "T": 50, "loss_on": "last", "clip": True}
    assert record.results["loss"] == 3.25 and record.results["rel_error"] == float("inf")
    assert (record.series.x, record.series.y) == ("k", "|dL/dS_k|")
    np.testing.assert_allclose(record.series.frame["y"], frame["y"], rtol=1e-5)
    assert record.links == ("2021-08-05-rnn-first-steps",)
    assert "[Open this run in the lab](bptt_lab?w_rec=0.9)" in note.body
    assert "| rel_error | inf |" in note.body


def test_a_plain_note_is_not_a_record():
    note = parse_note(b"---\ntitle: x\ndate: 2021-08-05\ntype: lecture\n---\nbody\n", "x.md")
    assert experiments.read_record(note) is None
    odd = parse_note(b"---\ntitle: x\ndate: 2021-08-05\ntype: experiment\n---\nno lab here\n", "y.md")
    assert experiments.read_record(odd) is None


def test_series_are_downsampled_per_line_keeping_both_ends():
    frame = pd.DataFrame({"x": np.tile(np.arange(1000.0), 2), "y": np.arange(2000.0),
                          "line": ["a"] * 1000 + ["b"] * 1000})
    small = experiments.downsample(frame, 50)
    assert small.groupby("line").size().to_dict() == {"a": 50, "b": 50}
    assert small[small.line == "a"].x.iloc[[0, -1]].tolist() == [0.0, 999.0]


def test_a_broken_series_block_is_ignored_not_fatal():
    assert experiments.parse_series("```series\nk,y\n1,oops\n```\n") is None
    assert experiments.parse_series("```series\nonly-one-column\n1\n```\n") is None
    assert experiments.parse_series("no block") is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=False, width=64), min_size=1, max_size=40))
def test_series_values_round_trip_to_six_significant_digits(values):
    frame = pd.DataFrame({"x": np.arange(len(values), dtype=float), "y": values})
    parsed = experiments.parse_series(experiments.series_block(experiments.Series("t", "v", frame)))
    np.testing.assert_allclose(parsed.frame["y"], frame["y"], rtol=1e-5, atol=0)


def test_runs_table_and_parameter_differences():
    first = experiments.read_record(_record_note({"w_rec": 0.9, "T": 50}, {"loss": 1.0}))
    second = experiments.read_record(_record_note({"w_rec": 1.1, "T": 50, "K": 5}, {"loss": 2.0}))
    second = experiments.Record(**{**second.__dict__, "slug": "other"})
    table = experiments.runs_table([first, second])
    assert {"param: w_rec", "param: K", "result: loss"} <= set(table.columns)
    differences = experiments.parameter_differences([first, second])
    assert differences.loc["w_rec", "differs"] and not differences.loc["T", "differs"]
    labels = experiments.run_labels([first, second])
    assert differences.loc["K", labels[first.slug]] == "—", "columns are headed by run title, not file slug"
    assert labels[first.slug] != labels[second.slug], "two runs with one title stay apart"


def test_overlaid_series_group_runs_by_axes():
    frame = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.5]})
    a = experiments.read_record(_record_note({"w_rec": 0.5}, {}, experiments.Series("k", "g", frame)))
    b = experiments.Record(**{**a.__dict__, "slug": "b"})
    c = experiments.Record(**{**a.__dict__, "slug": "c", "series": experiments.Series("K", "err", frame)})
    groups = experiments.overlaid_series([a, b, c])
    assert set(groups) == {("k", "g"), ("K", "err")}
    assert set(groups[("k", "g")]["run"]) == set(experiments.run_labels([a, b]).values())
    assert all(a.title in label for label in groups[("k", "g")]["run"]), "legends name runs by title"


# Issue 20: a record is read in bounded time; numbers out of range never reach a table or NumPy.

import time  # noqa: E402

import pytest  # noqa: E402

BUDGET = 3.0
"""Seconds for reading one hostile record (about 0.2 s on a busy machine; quadratic took minutes)."""


def _note(body: str, meta: str = "params: {w_rec: 0.9}\n"):
    text = f"---\ntitle: H\ndate: 2026-11-30\ntype: experiment\nlab: bptt\ntab: assignment\n{meta}---\n{body}"
    return parse_note(text.encode(), "2026-11-30-h.md")


@pytest.mark.parametrize(("body", "problem"), [
    ("# H\n\n" + "```series\n" * 100_000, "is over 256 KiB"),
    ("# H\n\n" + "```series\n" * 20_000, "never closed"),
    ("# H\n\n" + "```\n" * 100_000 + "```series\nk,y\n1,2\n```\n", None),
    ("# H\n\n" + "```series\nk,y\n```\n" * 50_000, "at least one row"),
    ("# H\n\n```series\nk,y\n" + "1,2\n" * 60_000 + "```\n", None),
    ("# H\n\n```series\nk,y\n" + "1,2\n" * 100_000 + "1,2\n" * 100_000 + "```\n", "is over 256 KiB"),
    ('# H\n\n```series\nk,y\n1,"' + "a" * 140_000 + "\n" * 100_000 + "```\n", "not readable CSV"),
    ('# H\n\n```series\nk,y\n1,"' + "a" * 300 + '"\n```\n', "over 200 characters"),
    ("# H\n\n```series\nk,y\n1,oops\n```\n", "not a number"),
])
def test_hostile_series_blocks_are_read_in_bounded_time_and_say_what_is_wrong(body, problem):
    started = time.perf_counter()
    series, found = experiments.read_series(body)
    assert time.perf_counter() - started < BUDGET
    if problem is None:
        assert found is None and series is not None
        assert len(series.frame) <= experiments.MAX_SERIES_ROWS
    else:
        assert problem in found and series is None


def test_a_record_with_40000_unclosed_series_lines_loads_fast_with_its_problem():
    started = time.perf_counter()
    record = experiments.read_record(_note("# H\n\n" + "```series\n" * 40_000))
    assert time.perf_counter() - started < BUDGET
    assert record.series is None and record.problem.startswith("the series block at line 3 of the body is")


def test_a_series_block_inside_another_fence_is_an_example_not_the_series():
    body = "````markdown\n```series\nk,y\n9,9\n```\n````\n\n```series\nk,y\n1,2\n```\n"
    assert experiments.parse_series(body).frame.to_dict("list") == {"x": [1.0], "y": [2.0]}


def test_numbers_out_of_range_become_text():
    huge = "9" * 400
    assert experiments.typed(huge) == huge
    assert experiments.typed(str(2**64)) == str(2**64) and experiments.typed("12") == 12
    assert experiments.typed("1e400") == "1e400" and experiments.typed("-2.5") == -2.5
    record = experiments.read_record(_note("# H\n", f"params: {{T: {huge}, w: 0.5}}\nresults: {{loss: {huge}}}\n"))
    assert record.params == {"T": huge, "w": 0.5} and record.results == {"loss": huge}
    table = experiments.runs_table([record])
    assert table["param: T"].tolist() == [huge]
    assert experiments.results_frame(record.results)["value"].tolist() == [huge]
    import pyarrow as pa
    pa.Table.from_pandas(table.astype({"date": str}))  # what st.dataframe does; no overflow


def test_long_run_titles_are_cut_in_the_middle():
    title = "Gradient decay, w_rec = 0.9 in a tanh RNN with truncation K = 5 and clipping"
    cut = experiments.middle_cut(title)
    assert len(cut) <= experiments.LABEL_CHARS and cut.startswith("Gradient decay") and cut.endswith("clipping")
    assert "…" in cut and experiments.middle_cut("short") == "short"
