"""Experiment records: a lab run kept in the journal as a readable markdown note.

A record is a note of type ``experiment`` whose front matter names the lab, the tab and every
parameter, and whose body holds the student's comment, a results table, the series behind the
main chart (a fenced ``series`` block of CSV, readable and diff-friendly), the link that
reopens the lab in that state and wikilinks to the notes it was made for::

    ---
    title: Gradient decay, w_rec = 0.9
    date: 2026-11-30
    type: experiment
    tags: [experiment, bptt]
    labs: [bptt]
    lab: bptt
    tab: assignment
    params: {w_x: 1.0, w_rec: 0.9, T: 50, K: 10}
    results: {loss: 3.2, rel_error: 0.35}
    ---
    # Gradient decay, w_rec = 0.9
    ...

This module builds and reads that text; it knows nothing of the labs themselves (the pages hand
it plain parameter and result mappings and a DataFrame).

A record is read in bounded time, whatever its text: fences and the series block are found in one
pass over the lines, the block is read up to MAX_SERIES_BYTES and MAX_SERIES_ROWS rows, a CSV
field may hold MAX_FIELD_CHARS characters, and every number from the front matter is checked
against MAX_ABS_INT / finite floats before a table or NumPy sees it (a number out of range is kept
as its text). What cannot be read becomes the record's `problem`, a sentence for the student.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from core.journal.dayorder import within_day_key
from core.journal.notes import Note

EXPERIMENT_TYPE = "experiment"
SERIES_FENCE = "series"
MAX_SERIES_POINTS = 300
MAX_SERIES_ROWS = 10 * MAX_SERIES_POINTS
"""Rows of a series block that are read; the rest are left out (a recorded run writes MAX_SERIES_POINTS)."""
MAX_SERIES_BYTES = 1 << 18
"""A series block longer than this (256 KiB; a recorded run writes about 10 KiB) is not read."""
MAX_FIELD_CHARS = 200
"""A CSV field (a number or a line's name) longer than this makes the block unreadable."""
MAX_ABS_INT = 2**53
"""Whole numbers from a record's front matter beyond this are kept as text (no table or NumPy
column overflows, and a float holds them exactly)."""
Scalar = str | int | float | bool
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)")


@dataclass(frozen=True)
class Series:
    """The data behind a run's main chart: y against x, one line per value of `line` if given.

    frame: columns (x, y) or (x, y, "line"); x and y are floats (inf and nan allowed).
    """

    x: str
    y: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Run:
    """A lab run about to be recorded: the lab's URL parameters, its results and series.

    params are exactly the query parameters that reopen the lab in this state (without `tab`).
    """

    lab: str
    tab: str
    title: str
    params: dict[str, Scalar]
    results: dict[str, Scalar]
    series: Series | None = None


@dataclass(frozen=True)
class Record:
    """One experiment note, read back: where it came from, its settings and its numbers."""

    slug: str
    title: str
    date: dt.date | None
    lab: str
    tab: str
    params: dict[str, Scalar]
    results: dict[str, Scalar]
    series: Series | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    problem: str | None = None
    """Why part of the record could not be read (its series block), for the student; else None."""


def format_number(value: Any) -> str:
    """A parameter or result as text: 6 significant digits for floats, 'inf'/'nan' spelled out."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


def plain(value: Any) -> Scalar:
    """A value as YAML can hold it exactly: numpy numbers become int/float, others str."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.10g}") if math.isfinite(value) else float(value)
    return str(value)


def downsample(frame: pd.DataFrame, max_points: int = MAX_SERIES_POINTS) -> pd.DataFrame:
    """At most `max_points` rows per line, evenly spaced, first and last kept."""
    if "line" in frame.columns:
        parts = [downsample(part.drop(columns="line"), max_points).assign(line=name)
                 for name, part in frame.groupby("line", sort=False)]
        return pd.concat(parts, ignore_index=True) if parts else frame
    if len(frame) <= max_points:
        return frame.reset_index(drop=True)
    keep = np.unique(np.linspace(0, len(frame) - 1, max_points).round().astype(int))
    return frame.iloc[keep].reset_index(drop=True)


def series_block(series: Series, max_points: int = MAX_SERIES_POINTS) -> str:
    """The fenced ``series`` block: a CSV header (x, y[, line]) and one row per point."""
    frame = downsample(series.frame, max_points)
    columns = [series.x, series.y] + (["line"] if "line" in frame.columns else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in frame.itertuples(index=False):
        writer.writerow([format_number(value) for value in row])
    return f"```{SERIES_FENCE}\n{buffer.getvalue()}```"


def parse_series(body: str, max_points: int = MAX_SERIES_ROWS) -> Series | None:
    """The first ``series`` block of a note body, or None when there is none or it is unreadable."""
    return read_series(body, max_points)[0]


def read_series(body: str, max_points: int = MAX_SERIES_ROWS) -> tuple[Series | None, str | None]:
    """The first ``series`` block of a note body and why it could not be read (None when it
    could, or when there is none). One pass over the lines, bounded by MAX_SERIES_BYTES,
    `max_points` rows and MAX_FIELD_CHARS per field."""
    found = _series_lines(body)
    if found is None:
        return None, None
    lines, line, problem = found
    where = f"the series block at line {line} of the body"
    if problem:
        return None, f"{where} {problem}"
    try:
        rows = []
        for row in csv.reader(lines):
            if any(len(cell) > MAX_FIELD_CHARS for cell in row):
                return None, f"{where} has a field over {MAX_FIELD_CHARS} characters (an unclosed quote?)"
            rows.append(row)
            if len(rows) > max_points:
                break
    except csv.Error as err:
        return None, f"{where} is not readable CSV ({err})"
    if len(rows) < 2 or len(rows[0]) not in (2, 3):
        return None, f"{where} needs a header of two or three columns (x, y[, line]) and at least one row"
    header, data = rows[0], [row for row in rows[1:max_points + 1] if len(row) == len(rows[0])]
    try:
        x = [float(row[0]) for row in data]
        y = [float(row[1]) for row in data]
    except ValueError as err:
        return None, f"{where} holds a value that is not a number ({err})"
    frame = pd.DataFrame({"x": x, "y": y})
    if len(header) == 3:
        frame["line"] = [row[2] for row in data]
    return Series(x=header[0].strip(), y=header[1].strip(), frame=frame), None


def _series_lines(body: str) -> tuple[list[str], int, str | None] | None:
    """The content lines of the first ```series block outside other fences, its 1-based body
    line and a problem (never closed, too long), in one pass; None when there is no such block."""
    lines = body.split("\n")
    index, end = 0, len(lines)
    while index < end:
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        marker, opening = fence.group(1), index
        closer = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        is_series = marker[0] == "`" and fence.group(2) == SERIES_FENCE
        size, index = 0, index + 1
        while index < end and not closer.match(lines[index]):
            size += len(lines[index]) + 1
            if is_series and size > MAX_SERIES_BYTES:
                return [], opening + 1, f"is over {MAX_SERIES_BYTES // 1024} KiB, so it is not read"
            index += 1
        if is_series:
            if index == end:
                return [], opening + 1, f"is never closed (add a line {marker} after its last row)"
            return lines[opening + 1:index], opening + 1, None
        index += 1
    return None


def results_table(results: Mapping[str, Any]) -> str:
    """A two-column markdown table of the results (quantity, value)."""
    lines = ["| quantity | value |", "| --- | ---: |"]
    lines += [f"| {_cell(name)} | {_cell(format_number(value))} |" for name, value in results.items()]
    return "\n".join(lines)


def typed(text: str) -> Scalar:
    """A URL parameter's text as a YAML value: a whole number (up to MAX_ABS_INT), a finite
    number, true/false, or the text (also for numbers out of range)."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if len(text) > 64:
        return text  # no number has that many characters; never hand int() 4,000 digits
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if in_range(value) and (kind is int or math.isfinite(value)) else text
    return text


def in_range(value: Any) -> bool:
    """True for a bool or text, a whole number within ±MAX_ABS_INT, or a float (finite, or inf and
    nan, which every table and chart here spells out); False for numbers no table can hold."""
    if isinstance(value, bool) or isinstance(value, str):
        return True
    if isinstance(value, int):
        return -MAX_ABS_INT <= value <= MAX_ABS_INT
    if isinstance(value, float):
        return True
    return False


def results_frame(results: Mapping[str, Any]) -> pd.DataFrame:
    """The results as a two-column table (quantity, value as text) for a page to show."""
    return pd.DataFrame({"quantity": list(results), "value": [format_number(value) for value in results.values()]})


def record_meta(*, title: str, day: dt.date, lab: str, tab: str, params: Mapping[str, Any],
                results: Mapping[str, Any], tags: Iterable[str] = ()) -> dict[str, Any]:
    """The record's front matter (plain YAML values only)."""
    return {
        "title": title,
        "date": day,
        "type": EXPERIMENT_TYPE,
        "tags": list(dict.fromkeys(["experiment", lab, *tags])),
        "labs": [lab],
        "lab": lab,
        "tab": tab,
        "params": {str(name): plain(value) for name, value in params.items()},
        "results": {str(name): plain(value) for name, value in results.items()},
    }


def record_body(*, title: str, comment: str, results: Mapping[str, Any], series: Series | None,
                lab_url: str, made_for: Iterable[str]) -> str:
    """The record's markdown: comment, results table, series block, reopen link, linked notes."""
    parts = [f"# {title}", comment.strip() or "_No comment._", "## Results", results_table(results)]
    if series is not None and len(series.frame):
        parts += ["## Series", f"{series.y} against {series.x}:", series_block(series)]
    parts += ["## Reopen", f"[Open this run in the lab]({lab_url})"]
    linked = [slug for slug in dict.fromkeys(made_for) if slug]
    if linked:
        parts += ["## Made for", "\n".join(f"- [[{slug}]]" for slug in linked)]
    return "\n\n".join(parts) + "\n"


def read_record(note: Note) -> Record | None:
    """The record behind an experiment note, or None when the note is not one."""
    meta = note.meta
    if note.type != EXPERIMENT_TYPE or not isinstance(meta.get("lab"), str):
        return None
    series, problem = read_series(note.body)
    return Record(
        slug=note.slug,
        title=note.title,
        date=note.date,
        lab=meta["lab"],
        tab=str(meta.get("tab") or ""),
        params=_scalars(meta.get("params")),
        results=_scalars(meta.get("results")),
        series=series,
        tags=note.tags,
        links=note.links,
        problem=problem,
    )


def records(notes: Iterable[Note]) -> list[Record]:
    """Every experiment record among `notes`, in the order given."""
    return [record for record in map(read_record, notes) if record is not None]


def latest_record(notes: Iterable[Note]) -> Record | None:
    """The last lab run recorded: the newest dated record, the day's order breaking ties."""
    dated = [note for note in notes if note.type == EXPERIMENT_TYPE and note.date is not None
             and note.conflict_of is None]
    for note in sorted(dated, key=lambda note: (note.date, within_day_key(note)), reverse=True):
        record = read_record(note)
        if record is not None:
            return record
    return None


def reopen_query(record: Record) -> dict[str, str]:
    """The query parameters that reopen `record`'s lab in its state: its tab, then its params."""
    query = {"tab": record.tab} if record.tab else {}
    for name, value in record.params.items():
        query[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return query


def runs_table(runs: Iterable[Record]) -> pd.DataFrame:
    """One row per run: slug, date, title, lab, tab, then every parameter and result as a column.

    Parameter columns are named ``param: <name>`` and result columns ``result: <name>`` so a
    parameter and a result with the same name never collide; the ``tab`` parameter is the ``tab``
    column already.
    """
    rows = []
    for run in runs:
        row: dict[str, Any] = {"slug": run.slug, "date": run.date, "title": run.title, "lab": run.lab, "tab": run.tab}
        row.update({f"param: {name}": value for name, value in run.params.items() if name != "tab"})
        row.update({f"result: {name}": value for name, value in run.results.items()})
        rows.append(row)
    columns = ["slug", "date", "title", "lab", "tab"]
    return pd.DataFrame(rows, columns=None if rows else columns)


def parameter_differences(runs: Iterable[Record]) -> pd.DataFrame:
    """Parameters side by side, one column per run (headed by its title, run_labels), one row per
    parameter name; the column ``differs`` is True where the runs do not all share the value."""
    runs = list(runs)
    labels = run_labels(runs)
    names = list(dict.fromkeys(name for run in runs for name in run.params))
    table = pd.DataFrame(
        {labels[run.slug]: [format_number(run.params[name]) if name in run.params else "—" for name in names]
         for run in runs},
        index=pd.Index(names, name="parameter"),
    )
    table["differs"] = table.nunique(axis=1) > 1 if len(runs) else []
    return table


LABEL_CHARS = 44


def middle_cut(text: str, limit: int = LABEL_CHARS) -> str:
    """`text` cut in the middle when longer than `limit` (both ends of a run title tell runs apart:
    "Gradient decay, w_rec…K = 5, tanh" rather than "Gradient decay, w_rec = 0.9 in a tanl…")."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head].rstrip()}…{text[len(text) - (limit - 1 - head):].lstrip()}"


def run_labels(runs: Iterable[Record]) -> dict[str, str]:
    """slug -> the run's title, cut in the middle; runs with the same title get their date
    (then their slug) added, so every label names one run."""
    runs = list(runs)
    labels = {run.slug: middle_cut(run.title) for run in runs}
    counts = Counter(labels.values())
    for run in runs:
        if counts[labels[run.slug]] > 1:
            labels[run.slug] = middle_cut(f"{run.title} ({run.date or run.slug})")
    counts = Counter(labels.values())
    for run in runs:
        if counts[labels[run.slug]] > 1:
            labels[run.slug] = middle_cut(f"{run.title} ({run.slug})")
    return labels


def overlaid_series(runs: Iterable[Record]) -> dict[tuple[str, str], pd.DataFrame]:
    """The runs' series grouped by (x name, y name), each a long frame with columns x, y, run
    (the run's title as run_labels gives it, plus its line name when a run has several lines)."""
    runs = list(runs)
    labels = run_labels(runs)
    groups: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for run in runs:
        if run.series is None:
            continue
        frame = run.series.frame.copy()
        name = labels[run.slug]
        label = name if "line" not in frame.columns else name + " · " + frame.pop("line").astype(str)
        groups.setdefault((run.series.x, run.series.y), []).append(frame.assign(run=label))
    return {key: pd.concat(frames, ignore_index=True) for key, frames in groups.items()}


def _scalars(value: Any) -> dict[str, Scalar]:
    """A front-matter mapping of plain values (nested or odd values are left out; a whole number
    beyond ±MAX_ABS_INT is kept as its text, so no table conversion overflows)."""
    if not isinstance(value, dict):
        return {}
    return {str(name): item if in_range(item) else str(item) for name, item in value.items()
            if isinstance(item, (str, int, float, bool))}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
