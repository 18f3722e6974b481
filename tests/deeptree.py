"""Folder trees a thousand levels deep for the tests, and their removal without recursion.

Tests must remove such a tree themselves: shutil.rmtree (Python 3.11) recurses once per level,
so pytest's clean-up of old temporary folders in a later run would fail on it.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path


def nest(folder: Path, depth: int, name: str = "d", note: bytes | None = None) -> Path:
    """`depth` folders called `name`, one inside the other, below `folder` (made through
    descriptors: the deepest path is longer than the system's path limit), with `note` as
    `deep.md` in the deepest one; returns the outermost."""
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        inner = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    try:
        if note is not None:
            written = os.open("deep.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(written, note)
            os.close(written)
    finally:
        os.close(fd)
    return folder / name


def remove_tree(top: Path) -> None:
    """Delete the folder `top` and everything in it, one level per round: files go, and the
    folders' contents move up into `top` before the emptied folders are removed."""
    lifted = itertools.count()
    while True:
        with os.scandir(top) as listing:
            entries = list(listing)
        folders = [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        if not folders:
            os.rmdir(top)
            return
        for folder in folders:
            for child in os.listdir(folder):
                os.rename(os.path.join(folder, child), os.path.join(top, f".lifted-{next(lifted)}"))
            os.rmdir(folder)
