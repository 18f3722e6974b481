"""Visitors from other machines (issue 9, item 10): read-only unless they enter the owner's
passphrase, with every writing control hidden and every write refused in storage itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.journal import storage
from tests.conftest import APP
from ui import access

CNN = "2021-08-05-cnn-first-steps.md"
PASSPHRASE = "correct horse battery staple"


@pytest.mark.parametrize(
    ("ip", "headers"),
    [
        (None, {}),
        (None, {"host": "localhost:8501"}),
        ("127.0.0.1", {"host": "127.0.0.1:8501"}),
        ("127.0.0.2", {}),
        ("::1", {"host": "[::1]:8501"}),
        ("::ffff:127.0.0.1", {}),
        (None, {"host": "studylab.localhost"}),
    ],
)
def test_connections_from_this_machine_are_local(ip, headers):
    assert access.is_local_visitor(ip, headers)


@pytest.mark.parametrize(
    ("ip", "headers"),
    [
        ("192.0.2.7", {}),
        ("10.0.0.5", {"host": "localhost:8501"}),
        ("fd00::7", {}),
        ("203.0.113.9", {"host": "127.0.0.1:8501"}),
        (None, {"x-forwarded-for": "203.0.113.9"}),
        (None, {"x-real-ip": "203.0.113.9"}),
        (None, {"forwarded": "for=203.0.113.9"}),
        ("127.0.0.1", {"x-forwarded-host": "studylab.example.com"}),
        (None, {"host": "192.0.2.2:8501"}),
        (None, {"host": "studylab.example.com"}),
        ("not an address", {}),
    ],
)
def test_connections_from_elsewhere_or_through_a_proxy_are_remote(ip, headers):
    assert not access.is_local_visitor(ip, headers)


@pytest.fixture
def visitor(monkeypatch, notes_dir):
    """Every AppTest session in this test comes from 192.0.2.7 (another machine on the LAN)."""
    where = {"ip": "192.0.2.7", "host": "192.0.2.2:8501"}
    monkeypatch.setattr(access, "client_address", lambda: (where["ip"], {"host": where["host"]}))
    monkeypatch.setattr(access, "_failures", {})
    return where


def run_app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets["studylab"] = secrets
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def test_a_visitor_reads_but_sees_no_writing_control(visitor, notes_dir):
    at = run_app()
    assert "read-only for you" in texts(at.sidebar.info)
    assert not at.sidebar.text_input, "no passphrase form when the owner set none"
    at.switch_page("pages/write.py").run()
    assert "Visitors from other machines can read this journal" in texts(at.info), "the visitor's own reason"
    assert not at.text_area and not at.button
    at.switch_page("pages/notes.py").run()
    assert not at.exception and "CNN first steps" in texts(at.markdown)
    assert not [button for button in at.button if button.key == "notes_delete"]
    assert "/write" not in " ".join(str(link.proto) for link in at.get("page_link"))
    at.switch_page("pages/review.py").run()
    assert "Visitors from other machines" in texts(at.info) and "STUDYLAB_READONLY" not in texts(at.info)
    storage.trash_note(notes_dir, "2021-08-05-retrospective.md")
    at.switch_page("pages/archive.py").run()
    assert "shared read-only" in texts(at.info) and [button.key for button in at.button] == []
    assert not at.file_uploader


def test_writes_are_refused_in_storage_even_from_a_control_drawn_before(visitor, notes_dir):
    """The session starts on this machine (the Write page is there), then its requests come from
    elsewhere: the save button's callback still runs, and storage refuses it."""
    visitor.update(ip=None, host="localhost:8501")
    at = run_app()
    at.query_params["edit"] = CNN[:-3]
    at.switch_page("pages/write.py").run()
    before = (notes_dir / CNN).read_bytes()
    at.text_area(key="write_body").set_value("A VISITOR'S EDIT").run()
    visitor.update(ip="192.0.2.7", host="192.0.2.2:8501")
    at.button(key="write_save").click().run()
    assert not at.exception
    assert (notes_dir / CNN).read_bytes() == before
    assert "Visitors from other machines can read this journal but not change it" in str(at.session_state[
        "_studylab_flash"])


def test_the_owners_passphrase_unlocks_writing_for_that_session(visitor, notes_dir):
    at = run_app({"write_passphrase": PASSPHRASE})
    at.sidebar.text_input(key="access_passphrase").set_value("wrong guess")
    at.sidebar.button[0].click().run()
    assert "not the owner's passphrase" in texts(at.sidebar.error)
    at.switch_page("pages/write.py").run()
    assert "Writing is turned off here." in texts(at.info) and not at.text_area
    at.sidebar.text_input(key="access_passphrase").set_value(PASSPHRASE)
    at.sidebar.button[0].click().run()
    assert "unlocked with the owner's passphrase" in texts(at.sidebar.caption)
    at.query_params["edit"] = CNN[:-3]
    at.switch_page("pages/write.py").run()
    at.text_area(key="write_body").set_value("Written by a trusted visitor.").run()
    at.button(key="write_save").click().run()
    assert not at.exception
    assert "Written by a trusted visitor." in (notes_dir / CNN).read_text(encoding="utf-8")
    other = run_app({"write_passphrase": PASSPHRASE})
    assert "read-only for you" in texts(other.sidebar.info), "another session is not unlocked"


def test_wrong_guesses_lock_the_address_out_for_a_while(visitor, notes_dir):
    at = run_app({"write_passphrase": PASSPHRASE})
    for _ in range(access.MAX_FAILURES):
        at.sidebar.text_input(key="access_passphrase").set_value("guess")
        at.sidebar.button[0].click().run()
    at.sidebar.text_input(key="access_passphrase").set_value(PASSPHRASE)
    at.sidebar.button[0].click().run()
    assert "Too many wrong passphrases" in texts(at.sidebar.error)
    assert "_studylab_write_unlocked" not in at.session_state


def test_this_machine_writes_without_a_passphrase(notes_dir):
    at = run_app({"write_passphrase": PASSPHRASE})
    assert not at.sidebar.text_input and not at.sidebar.info
    at.switch_page("pages/write.py").run()
    assert not at.exception


def test_secrets_are_git_ignored_and_the_server_listens_on_localhost():
    root = Path(APP).parent
    assert ".streamlit/secrets.toml" in (root / ".gitignore").read_text().splitlines()
    assert 'address = "localhost"' in (root / ".streamlit" / "config.toml").read_text()
    makefile = (root / "Makefile").read_text()
    assert "HOST ?= localhost" in makefile and "--server.address $(HOST)" in makefile


def guess_wrong(at: AppTest, times: int) -> None:
    for _ in range(times):
        at.sidebar.text_input(key="access_passphrase").set_value("guess")
        at.sidebar.button[0].click().run()


@pytest.mark.parametrize(("first", "same_machine", "other_machine"), [
    ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:9", "2001:db8:1:3::1"),
    ("192.0.2.7", "::ffff:192.0.2.7", "192.0.2.8"),
])
def test_wrong_guesses_count_per_ipv6_prefix_and_per_ipv4_address(visitor, notes_dir, first, same_machine,
                                                                   other_machine):
    visitor.update(ip=first)
    guess_wrong(run_app({"write_passphrase": PASSPHRASE}), access.MAX_FAILURES)
    visitor.update(ip=same_machine)  # a new address from the same /64 (or the same IPv4 address) waits too
    at = run_app({"write_passphrase": PASSPHRASE})
    at.sidebar.text_input(key="access_passphrase").set_value(PASSPHRASE)
    at.sidebar.button[0].click().run()
    assert "Too many wrong passphrases" in texts(at.sidebar.error)
    visitor.update(ip=other_machine)
    at = run_app({"write_passphrase": PASSPHRASE})
    at.sidebar.text_input(key="access_passphrase").set_value(PASSPHRASE)
    at.sidebar.button[0].click().run()
    assert "unlocked with the owner's passphrase" in texts(at.sidebar.caption)


def test_a_proxied_visitor_whose_address_is_unknown_gets_no_passphrase_form(monkeypatch, notes_dir):
    monkeypatch.setattr(access, "_failures", {})
    monkeypatch.setattr(access, "client_address", lambda: (None, {"host": "localhost:8501",
                                                                  "x-forwarded-for": "203.0.113.9"}))
    at = run_app({"write_passphrase": PASSPHRASE})
    assert "read-only for you" in texts(at.sidebar.info)
    assert not at.sidebar.text_input and "address is unknown" in texts(at.sidebar.caption)
    assert access.limit_key("2001:db8::1") == access.limit_key("2001:db8::2") == "2001:db8::/64"
    assert access.limit_key(None) is None and access.limit_key("nonsense") is None
