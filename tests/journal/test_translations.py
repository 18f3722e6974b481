"""Translation pairs (two notes naming each other in `translation:`) are one journal entry, and
every journal template exists in Korean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.journal import notes as notes_lib
from core.journal import search, stats, templates
from core.journal.notes import load_library
from core.review.cards import build_deck
from tests.conftest import SHIPPED_NOTES

DAY = "2021-08-05-"
SHIPPED_DAY = ("cnn-first-steps", "rnn-first-steps", "bptt-linear-rnn", "mentor-meeting",
               "masterclass-ai-and-math", "retrospective")


def test_every_shipped_note_of_the_day_has_a_korean_translation_linked_both_ways():
    library = load_library(SHIPPED_NOTES)
    for name in SHIPPED_DAY:
        english, korean = library.by_slug[DAY + name], library.by_slug[f"{DAY}{name}.ko"]
        assert (english.meta["lang"], korean.meta["lang"]) == ("en", "ko")
        assert english.meta["translation"] == korean.slug and korean.meta["translation"] == english.slug
        assert library.translations[english.slug] == korean.slug
        assert (korean.date, korean.type, korean.tags, korean.labs) == (english.date, english.type, english.tags,
                                                                         english.labs)
        # Math and code are unchanged: the same display equations and code blocks, in the same order.
        for fence in ("$$", "```"):
            assert english.body.count(fence) == korean.body.count(fence), (name, fence)
        assert korean.body.count("studylab 추가") == english.body.count("studylab adds"), name
        assert not korean.warnings


def test_a_pair_is_one_entry_for_the_list_counts_search_and_the_deck():
    library = load_library(SHIPPED_NOTES)
    listed = [note.slug for note in library.notes]
    assert not [slug for slug in listed if slug.endswith(".ko")]
    assert len([note for note in stats.entries(library.notes) if note.date == dt.date(2021, 8, 5)]) == 6
    assert [note.slug for note in search.search(library.notes, "기울기 소실")] == \
        [note.slug for note in search.search(library.notes, "vanishing gradient")]
    found = search.search(library.notes, "포화된")  # no glossary term: found in the Korean side
    assert DAY + "rnn-first-steps" in [note.slug for note in found]
    deck = build_deck(library)
    assert all(not card.note_path.endswith(".ko.md") for card in deck.cards)
    assert len({card.id for card in deck.cards}) == len(deck.cards)


def test_the_side_in_a_language_and_the_listed_side(tmp_path: Path):
    library = load_library(SHIPPED_NOTES)
    english = library.by_slug[DAY + "cnn-first-steps"]
    assert library.in_language(english, "ko").title == "CNN 첫걸음"
    assert library.in_language(english, "en") is english
    assert library.primary(DAY + "cnn-first-steps.ko") == english.slug
    assert library.primary("not-a-note") == "not-a-note"


def test_a_one_sided_translation_link_is_not_a_pair(tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntitle: A\nlang: en\ntranslation: b\n---\nalpha\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ntitle: B\nlang: ko\n---\n베타\n", encoding="utf-8")
    library = notes_lib.load_library(tmp_path)
    assert [note.slug for note in library.notes] == ["a", "b"] and library.translations == {}


def test_every_template_has_a_korean_twin_with_korean_headings():
    day = dt.date(2021, 8, 6)
    assert [t.key for t in templates.KO_TEMPLATES] == [t.key for t in templates.TEMPLATES]
    for template in templates.TEMPLATES:
        english = templates.new_entry(template.key, day)
        korean = templates.new_entry(template.key, day, lang="ko")
        assert korean.type == english.type and korean.tags == english.tags
        headings = [line for line in korean.body.splitlines() if line.startswith("## ")]
        assert headings and len(headings) == len([line for line in english.body.splitlines() if line.startswith("## ")])
        if template.key == "retrospective":
            assert headings[1:] == ["## Keep", "## Problem", "## Try"]
        else:
            assert all(any("\uac00" <= char <= "\ud7a3" for char in heading) for heading in headings), headings
    assert templates.template("til", "fr") is templates.BY_KEY["til"]


def test_the_korean_retrospective_carries_over_open_try_items():
    library = load_library(SHIPPED_NOTES)
    draft = templates.new_entry("retrospective", dt.date(2021, 8, 6), library.notes, lang="ko")
    assert "에서 이어 온 항목:" in draft.body and "- [ ] Do today's quiz." in draft.body
