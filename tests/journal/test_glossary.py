"""The Korean-English glossary (core.journal.glossary) and search across languages: every shipped
note is found by its Korean and by its English terms, and a note written in Korean by English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.journal import glossary, search
from core.journal.notes import load_library, parse_note

SHIPPED = load_library(Path(__file__).resolve().parents[2] / "notes").notes
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KOREAN_NOTE = parse_note("""---
title: 합성곱 복습
type: til
tags: [합성곱]
---
# 합성곱 복습

커널을 입력 위에서 움직이며 곱하고 더한다. 역전파에서는 upstream gradient 와 뒤집은 커널의 합성곱이 나온다.
RNN 에서는 기울기 소실 때문에 먼 과거의 정보를 배우기 어렵다. 잠재변수로 과거를 요약한다.
""".encode(), "korean.md")


def slugs(notes, query):
    return {note.slug for note in search.search(notes, query)}


def test_the_glossary_is_well_formed():
    koreans = [term.korean for term in glossary.GLOSSARY]
    assert len(koreans) == len(set(koreans)), "each Korean term once"
    for term in glossary.GLOSSARY:
        assert HANGUL.search(term.korean), term
        assert not HANGUL.search(term.english), term
        assert term.topic in glossary.TOPICS
    # the terms the issue names are all there, with the English a reviewer expects
    expected = {"합성곱": "convolution", "커널": "kernel", "역전파": "backpropagation",
                "기울기 소실": "vanishing gradient", "잠재변수": "latent variable",
                "자기회귀모델": "autoregressive model"}
    by_korean = {term.korean: term.english for term in glossary.GLOSSARY}
    assert {korean: by_korean[korean] for korean in expected} == expected
    frame = glossary.table()
    assert len(frame) == len(glossary.GLOSSARY) and list(frame.columns)[:2] == ["한국어", "English"]


def _present(note, form: str) -> bool:
    return form.casefold() in note.haystack


@pytest.mark.parametrize("note", SHIPPED, ids=lambda note: note.slug)
def test_every_shipped_note_is_found_by_its_terms_in_both_languages(note):
    english_hits = korean_hits = 0
    for term in glossary.GLOSSARY:
        english_forms = [form for form in term.forms if not HANGUL.search(form) and len(form) >= 3]
        if any(_present(note, form) for form in english_forms):
            assert note.slug in slugs(SHIPPED, term.korean), (term.korean, note.slug)
            korean_hits += not _present(note, term.korean)
        if _present(note, term.korean):
            assert note.slug in slugs(SHIPPED, term.english), (term.english, note.slug)
            english_hits += not _present(note, term.english)
    assert korean_hits >= 3, "the note is found by Korean terms it never writes"
    for term in ("역전파", "합성곱", "커널", "기울기 소실", "잠재변수", "자기회귀모델"):
        english = next(t.english for t in glossary.GLOSSARY if t.korean == term)
        if _present(note, english):
            assert note.slug in slugs(SHIPPED, term)


def test_korean_queries_find_the_english_notes():
    assert slugs(SHIPPED, "역전파") >= {"2021-08-05-cnn-first-steps", "2021-08-05-bptt-linear-rnn"}
    assert "2021-08-05-rnn-first-steps" in slugs(SHIPPED, "자기회귀모델")
    assert "2021-08-05-rnn-first-steps" in slugs(SHIPPED, "잠재변수")
    assert "2021-08-05-mentor-meeting" in slugs(SHIPPED, "멘토 회의록")
    assert "2021-08-05-masterclass-ai-and-math" in slugs(SHIPPED, "선형대수")
    assert "2021-08-05-retrospective" in slugs(SHIPPED, "회고")


def test_english_queries_find_a_note_written_in_korean():
    notes = [*SHIPPED, KOREAN_NOTE]
    for query in ("backpropagation", "convolution", "kernel", "vanishing gradient", "latent variable",
                  "Vanishing-Gradient", "kernels"):
        assert "korean" in slugs(notes, query), query
    assert "korean" not in slugs(notes, "exploding gradient")
    assert slugs(notes, "transformer") == set()


def test_phrases_particles_and_plain_words():
    assert glossary.term_groups("vanishing gradient")[0][:2] == ("vanishing gradient", "기울기 소실")
    assert "역전파" in glossary.term_groups("역전파를")[0]
    assert "kernel" in glossary.term_groups("커널의")[0]
    assert glossary.term_groups("transformer") == [("transformer",)]
    assert glossary.term_groups("kernel kernel") == glossary.term_groups("kernel")
    assert glossary.term_groups("") == []
    # short spellings never become alternatives ("AI" would match inside "said")
    assert all(len(alt) >= 3 or HANGUL.search(alt) for term in glossary.GLOSSARY
               for alt in glossary.lookup(term.korean))
    # every term still requires itself: two glossary words need both
    assert slugs(SHIPPED, "커널 멘토") == set()


def test_terms_the_source_uses_are_translated_as_the_source_means_them():
    by_korean = {term.korean: term for term in glossary.GLOSSARY}
    assert "학석박" not in by_korean["학사"].forms, "학석박 is the three degrees together, not a spelling of 학사"
    assert by_korean["학석박"].english == "bachelor's, master's and PhD degrees"
    assert by_korean["정보 추출"].english == "extracting information", "not the NLP task information extraction"
    assert "information extraction" not in [form.casefold() for form in by_korean["정보 추출"].forms]
