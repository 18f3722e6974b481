"""AppTest for the Experiments page: the runs table, comparing runs, reopening and trashing them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from core.experiments import records as experiments
from core.journal import storage
from tests.conftest import APP

DAY = dt.date(2026, 11, 30)


def write_run(folder, title, lab, tab, params, results, series=None):
    meta = experiments.record_meta(title=title, day=DAY, lab=lab, tab=tab, params=params, results=results)
    body = experiments.record_body(title=title, comment="A run.", results=results, series=series,
                                   lab_url="bptt_lab", made_for=[])
    return storage.save_note(folder, None, meta, body, expected_hash=None)


def decay(w_rec):
    k = np.arange(20.0)
    return experiments.Series("k", "|dL/dS_k|", pd.DataFrame({"x": k, "y": w_rec ** (19 - k)}))


def experiments_page(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/experiments.py").run()
    assert not at.exception, at.exception
    return at


def test_without_runs_the_page_says_how_to_record_one(notes_dir):
    at = experiments_page(notes_dir)
    assert "No runs recorded yet" in at.info[0].value


def test_runs_are_listed_filtered_and_compared(notes_dir):
    write_run(notes_dir, "Decay 0.5", "bptt", "assignment", {"w_rec": 0.5, "T": 20}, {"loss": 1.5}, decay(0.5))
    write_run(notes_dir, "Decay 1.1", "bptt", "assignment", {"w_rec": 1.1, "T": 20}, {"loss": 9.0}, decay(1.1))
    write_run(notes_dir, "Sobel", "conv", "output", {"input": "digit", "pad": 1}, {"max": 3.0})
    at = experiments_page(notes_dir)
    table = at.dataframe[0].value
    assert sorted(table["title"]) == ["Decay 0.5", "Decay 1.1", "Sobel"]

    at.multiselect(key="experiments_labs").select("bptt").run()
    assert sorted(at.dataframe[0].value["title"]) == ["Decay 0.5", "Decay 1.1"]

    at.session_state["experiments_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    differences = at.dataframe[1].value
    assert list(differences.index) == ["w_rec", "T"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2, "the overlaid decay curves and the parallel coordinates"
    links = [link.proto.page for link in at.get("page_link")]
    assert "bptt_lab" in links
    queries = [link.proto.query_string for link in at.get("page_link")]
    assert "w_rec=0.5&T=20" in queries


def test_a_run_can_be_moved_to_the_trash(notes_dir):
    saved = write_run(notes_dir, "Decay 0.5", "bptt", "assignment", {"w_rec": 0.5}, {"loss": 1.5})
    at = experiments_page(notes_dir)
    at.session_state["experiments_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    trash = next(button for button in at.button if button.key and button.key.startswith("experiments_trash_"))
    trash.click().run()
    assert not at.exception
    assert not (notes_dir / saved.rel_path).exists()
    assert any("Moved" in message.value for message in at.success)
    assert "No runs recorded yet" in at.info[0].value


def test_read_only_shows_records_without_a_trash_button(notes_dir, monkeypatch):
    write_run(notes_dir, "Decay 0.5", "bptt", "assignment", {"w_rec": 0.5}, {"loss": 1.5})
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = experiments_page(notes_dir)
    at.session_state["experiments_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert len(at.dataframe[0].value) == 1
    assert not [button for button in at.button if button.key and button.key.startswith("experiments_trash_")]


HOSTILE_RECORDS = {
    "params-list": "---\ntitle: P\ndate: 2026-11-30\ntype: experiment\nlab: bptt\ntab: deep\nparams: [1, 2]\n"
                   "results: {a: {b: 1}}\n---\n# P\n",
    "unknown-lab": "---\ntitle: U\ndate: 2026-11-30\ntype: experiment\nlab: zzz\ntab: qq\nparams: {x: 1}\n"
                   "results: {y: 2}\n---\n# U\n",
    "garbage-series": "---\ntitle: G\ndate: 2026-11-30\ntype: experiment\nlab: conv\ntab: output\n---\n# G\n\n"
                      "```series\nk,y\n1,abc\n2\n,,,\n```\n",
    "huge-series": "---\ntitle: H\ndate: 2026-11-30\ntype: experiment\nlab: bptt\ntab: assignment\n"
                   "params: {w_rec: 0.9}\n---\n# H\n\n```series\nk,y\n"
                   + "".join(f"{k},{0.9 ** k}\n" for k in range(50_000)) + "```\n",
    "no-lab": "---\ntitle: N\ndate: 2026-11-30\ntype: experiment\n---\n# N\n",
}


def test_hostile_records_never_break_the_page(notes_dir):
    for name, text in HOSTILE_RECORDS.items():
        (notes_dir / f"2026-11-30-{name}.md").write_text(text, encoding="utf-8")
    write_run(notes_dir, "Good", "bptt", "assignment", {"w_rec": 0.9}, {"loss": 1.0}, decay(0.9))
    at = experiments_page(notes_dir)
    titles = set(at.dataframe[0].value["title"])
    assert {"P", "U", "G", "H", "Good"} <= titles and "N" not in titles, "a record needs its lab"
    at.session_state["experiments_table"] = {"selection": {"rows": list(range(len(titles))), "columns": [],
                                                           "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert any("unknown lab 'zzz'" in caption.value for caption in at.caption)


def test_a_400_digit_parameter_and_a_record_of_unclosed_series_lines_never_break_the_page(notes_dir):
    huge = "9" * 400
    (notes_dir / "2026-11-30-huge.md").write_text(
        f"---\ntitle: Huge\ndate: 2026-11-30\ntype: experiment\nlab: bptt\ntab: assignment\n"
        f"params: {{T: {huge}, w_rec: 0.9}}\nresults: {{loss: {huge}}}\n---\n# Huge\n", encoding="utf-8")
    (notes_dir / "2026-11-30-fences.md").write_text(
        "---\ntitle: Fences\ndate: 2026-11-30\ntype: experiment\nlab: bptt\ntab: assignment\n"
        "params: {T: 20, w_rec: 0.5}\n---\n# Fences\n\n" + "```series\n" * 40_000, encoding="utf-8")
    write_run(notes_dir, "Good", "bptt", "assignment", {"w_rec": 0.9, "T": 20}, {"loss": 1.0}, decay(0.9))
    at = experiments_page(notes_dir)
    table = at.dataframe[0].value
    assert sorted(table["title"]) == ["Fences", "Good", "Huge"]
    assert huge in set(table["param: T"].astype(str))
    assert any("could not be read in full" in caption.value for caption in at.caption)
    at.session_state["experiments_table"] = {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert any("never closed" in caption.value or "over 256 KiB" in caption.value for caption in at.caption)
    assert huge in at.dataframe[1].value.to_string()


def test_the_selection_is_in_the_address_and_a_link_restores_it(notes_dir):
    first = write_run(notes_dir, "Decay 0.5", "bptt", "assignment", {"w_rec": 0.5, "T": 20}, {"loss": 1.5}, decay(0.5))
    write_run(notes_dir, "Decay 1.1", "bptt", "assignment", {"w_rec": 1.1, "T": 20}, {}, decay(1.1))
    at = experiments_page(notes_dir)
    at.session_state["experiments_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    slugs = at.query_params["runs"].split(",")
    assert len(slugs) == 2 and first.rel_path.removesuffix(".md") in slugs

    from tests.pages.apptest import opened
    linked = opened("pages/experiments.py", {"runs": first.rel_path.removesuffix(".md")})
    assert "1 selected run(s)" in [subheader.value for subheader in linked.subheader]
    assert linked.dataframe[0].proto.HasField("placeholder") and linked.dataframe[0].proto.placeholder == "", \
        "empty cells are blank, not None"
