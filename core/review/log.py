"""The append-only review log: one JSON line per review, in a hidden folder of the notes folder.

Review state never goes into the notes' text (no noisy diffs): it lives in
`<notes folder>/.studylab/reviews.jsonl`, one UTF-8 JSON object per '\\n'-terminated line::

    {"v": 1, "card": "q-3f2a9c0d1e4b5a67", "at": "2024-05-06T14:03:12.120000+00:00", "grade": 3,
     "kind": "card", "note": "2021-08-05-cnn-first-steps.md", "ms": 5230}

v: format version (1); card: the card id (core.review.cards); at: review time, ISO 8601 with
a UTC offset, between 1970 and a day after now; grade: 1 again, 2 hard, 3 good, 4 easy; kind:
card, quiz, practice or note; note: the card's note (optional); ms: how long the answer took
(optional). Readers ignore keys they do not know. That is all the scheduler needs: card state
is rebuilt by replaying the log.

Durability, as for notes:

- a line is written whole or not at all: the file is opened with O_APPEND and the whole line
  goes out in one write() (the kernel appends each write at the end of the file under the
  file's lock, so two processes or tabs appending at once never interleave), then fsync;
- a torn last line (the machine stopped mid-write) is never consumed: readers skip it and
  report it, and the next append starts on a fresh line so the torn bytes stay one damaged line;
- a damaged line anywhere is skipped and reported with its number; nothing here raises for the
  log's content; an unfinished line over MAX_LINE_BYTES is reported once and skipped by offset;
- every line is bounded before it is parsed: at most MAX_LINE_BYTES bytes and MAX_DEPTH nested
  brackets (a linear scan, so `[[[[...` cannot exhaust the parser's recursion);
- two copies of the log (this machine's and a synced one) merge as the union of their reviews by
  identity (`merge_logs`): a review once logged is never dropped, whatever the other file looks
  like, and damaged lines are kept aside (`merge_report`, `quarantining_merge`), never merged;
- the log is opened with O_NONBLOCK and must be a regular file: a FIFO in its place is an error
  to report, never a wait (also not for an append, which holds the folder lock);
- read-only mode (STUDYLAB_READONLY) refuses every append with ReadOnlyError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.journal import files, storage

STATE_DIR = storage.STATE_DIR
LOG_NAME = "reviews.jsonl"
FORMAT_VERSION = 1
GRADES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
KINDS = ("card", "quiz", "practice", "note")
MAX_LINE_BYTES = 16384
"""Far above any real review (a note path is at most 4096 bytes on Linux, and it appears twice)."""
TORN_GRACE_SECONDS = 1.0
"""An unfinished last line younger than this may be a write in progress, so it is not reported yet."""
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
FUTURE_SLACK = dt.timedelta(days=1)
"""A review time later than now plus this (clocks of synced machines may differ a little) is damage:
replaying it would push due dates past what datetime can hold."""
MAX_DEPTH = 32
"""Nesting allowed in a line ([ and { outside strings); a review is one flat object."""
READ_CHUNK_BYTES = 1 << 20
_CHECK_BYTES = MAX_LINE_BYTES
QUARANTINE_DIR = "quarantine"
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class LogLineError(ValueError):
    """One log line that is not a review; the reason is meant for the student."""


@dataclass(frozen=True)
class Review:
    """One logged review. `at` is timezone-aware UTC; grade 1..4 (again, hard, good, easy)."""

    card: str
    at: dt.datetime
    grade: int
    kind: str = "card"
    note: str | None = None
    ms: int | None = None

    def to_line(self) -> bytes:
        """The review as one log line (compact JSON, UTF-8, ending in '\\n')."""
        record = {"v": FORMAT_VERSION, "card": self.card, "at": self.at.astimezone(dt.timezone.utc).isoformat(),
                  "grade": self.grade, "kind": self.kind}
        if self.note is not None:
            record["note"] = self.note
        if self.ms is not None:
            record["ms"] = self.ms
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        if len(line) > MAX_LINE_BYTES:
            raise ValueError(f"a review line is {len(line)} bytes, over the {MAX_LINE_BYTES}-byte limit")
        return line


@dataclass(frozen=True)
class DamagedLine:
    """A line of the log that was skipped: its 1-based number and why."""

    line: int
    reason: str


def parse_line(raw: bytes) -> Review:
    """One log line (without its '\\n') as a Review, or LogLineError saying what is wrong.

    The line's size and nesting are checked before it is parsed (MAX_LINE_BYTES, MAX_DEPTH)."""
    if len(raw) > MAX_LINE_BYTES:
        raise LogLineError(f"longer than {MAX_LINE_BYTES} bytes, so not a review")
    if too_deep(raw):
        raise LogLineError(f"nested more than {MAX_DEPTH} levels deep, so not a review")
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise LogLineError("not a complete JSON line (cut off by a crash, or edited by hand)") from None
    if not isinstance(record, dict):
        raise LogLineError("not a JSON object")
    card, at, grade = record.get("card"), record.get("at"), record.get("grade")
    if not isinstance(card, str) or not card:
        raise LogLineError("no card id")
    if type(grade) is not int or grade not in GRADES:
        raise LogLineError(f"grade {grade!r} is not 1, 2, 3 or 4")
    if not isinstance(at, str):
        raise LogLineError("no review time")
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        raise LogLineError(f"review time {at!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise LogLineError(f"review time {at!r} has no UTC offset")
    if not EARLIEST <= moment <= dt.datetime.now(dt.timezone.utc) + FUTURE_SLACK:
        raise LogLineError(f"review time {at!r} is before 1970 or in the future")
    kind = record.get("kind", "card")
    note, ms = record.get("note"), record.get("ms")
    return Review(
        card=card,
        at=moment if moment.tzinfo is dt.timezone.utc else moment.astimezone(dt.timezone.utc),
        grade=grade,
        kind=kind if kind in KINDS else "card",
        note=note if isinstance(note, str) else None,
        ms=ms if type(ms) is int else None,
    )


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when `raw` opens more than `limit` nested [ or { outside JSON strings. Linear: a line
    with few brackets is let through by a count alone; otherwise strings are cut out (one regex
    pass) and only the brackets left are walked."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth = max(depth - 1, 0)
    return False


def identity(review: Review) -> tuple[str, str, int, str]:
    """What makes a review the one it is (card, UTC time, grade, kind): two lines with the same
    identity are the same review, logged once and seen twice (synced both ways)."""
    return review.card, review.at.astimezone(dt.timezone.utc).isoformat(), review.grade, review.kind


@dataclass(frozen=True)
class MergedLog:
    """Two logs merged: `data` the merged log; `damaged` the lines kept out of it as
    (side, 1-based line, raw bytes, reason), side "ours" or "theirs"."""

    data: bytes
    damaged: tuple[tuple[str, int, bytes, str], ...] = ()


def merge_report(ours: bytes, theirs: bytes) -> MergedLog:
    """The union of two logs' reviews by identity (see `identity`), each once, in time order.

    Every line of either side that is a review survives exactly once, whatever the other side
    looks like (shortened, reordered, torn last line, damaged lines): a review once logged is
    never dropped. A review's own line is kept byte for byte (keys a newer version added stay),
    ours first when both sides hold it. Lines that are not reviews are left out of `data` and
    listed in `damaged`; blank lines are dropped. Ties in time are ordered by identity, so the
    result depends only on the set of reviews: merging is idempotent and commutative."""
    kept: dict[tuple[str, str, int, str], tuple[dt.datetime, bytes]] = {}
    damaged = []
    for side, data in (("ours", ours), ("theirs", theirs)):
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                review = parse_line(raw)
            except LogLineError as err:
                damaged.append((side, number, raw, str(err)))
                continue
            kept.setdefault(identity(review), (review.at, raw.strip()))
    order = sorted(kept, key=lambda key: (kept[key][0], key))
    return MergedLog(b"".join(kept[key][1] + b"\n" for key in order), tuple(damaged))


def merge_logs(ours: bytes, theirs: bytes) -> bytes:
    """Two logs merged as the union of their reviews (merge_report), damaged lines left out."""
    return merge_report(ours, theirs).data


def quarantining_merge(notes_dir: Path) -> Callable[[bytes, bytes], bytes]:
    """`merge_logs` for syncing into `notes_dir`: the damaged lines it leaves out are first saved
    in `.studylab/quarantine/reviews-<8 hex digits>.jsonl` (named by their content, so merging
    again writes the same file; the folder is this machine's own and never synced), one line
    each, prefixed by where they came from, so nothing is lost and nothing damaged spreads."""

    def merge(ours: bytes, theirs: bytes) -> bytes:
        merged = merge_report(ours, theirs)
        if merged.damaged:
            kept = b"".join(f"# {side} line {number}: {reason}\n".encode() + raw + b"\n"
                            for side, number, raw, reason in merged.damaged)
            name = f"reviews-{hashlib.sha256(kept).hexdigest()[:8]}.jsonl"
            storage.atomic_write(storage.state_folder(notes_dir, QUARANTINE_DIR) / name, kept)
        return merged.data

    return merge


def quarantined(notes_dir: Path) -> list[Path]:
    """The quarantine files of `notes_dir` (damaged review lines kept aside by a sync), sorted."""
    folder = Path(notes_dir) / STATE_DIR / QUARANTINE_DIR
    return sorted(folder.glob("reviews-*.jsonl")) if folder.is_dir() and not folder.is_symlink() else []


def log_path(notes_dir: Path) -> Path:
    """`<notes folder>/.studylab/reviews.jsonl` (not created here)."""
    return Path(notes_dir) / STATE_DIR / LOG_NAME


def append_review(notes_dir: Path, review: Review) -> None:
    """Append one review to the log (storage.append_durably: one O_APPEND write, then fsync).

    Creates `.studylab/` on first use. Under the folder lock, so the check for a torn last line
    and the append are one step for every process. Raises ReadOnlyError when writing is turned
    off, UnsafePathError when `.studylab` is a link or not a folder, StorageError when the disk
    refuses.
    """
    refusal = storage.write_refusal()
    if refusal:
        raise storage.ReadOnlyError(f"Reviews are not recorded while the journal is read-only. {refusal}")
    data = review.to_line()
    path = state_folder(Path(notes_dir)) / LOG_NAME
    try:
        with storage.folder_lock(notes_dir):
            if _ends_torn(path):
                data = b"\n" + data  # a torn line before us stays a line of its own
            storage.append_durably(path, data)
    except OSError as err:
        raise storage.StorageError(f"Could not record the review: {err.strerror or err}. Nothing was logged.") from None


def _ends_torn(path: Path) -> bool:
    """True when the log exists and its last byte is not a newline (a write was cut short)."""
    try:
        fd = files.open_regular(path)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        return bool(size) and os.pread(fd, 1, size - 1) != b"\n"
    finally:
        os.close(fd)



def state_folder(notes_dir: Path) -> Path:
    """`<notes folder>/.studylab/`, created when missing; refused when it is a link or a file."""
    if not Path(notes_dir).is_dir():
        raise storage.StorageError(
            f"The notes folder {notes_dir} does not exist; set STUDYLAB_NOTES_DIR to an existing folder."
        )
    if Path(notes_dir, STATE_DIR).is_symlink() or (os.path.lexists(Path(notes_dir, STATE_DIR))
                                                   and not Path(notes_dir, STATE_DIR).is_dir()):
        raise storage.UnsafePathError(
            f"'{STATE_DIR}' in the notes folder is a link or a file, not the app's folder, so reviews are not recorded."
        )
    return storage.state_folder(notes_dir)


@dataclass
class Poll:
    """What a LogReader found since its last poll.

    reset: the file was replaced or shortened, so everything read before is void and the caller
    must start over (reviews then holds the whole file). torn: the file ends in an unfinished
    line older than TORN_GRACE_SECONDS. error: why the log could not be read at all (a link, a
    folder, no permission), else None; it then counts as empty.
    """

    reviews: list[Review] = field(default_factory=list)
    damaged: list[DamagedLine] = field(default_factory=list)
    reset: bool = False
    torn: bool = False
    error: str | None = None


class LogReader:
    """Reads the log incrementally: each `poll()` parses only the bytes appended since the last.

    Only complete lines are consumed; an unfinished last line is left for the next poll (it may
    be a write in progress). A file that was replaced (another inode), shortened or rewritten
    (the last line read differs) is read again from the start with `reset` set.
    Not thread-safe: one caller at a time (ReviewStore holds a lock).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._start()

    def _start(self) -> None:
        self.offset = 0
        self.next_line = 1
        self._identity: tuple[int, int] | None = None
        self._check = b""
        self._overlong = False  # inside a line already reported as too long: skip to its end

    def poll(self) -> Poll:
        try:
            with self._open() as handle:
                info = os.fstat(handle.fileno())
                if self._moved(handle, info):
                    self._start()
                    return self._read(handle, info, reset=True)
                return self._read(handle, info, reset=False)
        except OSError as err:
            was_read = self.offset > 0
            self._start()
            missing = isinstance(err, FileNotFoundError)
            return Poll(reset=was_read, error=None if missing else f"cannot be read ({err.strerror or err})")

    def _open(self):
        """The log for reading; a link is not followed (ELOOP), a FIFO or a folder is refused."""
        fd = files.open_regular(self.path)
        try:
            return open(fd, "rb")
        except OSError:
            os.close(fd)
            raise

    def _moved(self, handle, info: os.stat_result) -> bool:
        if self.offset == 0:
            return False
        if (info.st_dev, info.st_ino) != self._identity or info.st_size < self.offset:
            return True
        handle.seek(self.offset - len(self._check))
        return handle.read(len(self._check)) != self._check

    def _read(self, handle, info: os.stat_result, *, reset: bool) -> Poll:
        """Parse the complete lines after `offset`, READ_CHUNK_BYTES at a time. An unfinished line
        over MAX_LINE_BYTES is reported once as damaged and then skipped by offset, so a huge
        unfinished tail is never read twice."""
        self._identity = (info.st_dev, info.st_ino)
        handle.seek(self.offset)
        poll = Poll(reset=reset)
        pending = b""
        while chunk := handle.read(READ_CHUNK_BYTES):
            if self._overlong:
                chunk = self._skip_overlong(chunk)
            data = pending + chunk
            end = data.rfind(b"\n") + 1
            self._parse(data[:end], poll)
            pending = data[end:]
            if len(pending) > MAX_LINE_BYTES:
                poll.damaged.append(DamagedLine(self.next_line, f"longer than {MAX_LINE_BYTES} bytes, so not a review"))
                self._consume(pending)
                pending, self._overlong = b"", True
        poll.torn = bool(pending) and time.time() - info.st_mtime >= TORN_GRACE_SECONDS
        return poll

    def _skip_overlong(self, chunk: bytes) -> bytes:
        """Consume the rest of a line already reported as too long; return what follows its end."""
        cut = chunk.find(b"\n") + 1
        if not cut:
            self._consume(chunk)
            return b""
        self._consume(chunk[:cut])
        self.next_line += 1
        self._overlong = False
        return chunk[cut:]

    def _parse(self, lines: bytes, poll: Poll) -> None:
        """Parse `lines` (complete, each ending in '\\n') into `poll` and consume them."""
        for raw in lines.split(b"\n")[:-1]:
            if raw.strip():
                try:
                    poll.reviews.append(parse_line(raw))
                except LogLineError as err:
                    poll.damaged.append(DamagedLine(self.next_line, str(err)))
            self.next_line += 1
        self._consume(lines)

    def _consume(self, data: bytes) -> None:
        self.offset += len(data)
        self._check = (self._check + data[-_CHECK_BYTES:])[-_CHECK_BYTES:]
