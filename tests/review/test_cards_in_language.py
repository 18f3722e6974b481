"""A translation pair is one note: its cards are reviewed once, and shown in the reader's language."""

from __future__ import annotations

from core.review import cards
from tests.conftest import SHIPPED_NOTES


def shipped_deck():
    library = cards.load_library(SHIPPED_NOTES)
    return library, cards.build_deck(library)


def test_a_card_of_a_translated_note_is_worded_by_the_korean_side_and_keeps_its_id():
    library, deck = shipped_deck()
    paired = [card for card in deck.cards if card.note_slug in library.translations and card.kind in ("card", "quiz")]
    assert paired, "the shipped day has cards in translated notes"
    for card in paired:
        shown = cards.in_language(card, library, "ko")
        korean = library.by_slug[library.translations[card.note_slug]]
        assert (shown.id, shown.note_path, shown.note_slug, shown.kind) == (card.id, card.note_path, card.note_slug,
                                                                            card.kind)
        assert shown.question != card.question and shown.question in korean.body
        if card.choices:
            assert shown.answer in shown.choices and len(shown.choices) == len(card.choices)
        assert cards.in_language(card, library, "en") == card


def test_cards_of_an_untranslated_note_and_practice_cards_stay_as_they_are():
    library, deck = shipped_deck()
    for card in deck.cards:
        if card.note_slug not in library.translations or card.kind in ("practice", "note"):
            assert cards.in_language(card, library, "ko") is card
