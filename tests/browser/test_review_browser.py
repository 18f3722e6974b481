"""Real browser: review with the keyboard (Space, then 1-4) and answer a practice problem."""

from __future__ import annotations

import json
import re

from core.journal.review_log import log_path
from tests.conftest import wait_idle


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
    page.wait_for_timeout(500)
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
