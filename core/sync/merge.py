"""Pull, merge and push the journal without ever losing a note.

A pull first commits every local change, then fetches, then merges file by file against the
common ancestor (never line by line inside a note):

- changed on one side only: that side's version wins;
- changed on both sides to different texts: the local version stays at its path and the
  other side's version is saved beside it as ``<name>.conflict-<8 hex digits>.md``, a copy
  named by its content, so running the same merge again writes the same name;
- deleted on one side and changed on the other: the changed version is kept;
- append-only logs (``*.jsonl``) and ``.gitignore``: both sides' lines are kept;
- a state file given a merge function (``merge_state``, path -> function of the two sides'
  bytes; the ui passes the review log's own union by identity) is merged by that function
  whenever the two sides' files differ, also when only one side changed it (a log shortened
  on the other machine never shortens it here), and is never taken by a fast-forward.

The merge commit is built with git's plumbing in a private index, the working files are then
rewritten atomically, and only then does the branch move. A crash at any point leaves either the
old commit with some files already updated (the next sync commits them and merges again, which
now agrees) or the new commit with a stale index (the next `git add` refreshes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping

from core.journal import storage
from core.journal.storage import atomic_write
from core.journal.storage.errors import refuse_if_readonly
from core.messages import _
from core.sync import repo
from core.sync.gitcli import GitError, git, identity_args, redact, succeeds, text

UNION_SUFFIXES = (".jsonl",)
UNION_NAMES = (".gitignore",)
MAX_NESTED = 64
"""A log line with more brackets than this is not parsed to find its time (a line of `[[[[...`
would exhaust the JSON parser's recursion)."""
MERGE_INDEX = "studylab-merge-index"
FETCH_TIMEOUT = 60.0
KEPT_HERE = "changed here while syncing: yours is kept, theirs is in the copy"
GITLINK_MODE = "160000"
# The only lock files recover() ever removes: git's own, in a folder git itself named as a
# repository's git directory (plus the refs and reflogs below it, and the merge's private index).
GIT_LOCK_NAMES = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock", "config.lock",
                  "packed-refs.lock", "shallow.lock", f"{MERGE_INDEX}.lock")
GIT_LOCK_FOLDERS = ("refs", "logs")
StateMerge = Callable[[bytes, bytes], bytes]
"""Merges a state file: (ours, theirs) -> the merged bytes; both sides' content, b"" for a side
without the file."""


@dataclass(frozen=True)
class Conflict:
    """A note both sides changed: `path` keeps the local text, `copy` holds the other side's."""

    path: str
    copy: str | None
    reason: str


@dataclass(frozen=True)
class PullResult:
    """What a pull did: `taken` lists paths updated from the remote."""

    up_to_date: bool
    fast_forward: bool
    commit: str | None
    taken: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    mode: str
    blob: str


def pull(folder: Path, remote: str = repo.DEFAULT_REMOTE, *,
         merge_state: Mapping[str, StateMerge] | None = None) -> PullResult:
    """Commit local changes, fetch `remote` and merge its branch into the journal (see module doc).
    `merge_state`: path -> the function that merges that state file (see the module doc).

    The notes folder's lock (storage.folder_lock) is held while committing and while merging and
    rewriting files, so the app's own saves wait for those steps; it is not held during the fetch,
    which may take long on a slow network.
    """
    folder = Path(folder)
    refuse_if_readonly("syncing")
    check_remote(folder, remote)
    with storage.folder_lock(folder):
        recover(folder, remote)
        repo.commit_all(folder, "studylab: changes made on this machine")
        branch = repo.current_branch(folder)
    fetch(folder, remote)
    with storage.folder_lock(folder):
        repo.commit_all(folder, "studylab: changes made on this machine while fetching")
        return _merge_fetched(folder, remote, branch, dict(merge_state or {}))


def _merge_fetched(folder: Path, remote: str, branch: str, merge_state: dict[str, StateMerge]) -> PullResult:
    theirs = _rev(folder, f"refs/remotes/{remote}/{branch}")
    ours = repo.head(folder)
    if theirs is None or theirs == ours or (ours and _is_ancestor(folder, theirs, ours)):
        return PullResult(up_to_date=True, fast_forward=False, commit=ours)
    base = _merge_base(folder, ours, theirs) if ours else None
    incoming = _changes(folder, base, theirs)
    _refuse_dangerous(incoming)
    _refuse_submodules(folder, ours, theirs)
    if (ours is None or base == ours) and not any(map(_is_machine_state, incoming)) \
            and not (ours and any(path in merge_state for path in incoming)):
        new_commit, conflicts = theirs, ()
    else:
        new_commit, conflicts = _merge_commit(folder, base, ours, theirs, remote, branch, merge_state)
    taken, kept_here, unwritable = _update_files(folder, ours, new_commit)
    _move_branch(folder, branch, new_commit, ours)
    _keep_out_of_worktree(folder, unwritable)
    git(folder, "branch", "--quiet", f"--set-upstream-to={remote}/{branch}", branch, check=False)
    return PullResult(up_to_date=False, fast_forward=new_commit == theirs, commit=new_commit, taken=taken,
                      conflicts=conflicts + kept_here, problems=tuple(unwritable.values()))


def _keep_out_of_worktree(folder: Path, unwritable: dict[str, str]) -> None:
    """Notes this file system cannot hold (a name over 255 bytes) stay in the repository, marked
    skip-worktree, so the missing file is never committed as a deletion."""
    if unwritable:
        git(folder, "--literal-pathspecs", "update-index", "-z", "--skip-worktree", "--stdin",
            stdin=b"\0".join(path.encode("utf-8", "surrogateescape") for path in unwritable) + b"\0")


def _refuse_submodules(folder: Path, *commits: str | None) -> None:
    """Stop before anything changes when either side holds a submodule (a gitlink): a journal is
    plain files, and a submodule's commit is not in this repository to write out."""
    for commit in commits:
        if not commit:
            continue
        listed = git(folder, "ls-tree", "-r", "-z", commit).decode("utf-8", "surrogateescape")
        links = [line.split("\t", 1)[1] for line in listed.split("\0") if line.startswith(GITLINK_MODE + " ")]
        if links:
            shown = ", ".join(links[:3]) + (" ..." if len(links) > 3 else "")
            raise GitError(_("the journal's repository holds a git submodule ({shown}), which a journal of notes "
                             "cannot sync; nothing was changed here. Remove the submodule with git "
                             "(git rm --cached <path>), then sync again").format(shown=shown))


def _refuse_dangerous(incoming: dict[str, _Entry | None]) -> None:
    """Stop before anything changes when the remote holds a path no journal has (inside .git,
    climbing out with ..): writing it could let the remote run commands on this machine."""
    dangerous = sorted(path for path in incoming if repo.is_dangerous_path(path))
    if dangerous:
        shown = ", ".join(dangerous[:3]) + (" ..." if len(dangerous) > 3 else "")
        raise GitError(_("the remote holds files a journal never has ({shown}); nothing was changed here. "
                         "Remove them from the remote repository, then sync again").format(shown=shown))


def _is_machine_state(path: str) -> bool:
    """A path in a hidden folder that is one machine's own state (never synced, never written by a pull)."""
    return path not in repo.SYNCED_STATE and any(part.startswith(".") for part in PurePosixPath(path).parts)


def push(folder: Path, remote: str = repo.DEFAULT_REMOTE) -> None:
    """Push the journal's branch to `remote` (creating it there if needed)."""
    folder = Path(folder)
    refuse_if_readonly("sending the journal to the remote")
    check_remote(folder, remote)
    recover(folder, remote)
    branch = repo.current_branch(folder)
    try:
        git(folder, "push", "--quiet", "--set-upstream", remote, f"{branch}:{branch}", timeout=FETCH_TIMEOUT)
    except GitError as err:
        # git's two reasons for "the remote moved on"; a hook's refusal ("remote rejected") is not one
        if "(fetch first)" in str(err) or "(non-fast-forward)" in str(err):
            raise GitError(_("the remote has commits this journal does not have yet: sync (pull) first")) from None
        raise


def sync(folder: Path, remote: str = repo.DEFAULT_REMOTE, *,
         merge_state: Mapping[str, StateMerge] | None = None) -> PullResult:
    """Pull, then push: after it, both sides hold the same journal (conflict copies included)."""
    result = pull(folder, remote, merge_state=merge_state)
    push(folder, remote)
    return result


def fetch(folder: Path, remote: str = repo.DEFAULT_REMOTE) -> None:
    """Download the remote's commits; a clear GitError when it cannot be reached."""
    folder = Path(folder)
    refuse_if_readonly("checking the remote")
    check_remote(folder, remote)
    try:
        git(folder, "fetch", "--quiet", "--prune", remote, timeout=FETCH_TIMEOUT)
    except GitError as err:
        raise GitError(_("could not reach the remote '{remote}' ({reason}); the journal keeps working offline, "
                         "sync again when you are connected").format(remote=remote, reason=err)) from None


def recover(folder: Path, remote: str = repo.DEFAULT_REMOTE) -> list[Path]:
    """Remove lock files a killed git command left behind, in `.git` and in a remote that is a
    git repository on this machine; return what was removed.

    Only folders git itself names as a repository's git directory are looked at (`git rev-parse`,
    so a remote that is a plain folder is refused by check_remote and nothing in it is touched),
    only git's own lock names (GIT_LOCK_NAMES, and `*.lock` below `refs/` and `logs/`), never
    through a symbolic link. A lock is stale when no git process is at work in that repository
    (a git command waiting for its editor keeps its lock closed but is still alive) and no process
    holds the lock open. Where processes cannot be listed (no /proc), only locks older than
    STALE_LOCK_SECONDS count.
    """
    folder = Path(folder)
    if storage.write_refusal() or not repo.is_git_mode(folder):
        return []
    places = [place for place in (git_dir_of(folder), check_remote(folder, remote)) if place is not None]
    removed = []
    for place in places:
        locks = _git_locks(place)
        busy = _git_at_work(place) if locks else False
        if busy:
            continue
        held = None if busy is None else _open_files()
        for lock in locks:
            if _is_stale(lock, held):
                lock.unlink(missing_ok=True)
                removed.append(lock)
    return removed


def check_remote(folder: Path, remote: str = repo.DEFAULT_REMOTE) -> Path | None:
    """Refuse, before anything else happens, a notes folder that is not a git repository of its
    own (git would work in a repository around it) and a remote that is a folder on this machine
    but not a git repository (sync never touches such a folder); the remote's git directory when it is a
    repository on this machine, else None (a network remote, or a folder that does not exist,
    which git then reports as unreachable). Relative paths count from the notes folder, as git
    resolves them."""
    if not repo.is_git_mode(folder):  # git would find a repository around the folder and work in it
        raise GitError(_("the notes folder is not a git repository yet, so nothing was synced: turn it into one "
                         "first (Sync page, “Turn the notes folder into a git repository”)"))
    url = repo.remote_url(folder, remote)
    local = local_path(url, folder)
    if local is None or not local.exists():
        return None
    git_dir = git_dir_of(local)
    if git_dir is None:
        raise GitError(_("the remote '{remote}' is the folder {folder}, which is not a git repository, "
                         "so nothing was synced and nothing in that folder was touched. Point the remote at a git "
                         "repository (for a folder on this machine: git init --bare <folder>)").format(
                             remote=remote, folder=redact(str(local))))
    return git_dir


def git_dir_of(path: Path) -> Path | None:
    """The git directory of the repository whose top (or bare repository) is exactly `path`, as
    git itself finds it (never a repository around `path`); None when `path` is not one."""
    path = Path(path)
    if not path.is_dir():
        return None
    found = text(path, "rev-parse", "--absolute-git-dir", check=False)  # gitcli's ceiling: never one above
    return Path(found) if found and Path(found).is_dir() else None


def _git_locks(git_dir: Path) -> list[Path]:
    """git's own lock files in `git_dir` (regular files only, links never followed)."""
    found = [git_dir / name for name in GIT_LOCK_NAMES]
    for name in GIT_LOCK_FOLDERS:
        top = git_dir / name
        if top.is_symlink() or not top.is_dir():
            continue
        for parent, _folders, names in os.walk(top, followlinks=False):
            found += [Path(parent) / entry for entry in names if entry.endswith(".lock")]
    return [lock for lock in found if _is_regular(lock)]


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_stale(lock: Path, held: set[str] | None) -> bool:
    try:
        age = time.time() - lock.stat().st_mtime
        if held is None:
            return age >= repo.STALE_LOCK_SECONDS
        return str(lock.resolve()) not in held
    except FileNotFoundError:
        return False


def _git_at_work(git_dir: Path) -> bool | None:
    """True when a running git command's working folder is this repository (Linux /proc); None
    where that cannot be known."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    repository = git_dir.parent.resolve() if git_dir.name == ".git" else git_dir.resolve()
    for entry in proc.glob("[0-9]*"):
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            if Path(os.readlink(entry / "cwd")).is_relative_to(repository):
                return True
        except OSError:
            continue
    return False


def local_path(url: str | None, folder: Path) -> Path | None:
    """The folder a remote URL names when it is on this machine, else None, decided as git does:
    `file://` and plain paths are local, other `scheme://` URLs and `host:path` (a colon before
    any slash) are not. A relative path counts from `folder` (git runs in the notes folder)."""
    if not url:
        return None
    if url.startswith("file://"):
        path = url.removeprefix("file://")
        path = path.removeprefix("localhost") if path.startswith("localhost/") else path
    elif "://" in url:
        return None
    else:
        colon, slash = url.find(":"), url.find("/")
        if colon != -1 and (slash == -1 or colon < slash):
            return None
        path = url
    return Path(folder) / path


def conflict_copy_name(path: str, content: bytes) -> str:
    """`notes/x.md` -> `notes/x.conflict-1a2b3c4d.md`: beside the original, named by its content."""
    pure = PurePosixPath(path)
    digest = hashlib.sha256(content).hexdigest()[:8]
    return str(pure.with_name(f"{pure.stem}{repo.CONFLICT_MARK}{digest}{pure.suffix}"))


def union_lines(ours: bytes, theirs: bytes) -> bytes:
    """Every line of `ours`, then the lines of `theirs` that `ours` lacks; JSON lines carrying an
    "at" time are then put in time order (stable), so a log replayed top to bottom sees both
    machines' records in the order they happened."""
    ours_lines = ours.splitlines()
    seen = set(ours_lines)
    merged = ours_lines + [line for line in theirs.splitlines() if line not in seen and not seen.add(line)]
    merged = _in_time_order(merged)
    return b"\n".join(merged) + (b"\n" if merged else b"")


def _in_time_order(lines: list[bytes]) -> list[bytes]:
    """Stable sort by each line's "at" (a line without one keeps the key of the line before it)."""
    keys, last = [], ""
    for line in lines:
        if line.count(b"[") + line.count(b"{") > MAX_NESTED:
            keys.append(_instant(last))  # a damaged line: never handed to the recursive parser
            continue
        try:
            record = json.loads(line)
            last = str(record["at"]) if isinstance(record, dict) and "at" in record else last
        except (ValueError, RecursionError):
            pass
        keys.append(_instant(last))
    order = sorted(range(len(lines)), key=lambda index: keys[index])
    return [lines[index] for index in order]


def _instant(text: str) -> float:
    """An ISO time as seconds since the epoch (naive times read as UTC); -inf when unreadable."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def _merge_commit(folder: Path, base: str | None, ours: str | None, theirs: str, remote: str,
                  branch: str, merge_state: dict[str, StateMerge] | None = None) -> tuple[str, tuple[Conflict, ...]]:
    """The merge commit of `ours` and `theirs` (see the module doc), built in a private index.
    Another machine's hidden state (anything hidden but the review log and .gitignore) is left out."""
    ours_changes = _changes(folder, base, ours) if ours else {}
    theirs_changes = _changes(folder, base, theirs)
    index_env = {"GIT_INDEX_FILE": str(Path(folder) / ".git" / MERGE_INDEX)}
    git(folder, "read-tree", ours or _empty_tree(folder), env=index_env)
    conflicts = []
    staged: dict[str, _Entry | None] = {}
    merge_state = merge_state or {}
    for path, incoming in theirs_changes.items():
        if _is_machine_state(path) or path in merge_state:
            continue
        if path not in ours_changes:
            staged[path] = incoming
            continue
        local = ours_changes[path]
        if local == incoming:
            continue
        conflict = _resolve(folder, staged, path, local, incoming)
        if conflict is not None:
            conflicts.append(conflict)
    for path in _indexed(folder, index_env):
        if _is_machine_state(path):
            staged[path] = None
    for path, merger in merge_state.items():
        merged = _merge_state_file(folder, path, merger, ours, theirs)
        if merged is not None:
            staged[path] = merged
    _record_origins(folder, staged, [conflict for conflict in conflicts if conflict.copy], base, ours, theirs)
    _stage(folder, index_env, staged, len(theirs))
    tree = text(folder, "write-tree", env=index_env)
    message = f"studylab: sync with {remote}/{branch}" + (f" ({len(conflicts)} conflict copies)" if conflicts else "")
    parents = ["-p", ours] if ours else []
    commit = text(folder, *identity_args(folder), "commit-tree", tree, *parents, "-p", theirs, "-m", message,
                  "-m", repo.machine_trailer(folder))
    return commit, tuple(conflicts)


def _record_origins(folder: Path, staged: dict[str, _Entry | None], copies: list[Conflict], base: str | None,
                    ours: str | None, theirs: str) -> None:
    """Add to the synced conflict log (repo.CONFLICT_LOG, union-merged like every *.jsonl) where
    each new copy's text and the kept text were typed: the machine and the commit. A machine that
    later receives the copy knows from it whether the copy holds its own text."""
    if not copies:
        return
    here = repo.machine_name(folder)
    records = []
    for conflict in copies:
        typed_on = text(folder, "log", "-1", f"--format=%(trailers:key={repo.MACHINE_TRAILER},valueonly)",
                        f"{base}..{theirs}" if base else theirs, "--", conflict.path, check=False).strip()
        records.append(json.dumps({
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "note": conflict.path,
            "copy": conflict.copy, "copy_from": typed_on.splitlines()[0] if typed_on else None,
            "copy_commit": theirs, "kept_from": here, "kept_commit": ours,
        }, ensure_ascii=False).encode("utf-8"))
    log = union_lines(_file_at(folder, ours, repo.CONFLICT_LOG), _file_at(folder, theirs, repo.CONFLICT_LOG))
    merged = union_lines(log, b"\n".join(records))
    staged[repo.CONFLICT_LOG] = _Entry("100644", text(folder, "hash-object", "-w", "--stdin", stdin=merged))


def _file_at(folder: Path, commit: str | None, path: str) -> bytes:
    return git(folder, "cat-file", "blob", f"{commit}:{path}", check=False) if commit else b""


def _merge_state_file(folder: Path, path: str, merger: StateMerge, ours: str | None, theirs: str) -> _Entry | None:
    """`merger`'s merge of `path` as ours and theirs hold it, stored as a blob; None when the two
    sides hold the same file."""
    here = _entries(folder, ours, [path]).get(path) if ours else None
    there = _entries(folder, theirs, [path]).get(path)
    if here == there:
        return None
    merged = merger(_blob(folder, here.blob) if here else b"", _blob(folder, there.blob) if there else b"")
    blob = text(folder, "hash-object", "-w", "--stdin", stdin=merged)
    return _Entry((here or there).mode, blob)


def _indexed(folder: Path, index_env: dict[str, str]) -> list[str]:
    listed = git(folder, "ls-files", "-z", env=index_env).decode("utf-8", "surrogateescape")
    return [path for path in listed.split("\0") if path]


def _resolve(folder: Path, staged: dict[str, _Entry | None], path: str, local: _Entry | None,
             incoming: _Entry | None) -> Conflict | None:
    """Both sides changed `path`: stage the merged result; the Conflict to report, if any."""
    if incoming is None:
        return Conflict(path, None, "deleted on the other machine, changed here: kept your version")
    if local is None:
        staged[path] = incoming
        return Conflict(path, None, "deleted here, changed on the other machine: its version is back")
    name = PurePosixPath(path).name
    if name.endswith(UNION_SUFFIXES) or name in UNION_NAMES:
        merged = union_lines(_blob(folder, local.blob), _blob(folder, incoming.blob))
        blob = text(folder, "hash-object", "-w", "--stdin", stdin=merged)
        staged[path] = _Entry(local.mode, blob)
        return None
    content = _blob(folder, incoming.blob)
    copy = conflict_copy_name(path, content)
    staged[copy] = incoming
    return Conflict(path, copy, "changed on both machines: yours is kept, theirs is in the copy")


def _stage(folder: Path, index_env: dict[str, str], staged: dict[str, _Entry | None], id_length: int) -> None:
    """Put every entry in the private index (None removes the path) with one `update-index`,
    paths on stdin: thousands of long names never reach the command line."""
    if not staged:
        return
    null = "0" * id_length
    lines = [(f"{entry.mode} {entry.blob}" if entry else f"0 {null}").encode() + b"\t"
             + path.encode("utf-8", "surrogateescape") + b"\0" for path, entry in staged.items()]
    git(folder, "update-index", "-z", "--index-info", stdin=b"".join(lines), env=index_env)


def _changes(folder: Path, old: str | None, new: str) -> dict[str, _Entry | None]:
    """Path -> its entry in `new` (None if deleted) for every file that differs from `old`."""
    raw = git(folder, "diff-tree", "-r", "-z", "--no-renames", old or _empty_tree(folder), new)
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    changes: dict[str, _Entry | None] = {}
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(":"):
            continue
        _old_mode, new_mode, _old_blob, new_blob, status = meta[1:].split(" ")
        changes[path] = None if status == "D" else _Entry(new_mode, new_blob)
    return changes


def _update_files(folder: Path, old: str | None, new: str) -> tuple[tuple[str, ...], tuple[Conflict, ...],
                                                                   dict[str, str]]:
    """Make the working files equal `new` where it differs from `old`: (paths rewritten, conflicts,
    path -> why it could not be written here).

    A path this file system cannot hold (a name over 255 bytes, valid in git) is a problem for
    that path alone; the rest is written.

    A file that no longer holds `old`'s text (edited outside the app while syncing, or a file git
    does not track) is never overwritten: it stays, and the incoming text goes to a conflict copy
    beside it. Hidden per-machine state is never written or deleted by a pull.
    """
    changes = {path: entry for path, entry in _changes(folder, old, new).items() if not _is_machine_state(path)}
    old_entries = _entries(folder, old, list(changes)) if old else {}
    contents = _blobs(folder, [entry.blob for entry in changes.values() if entry is not None])
    taken, kept_here, unwritable = [], [], {}
    for path, entry in changes.items():
        target = Path(folder) / path
        try:
            if not _holds(folder, path, old_entries.get(path)):
                if entry is not None and not _too_long(path):
                    copy = conflict_copy_name(path, contents[entry.blob])
                    atomic_write(Path(folder) / copy, contents[entry.blob])
                    kept_here.append(Conflict(path, copy, KEPT_HERE))
                elif entry is not None:
                    raise OSError(36, "File name too long")
                continue
            if entry is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, contents[entry.blob])
            taken.append(path)
        except OSError as err:
            if entry is None:
                continue
            unwritable[path] = _("{path} could not be written on this machine ({reason}); it stays in the "
                                 "journal's repository, untouched, and the rest was synced").format(
                                     path=path, reason=err.strerror or err)
    return tuple(taken), tuple(kept_here), unwritable


def _too_long(path: str) -> bool:
    """A path with a part over 255 bytes, more than most file systems allow in one name."""
    return any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in PurePosixPath(path).parts)


def _holds(folder: Path, path: str, expected: _Entry | None) -> bool:
    """True when the working file at `path` still is `expected` (None: no file there)."""
    target = Path(folder) / path
    if not os.path.lexists(target):
        return expected is None
    if expected is None or not stat.S_ISREG(os.lstat(target).st_mode):
        return False
    return _blob_id(target.read_bytes(), len(expected.blob)) == expected.blob


def _entries(folder: Path, commit: str, paths: list[str]) -> dict[str, _Entry]:
    if not paths:
        return {}
    wanted = set(paths)
    raw = git(folder, "ls-tree", "-r", "-z", commit)  # the whole tree: paths never go on the command line
    entries = {}
    for line in raw.decode("utf-8", "surrogateescape").split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            if path in wanted:
                mode, _kind, blob = meta.split(" ")
                entries[path] = _Entry(mode, blob)
    return entries


def _move_branch(folder: Path, branch: str, new: str, old: str | None) -> None:
    """Point the branch at `new` only if it is still at `old`, then refresh the index."""
    git(folder, "update-ref", f"refs/heads/{branch}", new, *([old] if old else []))
    git(folder, "reset", "--quiet")


def _blob(folder: Path, blob: str) -> bytes:
    return git(folder, "cat-file", "blob", blob)


def _blobs(folder: Path, blobs: list[str]) -> dict[str, bytes]:
    """Many blobs' contents from one `git cat-file --batch` call."""
    if not blobs:
        return {}
    out = git(folder, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in blobs).encode())
    contents, position = {}, 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode("utf-8", "replace").split(" ")
        if len(header) != 3:
            raise GitError(_("the journal's repository lacks an object it needs ({header}); "
                             "nothing was changed here").format(header=" ".join(header)))
        name, _kind, size = header
        start = header_end + 1
        contents[name] = out[start:start + int(size)]
        position = start + int(size) + 1
    return contents


def _blob_id(data: bytes, length: int = 40) -> str:
    """Git's id of a blob holding `data`: SHA-1 (40 hex digits, git's default) or SHA-256 (64)."""
    digest = hashlib.sha256 if length == 64 else hashlib.sha1
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


def _rev(folder: Path, ref: str) -> str | None:
    return text(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False) or None


def _is_ancestor(folder: Path, ancestor: str, descendant: str) -> bool:
    return succeeds(folder, "merge-base", "--is-ancestor", ancestor, descendant)


def _merge_base(folder: Path, ours: str, theirs: str) -> str | None:
    return text(folder, "merge-base", ours, theirs, check=False) or None


def _empty_tree(folder: Path) -> str:
    return text(folder, "hash-object", "-t", "tree", "--stdin", stdin=b"")


def _open_files() -> set[str] | None:
    """Paths any process on this machine has open (Linux /proc), or None where that is unknown."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    held = set()
    for fd_dir in proc.glob("[0-9]*/fd"):
        try:
            for fd in os.scandir(fd_dir):
                try:
                    held.add(os.readlink(fd.path))
                except OSError:
                    continue
        except OSError:
            continue
    return held
