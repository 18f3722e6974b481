"""Peer journals: other students' journals (git remotes), pulled read-only into a hidden folder.

Each peer is a name and a git URL, kept in this machine's `.studylab/peers.json` (never in a
note, never synced). Its journal is cloned into `.studylab/peers/<name>/`, which the notes
loader skips (a dot-folder), so a peer's notes never mix with the student's own; the Notes page
loads them separately under the owner's name. Nothing here ever writes into a peer's journal
except git itself, and a pull resets the copy to exactly what the peer published.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.journal.files import read_json
from core.journal.notes import Library, load_library
from core.journal.storage import atomic_write
from core.sync.gitcli import GitError, git, redact

STATE_DIR = ".studylab"
PEERS_FILE = "peers.json"
PEERS_DIR = "peers"
PEER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CLONE_DEPTH = "200"
PULL_TIMEOUT = 60.0
MAX_PEERS_BYTES = 1_000_000


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
    name, url = name.strip().lower(), url.strip()
    if not PEER_NAME.match(name):
        raise ValueError("a peer's name is 1 to 40 lowercase letters, digits or dashes, e.g. minji")
    if url.startswith("ext::"):
        raise ValueError("ext:: URLs run commands and are not allowed")
    if not url or url.startswith("-") or any(char in url for char in "\n\r\0 "):
        raise ValueError("that does not look like a git URL (https://..., git@host:path or a folder)")
    current = [peer for peer in peers(folder) if peer.name != name]
    _save(folder, [*current, Peer(name, url)])
    return Peer(name, url)


def remove_peer(folder: Path, name: str) -> None:
    """Forget a peer and delete its local copy (its own journal is not touched)."""
    _save(folder, [peer for peer in peers(folder) if peer.name != name])
    shutil.rmtree(peer_folder(folder, name), ignore_errors=True)


def peer_folder(folder: Path, name: str) -> Path:
    """Where the peer's journal is copied: `.studylab/peers/<name>/`."""
    if not PEER_NAME.match(name):
        raise ValueError(f"'{name}' is not a peer name")
    return Path(folder) / STATE_DIR / PEERS_DIR / name


def pull_peer(folder: Path, peer: Peer) -> None:
    """Clone the peer's journal, or bring the copy up to date (GitError if unreachable)."""
    target = peer_folder(folder, peer.name)
    if not (target / ".git").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        git(target.parent, "clone", "--quiet", "--depth", CLONE_DEPTH, "--", peer.url, peer.name,
            timeout=PULL_TIMEOUT)
        return
    git(target, "remote", "set-url", "origin", peer.url)
    git(target, "fetch", "--quiet", "--depth", CLONE_DEPTH, "origin", timeout=PULL_TIMEOUT)
    git(target, "reset", "--quiet", "--hard", "FETCH_HEAD")


def pull_all(folder: Path) -> dict[str, str | None]:
    """Pull every peer; name -> None when it worked, else the (redacted) reason it did not."""
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
    marker = peer_folder(folder, name) / ".git" / "FETCH_HEAD"
    head = peer_folder(folder, name) / ".git" / "HEAD"
    for path in (marker, head):
        if path.exists():
            return path.stat().st_mtime
    return None


def peer_libraries(folder: Path) -> dict[str, Library]:
    """Each pulled peer's notes, loaded with the same rules as the student's own."""
    return {peer.name: load_library(peer_folder(folder, peer.name)) for peer in peers(folder)
            if (peer_folder(folder, peer.name) / ".git").is_dir()}


def _save(folder: Path, items: list[Peer]) -> None:
    state = Path(folder) / STATE_DIR
    state.mkdir(exist_ok=True)
    data = json.dumps([{"name": peer.name, "url": peer.url} for peer in items], indent=2).encode()
    atomic_write(state / PEERS_FILE, data)
