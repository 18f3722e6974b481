"""Shared fixtures: a temporary notes folder, an AppTest of the whole app, and a live server
with a headless Chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SERVE = str(ROOT / "serve.py")  # what `make run` serves: app.py plus page addresses that open directly
SHIPPED_NOTES = ROOT / "notes"


def copy_shipped(destination: Path, *, records: bool = False) -> Path:
    """Copy the shipped journal to `destination`: the day's six notes, and the three example
    experiment records only with `records` (most tests count the day's notes)."""
    def skipped(folder: str, names: list[str]) -> list[str]:
        return [] if records else [name for name in names if name.endswith(".md") and
                                   "\ntype: experiment\n" in (Path(folder) / name).read_text(encoding="utf-8")]

    shutil.copytree(SHIPPED_NOTES, destination, ignore=skipped)
    return destination


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Put back `sys.modules['__main__']` after every test. AppTest runs app.py as `__main__` and leaves
    it there; a later test that starts a process with multiprocessing's "spawn" would then make the
    child re-run app.py (spawn imports the parent's `__main__` by its path) and fail outside Streamlit."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
    else:
        sys.modules.pop("__main__", None)


@pytest.fixture
def notes_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of the shipped day's notes (no example records), made the app's notes folder."""
    folder = tmp_path / "notes"
    copy_shipped(folder)
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(folder))
    monkeypatch.delenv("STUDYLAB_READONLY", raising=False)
    return folder


@pytest.fixture
def app(notes_dir: Path):
    """An AppTest of app.py, run once on the temporary notes folder (the dashboard)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; skipped outside CI when it is missing."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no chromium is on the PATH: install Debian's chromium package")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium); not found on PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


class LiveServer:
    """A `streamlit run <script>` (app.py by default, as `streamlit run app.py` serves it; SERVE is what
    `make run` serves) on a free port with its own notes folder, listening on `address` (None: the
    address in .streamlit/config.toml) plus any `extra_args`."""

    def __init__(self, notes: Path, extra_env: dict[str, str] | None = None, address: str | None = "127.0.0.1",
                 extra_args: tuple[str, ...] = (), script: str = APP):
        self.notes = notes
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "STUDYLAB_NOTES_DIR": str(notes), **(extra_env or {})}
        env.pop("STUDYLAB_READONLY", None) if "STUDYLAB_READONLY" not in (extra_env or {}) else None
        command = [
            sys.executable, "-m", "streamlit", "run", script,
            "--server.headless", "true", "--server.port", str(self.port),
            *(["--server.address", address] if address else []),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"streamlit exited early:\n{output}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not become healthy in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def live_server(tmp_path: Path):
    """A running app on a temporary copy of the shipped notes; yields the LiveServer."""
    notes = tmp_path / "live-notes"
    copy_shipped(notes)
    server = LiveServer(notes)
    yield server
    server.stop()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has drawn something and the Streamlit script has finished its run."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh browser tab on the live server's app, loaded and idle."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(live_server.url)
    wait_idle(page)
    yield page
    context.close()
