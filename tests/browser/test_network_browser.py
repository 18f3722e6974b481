"""The app on the network (issue 9, item 10), through real sockets and a real browser: by default it
listens on this machine only; shared with `--server.address 0.0.0.0`, a browser reaching it through
this machine's LAN address is a visitor from another machine: read-only until it enters the
owner's passphrase."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import LiveServer, copy_shipped, wait_idle

PASSPHRASE = "study group 2021"
SHOTS = Path("/work/shots/9")


def lan_address() -> str | None:
    """This machine's address on its network (not loopback), or None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def notes_copy(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    copy_shipped(notes)
    return notes


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def nav_titles(page) -> list[str]:
    return [text.split("\n")[-1].strip() for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_by_default_the_app_listens_on_this_machine_only(tmp_path):
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    server = LiveServer(notes_copy(tmp_path), address=None)  # .streamlit/config.toml decides
    try:
        assert connects("127.0.0.1", server.port)
        assert not connects(address, server.port), "the default must not be reachable from the network"
    finally:
        server.stop()


@pytest.fixture
def shared_server(tmp_path):
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[studylab]\nwrite_passphrase = "{PASSPHRASE}"\n', encoding="utf-8")
    server = LiveServer(notes_copy(tmp_path), address="0.0.0.0", extra_args=("--secrets.files", str(secrets)))
    server.lan_url = f"http://{address}:{server.port}"
    yield server
    server.stop()


def test_a_visitor_from_the_network_reads_only_until_the_passphrase(browser, shared_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{shared_server.lan_url}/notes?note=2021-08-05-cnn-first-steps")
    wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("read-only for you").wait_for(timeout=15_000)
    assert "Write" not in nav_titles(page)
    assert page.get_by_text("Move to trash").count() == 0 and page.get_by_text("Edit", exact=True).count() == 0
    shot(page, "visitor-read-only.png")

    sidebar.get_by_label("Owner's passphrase").fill("a wrong guess")
    sidebar.get_by_role("button", name="Unlock writing").click()
    sidebar.get_by_text("not the owner's passphrase").wait_for(timeout=15_000)
    sidebar.get_by_label("Owner's passphrase").fill(PASSPHRASE)
    sidebar.get_by_role("button", name="Unlock writing").click()
    sidebar.get_by_text("unlocked with the owner's passphrase").wait_for(timeout=15_000)
    wait_idle(page)
    assert "Write" in nav_titles(page)
    shot(page, "visitor-unlocked.png")
    context.close()


def test_the_owner_on_this_machine_writes_on_a_shared_server(browser, shared_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(shared_server.url)
    wait_idle(page)
    assert "Write" in nav_titles(page)
    assert page.get_by_text("read-only for you").count() == 0
    context.close()
