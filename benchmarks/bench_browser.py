"""Browser benchmark: how long a gesture on the labs takes to answer in a real Chromium, against
the same gesture on a one-slider, one-chart Streamlit app (the floor Streamlit itself sets).

    .venv/bin/python benchmarks/bench_browser.py [--repeats 7] [--only conv,deep] [--shots DIR]

What is timed. A gesture is a key press on a focused slider thumb (ArrowRight or ArrowLeft,
End for "to the maximum"), an option picked with the keyboard, or a file handed to the
uploader. The clock starts at the key press, as the page sees it (a keydown listener, in the
page's own performance.now() time) and stops when Streamlit has finished the run the gesture
caused (`[data-testid="stApp"]` goes from data-test-script-state="running" back to
"notRunning") and the browser has painted the result (two requestAnimationFrame callbacks
later). A gesture that never starts a run within 10 s is reported as failed, never as fast.

Both apps run in this process's lifetime, on free loopback ports, each a real `streamlit run`
(headless, no file watcher); the studylab app gets a temporary copy of the shipped notes.
Gestures are interleaved with floor gestures (floor, lab, floor, lab, ...), so a busy moment
on this shared machine slows both, and each row reports the median over --repeats presses
and its ratio to the floor's median. "First time" rows start a fresh server (empty caches)
and time the first visit of a setting; they are repeated --fresh times, each on a new server.

"Longest task" is the longest main-thread task the browser reported during the gesture
(PerformanceObserver "longtask"): the page is frozen for that long. The machine's load
average before and after is printed, so a reader can judge how busy the run was.

Targets (issue 10): a typical gesture within 1.5x the floor; the heaviest first-time setting
within 3x the floor; never a frozen page. Nothing here is a pass/fail test: it prints a table.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"
VIEWPORT = {"width": 1400, "height": 900}

# In the page: arm before the gesture, then await the promise it leaves in window.__studylabTiming.
ARM = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const timing = {start: null, sawRunning: false, longest: 0};
  window.__studylabTiming = timing;
  // The last key press before the run starts is the gesture (typing into a box comes before it).
  const pressed = () => { if (!timing.sawRunning) timing.start = performance.now(); };
  document.addEventListener('keydown', pressed, {capture: true});
  window.__studylabStart = () => { if (timing.start === null) timing.start = performance.now(); };
  window.__studylabDone = new Promise((resolve) => {
    const longTasks = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (timing.start !== null && entry.startTime + entry.duration >= timing.start) {
          timing.longest = Math.max(timing.longest, entry.duration);
        }
      }
    });
    try { longTasks.observe({type: 'longtask', buffered: false}); } catch (error) {}
    const states = new MutationObserver((records) => {
      // A fast run can flip running -> notRunning before this callback: the old values tell.
      for (const record of records) if (record.oldValue === 'running') timing.sawRunning = true;
      const state = app.getAttribute('data-test-script-state');
      if (state === 'running') timing.sawRunning = true;
      if (timing.sawRunning && state === 'notRunning') {
        states.disconnect();
        document.removeEventListener('keydown', pressed, {capture: true});
        requestAnimationFrame(() => requestAnimationFrame(() => {
          timing.end = performance.now();
          setTimeout(() => { longTasks.disconnect(); resolve(timing); }, 50);
        }));
      }
    });
    states.observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  });
}"""
AWAIT = """async (timeout) => {
  const timer = new Promise((resolve) => setTimeout(() => resolve(null), timeout));
  const timing = await Promise.race([window.__studylabDone, timer]);
  if (timing === null || timing.start === null) return null;
  return {ms: timing.end - timing.start, longest: timing.longest};
}"""


@dataclass
class Result:
    """Times (ms) of one gesture, repeated, and the longest main-thread task seen (ms)."""

    times: list[float] = field(default_factory=list)
    longest_task: float = 0.0
    failures: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


class Server:
    """`streamlit run <script>` on a free loopback port; stop() ends it."""

    def __init__(self, script: Path, env: dict[str, str] | None = None):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{script} did not start within 90 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class StudylabServer(Server):
    """The studylab app on a temporary copy of the shipped notes."""

    def __init__(self):
        self.notes = Path(tempfile.mkdtemp(prefix="studylab-bench-")) / "notes"
        shutil.copytree(ROOT / "notes", self.notes)
        super().__init__(ROOT / "app.py", {"STUDYLAB_NOTES_DIR": str(self.notes)})

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.notes.parent, ignore_errors=True)


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until the app has drawn something and no script run is going on (checked twice)."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout)
    for _ in range(2):
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
        page.wait_for_timeout(250)


def timed(page, act: Callable[[], None], timeout_ms: float = 10_000) -> tuple[float, float] | None:
    """(ms from the gesture to the painted result, longest task ms), or None if no run followed."""
    page.evaluate(ARM)
    act()
    measured = page.evaluate(AWAIT, timeout_ms)
    wait_idle(page)
    return None if measured is None else (measured["ms"], measured["longest"])


def slider_thumb(page, label: str):
    """The thumb of the visible slider whose label is exactly `label`."""
    slider = page.locator('[data-testid="stSlider"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))
    return slider.locator('input[type="range"]').first


def press(page, label: str, key: str) -> Callable[[], None]:
    """A gesture: focus the slider thumb labelled `label` and press `key`."""
    def act() -> None:
        thumb = slider_thumb(page, label)
        thumb.focus()
        thumb.press(key)
    return act


def back_and_forth(page, label: str, repeats: int) -> list[Callable[[], None]]:
    """`repeats` presses that move a slider one step right, then left, and so on (left first when
    it stands at its maximum, so every press moves it and starts a run)."""
    def act(index: int) -> None:
        thumb = slider_thumb(page, label)
        at_top = thumb.get_attribute("value") == thumb.get_attribute("max")
        press(page, label, "ArrowRight" if (index % 2 == 0) != at_top else "ArrowLeft")()
    return [lambda index=index: act(index) for index in range(repeats)]


def pick(page, label: str, option: str) -> Callable[[], None]:
    """A gesture: choose `option` in the selectbox labelled `label`, or in a segmented control
    (label ""; a fresh server's first run may not have drawn it yet, so it is waited for)."""
    def act() -> None:
        group = page.locator(f'[data-testid="stButtonGroup"]:has-text("{option}")')
        if not label:
            group.first.wait_for(timeout=60_000)
        if group.count():
            button = group.get_by_role("radio", name=option, exact=True).first
            button.focus()
            button.press("Enter")
            return
        box = page.get_by_label(label, exact=True)
        box.focus()
        page.keyboard.type(option)
        page.keyboard.press("Enter")
    return act


def add_or_remove(page, label: str, option: str, repeats: int) -> list[Callable[[], None]]:
    """Gestures on the multiselect labelled `label`: type `option` and Enter (adds it), then
    Backspace (removes the last one again), and so on."""
    def act(index: int) -> None:
        box = page.locator('[data-testid="stMultiSelect"]').filter(
            has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)).locator("input")
        box.focus()
        if index % 2 == 0:
            box.type(option, delay=0)
            box.press("Enter")
        else:
            box.press("Backspace")
    return [lambda index=index: act(index) for index in range(repeats)]


def upload(page, payload: bytes, name: str) -> Callable[[], None]:
    """A gesture: hand a file to the uploader (the clock starts when the file is handed over)."""
    def act() -> None:
        page.evaluate("window.__studylabStart && window.__studylabStart()")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "image/jpeg", "buffer": payload}])
    return act


def photo(width: int = 1024, height: int = 768) -> bytes:
    """A JPEG photo-like test image (smooth gradients and shapes), width x height."""
    import numpy as np
    from PIL import Image

    rows, cols = np.mgrid[0:height, 0:width]
    red = 128 + 100 * np.sin(cols / 37.0) * np.cos(rows / 53.0)
    green = 255.0 * ((cols - width / 2) ** 2 + (rows - height / 2) ** 2 < (height / 3) ** 2)
    blue = 255.0 * rows / height
    pixels = np.stack([red, green, blue], axis=-1).clip(0, 255).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def open_lab(page, server: Server, path: str, views: tuple[str, ...] = ()) -> None:
    """Open a lab page and pick its views (segmented-control options), in order."""
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    for view in views:
        pick(page, "", view)()
        wait_idle(page)


def run_series(page, floor_page, gestures: list[Callable[[], None]], floor_gestures, result: Result,
               floor: Result) -> None:
    """Time each gesture, alternating with a floor gesture."""
    for gesture, floor_gesture in zip(gestures, floor_gestures, strict=False):
        for target, act, into in ((floor_page, floor_gesture, floor), (page, gesture, result)):
            measured = timed(target, act)
            if measured is None:
                into.failures += 1
            else:
                into.times.append(measured[0])
                into.longest_task = max(into.longest_task, measured[1])


@dataclass(frozen=True)
class Case:
    """One table row: a lab page (path, the views to pick), a setup, and the gestures to time."""

    name: str
    group: str
    path: str
    views: tuple[str, ...]
    gestures: Callable[[object, int], list[Callable[[], None]]]
    setup: Callable[[object], None] | None = None
    kind: str = "typical"


def settle(page, label: str, key: str) -> Callable[[object], None]:
    def setup(_page) -> None:
        press(page, label, key)()
        wait_idle(page)
    return setup


def to_the_maximum(page) -> None:
    """Setup: hidden size H and sequence length T to their maximum (64 and 500)."""
    for label in ("hidden size H", "sequence length T"):
        press(page, label, "End")()
        wait_idle(page)


ASSIGNMENT = ("Assignment: counting RNN",)
DEEP = ("Deep RNN (tanh)",)


def cases() -> list[Case]:
    photo_bytes = photo()
    conv, bptt = "conv_lab", "bptt_lab"
    return [
        Case("conv: padding", "conv", conv, ("Output",), lambda p, n: back_and_forth(p, "Padding", n)),
        Case("conv: input size", "conv", conv, ("Output",), lambda p, n: back_and_forth(p, "Input size", n)),
        Case("conv: kernels (add Gaussian, remove it)", "conv", conv, ("Output",),
             lambda p, n: add_or_remove(p, "Kernels (one output channel each)", "Gaussian", n)),
        Case("conv: receptive field, padding", "conv", conv, ("Receptive field",),
             lambda p, n: back_and_forth(p, "Padding", n)),
        Case("conv: upload a 1024x768 photo", "conv", conv, ("Output",),
             lambda p, n: [upload(p, photo_bytes, f"photo-{i}.jpg") for i in range(n)],
             setup=lambda p: (pick(p, "Input", "your image (upload)")(), wait_idle(p))),
        Case("conv: padding, with the photo", "conv", conv, ("Output",),
             lambda p, n: back_and_forth(p, "Padding", n),
             setup=lambda p: (pick(p, "Input", "your image (upload)")(), wait_idle(p),
                              upload(p, photo_bytes, "photo.jpg")(), wait_idle(p))),
        Case("assignment: w_rec", "assignment", bptt, ASSIGNMENT,
             lambda p, n: back_and_forth(p, "w_rec", n)),
        Case("assignment: T", "assignment", bptt, ASSIGNMENT,
             lambda p, n: back_and_forth(p, "sequence length T", n)),
        Case("assignment: K", "assignment", bptt, ASSIGNMENT + ("Truncation",),
             lambda p, n: back_and_forth(p, "truncation window K", n)),
        Case("deep: radius", "deep", bptt, DEEP,
             lambda p, n: back_and_forth(p, "spectral radius of W_hh", n)),
        Case("deep: H", "deep", bptt, DEEP, lambda p, n: back_and_forth(p, "hidden size H", n)),
        Case("deep: T", "deep", bptt, DEEP, lambda p, n: back_and_forth(p, "sequence length T", n)),
        Case("deep: K (Truncation)", "deep", bptt, DEEP + ("Truncation",),
             lambda p, n: back_and_forth(p, "truncation window K", n)),
        Case("deep: p (Truncation)", "deep", bptt, DEEP + ("Truncation",),
             lambda p, n: back_and_forth(p, "randomized: continuation probability p", n)),
        Case("deep: draws (Monte Carlo)", "deep", bptt, DEEP + ("Monte Carlo",),
             lambda p, n: back_and_forth(p, "Monte Carlo draws", n)),
        Case("deep: T to 500 at H = 64, first time (fresh server)", "deep-first", bptt, DEEP,
             lambda p, n: [press(p, "sequence length T", "End")],
             setup=lambda p: (press(p, "hidden size H", "End")(), wait_idle(p)), kind="first"),
        Case("deep: H to 64 at T = 500, first time (fresh server)", "deep-first", bptt, DEEP,
             lambda p, n: [press(p, "hidden size H", "End")],
             setup=lambda p: (press(p, "sequence length T", "End")(), wait_idle(p)), kind="first"),
        Case("deep: open Truncation at T = 500, H = 64, first time (fresh server)", "deep-first", bptt, DEEP,
             lambda p, n: [pick(p, "", "Truncation")], setup=to_the_maximum, kind="first"),
        Case("deep: open Monte Carlo at T = 500, H = 64, first time (fresh server)", "deep-first", bptt, DEEP,
             lambda p, n: [pick(p, "", "Monte Carlo")], setup=to_the_maximum, kind="first"),
        Case("gated: gate bias", "gated", bptt, ("Gated cells",),
             lambda p, n: back_and_forth(p, "forget / update gate bias", n)),
        Case("gated: H", "gated", bptt, ("Gated cells",), lambda p, n: back_and_forth(p, "hidden size H", n)),
        Case("gated: T", "gated", bptt, ("Gated cells",), lambda p, n: back_and_forth(p, "sequence length T", n)),
        Case("gated: gate bias (Gate-bias sweep)", "gated", bptt, ("Gated cells", "Gate-bias sweep"),
             lambda p, n: back_and_forth(p, "forget / update gate bias", n)),
        Case("gated: T to 500 at H = 64, first time (fresh server)", "gated-first", bptt, ("Gated cells",),
             lambda p, n: [press(p, "sequence length T", "End")],
             setup=lambda p: (press(p, "hidden size H", "End")(), wait_idle(p)), kind="first"),
        Case("gated: open Gate-bias sweep at T = 500, H = 64, first time (fresh server)", "gated-first", bptt,
             ("Gated cells",), lambda p, n: [pick(p, "", "Gate-bias sweep")], setup=to_the_maximum, kind="first"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="presses per typical gesture (default 7)")
    parser.add_argument("--fresh", type=int, default=3, help="fresh servers per first-time gesture (default 3)")
    parser.add_argument("--only", default="",
                        help="comma-separated groups: conv,assignment,deep,deep-first,gated,gated-first")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Browser benchmark: skipped, it needs Debian's chromium (apt-get install chromium).")
        return
    from playwright.sync_api import sync_playwright

    wanted = {group for group in args.only.split(",") if group}
    selected = [case for case in cases() if not wanted or case.group in wanted]
    load_before = os.getloadavg()
    floor_server, lab_server = Server(FLOOR_APP), StudylabServer()
    results: dict[str, tuple[Result, Result]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            floor_page = browser.new_context(viewport=VIEWPORT).new_page()
            floor_page.goto(floor_server.url)
            wait_idle(floor_page)
            for case in selected:
                result, floor = Result(), Result()
                runs = args.fresh if case.kind == "first" else 1
                for _ in range(runs):
                    server = StudylabServer() if case.kind == "first" else lab_server
                    context = browser.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    try:
                        open_lab(page, server, case.path, case.views)
                        if case.setup:
                            case.setup(page)
                        count = 1 if case.kind == "first" else args.repeats
                        floor_gestures = back_and_forth(floor_page, "Frequency", count)
                        run_series(page, floor_page, case.gestures(page, count), floor_gestures, result, floor)
                    finally:
                        context.close()
                        if server is not lab_server:
                            server.stop()
                results[case.name] = (result, floor)
                print(f"  {case.name}: {result.median:.0f} ms (floor {floor.median:.0f} ms)", file=sys.stderr)
            browser.close()
    finally:
        floor_server.stop()
        lab_server.stop()
    report(selected, results, load_before, os.getloadavg(), args)


def report(selected: list[Case], results: dict, load_before, load_after, args) -> None:
    every_floor = [time for _, floor in results.values() for time in floor.times]
    overall_floor = statistics.median(every_floor) if every_floor else float("nan")
    print(f"Browser benchmark · Chromium {VIEWPORT['width']}x{VIEWPORT['height']} · {os.cpu_count()} CPUs · "
          f"load average before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}")
    print(f"Floor (one slider, one chart): median {overall_floor:.0f} ms over {len(every_floor)} presses.\n")
    print("| gesture | median | floor (same run) | ratio | target | longest task | runs | result |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for case in selected:
        result, floor = results[case.name]
        floor_ms = floor.median if floor.times else overall_floor
        ratio = result.median / floor_ms if result.times else float("nan")
        target = 3.0 if case.kind == "first" else 1.5
        verdict = "met" if ratio <= target and not result.failures else "MISSED"
        if result.failures:
            verdict += f" ({result.failures} gesture(s) never finished)"
        print(f"| {case.name} | {result.median:.0f} ms | {floor_ms:.0f} ms | {ratio:.2f}x | <= {target:g}x "
              f"| {result.longest_task:.0f} ms | {len(result.times)} | {verdict} |")


if __name__ == "__main__":
    main()
