"""Syncing through git at scale: a journal of 2,000 notes with 1,000 commits.

Prints a markdown table: the Sync panel's status (one `git status` plus conflict-copy scan)
and a pull that brings 100 changed notes from another clone (fetch, merge, rewrite files).
Run: .venv/bin/python benchmarks/bench_sync.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.sync import gitcli, merge, repo  # noqa: E402

NOTES = 2000
COMMITS = 1000
CHANGED = 100


def note(index: int, text: str) -> str:
    return f"---\ntitle: Note {index}\ndate: 2021-08-05\ntype: til\n---\n# Note {index}\n\n{text}\n" + "x" * 1500


def build_history(folder: Path) -> None:
    """NOTES notes and COMMITS commits, made fast with git fast-import."""
    folder.mkdir()
    gitcli.git(folder, "init", "--quiet", "--initial-branch=main")
    stream = []
    mark = 0
    for commit in range(COMMITS):
        mark += 1
        files = range(NOTES) if commit == 0 else [commit % NOTES]
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter s <s@x> {1_600_000_000 + commit} +0000\n"
                      f"data 9\ncommit {commit % 10}\n" + ("" if commit == 0 else f"from :{mark - 1}\n"))
        for index in files:
            data = note(index, f"version {commit}").encode()
            stream.append(f"M 100644 inline note-{index}.md\ndata {len(data)}\n")
            stream.append(data.decode() + "\n")
    gitcli.git(folder, "fast-import", "--quiet", stdin="".join(stream).encode())
    gitcli.git(folder, "checkout", "--quiet", "main")
    repo.ensure_gitignore(folder)
    repo.commit_all(folder, "gitignore")


def median_ms(function, repeats: int = 9) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GIT_CONFIG_GLOBAL"] = str(Path(tmp) / "gitconfig")
        tmp_path = Path(tmp)
        laptop = tmp_path / "laptop"
        build_history(laptop)
        bare = tmp_path / "remote.git"
        subprocess.run(["git", "clone", "--quiet", "--bare", str(laptop), str(bare)], check=True)
        repo.set_remote(laptop, str(bare))
        merge.push(laptop)
        desktop = tmp_path / "desktop"
        subprocess.run(["git", "clone", "--quiet", str(bare), str(desktop)], check=True)
        commits = gitcli.text(laptop, "rev-list", "--count", "HEAD")
        status_ms = median_ms(lambda: repo.status(laptop))

        pulls = []
        for round_number in range(3):
            for index in range(CHANGED):
                (desktop / f"note-{index * 7 + round_number}.md").write_text(note(index, f"desktop {round_number}"))
            merge.sync(desktop)
            began = time.perf_counter()
            result = merge.pull(laptop)
            pulls.append((time.perf_counter() - began) * 1000)
            assert len(result.taken) == CHANGED, result
        git_status_ms = median_ms(lambda: gitcli.git(laptop, "status", "--porcelain=v2"))

    print(f"{NOTES} notes of about 1.6 KB, {commits} commits; remote = a bare repository on this disk\n")
    print("| measurement | median | target |")
    print("| --- | ---: | ---: |")
    print(f"| Sync panel status (git status + ahead/behind + conflict copies) | {status_ms:.0f} ms | <= 300 ms |")
    print(f"| (reference: plain `git status --porcelain=v2`) | {git_status_ms:.0f} ms | |")
    print(f"| pull of {CHANGED} changed notes (commit, fetch, merge, rewrite) | {statistics.median(pulls):.0f} ms "
          "| <= 2000 ms |")


if __name__ == "__main__":
    main()
