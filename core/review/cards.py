"""Review cards written inside notes, read from a note's body (the note loader never needs them).

Three kinds of card, all plain markdown that still reads well in any other editor::

    Q: A 28×28 input, a 5×5 kernel, stride 1, no padding: what is the output size?
    A: 24×24, because $28 - 5 + 1 = 24$.

    ```quiz
    question: What happens to $\\partial L / \\partial S_0$ when $|w_{rec}| < 1$ and $T$ grows?
    choices:
    - it vanishes
    - it explodes
    - it stays the same
    answer: it vanishes
    ```

    ```practice
    generator: conv-output-size
    ```

- A `Q:` line (more question lines may follow) must be followed directly by an `A:` line; the
  answer runs on until a blank line, a heading, a fence or the next `Q:`.
- A `quiz` block has `question:`, `answer:` and optional `choices:` fields (choices as `- ` list
  lines, one of them the answer); a field runs on until the next one. Plain text, not YAML, so
  colons, `#` and math read as written.
- A `practice` block names a problem generator of the labs (`core.practice`); its question is
  new every time, so the card is the generator.

Every note is also a card as a whole (kind "note"), so it can be reviewed on a schedule.

A card's id comes from its question with whitespace and markdown emphasis (`*`, `_`, `` ` ``,
`~`) removed, after Unicode NFKC: re-wrapping or re-formatting a question keeps its review
history, changing a word starts a new card. Practice cards are `practice:<generator>`, note
cards `note:<path>`.

A malformed card (a `Q:` without an `A:`, a quiz without an answer, an unclosed block) is a
`Problem` of kind "card" with its line in the file; the note itself still loads. Its reason is in
the interface language of the moment it is read (core.messages), so a page shows problems read
in its own language (ui.review.journal_problems).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Collection, Iterable

from core.journal import notes as notes_lib
from core.journal.notes import Library, LineError, Note, Problem
from core.messages import N_, _

BLOCK_KINDS = ("quiz", "practice")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)")
_QUESTION = re.compile(r"^ {0,3}Q:(?:\s|$)(.*)$")
_ANSWER = re.compile(r"^ {0,3}A:(?:\s|$)(.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_IGNORED_IN_ID = re.compile(r"[\s*_`~]+")
_GENERATOR_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_QUIZ_FIELD = re.compile(r"^\s*(question|answer|choices)\s*:[ \t]?(.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*[-*+]\s+(.*)$")
_PRACTICE_FIELD = re.compile(r"^generator\s*:\s*(.*)$")


class CardError(LineError):
    """A card that cannot be read; `line` is 1-based inside the text that was parsed, or None."""


@dataclass(frozen=True)
class Card:
    """One thing to review, linked to its note.

    kind: "card" (Q:/A:), "quiz", "practice" (generator named in `generator`) or "note".
    question/answer: markdown (math included); a practice card's question is its generator's
    title and its answer is empty; a note card's question is the note's title.
    line: 1-based line in the note's file where the card starts (None for a note card).
    """

    id: str
    kind: str
    question: str
    answer: str
    note_path: str
    note_slug: str
    note_title: str
    line: int | None = None
    choices: tuple[str, ...] = ()
    generator: str | None = None


@dataclass(frozen=True)
class Block:
    """A piece of a note body for rendering: plain markdown, or a fenced quiz/practice block.

    text: the markdown, or the block's content without its fences. line: 1-based body line of
    the segment's first line (the opening fence for a block). closed: False for a block whose
    closing fence is missing (it then runs to the end of the note, as in CommonMark).
    """

    kind: str
    text: str
    line: int
    closed: bool = True


@dataclass(frozen=True)
class Quiz:
    question: str
    answer: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deck:
    """Every card of a library, each id once, in study order (oldest note first, then by line).

    problems: practice blocks naming an unknown generator (known only once the labs' generators
    are given to `build_deck`); malformed cards are in the library's problem list already.
    """

    cards: tuple[Card, ...]
    problems: tuple[Problem, ...]
    by_id: dict[str, Card] = field(default_factory=dict, compare=False)
    note_dates: dict[str, dt.date | None] = field(default_factory=dict, compare=False)

    def of_kind(self, *kinds: str) -> list[Card]:
        return [card for card in self.cards if card.kind in kinds]


def card_id(question: str) -> str:
    """The id of a Q:/A: or quiz card: `q-` and 16 hex digits of SHA-256 over the question with
    whitespace and emphasis markers removed (NFKC first)."""
    key = _IGNORED_IN_ID.sub("", unicodedata.normalize("NFKC", question))
    return "q-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def practice_card_id(generator: str) -> str:
    return f"practice:{generator}"


def note_card_id(note_path: str) -> str:
    return f"note:{note_path}"


def split_blocks(body: str, kinds: Collection[str] = BLOCK_KINDS) -> list[Block]:
    """The body as markdown segments and fenced blocks of `kinds` (quiz and practice by default;
    the Notes page adds live `lab` blocks), in order; other fences stay markdown."""
    lines = body.split("\n")
    segments: list[Block] = []
    start = index = 0
    while index < len(lines):
        fence = _FENCE_OPEN.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = _fence_end(lines, index, fence.group(1))
        if fence.group(2) in kinds:
            if index > start:
                segments.append(Block("markdown", "\n".join(lines[start:index]), start + 1))
            segments.append(Block(fence.group(2), "\n".join(lines[index + 1:end]), index + 1, end < len(lines)))
            start = end + 1
        index = end + 1
    if start < len(lines):
        segments.append(Block("markdown", "\n".join(lines[start:]), start + 1))
    return segments


def mark_cards(markdown: str) -> str:
    """Markdown with its Q:/A: cards made readable: bold markers, and the answer on a line of its
    own (a hard line break before it) instead of running on in the question's paragraph.
    Fenced code is left as it is."""
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        fence = _FENCE_OPEN.match(lines[index])
        if fence is not None:
            index = _fence_end(lines, index, fence.group(1)) + 1
            continue
        for pattern, marker in ((_QUESTION, "Q:"), (_ANSWER, "A:")):
            match = pattern.match(lines[index])
            if match:
                lines[index] = f"**{marker}** {match.group(1)}"
                if marker == "A:" and index and lines[index - 1].strip():
                    lines[index - 1] += "\\"
        index += 1
    return "\n".join(lines)


def _fence_end(lines: list[str], opening: int, marker: str) -> int:
    """Index of the line closing the fence opened at `opening`, or len(lines) when it never closes."""
    closer = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    return next((i for i in range(opening + 1, len(lines)) if closer.match(lines[i])), len(lines))


def parse_quiz(content: str) -> Quiz:
    """A quiz block's content or CardError (its `line` counts from the block's first content line).

    `question:`, `answer:` and `choices:` start a field (in any order, each once); the lines after
    one, up to the next field, continue it. Choices are list lines (`- 24×24`) and must include
    the answer. No YAML, so any text (colons, `#`, `[`, math) reads as written.
    """
    fields: dict[str, list[str]] = {}
    current = None
    for number, line in enumerate(content.split("\n"), start=1):
        match = _QUIZ_FIELD.match(line)
        if match:
            current = match.group(1).lower()
            if current in fields:
                raise CardError(_("quiz block has a second '{field}:' line").format(field=current), number)
            fields[current] = [match.group(2)]
        elif current is not None:
            fields[current].append(line)
        elif line.strip():
            raise CardError(_("quiz block must start with a 'question:' line"), number)
    question, answer = ("\n".join(fields.get(key, [])).strip() for key in ("question", "answer"))
    if not question:
        raise CardError(_("quiz block has no question (a 'question:' line)"))
    if not answer:
        raise CardError(_("quiz block has no answer (an 'answer:' line)"))
    if "choices" not in fields:
        return Quiz(question, answer)
    choices = tuple(_choices(fields["choices"]))
    if len(choices) < 2:
        raise CardError(_("quiz choices need at least two '- choice' lines under 'choices:'"))
    if answer not in choices:
        raise CardError(_("quiz answer '{answer}' is not one of its choices").format(answer=answer))
    return Quiz(question, answer, choices)


def _choices(lines: list[str]) -> list[str]:
    if lines[0].strip():
        raise CardError(_("put each choice on its own line under 'choices:', starting with '- '"))
    choices = []
    for line in lines[1:]:
        if not line.strip():
            continue
        item = _LIST_ITEM.match(line)
        if item is None:
            raise CardError(_("'{line}' is not a choice line ('- choice')").format(line=line.strip()))
        choices.append(item.group(1).strip())
    return choices


def parse_practice(content: str) -> str:
    """A practice block's generator name (`generator: conv-output-size`) or CardError."""
    lines = [line.strip() for line in content.split("\n") if line.strip()]
    match = _PRACTICE_FIELD.match(lines[0]) if len(lines) == 1 else None
    if match is None:
        raise CardError(_("practice block must be one line 'generator: <name>', e.g. 'generator: conv-output-size'"), 1)
    name = match.group(1).strip()
    if not _GENERATOR_NAME.match(name):
        raise CardError(_("practice generator '{name}' is not a name (lower-case letters, digits and '-')").format(
            name=name), 1)
    return name


def parse_cards(note: Note) -> tuple[list[Card], list[Problem]]:
    """The Q:/A:, quiz and practice cards of one note, and the malformed ones as Problems.

    Never raises for the note's content. Q:/A: lines inside fenced code are not cards.
    """
    reader = _CardReader(note)
    reader.read()
    return reader.cards, reader.problems


class _CardReader:
    """One pass over a note body; `line_of(i)` turns a body index into a file line."""

    def __init__(self, note: Note):
        self.note = note
        self.lines = note.body.split("\n")
        self.cards: list[Card] = []
        self.problems: list[Problem] = []
        self._said: dict[str, str] = {}

    def line_of(self, index: int) -> int:
        return self.note.body_line + index

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            fence = _FENCE_OPEN.match(line)
            if fence is not None:
                end = _fence_end(self.lines, index, fence.group(1))
                if fence.group(2) in BLOCK_KINDS:
                    self._block(fence.group(2), index, end)
                index = end + 1
            elif _QUESTION.match(line):
                index = self._question(index)
            elif _ANSWER.match(line):
                self._problem(self._text(N_("an 'A:' line with no 'Q:' line right above it; the card is skipped")),
                              index)
                index = self._skip_answer(index + 1)
            else:
                index += 1

    def _text(self, message: str) -> str:
        """`message` (marked with N_) in the interface language, looked up once per note: a body
        may hold thousands of malformed cards, and each lookup checks the catalogue file."""
        if message not in self._said:
            self._said[message] = _(message)
        return self._said[message]

    def _problem(self, reason: str, index: int | None) -> None:
        line = self.line_of(index) if index is not None else None
        self.problems.append(Problem(self.note.path, self._text(N_("review card: {reason}")).format(reason=reason),
                                     line, kind="card"))

    def _card(self, card_id_: str, kind: str, question: str, answer: str, index: int, **extra) -> None:
        self.cards.append(Card(card_id_, kind, question, answer, self.note.path, self.note.slug, self.note.title,
                               self.line_of(index), **extra))

    def _question(self, index: int) -> int:
        question = [_QUESTION.match(self.lines[index]).group(1).strip()]
        cursor = index + 1
        while cursor < len(self.lines) and _continues(self.lines[cursor]):
            question.append(self.lines[cursor].strip())
            cursor += 1
        if cursor >= len(self.lines) or not _ANSWER.match(self.lines[cursor]):
            self._problem(self._text(N_("a 'Q:' card without an 'A:' line (the answer must follow the question "
                                        "directly); the card is skipped")), index)
            return cursor
        answer = [_ANSWER.match(self.lines[cursor]).group(1).strip()]
        end = self._skip_answer(cursor + 1)
        answer += [line.rstrip() for line in self.lines[cursor + 1:end]]
        question_text, answer_text = "\n".join(question).strip(), "\n".join(answer).strip()
        if not question_text:
            self._problem(self._text(N_("a 'Q:' line with no question after it; the card is skipped")), index)
        elif not answer_text:
            self._problem(self._text(N_("an 'A:' line with no answer after it; the card is skipped")), cursor)
        else:
            self._card(card_id(question_text), "card", question_text, answer_text, index)
        return end

    def _skip_answer(self, index: int) -> int:
        while index < len(self.lines) and _continues(self.lines[index]):
            index += 1
        return index

    def _block(self, kind: str, opening: int, end: int) -> None:
        if end >= len(self.lines):
            unclosed = (N_("the quiz block is never closed (add a closing fence); the card is skipped")
                        if kind == "quiz" else
                        N_("the practice block is never closed (add a closing fence); the card is skipped"))
            self._problem(self._text(unclosed), opening)
            return
        content = "\n".join(self.lines[opening + 1:end])
        try:
            if kind == "quiz":
                quiz = parse_quiz(content)
                self._card(card_id(quiz.question), "quiz", quiz.question, quiz.answer, opening, choices=quiz.choices)
            else:
                name = parse_practice(content)
                self._card(practice_card_id(name), "practice", name, "", opening, generator=name)
        except CardError as err:
            self._problem(self._text(N_("{reason}; the card is skipped")).format(reason=err.reason),
                          opening + (err.line or 0))


def _continues(line: str) -> bool:
    """True when `line` carries on the current question or answer paragraph."""
    return bool(line.strip()) and not (
        _FENCE_OPEN.match(line) or _HEADING.match(line) or _QUESTION.match(line) or _ANSWER.match(line)
    )


def card_problems(notes: Iterable[Note]) -> list[Problem]:
    """The malformed cards of every note (`with_card_problems` adds them to a library's problems)."""
    problems: list[Problem] = []
    for note in notes:
        try:
            problems.extend(parse_cards(note)[1])
        except Exception as err:  # a strange body must never stop the journal from loading
            problems.append(Problem(note.path, _("review cards could not be read ({error})").format(
                error=type(err).__name__), kind="card"))
    return problems


def with_card_problems(library: Library) -> Library:
    """`library` with the malformed cards of its notes added to its problems (the notes library
    itself knows nothing of cards; the review package reads them)."""
    problems = tuple(sorted((*library.problems, *card_problems(library.notes)), key=lambda p: p.file))
    return replace(library, problems=problems)


def load_library(folder: Path) -> Library:
    """The notes library of `folder` (see core.journal.notes.load_library), its malformed review
    cards among its problems: what the app shows."""
    return with_card_problems(notes_lib.load_library(folder))


def build_deck(library: Library, known_generators: Collection[str] | None = None) -> Deck:
    """Every card of the library: per note (oldest first; sync conflict copies left out), the note
    itself, then its cards by line.

    A card id seen before (the same question in two places) keeps its first place. With
    `known_generators`, a practice block naming another generator becomes a problem instead.
    """
    # A sync conflict copy repeats its note's cards (same ids) until it is resolved: not part of the deck.
    entries = [note for note in library.notes if note.conflict_of is None]
    ordered = sorted(entries, key=lambda note: (note.date is None, note.date or dt.date.min, note.path))
    cards: dict[str, Card] = {}
    problems: list[Problem] = []
    for note in ordered:
        note_card = Card(note_card_id(note.path), "note", note.title, "", note.path, note.slug, note.title)
        cards.setdefault(note_card.id, note_card)
        try:
            found, _malformed = parse_cards(note)
        except Exception:  # already reported by card_problems when the library loaded
            continue
        for card in found:
            if known_generators is not None and card.kind == "practice" and card.generator not in known_generators:
                known = ", ".join(sorted(known_generators))
                problems.append(Problem(note.path, _("review card: unknown practice generator '{name}' "
                                                     "(known: {known})").format(name=card.generator, known=known),
                                        card.line, kind="card"))
                continue
            cards.setdefault(card.id, card)
    return Deck(tuple(cards.values()), tuple(problems), by_id=cards,
                note_dates={note.path: note.date for note in ordered})
