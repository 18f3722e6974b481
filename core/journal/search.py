"""Filtering and full-text search over the notes library.

Matching is case-insensitive (Unicode casefold), so Korean, accented and Latin text all work;
every whitespace-separated term of a query must appear in the title, the tags or the body. A term
that names a glossary entry (core.journal.glossary) also matches its translation, so 역전파 finds
a note that says backpropagation and the reverse (`expanded_terms`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from core.journal import glossary
from core.journal.notes import Note
from core.journal.plaintext import plain_text

SNIPPET_RADIUS = 60


@dataclass(frozen=True)
class Hit:
    """A note that matched, with a snippet as (text, is_match) spans in reading order."""

    note: Note
    snippet: tuple[tuple[str, bool], ...]


def query_terms(query: str) -> list[str]:
    """The casefolded terms of a query, duplicates removed."""
    return list(dict.fromkeys(term.casefold() for term in query.split()))


def filter_notes(
    notes: Iterable[Note],
    *,
    types: Iterable[str] = (),
    tags: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[Note]:
    """Notes of any of `types` carrying all `tags`, dated within [start, end] (both inclusive).

    An empty `types` or `tags` does not filter; with a date range, undated notes are left out.
    """
    wanted_types = set(types)
    wanted_tags = {tag.casefold() for tag in tags}
    kept = []
    for note in notes:
        if wanted_types and note.type not in wanted_types:
            continue
        if wanted_tags and not wanted_tags <= {tag.casefold() for tag in note.tags}:
            continue
        if (start or end) and note.date is None:
            continue
        if start and note.date < start:
            continue
        if end and note.date > end:
            continue
        kept.append(note)
    return kept


def expanded_terms(query: str) -> list[tuple[str, ...]]:
    """The query's terms, each with its glossary translations and spellings (casefolded).

    A note matches a group when it contains any one of the group's alternatives; a phrase such
    as "vanishing gradient" is one group. Terms outside the glossary are groups of one.
    """
    return glossary.term_groups(query)


def match_terms(query: str) -> list[str]:
    """Every text that counts as a match of `query`: each term and its glossary alternatives
    (casefolded), longest first, for snippets and highlighting (so 역전파 marks "backpropagation")."""
    alternatives = {term for group in expanded_terms(query) for term in group if term.strip()}
    return sorted(alternatives, key=lambda term: (-len(term), term))


def search(notes: Iterable[Note], query: str) -> list[Note]:
    """Notes whose title, tags or body contain every term of `query` (or a glossary translation
    of it), in the given order. A word the glossary does not translate is also looked for in the
    note's translation (Korean words of a note that has a Korean side); a glossary term is matched
    on the note's own side only, so a query finds the same notes in either language."""
    groups = expanded_terms(query)
    if not groups:
        return list(notes)
    return [note for note in notes
            if all(any(term in note.haystack for term in group)
                   or (len(group) == 1 and group[0] in note.translation_haystack) for group in groups)]


def snippet(note: Note, query: str, radius: int = SNIPPET_RADIUS) -> tuple[tuple[str, bool], ...]:
    """A short plain-text excerpt (markdown, math and link syntax stripped: `plain_text`) around
    the first match (of a term or a glossary translation of it) in the body, else in the title;
    matches flagged."""
    terms = match_terms(query)
    body = plain_text(note.body)
    if not terms:
        return ((_shorten(body, 2 * radius), False),)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    text = body
    first = pattern.search(text)
    if first is None:
        text = note.title
        first = pattern.search(text)
        if first is None:
            return ((_shorten(body, 2 * radius), False),)
    start, end = _word_window(text, max(0, first.start() - radius), min(len(text), first.end() + radius))
    window = text[start:end]
    spans: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            spans.append((window[position:match.start()], False))
        spans.append((match.group(0), True))
        position = match.end()
    if position < len(window):
        spans.append((window[position:], False))
    if end < len(text):
        spans.append(("…", False))
    return tuple(spans)


def hits(notes: Iterable[Note], query: str) -> list[Hit]:
    """`search` plus a snippet for each match."""
    return [Hit(note, snippet(note, query)) for note in search(notes, query)]


def _word_window(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a snippet's edges to the nearest spaces inside it, so no word is cut in half."""
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, end)
        start = space + 1 if space != -1 else start
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width].rstrip() + "…"
