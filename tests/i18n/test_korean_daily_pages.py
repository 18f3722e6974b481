"""The daily pages in Korean (`?lang=ko`): Dashboard, Review, Sync (and its merge screen) and
Experiments leave no English word on the page in their main states (tests/i18n/korean_text.py).

What stays Latin on purpose is passed as `allowed`: the git branch's name (`main`) and the example
classmate name in the Sync page's placeholder (`minji`). A note's own text is the student's, not
the interface: the review note here is written in Korean, and the shipped notes' titles are
skipped where a page lists them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core import messages
from core.review import log as review_log
from core.sync import gitcli, merge, repo
from tests.conftest import copy_shipped, use_notes_folder
from tests.i18n.korean_text import english_left, shown_texts
from tests.pages.apptest import opened
from tests.pages.test_merge_screen import COPY, with_conflict
from tests.sync.test_sync import bare_repository
from ui import review as review_ui

KO = {"lang": "ko"}
REVIEW_NOTE = """---
title: 합성곱 복습
date: 2021-08-05
type: lecture
---
# 합성곱 복습

Q: 28×28 입력에 5×5 커널, 스트라이드 1, 패딩 없음: 출력 크기는?
A: 24×24 ($28 - 5 + 1$)

Q: 패딩 1은 3×3 커널에서 무엇을 하나요?
A: 출력 크기를 입력과 같게 유지합니다.

```quiz
question: $|w_{rec}| < 1$이면 기울기는 어떻게 되나요?
choices:
- 소실된다
- 폭발한다
answer: 소실된다
```
"""


# The frame around every page (ui/frame.py, ui/i18n.py, not these pages): the language switch's
# label is in both languages on purpose and names each language in its own ("English"), and the
# frame's <style> elements are CSS, not text a reader sees.
FRAME_WORDS = {"English", "Language"}


def no_english(at, allowed=(), skip=()) -> None:
    styles = [text for text in shown_texts(at) if text.lstrip().startswith("<style")]
    left = english_left(at, allowed={*FRAME_WORDS, *allowed}, skip=[*skip, *styles])
    assert left == {}, left


def shipped_titles(folder) -> list[str]:
    """The notes' own titles (the student's text), as the pages may show them."""
    titles = []
    for path in folder.glob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("title:"):
                titles.append(line.removeprefix("title:").strip().strip("'\""))
                break
    return titles


def with_titles_skipped(at, folder, **kwargs) -> None:
    """No English left once every shown text that holds a note's title is put aside."""
    titles = shipped_titles(folder)
    skip = [text for text in shown_texts(at) if any(title in text.replace("\\", "") for title in titles)]  # unescaped
    no_english(at, skip=[*skip, *kwargs.pop("skip", ())], **kwargs)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def review_folder(tmp_path, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2021-08-05-conv-review.md").write_text(REVIEW_NOTE, encoding="utf-8")
    return use_notes_folder(folder, monkeypatch)


@pytest.fixture
def empty_folder(tmp_path, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    return use_notes_folder(folder, monkeypatch)


@pytest.fixture
def records_folder(tmp_path, monkeypatch):
    folder = copy_shipped(tmp_path / "notes", records=True)
    return use_notes_folder(folder, monkeypatch)


def test_dashboard_in_korean(notes_dir):
    at = opened("pages/dashboard.py", KO)
    with_titles_skipped(at, notes_dir)


def test_dashboard_review_part_with_reviews_in_korean(review_folder):
    at = opened("pages/review.py", KO)
    at.button(key="reveal").click().run()
    at.button(key="grade-3").click().run()
    assert not at.exception, at.exception
    at = opened("pages/dashboard.py", KO)
    with_titles_skipped(at, review_folder)


def test_review_queue_a_card_and_its_answer_in_korean(review_folder):
    at = opened("pages/review.py", KO)
    assert at.button(key="reveal").label == "정답 보기"
    no_english(at)  # the queue, the first card, the settings form (in its popover), the keys line
    at.button(key="reveal").click().run()
    assert not at.exception, at.exception
    no_english(at)  # the answer and the four grade buttons with their intervals
    at.button(key="grade-1").click().run()
    assert not at.exception, at.exception
    assert any("다시" in toast.value for toast in at.toast), "the toast is in the session's language"
    no_english(at)


def test_review_quiz_pick_in_korean(review_folder):
    at = opened("pages/review.py", KO)
    for key in ("reveal", "reveal"):  # past the two Q:/A: cards, graded Easy
        at.button(key=key).click().run()
        at.button(key="grade-4").click().run()
    radio = next(radio for radio in at.radio if radio.key and radio.key.startswith("pick-"))
    radio.set_value("폭발한다").run()
    assert not at.exception, at.exception
    no_english(at)


def test_review_empty_state_and_settings_error_in_korean(empty_folder):
    at = opened("pages/review.py", KO)
    assert at.info and "복습 카드가 없습니다" in at.info[0].value
    no_english(at)
    at.text_input(key="settings_learning").set_value("1m 5")
    submit = next(button for button in at.button if button.label == "설정 저장")
    submit.click().run()
    assert not at.exception, at.exception
    assert any("단계가 아닙니다" in toast.value for toast in at.toast), [toast.value for toast in at.toast]
    no_english(at)


def test_review_texts_made_in_core_speak_korean():
    messages.set_language("ko")
    try:
        now = dt.datetime(2024, 5, 6, 9, 0, tzinfo=dt.timezone.utc)
        from core.review import queue as review_queue
        from core.review import schedule

        for moment in (now, now + dt.timedelta(minutes=8), now + dt.timedelta(days=1), now + dt.timedelta(days=7)):
            assert not english_words(review_queue.due_text(moment, now, dt.timezone.utc))
        for days in (0.001, 0.2, 3, 45, 400):
            assert not english_words(schedule.interval_text(dt.timedelta(days=days)))
        for raw in (b"x" * (review_log.MAX_LINE_BYTES + 1), b"[" * 40, b"{", b"[]", b"{}", b'{"card": "c", "grade": 9}',
                    b'{"card": "c", "grade": 3}', b'{"card": "c", "grade": 3, "at": "99"}',
                    b'{"card": "c", "grade": 3, "at": "2024-05-06T09:00:00"}',
                    b'{"card": "c", "grade": 3, "at": "1960-05-06T09:00:00+00:00"}'):
            with pytest.raises(review_log.LogLineError) as caught:
                review_log.parse_line(raw)
            reason = str(caught.value)
            assert review_ui.log_reason(reason) != reason, reason
            assert not english_words(review_ui.log_reason(reason).replace("JSON", "").replace("ISO", "")
                                     .replace("UTC", "")), reason
    finally:
        messages.set_language("en")
    assert review_log.GRADES[1] == "again", "the log itself stays English"


def english_words(text: str) -> list[str]:
    from tests.i18n.korean_text import english_words as words

    return words(text)


needs_git = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


@needs_git
def test_sync_page_not_a_repository_in_korean(notes_dir):
    at = opened("pages/sync.py", KO)
    assert at.button(key="sync_init").label == "노트 폴더를 git 저장소로 만들기"
    no_english(at)


@needs_git
def test_sync_page_git_mode_without_a_remote_in_korean(notes_dir):
    at = opened("pages/sync.py", KO)
    at.button(key="sync_init").click().run()
    assert not at.exception, at.exception
    assert repo.is_git_mode(notes_dir)
    no_english(at, allowed={"main", "minji", "GitLab"})


@needs_git
def test_sync_page_with_a_remote_after_a_sync_in_korean(notes_dir, tmp_path):
    bare = tmp_path / "remote.git"
    bare_repository(bare)
    repo.init(notes_dir)
    repo.set_remote(notes_dir, str(bare))
    merge.push(notes_dir)
    (notes_dir / "2021-08-05-retrospective.md").write_text("---\ntitle: 회고\ndate: 2021-08-05\n---\n고쳤다\n")
    repo.commit_all(notes_dir, "edit")
    at = opened("pages/sync.py", KO)
    no_english(at, allowed={"main", "minji"})  # ahead of the remote
    at.button(key="sync_now").click().run()
    assert not at.exception, at.exception
    assert any("동기화했습니다" in element.value for element in at.success), [e.value for e in at.success]
    no_english(at, allowed={"main", "minji"})


@needs_git
def test_sync_page_with_a_conflict_and_its_merge_screen_in_korean(notes_dir):
    repo.init(notes_dir)
    with_conflict(notes_dir)
    at = opened("pages/sync.py", KO)
    assert at.error, "the conflict is the page's state"
    files = [text for text in shown_texts(at) if COPY in text and "↔" in text]  # the two file names, nothing else
    assert files
    no_english(at, allowed={"main", "minji"}, skip=files)
    at = opened("pages/sync.py", {**KO, "merge": COPY})
    assert at.text_area(key="merge_result").label == "결과"
    no_english(at)


def record_tags(folder) -> list[str]:
    """The records' tags (the student's words, offered as the Tags filter's options)."""
    tags = []
    for path in folder.glob("2026-11-30-example-*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("tags:"):
                tags += [tag.strip() for tag in line.removeprefix("tags:").strip(" []").split(",")]
    return tags


def test_experiments_with_the_shipped_records_in_korean(records_folder):
    tags = record_tags(records_folder)
    at = opened("pages/experiments.py", KO)
    with_titles_skipped(at, records_folder, skip=tags)
    slugs = sorted(path.stem for path in records_folder.glob("2026-11-30-example-*.md"))
    at = opened("pages/experiments.py", {**KO, "runs": ",".join(slugs)})
    with_titles_skipped(at, records_folder, skip=tags)
