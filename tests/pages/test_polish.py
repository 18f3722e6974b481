"""AppTest of small polish: read-only Sync without a dead invitation, the Remote URL field open
while there is no remote, the Record dialog's results table kept clear of the multiselect, and
the page CSS for Korean line breaks, cut sidebar titles and the main area's focus frame."""

from __future__ import annotations

import pytest

from core.sync import gitcli, repo
from tests.pages.apptest import opened
from tests.pages.test_sync_page import isolated_git, sync_page  # noqa: F401 (a fixture)
from ui import frame

needs_git = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")




@needs_git
def test_read_only_sync_of_a_plain_folder_invites_nothing_it_cannot_offer(notes_dir, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = sync_page()
    [info] = [info.value for info in at.info]
    assert "not a git repository" in info and "Turning it into one" not in info
    assert "its owner can turn on sync" in info
    assert not [button for button in at.button if button.key == "sync_init"]


@needs_git
def test_the_remote_url_field_is_open_while_there_is_no_remote(notes_dir, tmp_path):
    repo.init(notes_dir)
    at = sync_page()
    [expander] = [expander for expander in at.expander if expander.label == "Remote URL"]
    assert expander.proto.expanded, "no remote yet: the field is in sight"
    repo.set_remote(notes_dir, str(tmp_path / "remote.git"))
    at.run()
    [expander] = [expander for expander in at.expander if expander.label == "Remote URL"]
    assert not expander.proto.expanded, "a remote is set: changing it is tucked away"


def in_order(node) -> list:
    """Every element under `node`, in screen order."""
    found = []
    for _, child in sorted(getattr(node, "children", {}).items()):
        found.append(child)
        found.extend(in_order(child))
    return found


def test_the_record_dialogs_results_table_has_a_caption_between_it_and_the_multiselect(notes_dir):
    at = opened("pages/bptt_lab.py", {"tab": "assignment"})
    at.button(key="bptt_record_assignment").click().run()
    shown = [element for element in in_order(at._tree)  # the dialog is drawn in the event block
             if element.type in ("multiselect", "caption") or "frame" in element.type]
    made_for = next(index for index, element in enumerate(shown) if getattr(element, "key", None) == "record_made_for")
    assert shown[made_for + 1].type == "caption" and shown[made_for + 1].value == "Results of this run"
    assert "frame" in shown[made_for + 2].type


def test_the_page_css_breaks_korean_between_words_and_frames_no_main_area():
    assert "word-break: keep-all" in frame.PAGE_CSS
    assert '[data-testid="stMain"]:focus' in frame.PAGE_CSS and "outline: none" in frame.PAGE_CSS
    assert "-webkit-line-clamp: 2" in frame.PAGE_CSS
