"""Running the git command for the journal: never interactive, never leaking a credential.

Every call runs `git` with no terminal prompts (a missing credential fails fast instead of
hanging the page), a C locale (messages we parse stay in English), only the transport protocols
a journal needs (no `ext::`, which can run commands) and a timeout. git never looks for a
repository above the folder it runs in (`GIT_CEILING_DIRECTORIES` is that folder's parent): a
notes folder that is not its own repository fails as "not a git repository" and never commits to,
resets or reads a repository around it. Errors become `GitError` with remote URLs' user names
and passwords replaced by `***`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from core.messages import _

ALLOWED_PROTOCOLS = "file:git:http:https:ssh"
DEFAULT_TIMEOUT = 60.0
FALLBACK_NAME = "studylab"
FALLBACK_EMAIL = "studylab@localhost"
# A word (up to whitespace, a quote or an angle bracket) holding an "@": everything before its
# last "@" is user information (a URL's `user:token@`, ssh's `user@host:` or `user:pass@host`, a
# bare `TOKEN@host` in "unable to look up TOKEN@host"); a URL's scheme is kept.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)?[^\s'\"<>`@]*(?:@[^\s'\"<>`@]*)*@")
_SECRET_QUERY = re.compile(r"(?i)((?:token|password|passwd|secret|key)=)[^&\s]+")


class GitError(Exception):
    """A git command failed; the message is safe to show (credentials redacted)."""


class GitMissing(GitError):
    """There is no git command on this machine."""


def redact(text: str) -> str:
    """`text` with user information hidden wherever it may appear: in URLs of every scheme
    (`https://user:token@host`, `git://TOKEN@host`, `ssh://user@host`), in ssh's forms
    (`user@host:path`, `user:pass@host: Permission denied`) and bare (`TOKEN@host`), as git, ssh
    and credential helpers print them; token-like query values too. Hiding too much (an e-mail
    address's name) is preferred to showing a secret."""
    return _SECRET_QUERY.sub(r"\1***", _USERINFO.sub(lambda match: f"{match['scheme'] or ''}***@", text))


def executable() -> str | None:
    """The git command's path, or None when git is not installed."""
    return shutil.which("git")


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every git call runs with (see the module docstring), without the ceiling
    (`in_folder` adds it)."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS,
        "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10"),
        # A remote that stops answering fails after 20 s below 1 kB/s instead of hanging the page.
        "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
        "GIT_HTTP_LOW_SPEED_TIME": "20",
        "LC_ALL": "C",
        "LANGUAGE": "C",
    }
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return {**env, **(extra or {})}


def in_folder(folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a git call run in `folder`: git stops its search for a repository at
    `folder` itself (its parent is the ceiling), unless `extra` sets a ceiling of its own.

    git splits the ceiling on ":" with no escape, so a parent such as "Course: ML" cannot be
    one. There, a folder that is neither a repository's top nor a bare repository gets its own
    `.git` as GIT_DIR: `git init` creates it, every other command fails as "not a git repository"."""
    folder = Path(folder).resolve()
    ceiling = {"GIT_CEILING_DIRECTORIES": str(folder.parent)}
    if os.pathsep in str(folder.parent) and not (folder / ".git").exists() and not _is_bare(folder):
        ceiling["GIT_DIR"] = str(folder / ".git")
    return environment({**ceiling, **(extra or {})})


def _is_bare(folder: Path) -> bool:
    """Whether `folder` has the shape of a bare repository (git looks for one in the folder itself
    before it looks above)."""
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def git(folder: Path, *args: str, stdin: bytes | None = None, timeout: float = DEFAULT_TIMEOUT,
        env: dict[str, str] | None = None, check: bool = True) -> bytes:
    """Run `git <args>` in `folder` and return its stdout (bytes); GitError when it fails. git reads
    `stdin` as its input, or nothing: never the terminal the app was started from, where a read
    would wait for a key press with the page frozen."""
    try:
        done = _run(folder, args, stdin=stdin, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        stopped = _("git {command} took longer than {seconds} s and was stopped (is the remote reachable?)")
        raise GitError(stopped.format(command=_verb(args), seconds=f"{timeout:.0f}")) from None
    if check and done.returncode != 0:
        output = done.stderr.decode("utf-8", "replace").strip() or done.stdout.decode("utf-8", "replace").strip()
        # git's own words stay English (LC_ALL=C: they are parsed); the sentence around them is ours.
        raise GitError(redact(_("git {command} failed: {reason}").format(command=_verb(args), reason=_reason(output))))
    return done.stdout


def _run(folder: Path, args: tuple[str, ...], *, stdin: bytes | None, timeout: float,
         env: dict[str, str] | None) -> subprocess.CompletedProcess:
    """git run once in `folder` with the environment of `in_folder`, its output captured and
    `stdin` (or nothing) as its input; GitMissing when there is no git, TimeoutExpired when it
    runs past `timeout` seconds (it is then stopped)."""
    command = executable()
    if command is None:
        raise GitMissing(_("git is not installed on this machine; install it to sync the journal"))
    given = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([command, *args], cwd=folder, **given, capture_output=True, timeout=timeout,
                          env=in_folder(folder, env))


def _reason(output: str) -> str:
    """The line of a failed git command's output that says why: a ref it refused (" ! [rejected]
    main -> main (fetch first)", which git push prints after a "To <remote>" line), else the first
    fatal or error line, else the first line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "no output"
    refused = [line for line in lines if line.startswith("! ")]
    errors = [line for line in lines if line.startswith(("fatal: ", "error: "))]
    chosen = (refused or errors or lines)[0]
    return " ".join(chosen.removeprefix("fatal: ").removeprefix("error: ").split())


def _verb(args: tuple[str, ...]) -> str:
    """The git command's name among its arguments (`-c key=value` and `--flags` skipped)."""
    index = 0
    while index < len(args):
        if args[index] == "-c":
            index += 2
        elif args[index].startswith("-"):
            index += 1
        else:
            return args[index]
    return "command"


def succeeds(folder: Path, *args: str, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """True when `git <args>` exits with status 0 (for git's yes/no questions)."""
    return _run(folder, args, stdin=None, timeout=timeout, env=None).returncode == 0


def text(folder: Path, *args: str, **kwargs) -> str:
    """`git(...)` decoded as UTF-8, trailing newline removed."""
    return git(folder, *args, **kwargs).decode("utf-8", "replace").rstrip("\n")


def identity_args(folder: Path) -> list[str]:
    """`-c user.name=... -c user.email=...` when git has no identity configured, else nothing."""
    args = []
    for key, fallback in (("user.name", FALLBACK_NAME), ("user.email", FALLBACK_EMAIL)):
        if not git(folder, "config", "--get", key, check=False).strip():
            args += ["-c", f"{key}={fallback}"]
    return args
