"""core.storage: atomic writes, conflicts, history, trash, safe names, import/export, read-only."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.journal import notes as notes_lib
from core.journal import storage
from core.journal.storage import durable, paths
from tests.conftest import ROOT

DAY = dt.date(2021, 8, 6)


def meta(title: str = "A note", **extra) -> dict:
    return storage.build_meta(
        title, extra.pop("date", DAY), extra.pop("type", "til"), extra.pop("tags", ["x"]), **extra
    )


def listing(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (dot-folders included, the empty lock file left out) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != storage.LOCK_FILE
    }


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(f"{storage.TEMP_PREFIX}*")]


@pytest.mark.parametrize("rel_path", ["con.md", "LPT1.md", "sub/aux.md"])
def test_windows_device_names_are_never_created_but_existing_ones_stay_usable(folder, rel_path):
    with pytest.raises(storage.UnsafePathError, match="reserved device name"):
        storage.save_note(folder, rel_path, meta("Device"), "x", expected_hash=None)
    assert not (folder / rel_path).exists()
    (folder / rel_path).parent.mkdir(exist_ok=True)
    (folder / rel_path).write_text(
        "---\ntitle: made elsewhere\ndate: 2021-08-05\ntype: til\n---\nold\n", encoding="utf-8"
    )
    _, loaded_hash = storage.read_note(folder, rel_path)
    storage.save_note(folder, rel_path, meta("Device"), "edited", expected_hash=loaded_hash)
    assert "edited" in (folder / rel_path).read_text(encoding="utf-8")
    assert len(storage.list_history(folder, rel_path)) == 1
    storage.trash_note(folder, rel_path)
    assert not (folder / rel_path).exists()
    storage.restore_from_trash(folder, storage.list_trash(folder)[0].name)
    assert "edited" in (folder / rel_path).read_text(encoding="utf-8")


def saved(folder: Path, title: str = "A note", body: str = "Body text.\n", **extra) -> storage.SaveResult:
    return storage.save_note(folder, None, meta(title, **extra), body, expected_hash=None)


# --- read-only switch and hashes ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " ON "])
def test_readonly_values_turn_it_on(monkeypatch, value):
    monkeypatch.setenv("STUDYLAB_READONLY", value)
    assert storage.is_readonly()


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "nope"])
def test_other_values_leave_it_off(monkeypatch, value):
    monkeypatch.setenv("STUDYLAB_READONLY", value)
    assert not storage.is_readonly()


def test_content_hash_is_sha256_of_the_bytes():
    assert storage.content_hash(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert storage.content_hash(b"abc") != storage.content_hash(b"abd")


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("CNN first steps", "cnn-first-steps"),
        ("합성곱 신경망 (CNN)", "합성곱-신경망-cnn"),
        ("Notes: part 2", "notes-part-2"),
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\windows\\system32", "windows-system32"),
        ("/absolute/path", "absolute-path"),
        (".hidden", "hidden"),
        ("...", "note"),
        ("", "note"),
        ("🎉🎉", "note"),
        ("a\x00b\x1fc\nd", "a-b-c-d"),
        ("CON", "con-note"),
        ("nul", "nul-note"),
        ("LPT9", "lpt9-note"),
        ("COM¹", "com¹-note"),
        ("Ünïcödé Café", "ünïcödé-café"),
        ("under_score", "under_score"),
    ],
)
def test_slugify(title, slug):
    assert storage.slugify(title) == slug


def test_slugify_composes_decomposed_korean():
    decomposed = "\u1112\u1161\u11b8"  # 합 as conjoining jamo
    assert storage.slugify(decomposed) == "합"


def test_slugs_are_length_limited_in_characters_and_bytes():
    assert len(storage.slugify("x" * 500)) == storage.MAX_SLUG_CHARS
    assert len(storage.slugify("합" * 500).encode()) <= storage.MAX_SLUG_BYTES


@given(st.text())
def test_any_title_gives_one_safe_file_name(title):
    name = storage.note_file_name(DAY, title)
    assert name.startswith("2021-08-06-") and name.endswith(".md")
    assert "/" not in name and "\\" not in name and "\x00" not in name and ".." not in name
    assert len(name.encode()) < 255
    slug = storage.slugify(title)
    assert slug and not slug.startswith((".", "-")) and not paths.is_windows_reserved(slug)
    assert paths.split_rel_path(name) == [name]


def test_new_note_gets_a_date_slug_name_and_numeric_suffix_when_taken(folder):
    names = [saved(folder, "Same title").rel_path for _ in range(3)]
    assert names == ["2021-08-06-same-title.md", "2021-08-06-same-title-2.md", "2021-08-06-same-title-3.md"]
    assert len(notes_lib.load_library(folder).notes) == 3


def test_name_taken_in_another_case_counts_as_taken(folder):
    (folder / "2021-08-06-Same-Title.md").write_text("---\ntitle: x\n---\n")
    assert saved(folder, "same title").rel_path == "2021-08-06-same-title-2.md"


# --- front matter round trip ---------------------------------------------------------------------


TRICKY = ["Notes: part 2", "no", "yes", "1.10", "null", "~", "- leading dash", "'single'", '"double"', "#hash title",
          "key: value: more", "[not, a, list]", "{not: a map}", "&anchor *alias", "!!python/object:os.system",
          "---", "...",
          "@at", "`tick`", "% percent", "합성곱 (convolution)", "emoji 🎉👩‍💻", "tab\tinside", " padded "]


@pytest.mark.parametrize("title", TRICKY)
def test_tricky_titles_round_trip(folder, title):
    result = saved(folder, title, tags=[title, "no", "1.10"])
    note = notes_lib.parse_note(result.path.read_bytes(), result.rel_path)
    assert note.title == storage.clean_line(title)
    assert note.date == DAY and note.type == "til"
    assert note.tags == tuple(dict.fromkeys(t for t in (storage.clean_tag(title), "no", "1.10") if t))
    assert isinstance(note.meta["title"], str)


def test_written_front_matter_is_safe_dump_output(folder):
    result = saved(folder, "Notes: part 2", tags=["no", "1.10"], course="AI Math", week=1, day=4)
    text = result.path.read_text(encoding="utf-8")
    assert text.startswith(
        "---\ntitle: 'Notes: part 2'\ndate: 2021-08-06\ntype: til\ntags: ['no', '1.10']\n"
        "course: AI Math\nweek: 1\nday: 4\n---\n\n"
    )
    note = notes_lib.parse_note(result.path.read_bytes(), result.rel_path)
    assert (note.course, note.week, note.day) == ("AI Math", 1, 4)


def test_body_with_front_matter_lookalikes_stays_body(folder):
    body = "---\ntitle: not front matter\n---\n...\n- [ ] task\n"
    result = saved(folder, "Body test", body=body)
    note = notes_lib.parse_note(result.path.read_bytes(), result.rel_path)
    assert note.body == body and note.title == "Body test"


def test_unknown_front_matter_keys_and_labs_are_kept_on_edit(folder):
    (folder / "n.md").write_text("---\ntitle: Old\ndate: 2021-08-05\nlabs: [conv]\nmood: good\n---\nbody\n")
    data, loaded = storage.read_note(folder, "n.md")
    old = notes_lib.parse_note(data, "n.md")
    new_meta = storage.build_meta("New", old.date, "lecture", ["t"], base=old.meta)
    result = storage.save_note(folder, "n.md", new_meta, "new body", expected_hash=loaded)
    note = notes_lib.parse_note(result.path.read_bytes(), "n.md")
    assert (note.title, note.labs, note.meta["mood"], note.type) == ("New", ("conv",), "good", "lecture")


text_pieces = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(TRICKY + ["합성곱", "🎉", ": ", "'", '"', "- ", "---", "\n---\n", "# ", "[[link]]", "$x^2$"]),
)
titles = st.lists(text_pieces, min_size=1, max_size=4).map("".join).filter(lambda t: storage.clean_line(t) != "")
bodies = st.lists(st.one_of(text_pieces, st.just("\n"), st.just("\n---\n")), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=titles, tags=st.lists(text_pieces, max_size=5), body=bodies, date=st.dates(dt.date(1000, 1, 1)))
def test_round_trip_property_in_memory(title, tags, body, date):
    meta_in = storage.build_meta(title, date, "lecture", tags, course=title)
    note = storage.draft_note(meta_in, body, "2021-08-06-x.md")
    assert note.title == storage.clean_line(title)
    assert note.date == date and note.type == "lecture"
    assert note.tags == tuple(dict.fromkeys(t for t in map(storage.clean_tag, tags) if t))
    assert note.body == storage.clean_body(body)
    assert note.course == storage.clean_line(title)
    assert not note.warnings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=titles, tags=st.lists(text_pieces, max_size=4), body=bodies)
def test_round_trip_property_through_disk(folder, title, tags, body):
    result = storage.save_note(folder, None, meta(title, tags=tags), body, expected_hash=None)
    assert result.path.parent == folder.resolve()
    library = notes_lib.load_library(folder)
    assert not library.problems
    note = next(n for n in library.notes if n.path == result.rel_path)
    assert (note.title, note.date, note.type) == (storage.clean_line(title), DAY, "til")
    assert note.tags == tuple(dict.fromkeys(t for t in map(storage.clean_tag, tags) if t))
    assert note.body == storage.clean_body(body)


@pytest.mark.parametrize(
    ("bad_meta", "message"),
    [
        ({"title": "", "date": DAY, "type": "til"}, "needs a title"),
        ({"title": " \n\t", "date": DAY, "type": "til"}, "needs a title"),
        ({"title": "x", "date": None, "type": "til"}, "needs a date"),
        ({"title": "x", "date": "2021-08-06", "type": "til"}, "needs a date"),
        ({"title": "x", "date": DAY, "type": "diary"}, "not a note type"),
        ({"title": "x", "date": DAY, "type": "til", "week": "three"}, "whole number"),
    ],
)
def test_invalid_front_matter_is_refused_and_nothing_written(folder, bad_meta, message):
    with pytest.raises(storage.StorageError, match=message):
        storage.save_note(folder, None, bad_meta, "body", expected_hash=None)
    assert listing(folder) == {}


def test_a_body_over_the_size_limit_is_refused_whole(folder):
    with pytest.raises(storage.InvalidNoteError, match="1 MB"):
        saved(folder, "Big", body="x" * (notes_lib.MAX_NOTE_BYTES + 10))
    assert listing(folder) == {}


def test_control_characters_never_reach_the_file(folder):
    result = saved(folder, "a\x00b\x07c", body="one\x00two\x1b[31mred\r\nthree\rfour\ttab")
    data = result.path.read_bytes()
    assert b"\x00" not in data and b"\x1b" not in data and b"\r" not in data and b"\x07" not in data
    note = notes_lib.parse_note(data, result.rel_path)
    assert note.title == "a b c" and note.body == "onetwo[31mred\nthree\nfour\ttab\n"


# --- atomic writes ---------------------------------------------------------------------------------


def test_a_failing_replace_leaves_the_old_note_whole_and_no_temp_file(folder, monkeypatch):
    first = saved(folder, "Keep me", body="original text\n")
    before = first.path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(durable, "swap_in", crash)
    with pytest.raises(storage.StorageError, match="No space left on device. Nothing was changed"):
        storage.save_note(folder, first.rel_path, meta("Keep me"), "new text", expected_hash=first.content_hash)
    assert first.path.read_bytes() == before
    assert storage.list_history(folder, first.rel_path) == []
    assert notes_lib.load_library(folder).notes[0].body == "original text\n"
    assert temp_files(folder) == []


def test_a_failing_fsync_leaves_no_new_note_and_no_temp_file(folder, monkeypatch):
    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(storage.StorageError, match="Input/output error"):
        saved(folder, "Never half written")
    assert listing(folder) == {}


CRASH_SCRIPT = """
import os, sys
sys.path.insert(0, {root!r})
from core.journal import storage
from core.journal.storage import durable
real_swap = durable.swap_in
def die(new, target):
    if str(target).endswith({rel!r}):
        os._exit(3)  # the process dies between the fsynced temp file and the replace of the note
    return real_swap(new, target)
durable.swap_in = die
storage.save_note({folder!r}, {rel!r}, storage.build_meta("Crash", __import__("datetime").date(2021, 8, 6), "til", []),
                  "NEW TEXT THAT MUST NOT APPEAR", expected_hash={expected!r})
"""


def test_a_process_killed_before_the_replace_leaves_the_old_note_and_a_temp_file_cleaned_at_start(folder):
    first = saved(folder, "Crash", body="old text survives\n")
    before = first.path.read_bytes()
    script = CRASH_SCRIPT.format(root=str(ROOT), folder=str(folder), rel=first.rel_path, expected=first.content_hash)
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env={**os.environ, "STUDYLAB_READONLY": ""}
    )
    assert process.returncode == 3, process.stderr.decode()
    assert first.path.read_bytes() == before
    leftovers = temp_files(folder)
    assert len(leftovers) == 1 and b"NEW TEXT" in leftovers[0].read_bytes()
    library = notes_lib.load_library(folder)
    assert [n.path for n in library.notes] == [first.rel_path] and not library.problems
    assert storage.cleanup_stray_temp_files(folder) == []  # too fresh: might be a save in progress
    assert storage.cleanup_stray_temp_files(folder, older_than=0) == leftovers
    assert temp_files(folder) == []
    assert first.path.read_bytes() == before


def test_cleanup_finds_temp_files_at_any_depth_and_leaves_notes_alone(folder):
    (folder / "sub").mkdir()
    stray = [folder / ".tmp-abc.tmp", folder / "sub" / ".tmp-def.tmp"]
    for path in stray:
        path.write_bytes(b"partial")
        os.utime(path, (0, 0))
    (folder / "note.md").write_text("---\ntitle: n\n---\n")
    (folder / ".tmp-but-not-ours.md").write_text("x")
    assert sorted(storage.cleanup_stray_temp_files(folder)) == sorted(stray)
    assert sorted(listing(folder)) == [".tmp-but-not-ours.md", "note.md"]


def test_overwrite_keeps_the_file_mode(folder):
    first = saved(folder, "Mode")
    first.path.chmod(0o600)
    storage.save_note(folder, first.rel_path, meta("Mode"), "changed", expected_hash=first.content_hash)
    assert first.path.stat().st_mode & 0o777 == 0o600


# --- conflicts -------------------------------------------------------------------------------------


def test_conflict_between_two_sessions_keeps_both_texts(folder):
    original = saved(folder, "Shared", body="start\n")
    data, tab_a_hash = storage.read_note(folder, original.rel_path)
    _, tab_b_hash = storage.read_note(folder, original.rel_path)
    assert tab_a_hash == tab_b_hash == original.content_hash

    a = storage.save_note(folder, original.rel_path, meta("Shared"), "A's text", expected_hash=tab_a_hash)
    with pytest.raises(storage.ConflictError) as conflict:
        storage.save_note(folder, original.rel_path, meta("Shared"), "B's text", expected_hash=tab_b_hash)
    assert "changed on disk" in str(conflict.value)
    assert "A's text" in conflict.value.disk_text and conflict.value.disk_hash == a.content_hash
    assert "A's text" in original.path.read_text()

    copy = storage.save_note(folder, None, meta("Shared"), "B's text", expected_hash=None)
    assert copy.rel_path == "2021-08-06-shared-2.md" and "B's text" in copy.path.read_text()
    b = storage.save_note(folder, original.rel_path, meta("Shared"), "B's text", expected_hash=conflict.value.disk_hash)
    assert "B's text" in b.path.read_text()
    kept = [v.path.read_text() for v in storage.list_history(folder, original.rel_path)]
    assert any("start" in text for text in kept) and any("A's text" in text for text in kept)


def test_an_edit_outside_the_app_is_a_conflict(folder):
    first = saved(folder, "Outside")
    first.path.write_text(first.path.read_text() + "added in vim\n")
    with pytest.raises(storage.ConflictError) as conflict:
        storage.save_note(folder, first.rel_path, meta("Outside"), "mine", expected_hash=first.content_hash)
    assert conflict.value.disk_text.endswith("added in vim\n")
    assert first.path.read_text().endswith("added in vim\n")


def test_a_note_deleted_meanwhile_is_a_conflict_without_disk_text(folder):
    first = saved(folder, "Gone")
    storage.trash_note(folder, first.rel_path)
    with pytest.raises(storage.ConflictError) as conflict:
        storage.save_note(folder, first.rel_path, meta("Gone"), "mine", expected_hash=first.content_hash)
    assert conflict.value.disk_text is None and "deleted or moved" in str(conflict.value)
    assert not first.path.exists()
    back = storage.save_note(folder, first.rel_path, meta("Gone"), "mine", expected_hash=None)
    assert back.created and "mine" in back.path.read_text()


def test_expecting_no_file_where_one_exists_is_a_conflict(folder):
    first = saved(folder, "Exists")
    with pytest.raises(storage.ConflictError):
        storage.save_note(folder, first.rel_path, meta("Exists"), "mine", expected_hash=None)


def test_saving_unchanged_text_adds_no_history(folder):
    first = saved(folder, "Same", body="same\n")
    again = storage.save_note(folder, first.rel_path, meta("Same"), "same\n", expected_hash=first.content_hash)
    assert again.content_hash == first.content_hash and again.history_path is None
    assert storage.list_history(folder, first.rel_path) == []


def test_two_threads_saving_different_notes_both_land(folder):
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def write(title: str) -> None:
        try:
            barrier.wait()
            results[title] = saved(folder, title, body=f"{title} body\n")
        except Exception as err:  # collected so the assertion shows it
            errors.append(err)

    threads = [threading.Thread(target=write, args=(title,)) for title in ("Thread one", "Thread two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    library = notes_lib.load_library(folder)
    assert sorted(n.title for n in library.notes) == ["Thread one", "Thread two"]
    assert all(n.body == f"{n.title} body\n" for n in library.notes)


def test_many_threads_with_the_same_title_get_distinct_names(folder):
    barrier = threading.Barrier(8)
    results = []

    def write(index: int) -> None:
        barrier.wait()
        results.append(saved(folder, "Same day", body=f"writer {index}\n"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.rel_path for r in results}) == 8
    bodies = sorted(n.body for n in notes_lib.load_library(folder).notes)
    assert bodies == sorted(f"writer {i}\n" for i in range(8))


def test_two_threads_editing_one_note_one_wins_and_nothing_is_lost(folder):
    first = saved(folder, "Race", body="base\n")
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(text: str) -> None:
        barrier.wait()
        try:
            storage.save_note(folder, first.rel_path, meta("Race"), text, expected_hash=first.content_hash)
            outcomes.append(("saved", text))
        except storage.ConflictError as err:
            outcomes.append(("conflict", err.disk_text))

    threads = [threading.Thread(target=edit, args=(text,)) for text in ("left\n", "right\n")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    assert first.path.read_text().endswith(winner)
    assert [v.path.read_bytes() for v in storage.list_history(folder, first.rel_path)] == [
        first.path.read_bytes().replace(winner.encode(), b"base\n")
    ]


# --- nothing escapes the notes folder --------------------------------------------------------------


ESCAPES = [
    "../escape.md", "../../escape.md", "sub/../../escape.md", "./escape.md", "a//b.md", "/tmp/absolute.md",
    "C:/absolute.md", "C:\\absolute.md", "\\\\server\\share\\x.md", "..\\escape.md", "a\x00b.md", "x.md\x00.txt",
    ".hidden.md", ".history/x.md", ".trash/20210101T000000000000Z/x.md",
    "not-markdown.txt", "", "   ", "line\nbreak.md",
]


@pytest.mark.parametrize("rel_path", ESCAPES)
def test_every_escape_path_is_refused_for_every_write_and_read(folder, rel_path):
    before = listing(folder.parent)
    with pytest.raises(storage.UnsafePathError):
        storage.save_note(folder, rel_path, meta("Escape"), "x", expected_hash=None)
    with pytest.raises(storage.UnsafePathError):
        storage.trash_note(folder, rel_path)
    with pytest.raises(storage.UnsafePathError):
        storage.read_note(folder, rel_path)
    with pytest.raises(storage.UnsafePathError):
        storage.list_history(folder, rel_path)
    assert listing(folder.parent) == before


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    place = tmp_path / "outside"
    place.mkdir()
    (place / "secret.md").write_text("---\ntitle: secret\n---\nsecret\n")
    return place


def test_a_symlinked_note_pointing_out_is_refused(folder, outside):
    (folder / "link.md").symlink_to(outside / "secret.md")
    with pytest.raises(storage.UnsafePathError, match="outside the notes folder"):
        storage.save_note(folder, "link.md", meta("x"), "overwrite", expected_hash=None)
    with pytest.raises(storage.UnsafePathError):
        storage.trash_note(folder, "link.md")
    with pytest.raises(storage.UnsafePathError):
        storage.read_note(folder, "link.md")
    assert (outside / "secret.md").read_text().endswith("secret\n")


def test_a_symlinked_folder_pointing_out_is_refused(folder, outside):
    (folder / "out").symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError):
        storage.save_note(folder, "out/new.md", meta("x"), "x", expected_hash=None)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.md"]


def test_history_or_trash_folders_linked_out_are_refused_before_the_note_changes(folder, outside):
    first = saved(folder, "Linked", body="keep\n")
    (folder / storage.HISTORY_DIR).symlink_to(outside, target_is_directory=True)
    (folder / storage.TRASH_DIR).symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError):
        storage.save_note(folder, first.rel_path, meta("Linked"), "changed", expected_hash=first.content_hash)
    with pytest.raises(storage.UnsafePathError):
        storage.trash_note(folder, first.rel_path)
    assert first.path.read_text().endswith("keep\n")
    assert sorted(p.name for p in outside.rglob("*")) == ["secret.md"]


@pytest.mark.parametrize(("hidden", "refused"), [(storage.STATE_DIR, ("save", "create", "trash")),
                                                 (storage.HISTORY_DIR, ("save",)), (storage.TRASH_DIR, ("trash",))])
def test_a_hidden_folder_that_is_a_link_loop_refuses_with_a_message_and_changes_nothing(folder, hidden, refused):
    first = saved(folder, "Looped", body="keep\n")
    if hidden == storage.STATE_DIR:
        for leftover in (folder / hidden).iterdir():
            leftover.unlink()
        (folder / hidden).rmdir()
    (folder / hidden).symlink_to(hidden)  # `ln -s .history .history`
    attempts = {
        "save": lambda: storage.save_note(folder, first.rel_path, meta("Looped"), "changed",
                                          expected_hash=first.content_hash),
        "create": lambda: storage.save_note(folder, None, meta("Another"), "new", expected_hash=None),
        "trash": lambda: storage.trash_note(folder, first.rel_path),
    }
    for name in refused:
        with pytest.raises(storage.UnsafePathError, match="loops back on itself") as raised:
            attempts[name]()
        assert "nothing was changed" in str(raised.value)
    assert first.path.read_text().endswith("keep\n")
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [first.rel_path]
    assert storage.list_history(folder, first.rel_path) == [] and storage.list_trash(folder) == []
    assert storage.history_counts(folder) == {}


@pytest.mark.parametrize(
    "title", ["../../etc/passwd", "/etc/passwd", "..", ".", "CON", "a\x00b", "..\\..\\x", "~/notes", "$HOME"]
)
def test_titles_never_place_a_file_outside(folder, title):
    result = saved(folder, title)
    assert result.path.parent == folder.resolve()
    assert len(list(folder.parent.rglob("*.md"))) == 1


def test_tags_are_only_text(folder):
    result = saved(folder, "Tagged", tags=["../../escape", "/abs", "a\x00b"])
    assert result.path.parent == folder.resolve()
    note = notes_lib.parse_note(result.path.read_bytes(), result.rel_path)
    assert note.tags == ("../../escape", "/abs", "a b")


def test_the_notes_folder_itself_may_be_a_symlink(tmp_path, folder):
    link = tmp_path / "linked-notes"
    link.symlink_to(folder, target_is_directory=True)
    result = saved(link, "Through a link")
    assert (folder / result.rel_path).exists()


# --- read-only ---------------------------------------------------------------------------------------


def test_every_write_refuses_in_read_only_mode(folder, monkeypatch):
    first = saved(folder, "Before")
    storage.save_note(folder, first.rel_path, meta("Before"), "v2", expected_hash=first.content_hash)
    version = storage.list_history(folder, first.rel_path)[0].name
    second = saved(folder, "Trashed")
    trashed = storage.trash_note(folder, second.rel_path)
    stray = folder / ".tmp-old.tmp"
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    before = listing(folder)
    _, current = storage.read_note(folder, first.rel_path)

    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    attempts = [
        lambda: saved(folder, "New"),
        lambda: storage.save_note(folder, first.rel_path, meta("Before"), "v3", expected_hash=current),
        lambda: storage.trash_note(folder, first.rel_path),
        lambda: storage.restore_from_trash(folder, trashed.parent.name),
        lambda: storage.restore_version(folder, first.rel_path, version, expected_hash=current),
        lambda: storage.import_note(folder, "new.md", b"---\ntitle: x\n---\n"),
    ]
    for attempt in attempts:
        with pytest.raises(storage.ReadOnlyError, match="read-only"):
            attempt()
    assert storage.cleanup_stray_temp_files(folder, older_than=0) == []
    assert listing(folder) == before
    assert storage.export_note(folder, first.rel_path) == (folder / first.rel_path).read_bytes()
    assert storage.list_trash(folder) and storage.list_history(folder, first.rel_path)


# --- trash -------------------------------------------------------------------------------------------


def test_trash_and_restore_round_trip(folder):
    first = saved(folder, "Delete me")
    data = first.path.read_bytes()
    trashed = storage.trash_note(folder, first.rel_path)
    assert not first.path.exists()
    assert trashed.read_bytes() == data and storage.TRASH_DIR in trashed.parts
    assert notes_lib.load_library(folder).notes == ()
    [entry] = storage.list_trash(folder)
    assert (entry.original_path, entry.title) == (first.rel_path, "Delete me")
    assert entry.deleted_at.tzinfo is not None
    restored = storage.restore_from_trash(folder, entry.name)
    assert restored == first.path and restored.read_bytes() == data
    assert storage.list_trash(folder) == []
    assert not any((folder / storage.TRASH_DIR).iterdir())


def test_restore_into_a_taken_name_gets_a_suffix(folder):
    first = saved(folder, "Twice")
    old = first.path.read_bytes()
    storage.trash_note(folder, first.rel_path)
    replacement = saved(folder, "Twice", body="the new one\n")
    assert replacement.rel_path == first.rel_path
    restored = storage.restore_from_trash(folder, storage.list_trash(folder)[0].name)
    assert restored.name == "2021-08-06-twice-2.md" and restored.read_bytes() == old
    assert "the new one" in replacement.path.read_text()


def test_a_note_in_a_subfolder_goes_back_to_its_subfolder(folder):
    (folder / "week1").mkdir()
    (folder / "week1" / "n.md").write_text("---\ntitle: Nested\n---\n")
    storage.trash_note(folder, "week1/n.md")
    (folder / "week1").rmdir()
    [entry] = storage.list_trash(folder)
    assert entry.original_path == "week1/n.md"
    assert storage.restore_from_trash(folder, entry.name) == (folder / "week1" / "n.md").resolve()


@pytest.mark.parametrize("name", ["", "..", "../notes", "20210101T000000000000Z", "/etc", "nope"])
def test_restoring_an_unknown_trash_name_is_refused(folder, name):
    with pytest.raises(storage.StorageError, match="no note"):
        storage.restore_from_trash(folder, name)


def test_trashing_a_missing_note_is_refused(folder):
    with pytest.raises(storage.StorageError, match="not in the notes folder"):
        storage.trash_note(folder, "missing.md")


def test_trash_entries_are_ordered_newest_first(folder):
    for title in ("First", "Second"):
        storage.trash_note(folder, saved(folder, title).rel_path)
    assert [e.title for e in storage.list_trash(folder)] == ["Second", "First"]


# --- history -----------------------------------------------------------------------------------------


def test_history_keeps_every_replaced_version_and_restores_one(folder):
    v1 = saved(folder, "Versions", body="one\n")
    v1_bytes = v1.path.read_bytes()
    v2 = storage.save_note(folder, v1.rel_path, meta("Versions"), "two\n", expected_hash=v1.content_hash)
    v2_bytes = v2.path.read_bytes()
    v3 = storage.save_note(folder, v1.rel_path, meta("Versions"), "three\n", expected_hash=v2.content_hash)
    history = storage.list_history(folder, v1.rel_path)
    assert [storage.read_version(folder, v1.rel_path, v.name) for v in history] == [v2_bytes, v1_bytes]
    assert v3.history_path == history[0].path
    assert history[0].path.parent == folder.resolve() / storage.HISTORY_DIR / v1.rel_path[:-3]

    diff = storage.diff_text(v1_bytes.decode(), v3.path.read_text(), "old", "current")
    assert "-one" in diff and "+three" in diff

    with pytest.raises(storage.ConflictError):
        storage.restore_version(folder, v1.rel_path, history[1].name, expected_hash=v2.content_hash)
    restored = storage.restore_version(folder, v1.rel_path, history[1].name, expected_hash=v3.content_hash)
    assert restored.path.read_bytes() == v1_bytes
    assert len(storage.list_history(folder, v1.rel_path)) == 3
    assert notes_lib.load_library(folder).notes[0].body == "one\n"


@pytest.mark.parametrize("version", ["../../x.md", "/etc/passwd", "nope.md", ""])
def test_reading_an_unlisted_version_is_refused(folder, version):
    first = saved(folder, "Hist")
    storage.save_note(folder, first.rel_path, meta("Hist"), "v2", expected_hash=first.content_hash)
    with pytest.raises(storage.StorageError, match="no saved version"):
        storage.read_version(folder, first.rel_path, version)


def test_history_is_invisible_to_the_loader(folder):
    first = saved(folder, "Hidden history")
    storage.save_note(folder, first.rel_path, meta("Hidden history"), "v2", expected_hash=first.content_hash)
    assert [n.path for n in notes_lib.load_library(folder).notes] == [first.rel_path]


def test_diff_of_equal_texts_is_empty():
    assert storage.diff_text("a\nb", "a\nb", "x", "y") == ""


# --- import and export ---------------------------------------------------------------------------------


GOOD = "---\ntitle: Imported 합성곱\ndate: 2021-08-07\ntype: lecture\ntags: [cnn]\n---\n# Imported\n".encode()


def test_a_good_upload_is_saved_byte_for_byte(folder):
    result = storage.import_note(folder, "2021-08-07-imported.md", GOOD)
    assert result.rel_path == "2021-08-07-imported.md" and result.path.read_bytes() == GOOD
    assert notes_lib.load_library(folder).notes[0].title == "Imported 합성곱"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"---\ntitle: [unclosed\n---\nbody\n", "not valid YAML"),
        (b"---\ntitle: x\nbody without end\n", "never closed"),
        (b"---\n- a\n- list\n---\n", "mapping"),
        (b"---\ndate: 2021-02-30\n---\n", "impossible value|not a real calendar date"),
        (b"---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n", "YAML tag"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9 latin-1", "UTF-8"),
        (b"", "empty"),
        (b"x" * (notes_lib.MAX_NOTE_BYTES + 1), "1 MB"),
    ],
)
def test_a_bad_upload_is_refused_with_the_reason_and_nothing_is_saved(folder, data, reason):
    with pytest.raises(storage.InvalidNoteError, match=reason):
        storage.import_note(folder, "bad.md", data)
    assert listing(folder) == {}


@pytest.mark.parametrize(
    ("filename", "saved_as"),
    [
        ("../../evil.md", "evil.md"),
        ("/etc/cron.d/evil.md", "evil.md"),
        ("C:\\Windows\\evil.md", "evil.md"),
        ("..\\..\\evil.md", "evil.md"),
        ("CON.md", "con-note.md"),
        ("evil\x00.md", "evil.md"),
        (".hidden.md", "hidden.md"),
        ("...md", "note.md"),
        ("합성곱 노트.MD", "합성곱-노트.md"),
    ],
)
def test_upload_names_become_safe_names_inside_the_folder(folder, filename, saved_as):
    result = storage.import_note(folder, filename, GOOD)
    assert result.rel_path == saved_as and result.path.parent == folder.resolve()


@pytest.mark.parametrize("filename", ["notes.txt", "evil.md.exe", "archive.zip", "noextension", "x.md/"])
def test_non_markdown_uploads_are_refused(folder, filename):
    with pytest.raises(storage.UnsafePathError, match="only .md"):
        storage.import_note(folder, filename, GOOD)
    assert listing(folder) == {}


def test_an_upload_never_overwrites_a_note(folder):
    (folder / "same.md").write_bytes(b"---\ntitle: mine\n---\n")
    assert storage.import_note(folder, "same.md", GOOD).rel_path == "same-2.md"
    assert (folder / "same.md").read_bytes() == b"---\ntitle: mine\n---\n"


def test_import_notes_reports_each_file(folder):
    results = storage.import_notes(folder, [("good.md", GOOD), ("bad.md", b"\x00"), ("bad.txt", GOOD)])
    assert [r.saved.rel_path if r.saved else None for r in results] == ["good.md", None, None]
    assert "binary" in results[1].error and "only .md" in results[2].error
    assert sorted(listing(folder)) == ["good.md"]


def test_export_zip_holds_every_note_and_nothing_else(folder, outside):
    first = saved(folder, "Exported 합성곱", body="body 🎉\n")
    storage.save_note(folder, first.rel_path, meta("Exported 합성곱"), "v2 🎉\n", expected_hash=first.content_hash)
    storage.trash_note(folder, saved(folder, "Deleted").rel_path)
    (folder / "week1").mkdir()
    (folder / "week1" / "nested.md").write_text("---\ntitle: nested\n---\n")
    (folder / "broken.md").write_bytes(b"---\ntitle: [\n---\n")
    (folder / ".tmp-x.tmp").write_bytes(b"partial")
    (folder / "leak.md").symlink_to(outside / "secret.md")
    archive = zipfile.ZipFile(io.BytesIO(storage.export_zip(folder)))
    assert sorted(archive.namelist()) == [
        "notes/2021-08-06-exported-합성곱.md", "notes/broken.md", "notes/week1/nested.md"
    ]
    assert archive.read("notes/2021-08-06-exported-합성곱.md") == first.path.read_bytes()
    assert archive.testzip() is None


def test_export_one_note(folder):
    first = saved(folder, "One")
    assert storage.export_note(folder, first.rel_path) == first.path.read_bytes()
    with pytest.raises(storage.StorageError):
        storage.export_note(folder, "missing.md")


def test_a_missing_notes_folder_is_a_clear_error(tmp_path):
    with pytest.raises(storage.StorageError, match="does not exist"):
        storage.save_note(tmp_path / "nope", None, meta("x"), "x", expected_hash=None)


def test_storage_never_imports_streamlit():
    code = "import sys; import core.journal.storage, core.journal.templates; print('streamlit' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def test_tempfile_dir_is_the_targets_folder(folder, monkeypatch):
    seen = []
    real = durable.write_temp

    def spy(directory, *args, **kwargs):
        seen.append(directory)
        return real(directory, *args, **kwargs)

    monkeypatch.setattr(durable, "write_temp", spy)
    first = saved(folder, "Where")
    (folder / "week1").mkdir()
    nested = storage.import_note(folder, "nested.md", b"---\ntitle: n\n---\n")
    storage.save_note(folder, first.rel_path, meta("Where"), "changed", expected_hash=first.content_hash)
    assert seen == [folder.resolve()] * 3 and nested.path.parent == folder.resolve()


def test_history_counts_lists_notes_with_kept_versions(folder):
    (folder / "week1").mkdir()
    (folder / "week1" / "n.md").write_text("---\ntitle: nested\n---\n")
    first = saved(folder, "Counted")
    for body in ("v2", "v3"):
        _, current = storage.read_note(folder, first.rel_path)
        storage.save_note(folder, first.rel_path, meta("Counted"), body, expected_hash=current)
    _, current = storage.read_note(folder, "week1/n.md")
    storage.save_note(folder, "week1/n.md", meta("nested"), "changed", expected_hash=current)
    assert storage.history_counts(folder) == {first.rel_path: 2, "week1/n.md": 1}
    assert storage.history_counts(folder / "week1") == {}
