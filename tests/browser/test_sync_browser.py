"""Real browser: two notes folders on one machine, each served by its own app, synced through a
bare repository with the Sync panel's button, stay equal through edits on both sides, and the
same note edited on both keeps both texts."""

from __future__ import annotations

import subprocess

import pytest

from core.sync import gitcli, merge, repo
from tests.conftest import LiveServer, copy_shipped, wait_idle
from tests.sync.test_sync import bare_repository

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")
RETRO = "2021-08-05-retrospective.md"


def journal_files(folder):
    return {str(path.relative_to(folder)): path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.md"))
            if not any(part.startswith(".") for part in path.relative_to(folder).parts)}


def edit(folder, name, marker):
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")


@pytest.fixture
def two_machines(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    bare = tmp_path / "remote.git"
    bare_repository(bare)
    laptop = tmp_path / "laptop"
    copy_shipped(laptop)
    repo.init(laptop)
    repo.set_remote(laptop, str(bare))
    merge.push(laptop)
    desktop = tmp_path / "desktop"
    subprocess.run(["git", "clone", "--quiet", str(bare), str(desktop)], check=True, env=gitcli.environment())
    env = {"GIT_CONFIG_GLOBAL": str(tmp_path / "no-global-gitconfig")}
    servers = LiveServer(laptop, extra_env=env), LiveServer(desktop, extra_env=env)
    yield (laptop, servers[0]), (desktop, servers[1])
    for server in servers:
        server.stop()


def sync_in_browser(browser, server) -> str:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/sync")
    wait_idle(page)
    page.get_by_role("button", name="Sync now").click()
    wait_idle(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()
    return text


def test_two_journals_synced_from_the_panel_stay_equal_and_lose_nothing(browser, two_machines):
    (laptop, laptop_app), (desktop, desktop_app) = two_machines
    edit(laptop, "2021-08-05-cnn-first-steps.md", "LAPTOP EDIT OF THE CNN NOTE")
    edit(desktop, "2021-08-05-rnn-first-steps.md", "DESKTOP EDIT OF THE RNN NOTE")
    edit(laptop, RETRO, "LAPTOP TEXT OF THE RETRO")
    edit(desktop, RETRO, "DESKTOP TEXT OF THE RETRO")

    assert "Synced" in sync_in_browser(browser, laptop_app)
    desktop_page = sync_in_browser(browser, desktop_app)
    assert "1 conflict copy to resolve" in desktop_page
    assert "Synced" in sync_in_browser(browser, laptop_app)

    assert journal_files(laptop) == journal_files(desktop)
    everything = "\n".join(journal_files(desktop).values())
    for marker in ("LAPTOP EDIT OF THE CNN NOTE", "DESKTOP EDIT OF THE RNN NOTE", "LAPTOP TEXT OF THE RETRO",
                   "DESKTOP TEXT OF THE RETRO"):
        assert marker in everything, marker
    assert "DESKTOP TEXT OF THE RETRO" in journal_files(desktop)[RETRO], "each machine keeps its own text in place"
