"""FSRS scheduling through the `fsrs` package: settings, and card state rebuilt from the review log.

Nothing about a card's schedule is stored except the log (core.review.log): replaying
its reviews, in the order they were appended, through `fsrs.Scheduler.review_card` gives every
card's state. So two tabs or processes that review at once lose nothing (both lines are in the
log and both are replayed), and a changed setting (desired retention, learning steps) applies to
the whole history at once. Fuzzing is off: the schedule is a pure function of the log, so every
process computes the same due dates.

`ReviewStore` keeps one replay per notes folder and settings and reads only the lines appended
since the last look, so a grade costs one line of replay, not the whole log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import fsrs

from core.journal import files, storage
from core.messages import _
from core.review import log as review_log
from core.review.log import DamagedLine, Review

SETTINGS_NAME = "review-settings.json"
RETENTION_RANGE = (0.70, 0.99)
MAX_NEW_PER_DAY = 9999
MAX_STEP_SECONDS = 7 * 86400
MAX_STEPS = 10
MAX_SETTINGS_BYTES = 65536
LEARN_AHEAD = dt.timedelta(minutes=20)
"""When nothing else is due, a learning card due within this time is shown (Anki's default)."""
_STEP = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class ReviewSettings:
    """The scheduler's settings. Steps are in seconds; `new_per_day` limits first reviews a day
    (cards and notes each)."""

    desired_retention: float = 0.9
    learning_steps: tuple[int, ...] = (60, 600)
    relearning_steps: tuple[int, ...] = (600,)
    new_per_day: int = 20

    def scheduler(self, *, note: bool = False) -> fsrs.Scheduler:
        """The package's scheduler with these settings, default FSRS parameters, no fuzzing.

        A note reviewed as a whole (`note=True`) skips the minute-long steps: re-reading a note
        ten minutes later teaches nothing, so it comes back after days, as FSRS computes.
        """
        return fsrs.Scheduler(
            desired_retention=self.desired_retention,
            learning_steps=[] if note else [dt.timedelta(seconds=s) for s in self.learning_steps],
            relearning_steps=[] if note else [dt.timedelta(seconds=s) for s in self.relearning_steps],
            enable_fuzzing=False,
        )


class SettingsError(ValueError):
    """A setting out of range; the message is meant for the student."""


def parse_steps(text: str) -> tuple[int, ...]:
    """'1m 10m' -> (60, 600): steps in s, m (or min), h or d, separated by spaces or commas."""
    steps = []
    for token in re.split(r"[\s,]+", text.strip()):
        if not token:
            continue
        match = _STEP.match(token.lower())
        if match is None:
            raise SettingsError(_("'{token}' is not a step: write a number and a unit, e.g. 1m 10m 1h 1d").format(
                token=token))
        seconds = round(float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
        if not 1 <= seconds <= MAX_STEP_SECONDS:
            raise SettingsError(_("step '{token}' must be between 1 second and 7 days").format(token=token))
        steps.append(seconds)
    return tuple(steps)


def format_steps(steps: tuple[int, ...]) -> str:
    """(60, 600) -> '1m 10m' (the largest unit that divides each step)."""
    return " ".join(
        next(f"{s // size}{unit}" for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)) if s % size == 0)
        for s in steps
    )


def validated(settings: ReviewSettings) -> ReviewSettings:
    """`settings` if every value is in range, else SettingsError."""
    low, high = RETENTION_RANGE
    if not low <= settings.desired_retention <= high:
        raise SettingsError(_("desired retention must be between {low} and {high}").format(low=f"{low:.2f}",
                                                                                             high=f"{high:.2f}"))
    if not 0 <= settings.new_per_day <= MAX_NEW_PER_DAY:
        raise SettingsError(_("new cards a day must be between 0 and {most}").format(most=MAX_NEW_PER_DAY))
    for steps in (settings.learning_steps, settings.relearning_steps):
        if len(steps) > MAX_STEPS or any(not 1 <= s <= MAX_STEP_SECONDS for s in steps):
            raise SettingsError(_("at most 10 steps, each between 1 second and 7 days"))
    return settings


def settings_path(notes_dir: Path) -> Path:
    return Path(notes_dir) / review_log.STATE_DIR / SETTINGS_NAME


def load_settings(notes_dir: Path) -> tuple[ReviewSettings, str | None]:
    """The saved settings (defaults when there are none) and a warning when the file is unusable.

    Read with `files.read_json` (a FIFO, a link or a deeply nested file is refused, never waited
    on); every value must be a finite number in range, else the defaults apply and the warning says why.
    """
    try:
        data = files.read_json(settings_path(notes_dir), MAX_SETTINGS_BYTES)
        if not isinstance(data, dict):
            raise SettingsError(_("it is not a JSON object"))
        settings = ReviewSettings(
            desired_retention=_finite(data["desired_retention"]),
            learning_steps=_steps(data["learning_steps"]),
            relearning_steps=_steps(data["relearning_steps"]),
            new_per_day=round(_finite(data["new_per_day"])),
        )
        return validated(settings), None
    except FileNotFoundError:
        return ReviewSettings(), None
    except (OSError, ValueError, TypeError, KeyError, OverflowError) as err:
        reason = str(err) if isinstance(err, ValueError) else _("the file is damaged")
        return ReviewSettings(), _("Review settings in {path} ignored ({reason}); using the defaults.").format(
            path=f"{review_log.STATE_DIR}/{SETTINGS_NAME}", reason=reason)


def _finite(value: object) -> float:
    """A JSON number as a float; SettingsError for anything else, infinities and NaN included."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(_("{value} is not a finite number").format(value=repr(str(value)[:40])))
    return float(value)


def _steps(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > MAX_STEPS:
        raise SettingsError(_("steps must be a list of at most {most} numbers of seconds").format(most=MAX_STEPS))
    return tuple(round(_finite(step)) for step in value)


def save_settings(notes_dir: Path, settings: ReviewSettings) -> None:
    """Write the settings atomically to `.studylab/review-settings.json` (ReadOnlyError in read-only mode)."""
    if storage.is_readonly():
        raise storage.ReadOnlyError(_("This journal is read-only (STUDYLAB_READONLY is set); settings are not saved."))
    data = json.dumps(asdict(validated(settings)), indent=2).encode("utf-8") + b"\n"
    folder = review_log.state_folder(Path(notes_dir))
    try:
        storage.atomic_write(folder / SETTINGS_NAME, data)
    except OSError as err:
        raise storage.StorageError(_("Could not save the review settings: {reason}.").format(
            reason=err.strerror or err)) from None


def fsrs_card_id(card: str) -> int:
    """A stable integer id for the package's Card (it wants an int; ours are strings)."""
    return int.from_bytes(hashlib.sha256(card.encode("utf-8")).digest()[:6], "big")


def new_fsrs_card(card: str, now: dt.datetime) -> fsrs.Card:
    return fsrs.Card(card_id=fsrs_card_id(card), due=now)


@dataclass(frozen=True)
class Progress:
    """A card's state after its last logged review: the package's Card, counts, first review time."""

    state: fsrs.Card
    reviews: int
    lapses: int
    first_review: dt.datetime

    @property
    def learning(self) -> bool:
        """True in (re)learning steps: due at an exact time, not on a day."""
        return self.state.state != fsrs.State.Review


@dataclass(frozen=True)
class ReviewBook:
    """Everything the log says, as of one read.

    progress: card id -> Progress (also cards no longer in any note).
    per_day: local day -> (reviews, passed), passed = graded hard, good or easy; every review
    counts (learning steps, relearning steps, notes).
    recall_per_day: local day -> (due, recalled) for the reviews that measure retention: a card
    (not a note) in FSRS's Review state (not in learning or relearning steps), reviewed on or after
    its due day; recalled = graded hard, good or easy. The share recalled is what the desired
    retention (e.g. 0.9) aims at.
    introduced: (local day, is a note) -> cards first reviewed that day.
    damaged: skipped log lines; torn: the log ends in an unfinished line (ignored); error: why
    the log could not be read at all (then it counts as empty).
    """

    progress: dict[str, Progress]
    per_day: dict[dt.date, tuple[int, int]]
    introduced: dict[tuple[dt.date, bool], int]
    total: int
    damaged: tuple[DamagedLine, ...] = ()
    torn: bool = False
    error: str | None = None
    recall_per_day: dict[dt.date, tuple[int, int]] = field(default_factory=dict)


class Replay:
    """Applies reviews one by one through the package's scheduler (not thread-safe on its own)."""

    def __init__(self, settings: ReviewSettings, tz: dt.tzinfo | None = None):
        self.schedulers = {False: settings.scheduler(), True: settings.scheduler(note=True)}
        self.tz = tz
        self.progress: dict[str, Progress] = {}
        self.per_day: dict[dt.date, tuple[int, int]] = {}
        self.recall_per_day: dict[dt.date, tuple[int, int]] = {}
        self.introduced: dict[tuple[dt.date, bool], int] = {}
        self.total = 0
        self.damaged: list[DamagedLine] = []

    def apply(self, review: Review) -> None:
        before = self.progress.get(review.card)
        card = before.state if before else new_fsrs_card(review.card, review.at)
        scheduler = self.schedulers[review.kind == "note"]
        after, _log = scheduler.review_card(card, fsrs.Rating(review.grade), review.at)
        day = review.at.astimezone(self.tz).date()
        if before is None:
            key = (day, review.kind == "note")
            self.introduced[key] = self.introduced.get(key, 0) + 1
            self.progress[review.card] = Progress(after, 1, 0, review.at)
        else:
            lapsed = review.grade == 1 and before.state.state == fsrs.State.Review
            self.progress[review.card] = Progress(after, before.reviews + 1, before.lapses + lapsed,
                                                  before.first_review)
        reviews, passed = self.per_day.get(day, (0, 0))
        self.per_day[day] = (reviews + 1, passed + (review.grade > 1))
        if (before is not None and review.kind != "note" and before.state.state == fsrs.State.Review
                and day >= before.state.due.astimezone(self.tz).date()):
            due, recalled = self.recall_per_day.get(day, (0, 0))
            self.recall_per_day[day] = (due + 1, recalled + (review.grade > 1))
        self.total += 1

    def book(self, torn: bool = False, error: str | None = None) -> ReviewBook:
        return ReviewBook(dict(self.progress), dict(self.per_day), dict(self.introduced), self.total,
                          tuple(self.damaged), torn, error, dict(self.recall_per_day))


def replay(reviews: list[Review], settings: ReviewSettings, tz: dt.tzinfo | None = None) -> ReviewBook:
    """The book for `reviews` in order (what ReviewStore computes incrementally)."""
    state = Replay(settings, tz)
    for review in reviews:
        state.apply(review)
    return state.book()


class ReviewStore:
    """One notes folder's review log and its replay, read incrementally; safe to share between threads."""

    def __init__(self, notes_dir: Path, settings: ReviewSettings, tz: dt.tzinfo | None = None):
        self.notes_dir = Path(notes_dir)
        self.settings = settings
        self.tz = tz
        self._lock = threading.Lock()
        self._restart()

    def _restart(self) -> None:
        self._reader = review_log.LogReader(review_log.log_path(self.notes_dir))
        self._replay = Replay(self.settings, self.tz)
        self._book: ReviewBook | None = None

    def book(self) -> ReviewBook:
        """The book as of now: reads what was appended since the last call (by any process)."""
        with self._lock:
            poll = self._reader.poll()
            if poll.reset:  # the file was replaced: poll read it from the start
                self._replay = Replay(self.settings, self.tz)
            for review in poll.reviews:
                self._replay.apply(review)
            self._replay.damaged.extend(poll.damaged)
            last = self._book
            if last is None or poll.reviews or poll.damaged or poll.reset or (poll.torn, poll.error) != (
                    last.torn, last.error):
                self._book = self._replay.book(poll.torn, poll.error)
            return self._book

    def record(self, review: Review) -> ReviewBook:
        """Append `review` to the log (review_log.append_review) and return the updated book."""
        review_log.append_review(self.notes_dir, review)
        return self.book()


def preview(scheduler: fsrs.Scheduler, card: str, progress: Progress | None,
            now: dt.datetime) -> dict[int, dt.timedelta]:
    """Grade (1..4) -> time until the card would be due again if graded so now."""
    state = progress.state if progress else new_fsrs_card(card, now)
    return {grade: scheduler.review_card(state, fsrs.Rating(grade), now)[0].due - now for grade in review_log.GRADES}


def interval_text(interval: dt.timedelta) -> str:
    """A short interval for a button: '1 min', '10 min', '5 h', '3 d', '1.5 mo', '2.1 y' (in the
    interface language, core.messages)."""
    seconds = interval.total_seconds()
    if seconds < 3600:
        return _("{value} min").format(value=max(1, round(seconds / 60)))
    if seconds < 86400:
        return _("{value} h").format(value=round(seconds / 3600))
    days = seconds / 86400
    if days < 30:
        return _("{value} d").format(value=round(days))
    if days < 365:
        return _("{value} mo").format(value=f"{days / 30:.1f}")
    return _("{value} y").format(value=f"{days / 365:.1f}")
