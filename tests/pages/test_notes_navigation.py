"""AppTest for reading notes: the address bar names the note on screen, the trash toast offers
Undo, search matches are highlighted in the open note, contents for long notes, display math."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_page, opened

NOTES = "pages/notes.py"
CNN, MENTOR = "2021-08-05-cnn-first-steps", "2021-08-05-mentor-meeting"


def notes_page(note: str | None = None) -> AppTest:
    return open_page(NOTES, **({"note": note} if note else {}))


def markdown(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def list_items(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.endswith("]]") and ":gray[2021-08-05 · " in m.value]


def test_the_address_bar_names_the_note_on_screen(notes_dir):
    at = notes_page()
    assert at.query_params["note"] == CNN, "no parameter: the first note is shown and named"
    assert ":primary[:material/school: **CNN first steps**]" in markdown(at), "the open note is marked in the list"
    at.query_params["note"] = MENTOR
    at.run()
    assert at.query_params["note"] == MENTOR
    assert ":primary[:material/groups: **Mentor meeting**]" in markdown(at)


def test_the_list_is_in_the_days_order_with_links_that_stay_in_the_app(notes_dir):
    at = notes_page()
    items = list_items(at)
    assert "CNN first steps" in items[0] and "RNN first steps" in items[1] and "linear RNN" in items[2]
    assert "[RNN first steps](notes?note=2021-08-05-rnn-first-steps)" in markdown(at)
    types = [item.rsplit("· ", 1)[-1].rstrip("]") for item in items]
    assert types == ["lecture", "lecture", "assignment", "peer-session", "masterclass", "retrospective"]


def test_trash_closes_the_popover_moves_on_and_the_toast_offers_undo(notes_dir):
    at = notes_page(MENTOR)
    at.button(key="notes_delete").click().run()
    assert not at.exception
    assert not (notes_dir / f"{MENTOR}.md").exists()
    assert at.query_params["note"] == "2021-08-05-masterclass-ai-and-math", "the next note of the day opens"
    [toast] = at.toast
    assert toast.value == "Moved **Mentor meeting** to the trash. [Undo](#studylab-undo-trash)"
    trash_popovers = [block.proto for block in at.get("popover") if block.proto.popover.label == "Move to trash"]
    assert [popover.id.endswith("notes_trash_2021-08-05-masterclass-ai-and-math") for popover in trash_popovers] == [
        True
    ], "a fresh (closed) confirmation for the next note, not the trashed note's open one"
    assert [popover.popover.open for popover in trash_popovers] == [False]

    at.button(key="notes_undo").click().run()
    assert not at.exception
    assert (notes_dir / f"{MENTOR}.md").exists()
    assert at.query_params["note"] == MENTOR, "the restored note is open again"
    assert at.toast[0].value == "Restored **Mentor meeting** from the trash."
    assert not [button for button in at.button if button.key == "notes_undo"]


def test_search_highlights_matches_in_the_open_note_until_cleared(notes_dir):
    at = notes_page(CNN)
    at.text_input(key="notes_query").set_value("kernel").run()
    assert ":orange-background[kernel]" in markdown(at)
    assert any("Highlighting matches of *kernel*" in caption.value for caption in at.caption)
    at.button(key="notes_clear_search").click().run()
    assert at.text_input(key="notes_query").value == ""
    assert ":orange-background[" not in markdown(at)


def test_a_long_note_gets_contents_and_anchored_headings(notes_dir):
    at = notes_page(CNN)
    [contents] = [expander for expander in at.expander if expander.label == "Contents"]
    links = contents.markdown[0].value
    assert "- [2. The definition](#the-definition)" in links
    assert "    - [Output size](#output-size)" in links
    assert [header.proto.anchor for header in at.header][:2] == [
        "from-a-fully-connected-layer-to-a-sliding-kernel", "the-definition"
    ]
    at.query_params["note"] = "2021-08-05-masterclass-ai-and-math"
    at.run()
    assert "Contents" in [expander.label for expander in at.expander]


def test_a_short_note_has_no_contents(notes_dir):
    (notes_dir / "2021-08-06-short.md").write_text("---\ndate: 2021-08-06\n---\n# Short\n## One\n## Two\n")
    at = notes_page("2021-08-06-short")
    assert "Contents" not in [expander.label for expander in at.expander]


def test_one_line_display_math_renders_as_display_math(notes_dir):
    (notes_dir / "2021-08-06-math.md").write_text(
        "---\ndate: 2021-08-06\n---\n# Math\nThe identity:\n$$e^{i\\pi} + 1 = 0$$\nand inline $x$.\n"
    )
    at = notes_page("2021-08-06-math")
    assert "The identity:\n\n$$\ne^{i\\pi} + 1 = 0\n$$\n\nand inline $x$." in markdown(at)


def test_search_snippets_are_plain_text(notes_dir):
    at = notes_page()
    at.text_input(key="notes_query").set_value("w_rec").run()
    snippets = [caption.value for caption in at.caption if ":orange-background[**" in caption.value]
    assert snippets and all("\\$" not in text and "\\*\\*" not in text and "\\]\\]" not in text for text in snippets)


def test_notes_day_lists_that_days_notes_and_opens_the_first(notes_dir):
    (notes_dir / "2021-08-06-later.md").write_text("---\ntitle: A later day\ndate: 2021-08-06\ntype: til\n---\nx\n",
                                                  encoding="utf-8")
    at = opened("pages/notes.py", {"day": "2021-08-06"})
    assert at.query_params["note"] == "2021-08-06-later"
    assert any("2021-08-06: 1 note" in caption.value for caption in at.caption)
    assert any("1 of" in caption.value for caption in at.caption)
    at.button(key="notes_all_days").click().run()
    assert "day" not in at.query_params
