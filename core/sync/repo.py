"""Git mode: a notes folder that is the top of a git repository, its status and its commits.

The notes folder is in git mode only when it has its own `.git` (a notes folder that merely sits
inside some other repository, like the shipped `notes/` inside studylab's code, is not).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from core.journal import storage
from core.journal.notes import CONFLICT_MARK
from core.journal.storage.errors import refuse_if_readonly
from core.messages import _
from core.sync.gitcli import GitError, git, identity_args, redact, text

DEFAULT_BRANCH = "main"
DEFAULT_REMOTE = "origin"
GITIGNORE_HEADER = "# Written by studylab: per-machine state that is never synced."
CONFLICT_LOG = ".studylab/conflicts.jsonl"
GITIGNORE_LINES = (".history/", ".trash/", ".tmp-*.tmp", ".studylab/*", "!.studylab/reviews.jsonl",
                   f"!{CONFLICT_LOG}")
STALE_LOCK_SECONDS = 10 * 60
AUTOCOMMIT_KEY = "studylab.autocommit"
MACHINE_KEY = "studylab.machine"
MACHINE_TRAILER = "Studylab-Machine"
SYNCED_STATE = (".gitignore", ".studylab/reviews.jsonl", CONFLICT_LOG)
_GIT_NAME = re.compile(r"^(\.git[. ]*|git~\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    """One path git reports: code is "modified", "added", "deleted", "renamed" or "untracked"."""

    code: str
    path: str


@dataclass(frozen=True)
class SyncStatus:
    """What the Sync panel shows. `remote_url` is redacted; ahead/behind count commits against the
    remote-tracking branch as of the last fetch (None when there is no upstream yet)."""

    branch: str
    remote: str | None
    remote_url: str | None
    upstream: str | None
    ahead: int | None
    behind: int | None
    changes: tuple[Change, ...] = ()
    conflicts: tuple[str, ...] = field(default=())
    last_fetch: float | None = None

    @property
    def state(self) -> str:
        """One word for the panel: conflict, ahead, behind, diverged, changed, clean or no-remote."""
        if self.conflicts:
            return "conflict"
        if self.remote is None:
            return "no-remote"
        if self.ahead and self.behind:
            return "diverged"
        if self.behind:
            return "behind"
        if self.ahead:
            return "ahead"
        return "changed" if self.changes else "clean"


def is_git_mode(folder: Path) -> bool:
    """True when `folder` is the top of its own git repository."""
    return (Path(folder) / ".git").exists()


def init(folder: Path) -> None:
    """Turn the notes folder into a git repository with a .gitignore and a first commit."""
    folder = Path(folder)
    if is_git_mode(folder):
        return
    refuse_if_readonly("turning the notes folder into a git repository")
    git(folder, "init", "--quiet", f"--initial-branch={DEFAULT_BRANCH}")
    ensure_gitignore(folder)
    commit_all(folder, "studylab: start syncing this journal with git")


def ensure_gitignore(folder: Path) -> bool:
    """Add studylab's per-machine folders to `.gitignore` (keeping the user's lines); True if changed."""
    path = Path(folder) / ".gitignore"
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if not missing:
        return False
    lines = existing + ([""] if existing else []) + ([GITIGNORE_HEADER] if GITIGNORE_HEADER not in existing else [])
    path.write_text("\n".join(lines + missing) + "\n", encoding="utf-8")
    return True


def is_synced_path(path: str) -> bool:
    """Whether a path (posix, relative to the notes folder) is part of the synced journal: a
    markdown note outside hidden folders, `.gitignore`, or the review log. Everything else (the
    app's per-machine state, history, trash, other files) is never committed by the app."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return False
    if path in SYNCED_STATE:
        return True
    return path.endswith(".md") and not any(part.startswith(".") for part in parts)


def is_dangerous_path(path: str) -> bool:
    """A path no journal has and no checkout may write: inside `.git` (any spelling git itself
    refuses: case, trailing dots or spaces, the 8.3 name), absolute, or climbing out with `..`."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path:
        return True
    return any(part == ".." or _GIT_NAME.match(part) for part in parts)


def commit_all(folder: Path, message: str) -> str | None:
    """Commit the journal's changes (new, edited, deleted notes, the review log, .gitignore; see
    is_synced_path); the commit's id, or None when there was nothing to commit."""
    folder = Path(folder)
    refuse_if_readonly("committing")
    with storage.folder_lock(folder):
        ensure_gitignore(folder)
        _untrack_machine_state(folder)
        changed = _changed_synced_paths(folder)
        if changed:
            git(folder, "--literal-pathspecs", "add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul",
                stdin=b"\0".join(path.encode("utf-8", "surrogateescape") for path in changed))
        if not git(folder, "diff", "--cached", "--name-only", "-z"):
            return None
        git(folder, *identity_args(folder), "commit", "--quiet", "--no-verify", "-m", message,
            "-m", machine_trailer(folder))
        return text(folder, "rev-parse", "HEAD")


def machine_name(folder: Path, create: bool = True) -> str | None:
    """This copy's machine name, recorded in its commits and conflict copies: `git config
    studylab.machine <name>` when set, else the host name with 4 random hex digits (saved on
    first use, so two copies on one computer still differ); None when not set and not `create`."""
    name = text(folder, "config", "--get", MACHINE_KEY, check=False).strip()
    if name or not create:
        return name or None
    name = f"{socket.gethostname() or 'machine'}-{secrets.token_hex(2)}"
    git(folder, "config", MACHINE_KEY, name)
    return name


def machine_trailer(folder: Path) -> str:
    """The commit message trailer naming the machine a commit was made on."""
    return f"{MACHINE_TRAILER}: {machine_name(folder)}"


def _changed_synced_paths(folder: Path) -> list[str]:
    """Journal paths (is_synced_path) that differ from the index: new, edited or deleted."""
    raw = git(folder, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    entries = raw.decode("utf-8", "surrogateescape").split("\0")
    return [entry[3:] for entry in entries if len(entry) > 3 and is_synced_path(entry[3:])]


def _untrack_machine_state(folder: Path) -> None:
    """Stop tracking hidden per-machine files that an older commit included (a repository made
    before studylab, or by hand): they stay on disk and leave the repository with the next commit."""
    listed = git(folder, "ls-files", "-z", "--", ":(glob).*/**", ":(glob)**/.*/**").decode("utf-8", "surrogateescape")
    stale = [path for path in listed.split("\0") if path and path not in SYNCED_STATE]
    if stale:  # paths on stdin, never as arguments: thousands of long names exceed the OS limit
        git(folder, "--literal-pathspecs", "rm", "--cached", "--quiet", "--ignore-unmatch", "--pathspec-from-file=-",
            "--pathspec-file-nul", stdin=b"\0".join(path.encode("utf-8", "surrogateescape") for path in stale))


def head(folder: Path) -> str | None:
    """The current commit, or None in a repository without commits."""
    out = git(folder, "rev-parse", "--verify", "--quiet", "HEAD", check=False).decode().strip()
    return out or None


def current_branch(folder: Path) -> str:
    """The checked-out branch's name (DEFAULT_BRANCH for a fresh repository)."""
    name = text(folder, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not name:
        raise GitError(_("the journal's repository is on a detached HEAD; check out a branch with git first"))
    return name


def remote_url(folder: Path, remote: str = DEFAULT_REMOTE) -> str | None:
    """The remote's URL as configured (unredacted: only for git itself, never for display)."""
    return text(folder, "remote", "get-url", remote, check=False) or None


def set_remote(folder: Path, url: str, remote: str = DEFAULT_REMOTE) -> None:
    """Point `remote` at `url` (added if missing)."""
    refuse_if_readonly("saving the remote")
    if remote_url(folder, remote) is None:
        git(folder, "remote", "add", remote, url)
    else:
        git(folder, "remote", "set-url", remote, url)


def status(folder: Path) -> SyncStatus:
    """Branch, remote, local changes, ahead/behind and conflict copies, in one `git status` call.
    Writes nothing: `--no-optional-locks` keeps git from refreshing `.git/index` (read-only mode
    and visitors look at this panel too)."""
    folder = Path(folder)
    raw = git(folder, "--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all")
    fields = raw.decode("utf-8", "replace").split("\0")
    branch, upstream, ahead, behind, changes = DEFAULT_BRANCH, None, None, None, []
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if entry.startswith("# branch.head "):
            branch = entry.removeprefix("# branch.head ")
        elif entry.startswith("# branch.upstream "):
            upstream = entry.removeprefix("# branch.upstream ")
        elif entry.startswith("# branch.ab "):
            plus, minus = entry.removeprefix("# branch.ab ").split()
            ahead, behind = int(plus), -int(minus)
        elif entry.startswith(("1 ", "2 ", "u ")):
            parts = entry.split(" ", 8 if entry[0] == "1" else 9 if entry[0] == "2" else 10)
            changes.append(Change(_change_code(parts[1], entry[0]), parts[-1]))
            index += entry[0] == "2"  # a rename's original path follows as its own field
        elif entry.startswith("? "):
            changes.append(Change("untracked", entry[2:]))
    changes = [change for change in changes if change.path in SYNCED_STATE or not change.path.startswith(".")]
    remote = upstream.split("/", 1)[0] if upstream else (DEFAULT_REMOTE if remote_url(folder) else None)
    url = remote_url(folder, remote) if remote else None
    conflicts = tuple(sorted({change.path for change in changes if change.code != "deleted"
                              and is_conflict_copy(folder, change.path)} | set(_tracked_conflict_copies(folder))))
    fetch_head = folder / ".git" / "FETCH_HEAD"
    return SyncStatus(
        branch=branch, remote=remote, remote_url=redact(url) if url else None, upstream=upstream,
        ahead=ahead, behind=behind, changes=tuple(changes), conflicts=conflicts,
        last_fetch=fetch_head.stat().st_mtime if fetch_head.exists() else None,
    )


def _tracked_conflict_copies(folder: Path) -> list[str]:
    """Conflict copies committed already (status lists only the uncommitted ones)."""
    listed = git(folder, "ls-files", "-z", "--", f":(glob)**/*{CONFLICT_MARK}*.md").decode("utf-8", "replace")
    return [path for path in listed.split("\0") if path and is_conflict_copy(folder, path)]


def is_conflict_copy(folder: Path, path: str) -> bool:
    """A regular markdown file named `<name>.conflict-<digits>.md` in the journal."""
    name = PurePosixPath(path).name
    if CONFLICT_MARK not in name or not is_synced_path(path):
        return False
    try:
        return stat.S_ISREG(os.lstat(Path(folder) / path).st_mode)
    except OSError:
        return False


def _change_code(xy: str, kind: str) -> str:
    if kind == "2":
        return "renamed"
    if kind == "u":
        return "unmerged"
    if "D" in xy:
        return "deleted"
    if "A" in xy:
        return "added"
    return "modified"


def autocommit_enabled(folder: Path) -> bool:
    """Whether every save is committed (on unless turned off; kept in the repository's git config)."""
    value = text(folder, "config", "--get", "--bool", AUTOCOMMIT_KEY, check=False)
    return value != "false"


def set_autocommit(folder: Path, enabled: bool) -> None:
    """Turn committing every save on or off for this machine's copy of the journal."""
    refuse_if_readonly("changing the auto-commit setting")
    git(folder, "config", "--bool", AUTOCOMMIT_KEY, "true" if enabled else "false")


def autocommit(folder: Path) -> str | None:
    """Commit all changes when the folder is in git mode with auto-commit on, with a message that
    names what changed ("Edit x.md", "Add y.md", "Remove z.md"); the commit's id, or None when
    nothing was committed. Raises GitError when git fails (the save itself has already happened)."""
    folder = Path(folder)
    if not is_git_mode(folder) or not autocommit_enabled(folder) or storage.write_refusal():
        return None
    changes = [change for change in status(folder).changes if not change.path.startswith(".")]
    if not changes:
        return None
    return commit_all(folder, change_message(changes))


def change_message(changes: list[Change] | tuple[Change, ...]) -> str:
    """A commit message naming the changed notes: one change spelled out, several counted."""
    verbs = {"added": "Add", "untracked": "Add", "deleted": "Remove", "renamed": "Rename"}
    if len(changes) == 1:
        return f"{verbs.get(changes[0].code, 'Edit')} {changes[0].path}"
    names = ", ".join(change.path for change in changes[:3])
    more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
    return f"Update {len(changes)} notes: {names}{more}"
