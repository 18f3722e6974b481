"""Real browser: review with the keyboard (Space, then 1-4; a pick, then 1-4) and answer a practice problem."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from core.review.log import log_path
from tests.conftest import settled, wait_idle


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_review_with_the_keyboard_and_practise(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/review")
    wait_idle(page)
    due = int(metric_value(page, "Due now"))
    assert page.get_by_role("button", name=re.compile("Show answer")).count() == 1
    assert page.get_by_role("button", name=re.compile("Good")).count() == 0
    page.keyboard.press("Space")
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"Good · 10 min")).wait_for()
    assert page.locator(".katex").count() > 0, "the answer's math is rendered"
    page.get_by_role("button", name=re.compile("Settings")).click()
    steps = page.get_by_role("textbox", name="Learning steps", exact=True)
    steps.fill("1m 2m 3m 4m")
    wait_idle(page)
    settled(page)
    assert not log_path(live_server.notes).exists(), "digits typed into a text box grade nothing"
    page.keyboard.press("Escape")
    page.locator('[data-testid="stMain"] h1').click()
    page.keyboard.press("3")
    wait_idle(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(m => m.innerText.includes('Reviewed today') && m.innerText.trim().endsWith('1'))")
    assert int(metric_value(page, "Due now")) == due - 1
    lines = log_path(live_server.notes).read_text().splitlines()
    assert [json.loads(line)["grade"] for line in lines] == [3]

    page.get_by_role("tab", name="Practice").click()
    wait_idle(page)
    answer = page.get_by_role("textbox", name="Your answer")
    answer.fill("12345")
    answer.press("Enter")
    wait_idle(page)
    page.get_by_text("Worked solution").first.wait_for()
    assert page.get_by_text(re.compile("Not quite: you answered 12345")).count() == 1
    lines = log_path(live_server.notes).read_text().splitlines()
    assert [json.loads(line)["card"] for line in lines][-1] == "practice:conv-output-size"
    assert len(lines) == 2, "typing digits into the answer box graded nothing else"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors
    context.close()


QUIZ_NOTE = """---
title: Quiz only
date: 2021-08-05
type: til
---
# Quiz only

```quiz
question: How many weights does a 5×5 kernel from 3 to 8 channels have?
choices:
- 75
- 200
- 600
answer: 600
```
"""


def eventually_changed(page, before: str) -> bool:
    """Whether the solution goes away and the page's text changes within 10 s."""
    for _ in range(40):
        text = page.evaluate("() => document.body.innerText")
        if page.get_by_text("Worked solution").count() == 0 and text != before:
            return True
        page.wait_for_timeout(250)
    return False


def test_after_clicking_a_choice_the_keyboard_carries_on(browser, worker_server, tmp_path):
    """A click on a quiz answer leaves the focus on a radio button, where Space and the digits
    would do nothing: the pick itself reveals the answer, and 3 then grades. A pick in a practice
    problem is checked with Enter."""
    server = worker_server  # its notes folder now holds the quiz note alone
    notes = server.notes
    shutil.rmtree(notes, ignore_errors=True)
    notes.mkdir()
    (notes / "2021-08-05-quiz-only.md").write_text(QUIZ_NOTE, encoding="utf-8")
    shots = Path(os.environ.get("STUDYLAB_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/review")
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("600", exact=True).click()
        wait_idle(page)
        page.get_by_text("You picked 600: right.").wait_for()
        page.screenshot(path=str(shots / "review-quiz-picked.png"))
        page.keyboard.press("3")
        wait_idle(page)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetric]')]"
            ".some(m => m.innerText.includes('Reviewed today') && m.innerText.trim().endsWith('1'))")
        assert [json.loads(line)["grade"] for line in log_path(notes).read_text().splitlines()] == [3]

        page.get_by_role("tab", name="Practice").click()
        wait_idle(page)
        main.get_by_role("combobox").first.click()
        page.get_by_role("option", name="Vanishing or exploding gradient").click()
        wait_idle(page)
        assert main.get_by_text("Tolerance").count() == 0, "a pick has no tolerance"
        main.get_by_test_id("stRadioGroup").get_by_text("neither", exact=True).click()
        wait_idle(page)
        page.get_by_text("Worked solution").first.wait_for()
        page.screenshot(path=str(shots / "review-practice-picked.png"))
        cards = [json.loads(line)["card"] for line in log_path(notes).read_text().splitlines()]
        assert cards[-1] == "practice:vanish-or-explode", "the pick was checked and logged"
        seed = page.evaluate("() => document.body.innerText")
        page.keyboard.press("Enter")
        wait_idle(page)
        assert eventually_changed(page, seed), "Enter then draws the next problem"
    finally:
        context.close()
