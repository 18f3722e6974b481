"""Shared AppTest helpers for the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def open_page(page: str, **query: str) -> AppTest:
    """app.py run once, then switched to `page` (e.g. "pages/notes.py") with `query` in the URL."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def opened(page: str, query: dict[str, str], timeout: float = 90) -> AppTest:
    """A fresh session's first run of `page` with `query` in its address (a link opened in a
    new tab), checked for exceptions."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.switch_page(page)
    for name, text in query.items():
        at.query_params[name] = text
    at.run()
    assert not at.exception, at.exception
    return at
