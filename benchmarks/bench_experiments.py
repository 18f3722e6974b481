"""Experiment records at scale: 500 recorded runs in a journal beside the shipped notes.

Prints a markdown table: the Experiments page's first render (with every cache cleared, so the
500 records are read from disk, as on a new server's first visit) and rerun, a note with four live
lab blocks rendered warm, and each lab opened in a new session from a link that carries its
complete state against the same lab opened fresh (AppTest, medians, alternated in one run).
Run: .venv/bin/python benchmarks/bench_experiments.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.conv import state as conv_state  # noqa: E402
from core.experiments import records as experiments  # noqa: E402
from core.journal import storage  # noqa: E402
from core.rnn import state as rnn_state  # noqa: E402

RUNS = 500
BLOCKS_NOTE = """---
title: Four live blocks
date: 2021-08-06
type: til
---
# Four live blocks

```lab
view: gradient-decay
w_rec: [0.5, 0.9, 1.0, 1.1]
T: 50
```

```lab
view: truncation-error
w_rec: [0.5, 0.9, 1.1]
T: 30
```

```lab
view: loss-surface
T: 50
```

```lab
view: conv-output
kernel: Sobel x
```
"""


def make_runs(folder: Path, count: int = RUNS, seed: int = 0) -> None:
    rng = random.Random(seed)
    for index in range(count):
        w_rec = round(rng.uniform(0.3, 1.3), 2)
        T = rng.choice([20, 50, 100])
        k = np.arange(T + 1.0)
        series = experiments.Series("k", "mean |dL/dS_k|", pd.DataFrame({"x": k, "y": w_rec ** (T - k)}))
        params = {"w_x": 1.0, "w_rec": w_rec, "T": T, "K": rng.randint(1, T), "batch": 20, "seed": 0}
        results = {"loss": rng.uniform(0, 10), "rel_error": rng.uniform(0, 1)}
        title = f"Run {index}: w_rec = {w_rec}"
        meta = experiments.record_meta(title=title, day=dt.date(2026, 11, 1) + dt.timedelta(days=index % 30),
                                       lab="bptt", tab="assignment", params=params, results=results)
        body = experiments.record_body(title=title, comment="generated", results=results, series=series,
                                       lab_url="bptt_lab", made_for=["2021-08-05-bptt-linear-rnn"])
        (folder / f"run-{index}.md").write_text(storage.note_text(storage.clean_meta(meta), body), encoding="utf-8")


def timed(function) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


LINKS = {
    "pages/bptt_lab.py": rnn_state.tab_query("assignment", {}),
    "pages/conv_lab.py": conv_state.record_query({}, 2, 1),
}
"""A record's link for each lab: every parameter of a tab written out, at the defaults, so the
link and the fresh page compute the same numbers and only the URL handling differs."""


def open_lab(page: str, query: dict[str, str]) -> float:
    """Seconds for a new session's first run of `page` with `query` in its address."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    for name, value in query.items():
        at.query_params[name] = value
    seconds = timed(at.run)
    assert not at.exception, at.exception
    return seconds


def link_against_fresh(rounds: int = 21) -> dict[str, tuple[float, float]]:
    """{page: (median fresh seconds, median from-link seconds)}, the two alternated."""
    medians = {}
    for page, query in LINKS.items():
        open_lab(page, {})
        fresh, linked = [], []
        for _ in range(rounds):
            fresh.append(open_lab(page, {}))
            linked.append(open_lab(page, query))
        medians[page] = (statistics.median(fresh), statistics.median(linked))
    return medians


def main() -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        shutil.copytree(ROOT / "notes", folder)
        make_runs(folder)
        (folder / "2021-08-06-blocks.md").write_text(BLOCKS_NOTE, encoding="utf-8")
        os.environ["STUDYLAB_NOTES_DIR"] = str(folder)

        firsts = []
        for _ in range(4):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.switch_page("pages/experiments.py")
            firsts.append(timed(at.run))
            assert not at.exception, at.exception
        cold = []
        for _ in range(5):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.switch_page("pages/experiments.py")
            cold.append(timed(at.run))
        at.session_state["experiments_table"] = {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}
        at.run()
        reruns = [timed(at.run) for _ in range(9)]

        notes = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        notes.switch_page("pages/notes.py")
        notes.query_params["note"] = "2021-08-06-blocks"
        first_note = timed(notes.run)
        assert not notes.exception and len(notes.get("vega_lite_chart")) == 4
        warm_note = [timed(notes.run) for _ in range(9)]
        links = link_against_fresh()

    print(f"{RUNS} experiment records + the shipped notes; AppTest, medians\n")
    print("| measurement | median | target |")
    print("| --- | ---: | ---: |")
    print(f"| Experiments page, first render of the process (Python imports included, library read from disk) "
          f"| {firsts[0] * 1000:.0f} ms | (for reference) |")
    print(f"| Experiments page, first render, caches cleared (library read from disk: a new server's first visit) "
          f"| {statistics.median(cold) * 1000:.0f} ms | <= 1500 ms |")
    print(f"| Experiments page, first render of a new session (library cached) "
          f"| {statistics.median(firsts[1:]) * 1000:.0f} ms | <= 1500 ms |")
    print(f"| Experiments page rerun, 3 runs selected | {statistics.median(reruns) * 1000:.0f} ms | <= 200 ms |")
    print(f"| note with four live lab blocks, first render | {first_note * 1000:.0f} ms | (for reference) |")
    print(f"| note with four live lab blocks, warm rerun | {statistics.median(warm_note) * 1000:.0f} ms | <= 300 ms |")

    for page, (fresh, linked) in links.items():
        print(f"| {page}: opened from a link with its full state / opened fresh | {linked * 1000:.0f} / "
              f"{fresh * 1000:.0f} ms = {linked / fresh:.2f}x | <= 1.0x |")


if __name__ == "__main__":
    main()
