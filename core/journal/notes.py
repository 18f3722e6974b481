"""The notes library: markdown files with YAML front matter, loaded so that a bad file never
stops the load.

A note on disk::

    ---
    title: CNN first steps
    date: 2021-08-05
    type: lecture
    tags: [cnn, convolution]
    ---
    # CNN first steps
    ...

`parse_note` turns the bytes of one file into a `Note` or raises `NoteError` with a reason a
student understands (and the line, where known). `load_library` walks a notes folder and
collects every good note and every problem; it never raises for a file's content.

The library is parsed once and shared by every session, whatever its language, so the reasons
(a note's warnings, a file's problem) are kept language-neutral, as `core.messages.Message`s
(msgid and values), and put into words where they are read: `Note.warnings`, `Problem.reason`
and `NoteError.reason` give them in the reading thread's language.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from core.journal import files
from core.journal.dayorder import in_journal_order, in_reading_order
from core.messages import N_, Message, _

NOTE_TYPES = ("lecture", "assignment", "peer-session", "masterclass", "retrospective", "til", "experiment")
# A type as the interface names it (the front matter keeps the English word).
TYPE_NAMES = {"lecture": N_("lecture"), "assignment": N_("assignment"), "peer-session": N_("peer-session"),
              "masterclass": N_("masterclass"), "retrospective": N_("retrospective"), "til": N_("til"),
              "experiment": N_("experiment")}
DEFAULT_TYPE = "til"
MAX_NOTE_BYTES = 1_000_000
# Front matter is a few plain values and short lists; anything nested deeper is refused, so a
# note's values can always be compared, copied and pickled (a cache) without deep recursion.
MAX_FRONT_MATTER_DEPTH = 16
NOTES_DIR_ENV = "STUDYLAB_NOTES_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The C-accelerated loader when PyYAML has libyaml: the same safe constructor as yaml.safe_load
# (plain values only, no Python objects), about ten times faster on a large journal.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = "---"
_FENCE_CLOSERS = ("---", "...")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_DATE_IN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")
WIKILINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")
# A wikilink broken over two lines by re-wrapping a paragraph: WIKILINK never matches it, so it
# would show as raw brackets.
SPLIT_WIKILINK = re.compile(r"\[\[[^\[\]\n]*\n[^\[\]\n]*\]\]")
_CODE_FENCE = re.compile(r"^ {0,3}(```|~~~)")
# A git sync that finds a note changed on two machines keeps the other machine's text of `x.md`
# beside it as `x.conflict-<8 hex>.md` (core.sync) until the student resolves it. The copy
# loads as a note so it can be read, but it is not an entry of its own: stats, recent entries and
# the review deck leave it out. Defined here so they need not import the sync package.
CONFLICT_MARK = ".conflict-"
CANNOT_BE_READ = N_("cannot be read: {error}")


class LineError(ValueError):
    """A problem in a text, said for the student at 1-based `line`, or None: `message` as given
    (a Message stays language-neutral), `reason` in the reading thread's language."""

    def __init__(self, reason: str | Message, line: int | None = None):
        super().__init__(reason)
        self.message = reason
        self.line = line

    @property
    def reason(self) -> str:
        return str(self.message)


class NoteError(LineError):
    """A file that cannot be read as a note. `line` is 1-based in the file, or None."""


@dataclass(frozen=True)
class Note:
    """One journal entry. `path` is the posix path relative to the notes folder."""

    slug: str
    path: str
    title: str
    date: dt.date | None
    type: str
    tags: tuple[str, ...]
    body: str
    course: str | None = None
    week: int | None = None
    day: int | None = None
    labs: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # What is wrong in the front matter, language-neutral (shared by every session): `warnings`.
    notices: tuple[Message, ...] = ()
    links: tuple[str, ...] = ()
    haystack: str = field(default="", compare=False, repr=False)
    # For the listed side of a translation pair: the other side's haystack, so search finds the
    # pair by the words of either language (Library.translations).
    translation_haystack: str = field(default="", compare=False, repr=False)
    body_line: int = 1

    @property
    def warnings(self) -> tuple[str, ...]:
        """What is wrong in the note's front matter, in the reading thread's language."""
        return tuple(str(notice) for notice in self.notices)

    @property
    def conflict_of(self) -> str | None:
        """For a sync conflict copy, the path of the note it belongs to; else None."""
        return conflict_original(self.path)


@dataclass(frozen=True)
class Problem:
    """A file in the notes folder that could not be loaded, and why.

    `kind` is "file" when the file did not load, "card" when the note loaded but one of its
    review cards is malformed (core.review.cards). `message` is the reason as given (a Message
    stays language-neutral in the shared library), `reason` the reason in the reading thread's
    language.
    """

    file: str
    message: str | Message
    line: int | None = None
    kind: str = "file"

    @property
    def reason(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Library:
    """Every note (newest first) and every problem of one notes folder."""

    notes: tuple[Note, ...]
    problems: tuple[Problem, ...]
    by_slug: dict[str, Note]
    backlinks: dict[str, tuple[str, ...]]
    # A translation pair (two notes naming each other in `translation:`) is one entry: `notes`
    # holds its primary side (see `_primary`), `by_slug` both; each side's slug maps to the other's.
    translations: dict[str, str] = field(default_factory=dict)

    def primary(self, slug: str) -> str:
        """The slug of the side of `slug`'s pair that is in `notes` (`slug` itself when unpaired)."""
        other = self.translations.get(slug)
        return other if other is not None and not _primary(self.by_slug[slug], self.by_slug[other]) else slug

    def in_language(self, note: Note, lang: str) -> Note:
        """The side of `note`'s pair written in `lang` (`note` itself when it has no such translation)."""
        other = self.by_slug.get(self.translations.get(note.slug, ""))
        if other is not None and note_language(note) != lang and note_language(other) == lang:
            return other
        return note

    def neighbours(self, slug: str) -> tuple[Note | None, Note | None]:
        """(previous, next) note around `slug` in reading order (by day, each day in its order)."""
        ordered = in_reading_order(self.notes)
        index = next((i for i, n in enumerate(ordered) if n.slug == slug), None)
        if index is None:
            return None, None
        previous = ordered[index - 1] if index > 0 else None
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        return previous, following


def type_name(note_type: str) -> str:
    """A note type as the interface shows it ("lecture" -> "강의" in Korean); an unknown one as it is."""
    return _(TYPE_NAMES[note_type]) if note_type in TYPE_NAMES else note_type


def note_language(note: Note) -> str | None:
    """The language a note says it is written in (`lang: ko`), lower-case, or None."""
    value = note.meta.get("lang")
    return str(value).strip().lower() or None if isinstance(value, str) else None


def _translation_pairs(by_slug: dict[str, Note]) -> dict[str, str]:
    """Each side of every translation pair -> the other side: two notes that name each other."""
    pairs: dict[str, str] = {}
    for slug, note in by_slug.items():
        other = note.meta.get("translation")
        if isinstance(other, str) and other != slug and other in by_slug \
                and by_slug[other].meta.get("translation") == slug:
            pairs[slug] = other
    return pairs


def _primary(note: Note, other: Note) -> bool:
    """Whether `note` is its pair's listed side: the English one; else the first by path."""
    english = (note_language(note) == "en", note_language(other) == "en")
    if english[0] != english[1]:
        return english[0]
    return note.path < other.path


def conflict_original(rel_path: str) -> str | None:
    """The note a sync conflict copy belongs to (`a/x.conflict-1a2b3c4d.md` -> `a/x.md`), or None
    when `rel_path` is not a conflict copy."""
    name = rel_path.rsplit("/", 1)[-1]
    if CONFLICT_MARK not in name:
        return None
    folder = rel_path[: len(rel_path) - len(name)]
    stem, suffix = os.path.splitext(name)
    return f"{folder}{stem.rsplit(CONFLICT_MARK, 1)[0]}{suffix}"


def notes_dir() -> Path:
    """The notes folder: $STUDYLAB_NOTES_DIR if set, else notes/ next to app.py."""
    configured = os.environ.get(NOTES_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else PROJECT_ROOT / "notes"


def parse_note(data: bytes, rel_path: str) -> Note:
    """Parse one file's bytes into a Note; raise NoteError for anything that is not a note."""
    try:
        return _parse_note(data, rel_path)
    except (RecursionError, OverflowError, MemoryError) as err:
        raise NoteError(Message(N_("front matter is too deeply nested or too large to read ({error})"),
                                error=type(err).__name__)) from None


def _parse_note(data: bytes, rel_path: str) -> Note:
    text = _decode(data)
    meta, body = _split_front_matter(text)
    warnings: list[Message] = []
    slug = Path(rel_path).stem
    note_type = _note_type(meta.get("type"), warnings)
    tags = _string_list(meta.get("tags"), "tags", warnings)
    labs = _string_list(meta.get("labs"), "labs", warnings)
    date = _note_date(meta, slug, text)
    title = _title(meta.get("title"), body, slug, warnings)
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    warnings += [Message(N_("the wikilink on line {line} is split over two lines, so it shows as plain text; "
                            "put it on one line"), line=body_line + line) for line in split_wikilink_lines(body)]
    return Note(
        slug=slug,
        path=rel_path,
        title=title,
        date=date,
        type=note_type,
        tags=tags,
        body=body,
        course=_optional_text(meta.get("course"), "course", warnings),
        week=_optional_int(meta.get("week"), "week", warnings),
        day=_optional_int(meta.get("day"), "day", warnings),
        labs=labs,
        meta=meta,
        notices=tuple(warnings),
        links=tuple(dict.fromkeys(m.group(1).strip() for m in WIKILINK.finditer(body))),
        haystack="\n".join([title, " ".join(tags), body]).casefold(),
        body_line=body_line,
    )


def split_wikilink_lines(body: str) -> list[int]:
    """0-based lines of `body` where a `[[...]]` starts that runs on to the next line (outside
    fenced code, where brackets are code)."""
    in_fence, fenced = False, set()
    for number, line in enumerate(body.split("\n")):
        if _CODE_FENCE.match(line):
            in_fence = not in_fence
            fenced.add(number)
        elif in_fence:
            fenced.add(number)
    starts = (body.count("\n", 0, match.start()) for match in SPLIT_WIKILINK.finditer(body))
    return [line for line in starts if line not in fenced and line + 1 not in fenced]


def _decode(data: bytes) -> str:
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError(Message(N_("file is {size} MB, over the 1 MB limit for a note; split it into smaller notes"),
                                size=f"{len(data) / 1e6:.1f}"))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if not data.strip():
        raise NoteError(Message(N_("file is empty")))
    if b"\x00" in data:
        raise NoteError(
            Message(N_("binary file (it contains NUL bytes), not a markdown note")),
            data[: data.index(b"\x00")].count(b"\n") + 1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise NoteError(
            Message(N_("not UTF-8 text (byte 0x{byte} cannot be decoded); save the file as UTF-8"),
                    byte=f"{data[err.start]:02x}"),
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, markdown body)."""
    lines = text.split("\n")
    if lines[0].rstrip() != _FENCE:
        return {}, text
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _FENCE_CLOSERS), None)
    if closing is None:
        raise NoteError(Message(N_("front matter opened with '---' is never closed: add a '---' line after it")), 1)
    meta = _load_yaml("\n".join(lines[1:closing]))
    body = "\n".join(lines[closing + 1:]).lstrip("\n")
    return meta, body


def _load_yaml(source: str) -> dict[str, Any]:
    try:
        _refuse_aliases(source)
        meta = yaml.load(source, Loader=SAFE_LOADER)
    except NoteError:
        raise
    except yaml.constructor.ConstructorError as err:
        raise NoteError(
            Message(N_("front matter uses a YAML tag that is not allowed ({problem}); notes hold plain values only"),
                    problem=_first_line(err.problem)),
            _yaml_line(err),
        ) from None
    except yaml.YAMLError as err:
        raise NoteError(
            Message(N_("front matter is not valid YAML: {problem}"),
                    problem=yaml_problem(getattr(err, "problem", None) or str(err))),
            _yaml_line(err),
        ) from None
    except ValueError as err:
        raise NoteError(
            Message(N_("front matter has an impossible value: {error}"), error=str(err)),
            _line_of_key(source, "date", offset=2),
        ) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise NoteError(Message(N_("front matter must be 'key: value' lines (a mapping), not a {kind}"),
                                kind=kind_of(meta)), 2)
    for key, value in meta.items():
        if isinstance(value, (list, dict)) and nesting_depth(value) > MAX_FRONT_MATTER_DEPTH:
            raise NoteError(
                Message(N_("front matter value '{key}' nests lists or mappings more than {depth} levels deep; "
                           "a note needs plain values or short lists"), key=str(key), depth=MAX_FRONT_MATTER_DEPTH),
                _line_of_key(source, str(key), offset=2),
            )
    return {str(key): value for key, value in meta.items()}


def nesting_depth(value: Any) -> int:
    """How deeply lists and mappings nest in `value` (a plain value is 0, `[1]` is 1, `[[1]]` is 2),
    counted without recursion so that no depth can exhaust the stack."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set)):
            children = list(item)
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _refuse_aliases(source: str) -> None:
    """Refuse `*alias` references: nested aliases expand exponentially (a few hundred bytes can
    fill the memory), and a journal's front matter never needs them."""
    if "*" not in source:
        return
    for event in yaml.parse(source, Loader=SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise NoteError(
                Message(N_("front matter uses a YAML alias (*name); write the value out instead")),
                event.start_mark.line + 2,
            )


def _first_line(message: str | None) -> str:
    return (message or "unknown problem").strip().splitlines()[0]


# What the YAML parser says most often about a broken front matter (libyaml's words, and the pure
# Python parser's where they differ), so the reason reads in the interface's language; any other
# parser message is quoted as it is.
YAML_PROBLEMS = {problem: problem for problem in (
    N_("mapping values are not allowed in this context"),
    N_("mapping values are not allowed here"),
    N_("did not find expected key"),
    N_("could not find expected ':'"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("did not find expected <document start>"),
    N_("found unexpected end of stream"),
    N_("found a tab character that violates indentation"),
    N_("found character that cannot start any token"),
    N_("unknown problem"),
)}


def yaml_problem(message: str | None) -> str | Message:
    """The parser's first line about a YAML problem: a Message when it is one of YAML_PROBLEMS."""
    line = _first_line(message)
    return Message(YAML_PROBLEMS[line]) if line in YAML_PROBLEMS else line


# Kinds of front matter value, as a reason names them ("not a list").
VALUE_KINDS = {"list": N_("list"), "dict": N_("dict"), "str": N_("str"), "int": N_("int"), "float": N_("float"),
               "bool": N_("bool"), "date": N_("date"), "datetime": N_("datetime"), "NoneType": N_("NoneType")}


def kind_of(value: Any) -> str | Message:
    """The kind of a parsed YAML value for a reason: 'list', 'dict', ... (translated where shown)."""
    name = type(value).__name__
    return Message(VALUE_KINDS[name]) if name in VALUE_KINDS else name


def _shown_type(note_type: str) -> Message:
    """A note type inside a reason, translated where shown ('til' stays the front matter's word in English)."""
    return Message(TYPE_NAMES[note_type])


def _yaml_line(err: yaml.YAMLError) -> int | None:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return mark.line + 2 if mark is not None else None


def _line_of_key(source: str, key: str, offset: int = 1) -> int | None:
    """1-based line of the first `key:` line, `offset` being the line number of source's start."""
    for number, line in enumerate(source.split("\n")):
        if line.lstrip().startswith(f"{key}:"):
            return number + offset
    return None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, dt.date))


def _note_type(value: Any, warnings: list[Message]) -> str:
    if value is None:
        return DEFAULT_TYPE
    if not _is_scalar(value):
        warnings.append(Message(N_("type must be one word, got a {kind}; shown as '{default}'"),
                                kind=kind_of(value), default=_shown_type(DEFAULT_TYPE)))
        return DEFAULT_TYPE
    note_type = str(value).strip().lower()
    if note_type not in NOTE_TYPES:
        warnings.append(Message(N_("unknown type '{value}', shown as '{default}'"),
                                value=str(value), default=_shown_type(DEFAULT_TYPE)))
        return DEFAULT_TYPE
    return note_type


def _string_list(value: Any, name: str, warnings: list[Message]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, (list, tuple, set)):
        items = list(value)
    else:
        items = [value]
    cleaned = []
    for item in items:
        if not _is_scalar(item):
            warnings.append(Message(N_("ignored a nested value in {name}"), name=name))
            continue
        text = str(item).strip().lstrip("#").strip()
        if text:
            cleaned.append(text)
    return tuple(dict.fromkeys(cleaned))


def _note_date(meta: dict[str, Any], slug: str, text: str) -> dt.date | None:
    value = meta.get("date")
    if value is None:
        match = _DATE_IN_NAME.match(slug)
        value = match.group(1) if match else None
        if value is None:
            return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise NoteError(
            Message(N_("date '{value}' is not a real calendar date in YYYY-MM-DD form"), value=str(value)),
            _line_of_key(text, "date"),
        ) from None


def _title(value: Any, body: str, slug: str, warnings: list[Message]) -> str:
    if value is not None and not _is_scalar(value):
        warnings.append(Message(N_("title must be text, got a {kind}; ignored"), kind=kind_of(value)))
    elif value is not None and str(value).strip():
        return str(value).strip()
    heading = _HEADING.search(body)
    if heading:
        return heading.group(1).strip()
    return slug


def _optional_text(value: Any, name: str, warnings: list[Message]) -> str | None:
    if value is None:
        return None
    if not _is_scalar(value):
        warnings.append(Message(N_("{name} must be text, got a {kind}; ignored"), name=name, kind=kind_of(value)))
        return None
    return str(value).strip() or None


def _optional_int(value: Any, name: str, warnings: list[Message]) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        warnings.append(Message(N_("{name} '{value}' is not a whole number; ignored"), name=name, value=str(value)))
        return None


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime in ns, size in bytes) of every `*.md` entry, problems included, sorted:
    the cache key, so a file that appears, changes or turns into a pipe is a cache miss."""
    return tuple(sorted((entry.rel_path, entry.mtime_ns, entry.size) for entry in files.scan(folder)))


def load_library(folder: Path) -> Library:
    """Load every note below `folder`. Bad files become Problems; this never raises for content.

    Only regular files are opened (see `core.journal.files`): pipes, sockets, devices, folders
    named `*.md`, dangling or looping links, links out of the folder and over-long paths are
    problems with a reason, never opened.
    """
    folder = Path(folder)
    if not folder.is_dir():
        problem = Problem(str(folder), Message(N_("the notes folder does not exist; set STUDYLAB_NOTES_DIR to an "
                                                  "existing folder")))
        return build_library([], [problem])
    notes: list[Note] = []
    problems: list[Problem] = []
    for entry in files.scan(folder):
        if entry.problem is not None:
            problems.append(Problem(entry.rel_path, entry.problem))
            continue
        try:
            notes.append(parse_note(files.read_regular(entry.path, MAX_NOTE_BYTES), entry.rel_path))
        except NoteError as err:
            problems.append(Problem(entry.rel_path, err.message, err.line))
        except files.SpecialFileError as err:
            problems.append(Problem(entry.rel_path, Message(files.NOT_A_NOTE_FILE, kind=err.kind)))
        except OSError as err:
            problems.append(Problem(entry.rel_path, Message(CANNOT_BE_READ, error=str(err.strerror or err))))
        except Exception as err:  # one strange file must never stop the whole journal from loading
            problems.append(Problem(entry.rel_path, Message(N_("could not be read as a note ({error})"),
                                                            error=f"{type(err).__name__}: {err}")))
    return build_library(notes, problems)


def build_library(notes: list[Note], problems: list[Problem]) -> Library:
    """Order notes newest day first (each day in its order, see dayorder), give every note a unique
    slug (the oldest keeps the plain one) and index the wikilinks."""
    ordered = sorted(notes, key=lambda n: (n.date or dt.date.min, n.path), reverse=True)
    by_slug: dict[str, Note] = {}
    next_suffix: dict[str, int] = {}  # per slug, the first -N not tried yet: linear, not quadratic
    unique = []
    for note in reversed(ordered):
        slug = note.slug
        if slug in by_slug:
            counter = next_suffix.get(note.slug, 2)
            while f"{note.slug}-{counter}" in by_slug:
                counter += 1
            slug, next_suffix[note.slug] = f"{note.slug}-{counter}", counter + 1
            note = replace(note, slug=slug)
        by_slug[slug] = note
        unique.append(note)
    translations = _translation_pairs(by_slug)
    # The pair's other side leaves the list; the listed side is found by words of either language.
    secondary = {slug for slug, other in translations.items() if not _primary(by_slug[slug], by_slug[other])}
    for slug, other in translations.items():
        if slug not in secondary:
            by_slug[slug] = replace(by_slug[slug], translation_haystack=by_slug[other].haystack)
    unique = in_journal_order([by_slug[note.slug] for note in unique if note.slug not in secondary])
    backlinks: dict[str, list[str]] = {}
    for note in unique:
        for target in note.links:
            if target in by_slug and target != note.slug:
                backlinks.setdefault(target, []).append(note.slug)
    return Library(
        notes=tuple(unique),
        problems=tuple(sorted(problems, key=lambda p: p.file)),
        by_slug=by_slug,
        backlinks={slug: tuple(sources) for slug, sources in backlinks.items()},
        translations=translations,
    )


