"""Real browser: the Experiments selection lives in the address (?runs=), so it survives opening a
run's note and coming Back."""

from __future__ import annotations

from tests.conftest import LiveServer, copy_shipped, wait_idle

RUNS = "2026-11-30-example-gradient-decay-for-several-w_rec,2026-11-30-example-sobel-x-edge-map-of-the-digit"


def test_the_selection_survives_back(browser, tmp_path):
    server = LiveServer(copy_shipped(tmp_path / "notes", records=True))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/experiments?runs={RUNS}")
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        assert "2 selected run(s)" in main.inner_text()
        main.get_by_role("link", name="Example: Sobel x edge map of the digit").click()
        page.wait_for_url("**/notes?note=2026-11-30-example-sobel-x-edge-map-of-the-digit*")
        wait_idle(page)
        page.go_back()
        page.wait_for_url("**/experiments?runs=*")
        wait_idle(page)
        page.get_by_text("2 selected run(s)").wait_for()
        assert page.url.endswith(f"runs={RUNS.replace(',', '%2C')}") or page.url.endswith(f"runs={RUNS}")
    finally:
        context.close()
        server.stop()
