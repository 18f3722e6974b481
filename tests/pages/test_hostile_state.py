"""Every page of app.py renders, without an exception and without hanging, with each hostile file in
the app's own hidden folders (`.studylab/`, `.history/`, `.trash/`) or a folder tree too deep to
walk; where the file is the app's own state, the page says what is wrong with it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.journal import drafts
from core.review import log as review_log
from core.review import schedule
from core.sync import peers
from tests.conftest import APP
from tests.deeptree import nest, remove_tree

PAGES = re.findall(r'"(pages/\w+\.py)"', Path(APP).read_text(encoding="utf-8"))
STATE = ".studylab"
DEEP_JSON = b"[" * 200_000 + b"]" * 200_000
MENTOR = "2021-08-05-mentor-meeting"


def state_file(name: str, make: Callable[[Path], object]) -> Callable[[Path], None]:
    def setup(notes_dir: Path) -> None:
        path = notes_dir / STATE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
    return setup


def loop(name: str) -> Callable[[Path], None]:
    return lambda notes_dir: (notes_dir / name).symlink_to(name)


def nested_folders(notes_dir: Path) -> None:
    nest(notes_dir, 1000, note=b"---\ntitle: Deep\n---\nbody\n")


def log_lines(*lines: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(b"".join(lines))


SETTINGS_OVERFLOW = b'{"desired_retention": 0.9, "learning_steps": [1e400], "relearning_steps": [], "new_per_day": 1}'
FUTURE_REVIEW = b'{"v":1,"card":"q-1","at":"9999-12-31T23:59:00+00:00","grade":3}\n'
# (setup, page that must say so, words it must show); None: the page shows nothing in particular
HOSTILE = {
    "fifo-review-log": (state_file(review_log.LOG_NAME, os.mkfifo), "pages/dashboard.py", "named pipe"),
    "fifo-review-settings": (state_file(schedule.SETTINGS_NAME, os.mkfifo), "pages/dashboard.py", "named pipe"),
    "fifo-peers": (state_file(peers.PEERS_FILE, os.mkfifo), None, None),
    "fifo-draft": (state_file("drafts/x.json", os.mkfifo), "pages/write.py", "named pipe"),
    "fifo-new-entry-draft": (state_file(f"drafts/{drafts.NEW_ENTRY_FILE}", os.mkfifo), "pages/write.py",
                             "named pipe"),
    "deep-review-settings": (state_file(schedule.SETTINGS_NAME, lambda p: p.write_bytes(DEEP_JSON)),
                             "pages/dashboard.py", "ignored"),
    "overflowing-review-settings": (state_file(schedule.SETTINGS_NAME, lambda p: p.write_bytes(SETTINGS_OVERFLOW)),
                                    "pages/review.py", "not a finite number"),
    "deep-peers": (state_file(peers.PEERS_FILE, lambda p: p.write_bytes(DEEP_JSON)), None, None),
    "looping-draft": (state_file("drafts/x.json", lambda p: p.symlink_to("x.json")), "pages/write.py", "is a link"),
    "looping-review-log": (state_file(review_log.LOG_NAME, lambda p: p.symlink_to(review_log.LOG_NAME)),
                           "pages/review.py", "cannot be read"),
    "review-in-year-9999": (state_file(review_log.LOG_NAME, log_lines(FUTURE_REVIEW)), "pages/dashboard.py",
                            "in the future"),
    "huge-unfinished-log-line": (state_file(review_log.LOG_NAME, log_lines(b"x" * 3_000_000)), "pages/review.py",
                                 "longer than"),
    "looping-state-folder": (loop(STATE), None, None),
    "looping-history": (loop(".history"), None, None),
    "looping-trash": (loop(".trash"), None, None),
    "a-thousand-nested-folders": (nested_folders, "pages/dashboard.py", "levels deep"),
}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(autouse=True)
def no_deep_tree_left(notes_dir):
    yield
    if (notes_dir / "d").is_dir():
        remove_tree(notes_dir / "d")


def shown(at: AppTest) -> str:
    kinds = ("warning", "error", "info", "caption", "markdown")
    texts = [str(element.value) for kind in kinds for element in getattr(at, kind)]
    return "\n".join(texts + [frame.value.to_string() for frame in at.dataframe])


def test_the_page_list_is_read_from_app_py():
    assert {"pages/dashboard.py", "pages/write.py", "pages/review.py", "pages/archive.py"} <= set(PAGES)


@pytest.mark.parametrize("case", HOSTILE)
def test_every_page_renders_with_a_hostile_state_file(notes_dir, case):
    setup, telling_page, words = HOSTILE[case]
    setup(notes_dir)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, (case, at.exception)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (case, page, at.exception)
        if page == telling_page:
            assert words in shown(at), (case, page, shown(at)[:2000])


@pytest.mark.parametrize("hidden", [".history", STATE])
def test_saving_with_a_looping_hidden_folder_says_why_and_keeps_the_draft(notes_dir, hidden):
    if hidden == STATE and (notes_dir / STATE).exists():
        raise AssertionError("the shipped notes carry no state folder")
    (notes_dir / hidden).symlink_to(hidden)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["edit"] = MENTOR
    at.switch_page("pages/write.py").run()
    at.text_area(key="write_body").set_value("Important new text.").run()
    at.button(key="write_save").click().run()
    assert not at.exception, at.exception
    assert "loops back on itself" in "\n".join(error.value for error in at.error)
    assert at.text_area(key="write_body").value == "Important new text.", "the text stays in the editor"
    assert "Important new text." not in (notes_dir / f"{MENTOR}.md").read_text(encoding="utf-8")
