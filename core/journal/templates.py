"""Templates for new journal entries, and the retrospective's carry-over of open Try items.

A template gives a new entry its type, a default title and a markdown skeleton with the
sections that kind of note usually has. Every template exists in English and in Korean (same
keys, Korean headings; the retrospective keeps Keep / Problem / Try, as Korean bootcamps write it);
`new_entry(..., lang="ko")` picks the Korean one. The retrospective template also brings forward the
Try items of the previous retrospective that are not ticked yet (`- [ ] ...` or a plain
`- ...`; ticked `- [x] ...` items stay behind), as a checklist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from core.journal.notes import Note


@dataclass(frozen=True)
class Draft:
    """What the editor starts from: front matter fields and the markdown body."""

    template: str
    title: str
    type: str
    tags: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Template:
    """One kind of entry: `make_body(day, previous_notes)` writes its skeleton."""

    key: str
    label: str
    type: str
    title: str
    tags: tuple[str, ...]
    make_body: Callable[[dt.date, tuple[Note, ...]], str]


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LABEL = re.compile(r"^\*\*([^*]+?)\*\*:?\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s+)?(.*)$")


def _sections(*headings: str) -> str:
    return "\n\n".join(f"## {heading}\n\n- " for heading in headings)


def _section_maker(*headings: str) -> Callable[[dt.date, tuple[Note, ...]], str]:
    return lambda day, notes: _sections(*headings)


def _til(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("What I learned", "How I would explain it", "Questions I still have", "Links")


def _lecture(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("Summary", "Key ideas", "Formulas", "Examples", "Questions to follow up")


def _assignment(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("The task", "My approach", "What I found", "Where I got stuck", "Tests and results")


def _peer_session(day: dt.date, notes: tuple[Note, ...]) -> str:
    return (
        "## Attendees\n\n- \n\n"
        "## Agenda\n\n1. \n\n"
        "## Discussion\n\n- \n\n"
        "## Decisions\n\n- \n\n"
        "## Action items\n\n- [ ] who: what, by when"
    )


def _masterclass(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("Speaker and topic", "Key messages", "Quotes worth keeping", "How I will apply it")


def _retrospective(day: dt.date, notes: tuple[Note, ...], korean: bool = False) -> str:
    opening = "오늘 하루" if korean else "How the day went"
    body = f"## {opening}\n\n\n\n## Keep\n\n- \n\n## Problem\n\n- \n\n## Try\n\n"
    previous = previous_retrospective(notes, day)
    carried = open_try_items(previous.body) if previous else []
    if not carried:
        return body + "- [ ] "
    link = f"[[{previous.slug}|{previous.date.isoformat()}]]"
    carried_line = f"{link}에서 이어 온 항목:" if korean else f"Carried over from {link}:"
    return body + f"{carried_line}\n\n" + "".join(f"- [ ] {item}\n" for item in carried)


def _peer_session_ko(day: dt.date, notes: tuple[Note, ...]) -> str:
    return (
        "## 참석자\n\n- \n\n"
        "## 안건\n\n1. \n\n"
        "## 논의\n\n- \n\n"
        "## 결정 사항\n\n- \n\n"
        "## 할 일\n\n- [ ] 누가: 무엇을, 언제까지"
    )


TEMPLATES: tuple[Template, ...] = (
    Template("til", "Daily TIL", "til", "Today I learned", ("til",), _til),
    Template("lecture", "Lecture note", "lecture", "", (), _lecture),
    Template("assignment", "Assignment", "assignment", "", ("assignment",), _assignment),
    Template("peer-session", "Peer-session minutes", "peer-session", "Peer session", ("peer-session",), _peer_session),
    Template("retrospective", "Retrospective (Keep / Problem / Try)", "retrospective", "Daily retrospective",
             ("retrospective",), _retrospective),
    Template("masterclass", "Master-class notes", "masterclass", "", ("masterclass",), _masterclass),
)
BY_KEY = {template.key: template for template in TEMPLATES}
# The same templates in Korean, key for key.
KO_TEMPLATES: tuple[Template, ...] = (
    Template("til", "오늘 배운 것 (TIL)", "til", "오늘 배운 것", ("til",),
             _section_maker("오늘 배운 것", "내 말로 설명하기", "아직 남은 질문", "링크")),
    Template("lecture", "강의 노트", "lecture", "", (),
             _section_maker("요약", "핵심 개념", "수식", "예시", "더 알아볼 질문")),
    Template("assignment", "과제", "assignment", "", ("assignment",),
             _section_maker("과제 내용", "접근 방법", "알게 된 것", "막힌 부분", "테스트와 결과")),
    Template("peer-session", "피어세션 회의록", "peer-session", "피어세션", ("peer-session",), _peer_session_ko),
    Template("retrospective", "회고 (Keep / Problem / Try)", "retrospective", "오늘의 회고",
             ("retrospective",), lambda day, notes: _retrospective(day, notes, korean=True)),
    Template("masterclass", "마스터클래스 노트", "masterclass", "", ("masterclass",),
             _section_maker("연사와 주제", "핵심 메시지", "기억할 말", "어떻게 적용할지")),
)
KO_BY_KEY = {template.key: template for template in KO_TEMPLATES}
BY_LANGUAGE = {"en": BY_KEY, "ko": KO_BY_KEY}


def template(key: str, lang: str = "en") -> Template:
    """Template `key` in `lang` (English when the language has none)."""
    return BY_LANGUAGE.get(lang, BY_KEY)[key]


def new_entry(key: str, day: dt.date, notes: Iterable[Note] = (), lang: str = "en") -> Draft:
    """A new entry from template `key` dated `day`, in `lang`; `notes` (the library) feeds the carry-over."""
    chosen = template(key, lang)
    body = chosen.make_body(day, tuple(notes))
    return Draft(chosen.key, chosen.title, chosen.type, chosen.tags, body.rstrip(" ") + "\n")


def previous_retrospective(notes: Iterable[Note], day: dt.date) -> Note | None:
    """The latest retrospective dated before `day` (yesterday's, or the last one before a break)."""
    earlier = [note for note in notes if note.type == "retrospective" and note.date is not None and note.date < day]
    return max(earlier, key=lambda note: (note.date, note.path), default=None)


def open_try_items(body: str) -> list[str]:
    """The not-yet-ticked list items under a 'Try' heading (or a '**Try**' label line).

    A Try section runs to the next heading of the same or a higher level (or the next bold
    label). Items can wrap over indented lines; `- [x]` items are done and left out.
    """
    items = [text for checkbox, text in _list_items(_try_section_lines(body)) if checkbox in (None, " ") and text]
    return list(dict.fromkeys(items))


def _try_section_lines(body: str) -> list[str | None]:
    """The lines inside Try sections; None where a heading or label ends the previous item."""
    lines: list[str | None] = []
    in_try, try_level = False, 0
    for line in body.split("\n"):
        heading, label = _HEADING.match(line), _BOLD_LABEL.match(line.strip())
        if heading is None and label is None:
            if in_try:
                lines.append(line)
            continue
        level = len(heading.group(1)) if heading else 7
        words = re.findall(r"\w+", (heading.group(2) if heading else label.group(1)).casefold())
        if words[:1] == ["try"]:
            in_try, try_level = True, level
        elif in_try and level <= try_level:
            in_try = False
        lines.append(None)
    return lines


def _list_items(lines: list[str | None]) -> Iterator[tuple[str | None, str]]:
    """(checkbox mark or None, item text with wrapped lines joined) for each list item."""
    checkbox, parts = None, None
    for line in lines:
        item = _ITEM.match(line) if line is not None else None
        if item:
            if parts is not None:
                yield checkbox, " ".join(parts).strip()
            checkbox, parts = item.group(2), [item.group(3).strip()]
        elif line is not None and parts is not None and (not line.strip() or line[:1].isspace()):
            parts.append(line.strip())
        elif parts is not None:
            yield checkbox, " ".join(parts).strip()
            parts = None
    if parts is not None:
        yield checkbox, " ".join(parts).strip()


def todays_entry(notes: Iterable[Note], day: dt.date) -> Note | None:
    """Today's TIL if one exists (the first by path, when there are several)."""
    todays = [note for note in notes if note.type == "til" and note.date == day]
    return min(todays, key=lambda note: note.path, default=None)
