"""Writing the journal without ever losing a note, even with a second writer in the same folder.

Every write in the app goes through this package (`from core.journal import storage`), and every
one of them:

- refuses when writing is turned off (`STUDYLAB_READONLY=1`, or a write guard such as the app's
  rule for visitors from other machines) with `ReadOnlyError`;
- stays inside the notes folder: names come from `slugify`/`note_file_name`, and every path is
  checked by `resolve_note_path`, else `UnsafePathError`;
- is atomic and durable: a fsynced temp file renamed into place, then the folder fsynced; an
  fsync error is raised, never swallowed;
- is ordered against other writers: `folder_lock` is an OS file lock (`flock`) on
  `.studylab/lock`, shared by every thread and process of the app; new names are created with
  O_EXCL semantics, so two writers never get the same file;
- keeps what it replaces: an overwrite keeps the old file in `.history/`, a delete moves the note
  to `.trash/`; the loader skips dot-names, so neither shows as a note;
- detects conflicts: an edit names the `content_hash` it started from; the save is a
  compare-and-swap checked again after the swap, so a change by another tab, another app
  instance or an editor that does not take the lock is a `ConflictError`, never silently lost.

Modules: `paths` (names, containment, the hidden folders), `durable` (atomic write, exclusive
create and rename, durable append, swap), `locking` (`folder_lock`), `frontmatter` (cleaning and YAML),
`saving` (read, save, the compare-and-swap, restore), `history`, `trash`, `transfer` (import and
export) and `errors`. The names below are the public API.
"""

from core.journal.diff import TextDiff, bounded_diff, diff_text
from core.journal.storage.durable import (
    NEW_FILE_MODE,
    STRAY_TEMP_AGE_SECONDS,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    append_durably,
    atomic_write,
    cleanup_stray_temp_files,
    content_hash,
    create_exclusive,
    rename_exclusive,
)
from core.journal.storage.errors import (
    READONLY_ENV,
    READONLY_VALUES,
    ConflictError,
    InvalidNoteError,
    LockTimeoutError,
    NotDurableError,
    ReadOnlyError,
    StorageError,
    UnsafePathError,
    add_write_guard,
    is_readonly,
    remove_write_guard,
    write_refusal,
)
from core.journal.storage.frontmatter import (
    META_ORDER,
    build_meta,
    check_loads,
    clean_body,
    clean_line,
    clean_meta,
    clean_tag,
    draft_note,
    note_text,
)
from core.journal.storage.history import Version, history_counts, history_folder, list_history, read_version
from core.journal.storage.locking import LOCK_FILE, folder_lock
from core.journal.storage.paths import (
    HISTORY_DIR,
    MAX_SLUG_BYTES,
    MAX_SLUG_CHARS,
    STATE_DIR,
    TRASH_DIR,
    note_file_name,
    resolve_note_path,
    slugify,
    state_folder,
)
from core.journal.storage.saving import SaveResult, read_note, replace_note_bytes, restore_version, save_note
from core.journal.storage.transfer import (
    ImportResult,
    export_note,
    export_zip,
    import_file_name,
    import_note,
    import_notes,
)
from core.journal.storage.trash import TrashEntry, list_trash, restore_from_trash, trash_note

__all__ = [
    "HISTORY_DIR",
    "LOCK_FILE",
    "MAX_SLUG_BYTES",
    "MAX_SLUG_CHARS",
    "META_ORDER",
    "NEW_FILE_MODE",
    "READONLY_ENV",
    "READONLY_VALUES",
    "STATE_DIR",
    "STRAY_TEMP_AGE_SECONDS",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "TRASH_DIR",
    "ConflictError",
    "ImportResult",
    "InvalidNoteError",
    "LockTimeoutError",
    "NotDurableError",
    "ReadOnlyError",
    "SaveResult",
    "StorageError",
    "TextDiff",
    "TrashEntry",
    "UnsafePathError",
    "Version",
    "add_write_guard",
    "append_durably",
    "atomic_write",
    "bounded_diff",
    "build_meta",
    "check_loads",
    "clean_body",
    "clean_line",
    "clean_meta",
    "clean_tag",
    "cleanup_stray_temp_files",
    "content_hash",
    "create_exclusive",
    "diff_text",
    "draft_note",
    "export_note",
    "export_zip",
    "folder_lock",
    "history_counts",
    "history_folder",
    "import_file_name",
    "import_note",
    "import_notes",
    "is_readonly",
    "list_history",
    "list_trash",
    "note_file_name",
    "note_text",
    "read_note",
    "read_version",
    "remove_write_guard",
    "rename_exclusive",
    "resolve_note_path",
    "restore_from_trash",
    "replace_note_bytes",
    "restore_version",
    "save_note",
    "slugify",
    "state_folder",
    "trash_note",
    "write_refusal",
]
