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
