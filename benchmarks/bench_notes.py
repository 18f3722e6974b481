"""Notes library at scale: 2,000 notes of about 2 KB (mixed English and Korean).

Prints a markdown table: cold load + index, warm (cached) page rerun, median search latency.
Run: .venv/bin/python benchmarks/bench_notes.py
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

from core.journal import search  # noqa: E402
from core.journal.notes import load_library  # noqa: E402

ENGLISH = (
    "kernel convolution gradient recurrence sequence matrix tensor vanishing exploding channel stride padding"
).split()
KOREAN = "합성곱 커널 기울기 소실 폭발 시퀀스 잠재변수 역전파 행렬 채널 확률 통계".split()
TYPES = ["lecture", "assignment", "peer-session", "masterclass", "retrospective", "til", "experiment"]
NOTE_COUNT = 2000
QUERIES = ["합성곱", "kernel", "vanishing gradient", "역전파 channel", "stride", "nothing-matches-this", "잠재변수",
           "tensor 확률"]


def make_notes(folder: Path, count: int = NOTE_COUNT, seed: int = 0) -> None:
    rng = random.Random(seed)
    start = dt.date(2021, 8, 1)
    for index in range(count):
        day = start + dt.timedelta(days=index // 3)
        words = [rng.choice(ENGLISH if rng.random() < 0.6 else KOREAN) for _ in range(220)]
        body = "\n\n".join(" ".join(words[i:i + 30]) for i in range(0, len(words), 30))
        tags = rng.sample(ENGLISH, 2)
        text = (
            f"---\ntitle: Note {index} {rng.choice(KOREAN)}\ndate: {day.isoformat()}\n"
            f"type: {rng.choice(TYPES)}\ntags: [{', '.join(tags)}]\n---\n# Note {index}\n\n{body}\n"
        )
        (folder / f"{day.isoformat()}-note-{index}.md").write_text(text, encoding="utf-8")


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_notes(folder)
        sizes = [p.stat().st_size for p in folder.glob("*.md")]
        cold = median_time(lambda: load_library(folder), 5)
        library = load_library(folder)
        assert len(library.notes) == NOTE_COUNT and not library.problems

        def one_search(query: str) -> None:
            found = search.search(library.notes, query)
            for note in found[:50]:
                search.snippet(note, query)

        search_times = [median_time(lambda q=q: one_search(q), 9) for q in QUERIES]

        os.environ["STUDYLAB_NOTES_DIR"] = str(folder)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        at.switch_page("pages/notes.py").run()
        assert not at.exception
        warm = median_time(at.run, 9)
        dashboard = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        warm_dashboard = median_time(dashboard.run, 9)

    print(f"{NOTE_COUNT} notes, {statistics.mean(sizes) / 1000:.1f} KB on average, mixed English and Korean\n")
    print("| measurement | median | target |")
    print("| --- | ---: | ---: |")
    print(f"| cold load + index (parse, normalise, backlinks) | {cold * 1000:.0f} ms | <= 1000 ms |")
    print(f"| warm Notes page rerun (AppTest, cached library) | {warm * 1000:.0f} ms | <= 100 ms |")
    print(f"| warm Dashboard rerun (AppTest, cached library) | {warm_dashboard * 1000:.0f} ms | <= 100 ms |")
    print(f"| search, median over {len(QUERIES)} queries (match + snippets) "
          f"| {statistics.median(search_times) * 1000:.1f} ms | <= 20 ms |")


if __name__ == "__main__":
    main()
