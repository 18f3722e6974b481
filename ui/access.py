"""Who may change the journal: the owner on this machine; visitors from other machines only with
the owner's passphrase.

`make run` serves on localhost only. `make run HOST=0.0.0.0` shares the app on the network; then a
browser session whose connection comes from another machine (`st.context.ip_address` is not a
loopback address, or the request went through a proxy) is read-only:

- every writing control is hidden (`ui.readonly()` asks `can_write()`), and
- every write is refused server-side: `write_guard` is registered with `core.journal.storage`,
  which asks it before any write, at the moment of the write, so no page, callback or
  forgotten button can change the journal for such a visitor.

The owner can let trusted visitors write by putting a passphrase in `.streamlit/secrets.toml`
(git-ignored):

    [studylab]
    write_passphrase = "a long phrase only your study group knows"

A visitor who enters it in the sidebar may write for the rest of that browser session. Wrong
guesses are limited per IPv4 address and per IPv6 /64 (one machine's whole prefix): MAX_FAILURES,
then a LOCKOUT_SECONDS wait. A visitor whose address is unknown (the request came through a
proxy) gets no passphrase form at all: their guesses could not be counted.

The same guard covers git: core.sync asks storage's write refusal (which asks `write_guard`)
before every git write (sync, fetch, remote, init, peers), at the moment it runs.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import threading
import time
from typing import Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.journal import storage
from core.messages import N_, _

SECRETS_SECTION = "studylab"
PASSPHRASE_KEY = "write_passphrase"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60.0
_UNLOCKED = "_studylab_write_unlocked"
_PASSPHRASE_WIDGET = "access_passphrase"
_MESSAGE = "_studylab_access_message"
# A request that passed through a proxy came from somewhere else, whatever its TCP peer.
_PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-real-ip", "forwarded")
_LOCAL_HOST_NAMES = ("localhost", "localhost.", "ip6-localhost")

_failures: dict[str, tuple[int, float]] = {}
_failures_lock = threading.Lock()


def client_address() -> tuple[str | None, Mapping[str, str]]:
    """(IP address, request headers with lower-case names) of this browser session's connection.

    `st.context.ip_address` is None for a loopback connection (and outside a browser session);
    a real connection's address is a string, anything else (AppTest's stand-in) counts as none.
    """
    headers = {name.lower(): value for name, value in st.context.headers.items()}
    ip = st.context.ip_address
    return (ip if isinstance(ip, str) else None), headers


def is_local_visitor(ip: str | None, headers: Mapping[str, str]) -> bool:
    """True when a connection with this address and these headers comes from this machine.

    Local means: the address is loopback (None is Streamlit's word for 127.0.0.1 and ::1), no
    proxy header says the request was forwarded, and the Host header (when there is one) names
    this machine's loopback interface. Anything else is a visitor from another machine.
    """
    if any(name in headers for name in _PROXY_HEADERS):
        return False
    if ip is not None and not _is_loopback(ip):
        return False
    host = headers.get("host")
    return host is None or _is_loopback_host(host)


def _is_loopback(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return bool(parsed.is_loopback or (mapped is not None and mapped.is_loopback))


def _is_loopback_host(host: str) -> bool:
    """'localhost:8501', '127.0.0.1:8501' and '[::1]:8501' are this machine; '192.0.2.2:8501' is not."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name in _LOCAL_HOST_NAMES or name.endswith(".localhost") or _is_loopback(name)


def visitor_is_remote() -> bool:
    """True in a browser session from another machine; False on this machine or outside a session."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return False
    ip, headers = client_address()
    return not is_local_visitor(ip, headers)


def configured_passphrase() -> str | None:
    """The owner's passphrase from Streamlit secrets ([studylab] write_passphrase), or None."""
    try:
        section = st.secrets[SECRETS_SECTION]
        value = section.get(PASSPHRASE_KEY) if isinstance(section, Mapping) else None
    except (FileNotFoundError, KeyError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def can_write() -> bool:
    """May this browser session change the journal? Always on this machine; from another machine
    only after the owner's passphrase was entered in this session."""
    return not visitor_is_remote() or bool(st.session_state.get(_UNLOCKED))


def write_guard() -> str | None:
    """The storage write guard: a refusal message for a visitor who may not write, else None."""
    if can_write():
        return None
    if configured_passphrase():
        return _("Visitors from other machines can read this journal but not change it; "
                 "enter the owner's passphrase in the sidebar to write.")
    return _("Visitors from other machines can read this journal but not change it.")


def limit_key(ip: str | None) -> str | None:
    """What wrong guesses from `ip` count under: the IPv4 address, the IPv6 /64 (one machine can
    use any address in its prefix), or None when the address is unknown or not an address."""
    if ip is None:
        return None
    try:
        parsed = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def visitor_key() -> str | None:
    """This session's guess counter key, or None when the visitor's own address is unknown: the
    request came through a proxy (its TCP address is the proxy's) or from a loopback address."""
    ip, headers = client_address()
    if any(name in headers for name in _PROXY_HEADERS) or ip is None or _is_loopback(ip):
        return None
    return limit_key(ip)


UNKNOWN_ADDRESS = N_("Your address is unknown here (the request came through a proxy), so wrong guesses could not "
                   "be counted and writing cannot be unlocked from this connection.")


def unlock(passphrase: str) -> str | None:
    """Let this session write if `passphrase` is the owner's; None on success, else why not."""
    expected = configured_passphrase()
    if expected is None:
        return _("The owner has not set a passphrase, so visitors cannot unlock writing.")
    key, now = visitor_key(), time.monotonic()
    if key is None:
        return _(UNKNOWN_ADDRESS)
    with _failures_lock:
        count, until = _failures.get(key, (0, 0.0))
        if now < until:
            return _("Too many wrong passphrases from your address; try again in {seconds} s.").format(
                seconds=math.ceil(until - now))
        if hmac.compare_digest(passphrase.encode("utf-8"), expected.encode("utf-8")):
            _failures.pop(key, None)
            st.session_state[_UNLOCKED] = True
            return None
        count += 1
        _failures[key] = (0, now + LOCKOUT_SECONDS) if count >= MAX_FAILURES else (count, 0.0)
    return _("That is not the owner's passphrase.")


def _unlock_from_form() -> None:
    message = unlock(st.session_state.get(_PASSPHRASE_WIDGET) or "")
    st.session_state[_PASSPHRASE_WIDGET] = ""
    st.session_state[_MESSAGE] = message


def visitor_panel() -> None:
    """In the sidebar, for visitors from other machines: read-only or not, and the passphrase form."""
    if not visitor_is_remote():
        return
    with st.sidebar:
        if st.session_state.get(_UNLOCKED):
            st.caption(":material/lock_open: " + _("You may write: unlocked with the owner's passphrase."))
            return
        st.info(_("You are visiting from another machine, so this journal is read-only for you."),
                icon=":material/visibility:")
        if configured_passphrase() is None:
            return
        if visitor_key() is None:
            st.caption(_(UNKNOWN_ADDRESS))
            return
        with st.form("access_unlock", border=False):
            st.text_input(_("Owner's passphrase"), type="password", key=_PASSPHRASE_WIDGET)
            st.form_submit_button(_("Unlock writing"), on_click=_unlock_from_form)
        message = st.session_state.pop(_MESSAGE, None)
        if message:
            st.error(message)


storage.add_write_guard(write_guard)
