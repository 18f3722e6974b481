"""The shipped notes' in-app links (e.g. to the BPTT explorer's Deep RNN tab) point at pages in the
navigation, and every lab setting a link carries is one the lab understands (no notice)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from core.conv import state as conv_state
from core.journal.notes import load_library
from core.rnn import state as bptt_state
from core.urlparams import parse
from tests.conftest import ROOT

LINK = re.compile(r"\]\(([^)\s]+(?:\([^)\s]*\))?[^)\s]*)\)")
NOTES = load_library(ROOT / "notes").notes


def lab_params(page: str, query: dict[str, str]):
    if page == "bptt_lab":
        return bptt_state.PARAMS
    return conv_state.params_for(conv_state.ndim_of_query(query))


def in_app_links(note) -> list[str]:
    return [target for target in LINK.findall(note.body) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("note", NOTES, ids=lambda note: note.slug)
def test_in_app_links_reach_a_page_and_settings_it_understands(note):
    app_source = (ROOT / "app.py").read_text(encoding="utf-8")
    for target in in_app_links(note):
        parts = urlsplit(target)
        assert (ROOT / "pages" / f"{parts.path}.py").exists(), f"{note.slug} links to {target}, which is no page"
        assert f"pages/{parts.path}.py" in app_source, f"{parts.path} is not in app.py's navigation"
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        if parts.path in ("bptt_lab", "conv_lab"):
            _, notices = parse(query, lab_params(parts.path, query))
            assert notices == [], f"{note.slug}: {target}: {notices}"


def test_the_lecture_notes_link_the_tabs_the_issue_names():
    links = {note.slug: in_app_links(note) for note in NOTES}
    assert any("tab=deep" in target for target in links["2021-08-05-rnn-first-steps"])
    assert any(target.startswith("conv_lab") for target in links["2021-08-05-cnn-first-steps"])
