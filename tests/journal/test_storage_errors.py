"""What a refused or failed write says, word for word, and the write guards' list.

Written against the mutants `make mutate MODULE=core/journal/storage/errors.py` left alive
(docs/mutation.md): the sentences were only ever matched in part.
"""

from __future__ import annotations

import errno

import pytest

from core import messages
from core.journal.storage import errors
from core.journal.storage.errors import InvalidNoteError, ReadOnlyError

READONLY_REASON = ("This journal is read-only (STUDYLAB_READONLY is set). "
                   "Restart the app without STUDYLAB_READONLY to write.")


@pytest.fixture
def writable(monkeypatch):
    monkeypatch.delenv(errors.READONLY_ENV, raising=False)
    monkeypatch.setattr(errors, "_write_guards", [])


@pytest.fixture
def korean():
    messages.set_language("ko")
    yield
    messages.set_language("en")


def refusal(action: str) -> str:
    with pytest.raises(ReadOnlyError) as raised:
        errors.refuse_if_readonly(action)
    return str(raised.value)


def test_read_only_mode_names_the_switch_and_how_to_turn_it_off(writable, monkeypatch):
    monkeypatch.setenv(errors.READONLY_ENV, "yes")
    assert errors.write_refusal() == READONLY_REASON
    assert refusal("saving notes") == f"Writing is turned off, so saving notes did not happen. {READONLY_REASON}"
    assert refusal("polishing the moon") == (
        f"Writing is turned off, so polishing the moon did not happen. {READONLY_REASON}")


def test_a_listed_action_is_refused_in_its_own_translated_sentence(writable, monkeypatch, korean):
    """Each listed action has a whole sentence per language; an unlisted one is named, as given,
    inside the general sentence."""
    monkeypatch.setenv(errors.READONLY_ENV, "1")
    reason = errors.write_refusal()
    own = messages.gettext(errors.REFUSALS["saving notes"])
    assert own != errors.REFUSALS["saving notes"] and "saving notes" not in own
    assert refusal("saving notes") == f"{own} {reason}"
    general = messages.gettext("Writing is turned off, so {action} did not happen.")
    assert refusal("polishing the moon") == f"{general.format(action='polishing the moon')} {reason}"


def test_a_guard_refuses_until_it_is_removed_and_removing_an_unknown_guard_is_harmless(writable):
    def visitors() -> str:
        return "Visitors only read."

    errors.remove_write_guard(visitors)
    errors.add_write_guard(visitors)
    errors.add_write_guard(visitors)
    assert errors.write_refusal() == "Visitors only read."
    assert refusal("writing") == "Writing is turned off, so writing did not happen. Visitors only read."
    errors.remove_write_guard(visitors)
    assert errors.write_refusal() is None
    errors.refuse_if_readonly("writing")


def test_an_os_error_becomes_a_sentence_that_says_nothing_changed():
    full = OSError(errno.ENOSPC, "No space left on device")
    assert str(errors.wrap_os_error(full, "save a.md")) == (
        "Could not save a.md: No space left on device. Nothing was changed on disk.")
    given = errors.wrap_os_error(full, "save a.md", "The disk refused {name}: {reason}.", name="a.md")
    assert str(given) == "The disk refused a.md: No space left on device."
    bare = errors.wrap_os_error(OSError("odd"), "read b.md")
    assert str(bare) == "Could not read b.md: odd. Nothing was changed on disk."


def test_an_invalid_note_keeps_the_line_it_failed_on():
    assert InvalidNoteError("bad front matter", line=3).line == 3
    assert InvalidNoteError("bad front matter").line is None
