"""AppTest for Sync's merge screen: hunks side by side, a choice per hunk, an editable result,
saving resolves the conflict copy."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.journal import handmerge
from tests.conftest import APP

RETRO = "2021-08-05-retrospective.md"
COPY = "2021-08-05-retrospective.conflict-1a2b3c4d.md"


def with_conflict(notes_dir):
    text = (notes_dir / RETRO).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    heading = next(i for i, line in enumerate(lines) if line.startswith("# "))
    theirs = "".join([*lines[:heading + 1], "Written on the laptop.\n", *lines[heading + 1:], "Try: redo BPTT.\n"])
    (notes_dir / COPY).write_text(theirs, encoding="utf-8")
    return text, theirs


def merge_page(at: AppTest | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["merge"] = COPY
    at.switch_page("pages/sync.py").run()
    assert not at.exception, at.exception
    return at


def test_a_merge_by_hunk_keeps_the_chosen_texts_and_resolves_the_copy(notes_dir):
    mine, theirs = with_conflict(notes_dir)
    at = merge_page()
    assert at.text_area(key="merge_result").value == mine, "the result starts as yours"
    assert [c.key for c in at.get("button_group") if c.key.startswith("merge")] == [
        "merge_side", "merge_choice_0", "merge_choice_1"]
    at.button_group(key="merge_choice_0").set_value(handmerge.BOTH).run()
    assert "Written on the laptop." in at.text_area(key="merge_result").value
    at.button_group(key="merge_choice_1").set_value(handmerge.THEIRS).run()
    result = at.text_area(key="merge_result").value
    assert result == theirs, "both at the first hunk (an insertion) and theirs at the second give their text"
    at.text_area(key="merge_result").set_value(result + "Typed in the result.\n").run()
    at.button(key="merge_save").click().run()
    assert not at.exception, at.exception
    assert (notes_dir / RETRO).read_text(encoding="utf-8") == theirs + "Typed in the result.\n"
    assert not (notes_dir / COPY).exists(), "the conflict copy went to the trash"
    assert any("Merged:" in element.value for element in at.success)


def test_an_unknown_copy_says_so(notes_dir):
    at = merge_page()
    assert any("no conflict copy named" in element.value for element in at.warning)
