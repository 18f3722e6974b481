"""Nothing outside the notes folder is touched: core.journal.storage.paths checks every name and path
someone hands in, says what is wrong with it, and names new files and entries safely.

Written against the mutants `make mutate MODULE=core/journal/storage/paths.py` left alive (see
docs/mutation.md): each test here notices one way the checks could be written wrong.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from core.journal import storage
from core.journal.storage import paths


@pytest.mark.parametrize("rel_path", ["", "   ", "\t\n"])
def test_an_empty_or_blank_path_is_refused_as_empty(folder, rel_path):
    with pytest.raises(storage.UnsafePathError, match="^The note path is empty.$"):
        paths.split_rel_path(rel_path)


@pytest.mark.parametrize("rel_path", [None, 7, b"a.md"])
def test_a_path_that_is_not_text_is_refused_as_empty_not_a_crash(rel_path):
    with pytest.raises(storage.UnsafePathError, match="^The note path is empty.$"):
        paths.split_rel_path(rel_path)


def test_a_note_linked_out_is_refused_naming_the_path_handed_in(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "link.md").symlink_to(outside / "secret.md")
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.resolve_note_path(folder, "sub/link.md")
    assert str(raised.value) == "'sub/link.md' points outside the notes folder (through a link), so it is not touched."
    assert (outside / "secret.md").read_text(encoding="utf-8") == "secret\n"


def test_timestamps_are_utc_whatever_the_machines_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        stamp = paths.timestamp()
        now = dt.datetime.now(dt.timezone.utc)
    finally:
        monkeypatch.undo()
        time.tzset()
    moment = paths.parse_timestamp(stamp)
    assert stamp.endswith("Z") and abs((now - moment).total_seconds()) < 60


LONG_NAME = "a" * 252 + ".md"  # 255 bytes: the most a file name holds
REFUSALS = [
    ("a\x00b.md", "The note path contains a NUL byte, which no file name may hold."),
    ("sub\\x.md", "'sub\\x.md' contains a backslash; note paths use '/' inside the notes folder."),
    ("/tmp/x.md", "'/tmp/x.md' is an absolute path; only paths inside the notes folder are allowed."),
    ("C:/x.md", "'C:/x.md' is an absolute path; only paths inside the notes folder are allowed."),
    ("a//b.md", "'a//b.md' steps out of or around the notes folder ('//')."),
    ("../x.md", "'../x.md' steps out of or around the notes folder ('..')."),
    ("./x.md", "'./x.md' steps out of or around the notes folder ('.')."),
    ("sub/", "'sub/' steps out of or around the notes folder ('//')."),
    ("sub/.x.md", "'sub/.x.md' names a hidden file or folder, which the journal keeps for itself."),
    ("line\nbreak.md", "'line\\nbreak.md' contains control characters."),
    ("tab\tx.md", "'tab\\tx.md' contains control characters."),
    ("line\u2028x.md", "'line\\u2028x.md' contains control characters."),
    ("par\u2029x.md", "'par\\u2029x.md' contains control characters."),
    ("half\ud800.md", "'half\\ud800.md' contains control characters."),
    ("b" * 253 + ".md", f"'{'b' * 77}...' has a name of 256 bytes; a file name holds at most 255 bytes (UTF-8)."),
    ("가" * 85 + ".md", f"'{'가' * 77}...' has a name of 258 bytes; a file name holds at most 255 bytes (UTF-8)."),
    ("a" * 100 + "/" + "b" * 152 + ".md",
     f"'{'a' * 77}...' is 256 bytes long; a note's path inside the notes folder holds at most 255 bytes (UTF-8)."),
    ("notes.txt", "'notes.txt' is not a markdown note (.md)."),
    ("sub/md", "'sub/md' is not a markdown note (.md)."),
]


@pytest.mark.parametrize(("rel_path", "message"), REFUSALS)
def test_each_bad_path_is_refused_saying_what_is_wrong(rel_path, message):
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.split_rel_path(rel_path)
    assert str(raised.value) == message


@pytest.mark.parametrize("rel_path", [LONG_NAME, "가" * 84 + ".md", "a" * 100 + "/" + "b" * 151 + ".md",
                                      "Notes.MD", "sub/deeper/x.md", "x..y.md", "a-._b.md", "키워드.md"])
def test_paths_up_to_the_limits_are_accepted_in_their_parts(folder, rel_path):
    assert paths.split_rel_path(rel_path) == rel_path.split("/")
    assert paths.resolve_note_path(folder, rel_path) == folder.resolve().joinpath(*rel_path.split("/"))


@pytest.mark.parametrize(("length", "shown"), [(80, "." + "h" * 79), (81, "." + "h" * 76 + "...")])
def test_a_refused_path_is_shown_whole_up_to_80_characters(length, shown):
    rel_path = "." + "h" * (length - 1)
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.split_rel_path(rel_path)
    assert str(raised.value) == f"'{shown}' names a hidden file or folder, which the journal keeps for itself."


def test_a_link_loop_on_the_way_is_refused_with_what_to_do(folder):
    (folder / "loop").symlink_to("loop")
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.resolve_note_path(folder, "loop/x.md")
    assert str(raised.value) == ("'loop/x.md' cannot be reached: a link on its way in the notes folder loops back "
                                 "on itself. Remove or fix that link; nothing was changed.")


def test_a_link_that_cannot_be_followed_says_why_not_that_it_loops(folder, monkeypatch):
    target = folder / "sub" / "x.md"
    real_resolve = paths.Path.resolve

    def resolve(self, strict=False):
        if self == target:
            raise PermissionError(13, "Permission denied")
        return real_resolve(self, strict)

    monkeypatch.setattr(paths.Path, "resolve", resolve)
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.check_inside(folder.resolve(), target, "sub/x.md")
    assert str(raised.value) == ("'sub/x.md' cannot be reached: a link on its way in the notes folder cannot be "
                                 "followed (Permission denied). Remove or fix that link; nothing was changed.")


@pytest.mark.parametrize(("title", "slug"), [
    ("가" * 50, "가" * 50),             # 150 bytes: the most a slug holds
    ("가" * 51, "가" * 50),             # 153 bytes: cut to 150, one whole letter at a time
    ("가" * 49 + "abcd", "가" * 49 + "abc"),  # 151 bytes: cut by one letter only
    ("!" + "a" * 60, "a" * 60),         # a leading separator is dropped before the 60-character cut
    ("_" + "a" * 60, "a" * 60),
    ("a" * 59 + " b", "a" * 59),        # the cut leaves a separator at the end: dropped
    ("a" * 59 + "_b", "a" * 59),
])
def test_slugs_are_cut_to_their_limits_without_dangling_separators(title, slug):
    assert paths.slugify(title) == slug


@pytest.mark.parametrize("name", ["CON.md", "con", "Con .md", "aux.tar.gz", "NUL.md", "prn.MD", "COM1.md",
                                  "lpt9.md", "com¹.md", "LPT³.md", "ＣＯＭ１.md", "ｃｏｎ.md"])
def test_windows_device_names_are_known_in_any_case_width_and_extension(name):
    assert paths.is_windows_reserved(name)


@pytest.mark.parametrize("name", ["console.md", "com0.md", "com10.md", "lpt.md", "x.con.md", "con-note.md", "c on.md",
                                  "auxiliary.md", " con.md"])
def test_names_that_only_look_like_device_names_are_free(name):
    assert not paths.is_windows_reserved(name)


@pytest.mark.parametrize("name", ["conX.md", "CONX.md", "con\u1680.md", "con\t.md"])
def test_only_trailing_spaces_fold_into_a_device_name(name):
    assert not paths.is_windows_reserved(name)


def test_a_notes_folder_that_is_a_link_loop_is_a_clear_error(tmp_path):
    (tmp_path / "notes").symlink_to("notes")
    with pytest.raises(storage.StorageError) as raised:
        paths.root(tmp_path / "notes")
    assert str(raised.value) == (f"The notes folder {tmp_path / 'notes'} does not exist; set STUDYLAB_NOTES_DIR to an "
                                 "existing folder.")


def test_folders_linked_out_are_refused_naming_the_place(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / "out").symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.make_folders(folder.resolve(), folder.resolve() / "out" / "deeper", "out/deeper/x.md")
    assert str(raised.value) == ("'out/deeper/x.md' points outside the notes folder (through a link), so it is not "
                                 "touched.")
    (folder / storage.STATE_DIR).mkdir()
    (folder / storage.STATE_DIR / "drafts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.state_folder(folder, "drafts", "today")
    assert str(raised.value) == ("'.studylab/drafts/today' points outside the notes folder (through a link), so it is "
                                 "not touched.")
    assert list(outside.iterdir()) == []


def _appearing_meanwhile(monkeypatch, *names):
    """os.path.lexists answers False for these names once: another writer makes them between the
    check and the mkdir."""
    real_lexists = paths.os.path.lexists
    pending = set(names)

    def lexists(path):
        if paths.Path(path).name in pending:
            pending.discard(paths.Path(path).name)
            return False
        return real_lexists(path)

    monkeypatch.setattr(paths.os.path, "lexists", lexists)


def test_a_folder_made_meanwhile_by_another_writer_is_used_and_the_rest_made(folder, monkeypatch):
    (folder / "week1").mkdir()
    _appearing_meanwhile(monkeypatch, "week1")
    paths.make_folders(folder.resolve(), folder.resolve() / "week1" / "day2" / "notes", "week1/day2/notes")
    assert (folder / "week1" / "day2" / "notes").is_dir()


def test_a_link_out_made_meanwhile_by_another_writer_is_refused(folder, tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / "out").symlink_to(outside, target_is_directory=True)
    _appearing_meanwhile(monkeypatch, "out")
    with pytest.raises(storage.UnsafePathError) as raised:
        paths.make_folders(folder.resolve(), folder.resolve() / "out" / "deeper", "out/deeper")
    assert str(raised.value) == "'out/deeper' points outside the notes folder (through a link), so it is not touched."
    assert list(outside.iterdir()) == []


def test_state_folders_take_any_plain_name_and_refuse_others_by_name(folder):
    assert paths.state_folder(folder, "Xdrafts", "X") == folder.resolve() / storage.STATE_DIR / "Xdrafts" / "X"
    for parts in (("a", "b\\c"), ("a\x00",), ("..",), ("a/b",)):
        with pytest.raises(storage.UnsafePathError) as raised:
            paths.state_folder(folder, *parts)
        assert str(raised.value) == f"{parts!r} is not a plain folder name inside .studylab/."


def test_read_only_mode_names_the_state_folder_it_did_not_create(folder, monkeypatch):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError) as raised:
        paths.state_folder(folder, "drafts")
    assert str(raised.value).startswith("Writing is turned off, so creating the app's state folder did not happen. ")
    assert not (folder / storage.STATE_DIR).exists()


@pytest.mark.parametrize(("name", "second", "third"), [
    ("20210806T101500123456Z", "20210806T101500123456Z-2", "20210806T101500123456Z-3"),
    ("note.md", "note-2.md", "note-3.md"),
    ("Note.MD", "Note-2.MD", "Note-3.MD"),
])
def test_a_taken_name_gets_the_next_number_before_its_extension(folder, name, second, third):
    assert paths.unique_name(folder, name) == name
    (folder / name).mkdir()
    assert paths.unique_name(folder, name) == second
    (folder / second).mkdir()
    assert paths.unique_name(folder, name) == third
