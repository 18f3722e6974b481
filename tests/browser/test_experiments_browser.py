"""Real browser: the lab's state lives in the address bar (Back and Forward step through it), a
run recorded from the lab appears on the Experiments page and reopens in the lab, and a copied
lab URL reproduces the same numbers in a new page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import wait_idle


@pytest.fixture
def server(live_server):
    return live_server


def slider(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)).first


def shown(page, label: str) -> str:
    return slider(page, label).locator('[data-testid="stSliderThumbValue"]').inner_text()


def nudge(page, label: str) -> None:
    slider(page, label).get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)


def numbers(page) -> str:
    """The gradient part's table of loss and end gradients, as the page shows it."""
    return page.locator('[data-testid="stMain"] table').filter(has_text="mean dL/dS_T").first.inner_text()


def test_record_reopen_and_share_a_lab_state(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/bptt_lab?w_rec=1.1&T=80")
    wait_idle(page)
    assert (shown(page, "w_rec"), shown(page, "sequence length T")) == ("1.10", "80")

    nudge(page, "w_rec")
    nudge(page, "w_rec")
    page.wait_for_url(re.compile(r"w_rec=1\.12"), timeout=10_000)  # the address follows the run's end
    assert shown(page, "w_rec") == "1.12"
    page.go_back()
    wait_idle(page)
    assert "w_rec=1.11" in page.url and shown(page, "w_rec") == "1.11"
    page.go_forward()
    wait_idle(page)
    page.wait_for_url(re.compile(r"w_rec=1\.12"), timeout=10_000)
    assert shown(page, "w_rec") == "1.12"
    seen_here = numbers(page)

    before = set(server.notes.glob("*.md"))
    page.get_by_role("button", name="Record this run").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Exploding at w_rec 1.12")
    dialog.get_by_label("What did you find?").fill("The gradient grows by 1.12 per step back.")
    dialog.get_by_role("button", name="Save to the journal").click()
    wait_idle(page)
    # issue 22: the message at the top of the page, and a toast (gone after a while) beside the eyes
    assert page.get_by_text("Recorded “Exploding at w_rec 1.12”").count() in (1, 2)
    assert page.get_by_role("button", name="Recorded · record again").count() == 1
    (record,) = set(server.notes.glob("*.md")) - before
    saved = record.read_text(encoding="utf-8")
    assert "type: experiment" in saved and "w_rec: 1.12" in saved

    page.goto(f"{server.url}/experiments")
    wait_idle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's tick box
    wait_idle(page)
    page.get_by_role("link", name="Open in the lab").first.click()
    wait_idle(page)
    assert "/bptt_lab?" in page.url and "w_rec=1.12" in page.url
    assert (shown(page, "w_rec"), shown(page, "sequence length T")) == ("1.12", "80")
    assert numbers(page) == seen_here
    copied = page.url

    fresh = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    fresh.goto(copied)
    wait_idle(fresh)
    assert (shown(fresh, "w_rec"), shown(fresh, "sequence length T")) == ("1.12", "80")
    assert numbers(fresh) == seen_here
    fresh.screenshot(path=str(Path(os.environ.get("STUDYLAB_SHOTS_DIR") or tmp_path) / "lab-from-copied-url.png"))
    fresh.context.close()
    context.close()
