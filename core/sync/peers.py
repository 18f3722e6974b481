"""Peer journals: other students' journals (git remotes), pulled read-only into a hidden folder.

Each peer is a name and a git URL, kept in this machine's `.studylab/peers.json` (never in a
note, never synced). Its journal is cloned into `.studylab/peers/<name>/`, which the notes
loader skips (a dot-folder), so a peer's notes never mix with the student's own; the Notes page
loads them separately under the owner's name. Nothing here ever writes into a peer's journal
except git itself, and a pull resets the copy to exactly what the peer published.

A classmate's journal is not trusted: the copy never holds a symbolic link (git writes links as
plain files there, `core.symlinks=false`, and the loader drops any link it still finds), no note
is ever read from inside `.git`, and the peer's URL (which may hold a token) is never stored in
the copy's `.git/config`: it stays in `peers.json` and is passed to each fetch as an argument.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.journal import files
from core.journal.files import read_json
from core.journal.notes import CANNOT_BE_READ, MAX_NOTE_BYTES, Library, NoteError, Problem, build_library, parse_note
from core.journal.storage import atomic_write
from core.journal.storage.errors import refuse_if_readonly
from core.messages import N_, Message, _
from core.sync.gitcli import GitError, git, redact

STATE_DIR = ".studylab"
PEERS_FILE = "peers.json"
PEERS_DIR = "peers"
PEER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CLONE_DEPTH = "200"
PULL_TIMEOUT = 60.0
MAX_PEERS_BYTES = 1_000_000
NO_LINKS = ("-c", "core.symlinks=false")
PULLED_REF = "refs/studylab/pulled"  # what the peer published, as of the last pull (no FETCH_HEAD: it names the URL)
# Kept language-neutral in the peer library every session shares (see core.journal.notes).
LINK_DROPPED = Message(N_("a link in a classmate's journal: links are never followed in a peer's copy"))


@dataclass(frozen=True)
class Peer:
    """A study-group member's journal. `url` may hold credentials: show `shown_url` instead."""

    name: str
    url: str

    @property
    def shown_url(self) -> str:
        return redact(self.url)


def peers(folder: Path) -> list[Peer]:
    """The peers configured on this machine (an unreadable file counts as none)."""
    try:
        raw = read_json(Path(folder) / STATE_DIR / PEERS_FILE, MAX_PEERS_BYTES)
    except (OSError, ValueError):  # also a FIFO, a link or JSON nested too deeply (files.UnusableFileError)
        return []
    if not isinstance(raw, list):
        return []
    return [Peer(str(item["name"]), str(item["url"])) for item in raw if isinstance(item, dict)
            and PEER_NAME.match(str(item.get("name", ""))) and item.get("url")]


def add_peer(folder: Path, name: str, url: str) -> Peer:
    """Remember a peer (ValueError with a readable reason for a bad name or URL)."""
    refuse_if_readonly("adding a classmate's journal")
    name, url = name.strip().lower(), url.strip()
    if not PEER_NAME.match(name):
        raise ValueError(_("a peer's name is 1 to 40 lowercase letters, digits or dashes, e.g. minji"))
    if url.startswith("ext::"):
        raise ValueError(_("ext:: URLs run commands and are not allowed"))
    if not url or url.startswith("-") or any(char in url for char in "\n\r\0 "):
        raise ValueError(_("that does not look like a git URL (https://..., git@host:path or a folder)"))
    current = [peer for peer in peers(folder) if peer.name != name]
    _save(folder, [*current, Peer(name, url)])
    return Peer(name, url)


def remove_peer(folder: Path, name: str) -> None:
    """Forget a peer and delete its local copy (its own journal is not touched)."""
    refuse_if_readonly("removing a classmate's journal")
    _save(folder, [peer for peer in peers(folder) if peer.name != name])
    shutil.rmtree(peer_folder(folder, name), ignore_errors=True)


def peer_folder(folder: Path, name: str) -> Path:
    """Where the peer's journal is copied: `.studylab/peers/<name>/`."""
    if not PEER_NAME.match(name):
        raise ValueError(_("'{name}' is not a peer name").format(name=name))
    return Path(folder) / STATE_DIR / PEERS_DIR / name


def pull_peer(folder: Path, peer: Peer) -> None:
    """Copy the peer's journal, or bring the copy up to date (GitError if unreachable).

    The copy has no remote configured: the URL is passed to `git fetch` on each pull, so a token
    in it never lands in the copy's `.git/config` (where a hostile journal's link could show it);
    links in the peer's files are checked out as plain files."""
    refuse_if_readonly("pulling a classmate's journal")
    target = peer_folder(folder, peer.name)
    if not (target / ".git").is_dir() or (target / ".git").is_symlink():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True, exist_ok=True)
        git(target, *NO_LINKS, "init", "--quiet")
    git(target, "config", "core.symlinks", "false")
    git(target, "remote", "remove", "origin", check=False)  # a copy made before kept the URL there
    git(target, *NO_LINKS, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth", CLONE_DEPTH, "--",
        peer.url, f"+HEAD:{PULLED_REF}", timeout=PULL_TIMEOUT)
    git(target, *NO_LINKS, "reset", "--quiet", "--hard", PULLED_REF)


def pull_all(folder: Path) -> dict[str, str | None]:
    """Pull every peer; name -> None when it worked, else the (redacted) reason it did not."""
    refuse_if_readonly("pulling the group's journals")
    outcome: dict[str, str | None] = {}
    for peer in peers(folder):
        try:
            pull_peer(folder, peer)
            outcome[peer.name] = None
        except GitError as err:
            outcome[peer.name] = str(err)
    return outcome


def last_pulled(folder: Path, name: str) -> float | None:
    """When the peer's copy last changed (seconds since the epoch), or None if never pulled."""
    git_dir = peer_folder(folder, name) / ".git"
    for path in (git_dir / PULLED_REF, git_dir / "FETCH_HEAD", git_dir / "HEAD"):
        if path.exists():
            return path.stat().st_mtime
    return None


def peer_libraries(folder: Path) -> dict[str, Library]:
    """Each pulled peer's notes, loaded with the same rules as the student's own, plus one: a
    link is never followed (see load_peer_library)."""
    return {peer.name: load_peer_library(peer_folder(folder, peer.name)) for peer in peers(folder)
            if (peer_folder(folder, peer.name) / ".git").is_dir()}


def load_peer_library(target: Path) -> Library:
    """A peer copy's notes: like `load_library`, but a note reached through a symbolic link (to
    `.git/config`, to another note, anywhere) is a problem, never opened, so nothing is read from
    inside `.git` or from outside the copy."""
    target = Path(target)
    real_top = os.path.realpath(target)
    notes, problems = [], []
    for entry in files.scan(target):
        if os.path.realpath(target / entry.rel_path) != os.path.join(real_top, *entry.rel_path.split("/")):
            problems.append(Problem(entry.rel_path, LINK_DROPPED))
            continue
        if entry.problem is not None:
            problems.append(Problem(entry.rel_path, entry.problem))
            continue
        try:
            notes.append(parse_note(files.read_regular(target / entry.rel_path, MAX_NOTE_BYTES), entry.rel_path))
        except NoteError as err:
            problems.append(Problem(entry.rel_path, err.message, err.line))
        except (OSError, files.SpecialFileError) as err:
            # The error itself (its kind of file said in the reader's language), without its frames.
            problems.append(Problem(entry.rel_path, Message(CANNOT_BE_READ, error=err.with_traceback(None))))
        except Exception as err:  # one strange file must never stop the whole journal from loading
            problems.append(Problem(entry.rel_path, Message(N_("could not be read as a note ({error})"),
                                                            error=type(err).__name__)))
    return build_library(notes, problems)


def _save(folder: Path, items: list[Peer]) -> None:
    state = Path(folder) / STATE_DIR
    state.mkdir(exist_ok=True)
    data = json.dumps([{"name": peer.name, "url": peer.url} for peer in items], indent=2).encode()
    atomic_write(state / PEERS_FILE, data)
