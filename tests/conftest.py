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


def copy_shipped(destination: Path, *, records: bool = False, fresh_times: bool = False) -> Path:
    """Copy the shipped journal to `destination`: the day's six notes, and the three example
    experiment records only with `records` (most tests count the day's notes). With `fresh_times`
    the copies get the current time as their mtime (not the shipped files'), so the folder's
    fingerprint differs from every earlier copy's and a running app reads it afresh."""
    def skipped(folder: str, names: list[str]) -> list[str]:
        return [] if records else [name for name in names if name.endswith(".md") and
                                   "\ntype: experiment\n" in (Path(folder) / name).read_text(encoding="utf-8")]

    shutil.copytree(SHIPPED_NOTES, destination, ignore=skipped,
                    copy_function=shutil.copy if fresh_times else shutil.copy2)
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


def use_notes_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make `folder` the app's notes folder, writable, for this test; returns it."""
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(folder))
    monkeypatch.delenv("STUDYLAB_READONLY", raising=False)
    return folder


@pytest.fixture
def notes_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of the shipped day's notes (no example records), made the app's notes folder."""
    folder = tmp_path / "notes"
    copy_shipped(folder)
    return use_notes_folder(folder, monkeypatch)


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
    """A headless Debian Chromium driven by Playwright; skipped outside CI when it is missing.
    Every tab opened in it reports its app's runs to wait_idle (see TrackedBrowser)."""
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
        yield TrackedBrowser(chromium)
        chromium.close()


class AppRuns:
    """What one tab's websocket traffic says about its app's runs. A `rerun_script` going out asks
    for a run; the run starts with a `new_session` coming back and ends with a `script_finished`,
    unless that says the run was cut short for another one (a rerun asked for during a run, or
    st.rerun()): then the next run is due. Several requests in flight may be served by one run."""

    def __init__(self, page) -> None:
        self.due = False      # a run was asked for (or announced) and has not started yet
        self.running = False  # a run has started and not finished
        self.messages = 0     # messages received from the app so far
        page.on("websocket", self._watch)

    @property
    def pending(self) -> bool:
        return self.due or self.running

    def _watch(self, socket) -> None:
        if socket.url.endswith("/_stcore/stream"):  # a new page load: an earlier socket's runs are gone
            self.due = self.running = False
            socket.on("framesent", self._sent)
            socket.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.due = True

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        self.messages += 1
        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.due, self.running = False, True
        elif kind == "script_finished":
            self.running = False
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.due = True


class TrackedBrowser:
    """The Playwright Browser, except that every context it opens gives each of its tabs an
    AppRuns (`page.app_runs`), so wait_idle knows whether a run the tab asked for is still due."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, *args, **kwargs):
        context = self._browser.new_context(*args, **kwargs)
        context.on("page", _track)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


def _track(page) -> None:
    page.app_runs = AppRuns(page)


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


@pytest.fixture(scope="session")
def worker_server(tmp_path_factory):
    """One app per test process (per xdist worker) for the browser tests that need no special
    environment; `live_server` gives each test a fresh notes folder on it."""
    notes = tmp_path_factory.mktemp("worker-server") / "notes"
    copy_shipped(notes)
    server = LiveServer(notes)
    yield server
    server.stop()


def fresh_notes(server: LiveServer, *, records: bool = False) -> LiveServer:
    """Give a running server a fresh copy of the shipped notes in its notes folder (the example
    records too with `records`), restarting it if an earlier test stopped it. The copies carry new
    mtimes, so the app's library cache (keyed on the folder's fingerprint) reads them afresh."""
    shutil.rmtree(server.notes, ignore_errors=True)
    copy_shipped(server.notes, records=records, fresh_times=True)
    if server.process.poll() is not None:
        server.__init__(server.notes)
    return server


@pytest.fixture
def live_server(worker_server):
    """A running app on a fresh copy of the shipped notes: this process's shared LiveServer (tests
    that need their own environment start their own)."""
    return fresh_notes(worker_server)


def _next_frames(page) -> None:
    """Return once the page has painted two more frames (whatever a key press or a message set off
    has been handled and drawn)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


_STILL = """([expression, frames]) => new Promise((done, fail) => {
  let last, same = 0, left = 3000;
  const look = () => {
    let now;
    try { now = JSON.stringify((0, eval)(expression)); } catch (error) { fail(error); return; }
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= frames || --left <= 0) done(now); else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""

# What moves while a page finishes drawing after its run: charts still being embedded, the web font,
# smooth scrolls, the layout's height (the accessibility fixes run on the frame after a change).
_DRAWING = """[document.fonts.status,
  [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(c => !!c.querySelector('canvas, svg')),
  document.documentElement.scrollHeight, window.scrollY,
  [...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], section')]
    .map(e => e.scrollTop)]"""


def wait_still(page, expression: str, frames: int = 5) -> object:
    """Wait until the JavaScript `expression` gives the same value on `frames` painted frames in a
    row (a scroll that has landed, a popover that has opened); returns that value. Waits on the
    page's state, never a fixed time (gives up after 3000 frames)."""
    import json

    return json.loads(page.evaluate(_STILL, [expression, frames]))


def settled(page) -> None:
    """After wait_idle: every chart drawn, the font loaded, nothing scrolling or growing."""
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')].every(c => c.querySelector('canvas, svg'))"
        " && document.fonts.status === 'loaded'", timeout=30_000)
    wait_still(page, _DRAWING, frames=10)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has drawn something and finished every run the tab asked for: no run due
    by the tab's websocket (AppRuns), the script state "notRunning" on both sides of two painted
    frames, no message from the app during them, and no address-bar write still waiting (app_links.js
    defers a write that only changes the parameters, and marks <html> meanwhile). No fixed sleeps."""
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout)
    runs = getattr(page, "app_runs", None)
    deadline = time.monotonic() + timeout / 1000
    while True:
        _next_frames(page)
        while runs is not None and runs.pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app did not finish a run within {timeout:.0f} ms")
            page.wait_for_timeout(20)  # a poll: Playwright delivers the websocket's messages meanwhile
        page.wait_for_selector(idle, timeout=timeout)
        heard = runs.messages if runs is not None else 0
        _next_frames(page)
        if page.locator(idle).count() == 1 and (runs is None or (not runs.pending and runs.messages == heard)):
            page.wait_for_selector("html:not([data-studylab-address-pending])", state="attached", timeout=timeout)
            return


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh browser tab on the live server's app, loaded and idle."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(live_server.url)
    wait_idle(page)
    yield page
    context.close()


BROWSER_RERUNS = 1
"""A browser test that fails is run once more (pytest-rerunfailures; pytest reports it as a
rerun). Real Chromium on a busy 2-core machine sometimes loses a key press or a click; a test
that fails twice fails. Every other test runs once."""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/") or item.nodeid.startswith("browser/"):
            item.add_marker(pytest.mark.flaky(reruns=BROWSER_RERUNS))
