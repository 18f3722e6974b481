"""Review at scale: 2,005 cards (2,000 written cards, 5 practice generators) in 100 notes and
20,000 logged reviews.

Prints a markdown table: replaying the log, the Review page's first render (AppTest, caches
cleared: library load, card parsing, log replay, queue) and a grade click's rerun (AppTest: the
review is appended, fsynced, read back incrementally and the queue rebuilt), with the same
AppTest rerun of the Review page on an empty notes folder as the reference (Streamlit's own floor).
A new AppTest also scans every installed package for Streamlit components (once per server in
real use), so the empty folder's first render is reported too, to show what the journal adds.
Run: .venv/bin/python benchmarks/bench_review.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_notes import median_time  # noqa: E402  (benchmarks/ is the script's folder)

from core.journal.notes import load_library  # noqa: E402
from core.review import log as review_log  # noqa: E402
from core.review import schedule  # noqa: E402
from core.review.cards import build_deck  # noqa: E402
from core.review.log import Review  # noqa: E402

NOTES, CARDS_PER_NOTE, REVIEWS = 100, 20, 20_000
GENERATORS = ["conv-output-size", "conv1d-output", "conv1d-gradient", "rnn-state-gradient", "vanish-or-explode"]


def make_notes(folder: Path, seed: int = 0) -> None:
    """100 notes, each with 18 Q:/A: cards, 2 quiz blocks and a practice block (one of 5 generators)."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    for index in range(NOTES):
        day = start + dt.timedelta(days=index)
        parts = [f"---\ntitle: Note {index}\ndate: {day.isoformat()}\ntype: lecture\n---\n# Note {index}\n",
                 "Some prose about kernels and gradients. " * 20]
        for card in range(CARDS_PER_NOTE - 2):
            parts.append(f"Q: Note {index} question {card}: what is $O = H - K + 1$ for $H = {rng.randint(5, 99)}$?\n"
                         f"A: An answer with math $\\sum_k X_k$ and words.\n")
        for quiz in range(2):
            parts.append(f"```quiz\nquestion: Quiz {quiz} of note {index}?\nchoices:\n- yes\n- no\nanswer: yes\n```\n")
        parts.append(f"```practice\ngenerator: {GENERATORS[index % len(GENERATORS)]}\n```\n")
        (folder / f"{day.isoformat()}-note-{index}.md").write_text("\n".join(parts), encoding="utf-8")


def make_log(folder: Path, card_ids: list[str], seed: int = 0) -> None:
    """20,000 reviews of the deck's cards over the last 200 days, oldest first (the log's format,
    written in one go instead of 20,000 fsynced appends)."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    times = sorted(now - dt.timedelta(days=200 * rng.random()) for _ in range(REVIEWS))
    lines = [Review(rng.choice(card_ids), moment, rng.choices((1, 2, 3, 4), (1, 2, 6, 1))[0]).to_line()
             for moment in times]
    path = review_log.log_path(folder)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"".join(lines))


def first_render() -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception


def grade_clicks(clicks: int = 15) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/review.py").run()
    times = []
    for _ in range(clicks):
        at.button(key="reveal").click().run()
        began = time.perf_counter()
        at.button(key="grade-3").click().run()
        times.append(time.perf_counter() - began)
        assert not at.exception, at.exception
    return times


def main() -> None:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as empty:
        folder = Path(tmp)
        make_notes(folder)
        deck = build_deck(load_library(folder))
        cards = [card.id for card in deck.cards if card.kind != "note"]
        assert len(cards) == NOTES * CARDS_PER_NOTE + len(GENERATORS), len(cards)
        make_log(folder, cards)
        replay = median_time(lambda: schedule.ReviewStore(folder, schedule.ReviewSettings()).book(), 5)

        os.environ["STUDYLAB_NOTES_DIR"] = empty
        floor_app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        floor_app.switch_page("pages/review.py").run()
        floor = median_time(floor_app.run, 15)
        first_render()                                   # warm Python imports, not the caches
        floor_first = median_time(first_render, 5)

        os.environ["STUDYLAB_NOTES_DIR"] = str(folder)
        first = median_time(first_render, 5)
        clicks = grade_clicks()
        click = statistics.median(clicks)
        dashboard = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        warm_dashboard = median_time(dashboard.run, 9)

    print(f"{len(cards)} cards (+{NOTES} notes) in {NOTES} notes, {REVIEWS:,} logged reviews; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| measurement | median | ratio to reference | target |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| reference: Review page rerun, empty notes folder (AppTest) | {floor * 1000:.0f} ms | 1.0 | |")
    print(f"| replay of the whole log through fsrs (ReviewStore, cold) | {replay * 1000:.0f} ms "
          f"| {replay / floor:.1f} | |")
    print(f"| first render of the Review page, empty notes folder (AppTest start-up included) "
          f"| {floor_first * 1000:.0f} ms | {floor_first / floor:.1f} | |")
    print(f"| Review page first render (AppTest, caches cleared) | {first * 1000:.0f} ms | {first / floor:.1f} "
          "| <= 1000 ms |")
    print(f"| ... of which the journal's share (minus the empty-folder first render) "
          f"| {(first - floor_first) * 1000:.0f} ms | | |")
    print(f"| grade click rerun (AppTest, median of {len(clicks)}; max {max(clicks) * 1000:.0f} ms) "
          f"| {click * 1000:.0f} ms | {click / floor:.1f} | <= 150 ms |")
    print(f"| Dashboard rerun with the review section (AppTest, warm) | {warm_dashboard * 1000:.0f} ms "
          f"| {warm_dashboard / floor:.1f} | |")


if __name__ == "__main__":
    main()
