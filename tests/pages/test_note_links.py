"""The shipped notes' in-app links (e.g. to the BPTT explorer's Deep RNN tab) point at pages that
exist, and a tab named in a link is one of that page's tabs, under the page's tabs key."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from core.journal.notes import load_library
from tests.conftest import ROOT

LINK = re.compile(r"\]\(([^)\s]+(?:\([^)\s]*\))?[^)\s]*)\)")
NOTES = load_library(ROOT / "notes").notes


def page_tabs() -> dict[str, tuple[str, set[str]]]:
    """url path -> (the st.tabs key, the tab labels) for every page file that defines TABS."""
    found = {}
    for path in (ROOT / "pages").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        labels = next((ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                       and any(getattr(target, "id", None) in ("TABS", "VIEWS") for target in node.targets)), None)
        keys = [keyword.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) in ("tabs", "segmented_control")
                for keyword in node.keywords if keyword.arg == "key" and isinstance(keyword.value, ast.Constant)]
        found[path.stem] = (keys[0] if keys else "", set(labels or ()))
    return found


def in_app_links(note) -> list[str]:
    return [target for target in LINK.findall(note.body) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("note", NOTES, ids=lambda note: note.slug)
def test_in_app_links_reach_a_page_and_its_tab(note):
    pages = page_tabs()
    app_source = (ROOT / "app.py").read_text(encoding="utf-8")
    for target in in_app_links(note):
        parts = urlsplit(target)
        assert parts.path in pages, f"{note.slug} links to {target}, which is no page"
        assert f"pages/{parts.path}.py" in app_source, f"{parts.path} is not in app.py's navigation"
        key, labels = pages[parts.path]
        for name, values in parse_qs(parts.query).items():
            assert name == key, f"{note.slug}: {target} names the query parameter {name}, the tabs key is {key}"
            assert values[0] in labels, f"{note.slug}: no tab called {values[0]!r} on {parts.path} ({labels})"


def test_the_lecture_notes_link_the_tabs_the_issue_names():
    links = {note.slug: in_app_links(note) for note in NOTES}
    assert any("bptt_tab=Deep" in target for target in links["2021-08-05-rnn-first-steps"])
    assert any(target.startswith("conv_lab") for target in links["2021-08-05-cnn-first-steps"])
    assert Path(ROOT / "pages" / "bptt_lab.py").exists()
