"""Where a lab gesture's time goes in Chromium: a performance trace of repeated gestures, summed.

    python benchmarks/trace_browser.py                      conv padding and BPTT w_rec, 7 presses each
    python benchmarks/trace_browser.py --case "deep: radius" --presses 9

For each case of `bench_browser.py` named here, the page is opened and settled, then a Chromium
trace (CDP Tracing, the devtools timeline categories plus the JS sampling profiler) records the
presses, each waited for as bench_browser waits (run finished, two frames painted). Printed:
- main-thread time per press by kind of work (script, style and layout, paint, other), from
  the renderer main thread's top-level tasks;
- script self time per source (Streamlit's own bundles, Vega's, the app's components) from the
  sampling profile, and the ten functions with the most self time.

Run it on a quiet machine: the trace costs time itself, so its totals are read as shares, and
`bench_browser.py` gives the timings.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import VIEWPORT, StudylabServer, cases, open_lab, timed, wait_idle  # noqa: E402

CATEGORIES = ",".join([
    "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
    "disabled-by-default-v8.cpu_profiler", "blink.user_timing", "toplevel"])
SCRIPT = {"FunctionCall", "EvaluateScript", "v8.compile", "TimerFire", "FireAnimationFrame",
          "EventDispatch", "RunMicrotasks", "v8.run", "MajorGC", "MinorGC"}
LAYOUT = {"Layout", "UpdateLayoutTree", "RecalculateStyles", "UpdateLayerTree", "HitTest",
          "InvalidateLayout", "ScheduleStyleRecalculation", "IntersectionObserverController::computeIntersections"}
PROFILER = {"V8.InvokeApiInterruptCallbacks", "CpuProfiler::StartProfiling", "V8.BytecodeBudgetInterrupt"}
PAINT = {"Paint", "PrePaint", "CompositeLayers", "Layerize", "Commit", "RasterTask", "DecodeImage"}


def kind_of(name: str) -> str:
    if name in PROFILER:
        return "the profiler itself"
    if name in SCRIPT or name.startswith("V8.GC"):
        return "script"
    if name in LAYOUT:
        return "style and layout"
    if name in PAINT:
        return "paint"
    return "other"


def main_thread(events: list[dict]) -> tuple[int, int]:
    """(pid, tid) of the app page's renderer main thread (the one named CrRendererMain with the most events)."""
    names = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    counts = collections.Counter((e["pid"], e["tid"]) for e in events if (e["pid"], e["tid"]) in names)
    return counts.most_common(1)[0][0]


def breakdown(events: list[dict]) -> tuple[dict[str, float], dict[str, float]]:
    """Milliseconds of main-thread work by kind, and by event name: each complete event counted
    by its own time (its duration less its children's), so nested events are not counted twice."""
    where = main_thread(events)
    spans = sorted((e for e in events if (e["pid"], e["tid"]) == where and e.get("ph") == "X" and "dur" in e),
                   key=lambda e: (e["ts"], -e["dur"]))
    names: dict[str, float] = collections.defaultdict(float)
    stack: list[list] = []  # [end, name, children's time, duration]
    for event in spans:
        while stack and stack[-1][0] <= event["ts"]:
            _, name, child, dur = stack.pop()
            names[name] += (dur - child) / 1000
        if stack:
            stack[-1][2] += event["dur"]
        stack.append([event["ts"] + event["dur"], event["name"], 0.0, event["dur"]])
    for _, name, child, dur in stack:
        names[name] += (dur - child) / 1000
    kinds: dict[str, float] = collections.defaultdict(float)
    for name, ms in names.items():
        kinds[kind_of(name)] += ms
    return dict(kinds), dict(names)


def profile_self_times(events: list[dict]) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Self time (ms) per script source and per function, from the trace's ProfileChunk samples."""
    nodes: dict[tuple, dict] = {}
    samples: list[tuple] = []
    for event in events:
        if event.get("name") != "ProfileChunk":
            continue
        data = event["args"]["data"]
        key = (event["pid"], event.get("id"))
        for node in data.get("cpuProfile", {}).get("nodes", []):
            nodes[key + (node["id"],)] = node["callFrame"]
        ids = data.get("cpuProfile", {}).get("samples", [])
        deltas = data.get("timeDeltas", [])
        samples += [(key + (node_id,), delta / 1000) for node_id, delta in zip(ids, deltas, strict=False)]
    by_source: dict[str, float] = collections.defaultdict(float)
    by_function: dict[str, float] = collections.defaultdict(float)
    # a sample's delta is the time since the previous one: charge it to the sampled function
    for node_key, ms in samples:
        frame = nodes.get(node_key)
        if frame is None or frame.get("functionName") in ("(idle)", "(program)", "(root)"):
            continue
        source = source_of(frame.get("url", ""), frame.get("functionName", ""))
        by_source[source] += ms
        by_function[f"{frame.get('functionName') or '(anonymous)'} [{source}]"] += ms
    return dict(by_source), sorted(by_function.items(), key=lambda item: -item[1])[:10]


def source_of(url: str, function: str) -> str:
    if not url:
        return "garbage collection" if function == "(garbage collector)" else "(native)"
    name = url.rsplit("/", 1)[-1].split("?")[0]
    return name.split(".")[0] or url


def trace_case(browser, label: str, presses: int) -> None:
    case = next(case for case in cases() if case.name == label)
    server = StudylabServer()
    try:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        open_lab(page, server, case.path, case.views)
        if case.setup:
            case.setup(page)
            wait_idle(page)
        gestures = case.gestures(page, presses + 1)
        timed(page, gestures[0])  # one untraced press: the first one compiles what the rest reuse
        session = context.new_cdp_session(page)
        chunks: list[dict] = []
        done = []
        session.on("Tracing.dataCollected", lambda message: chunks.extend(message["value"]))
        session.on("Tracing.tracingComplete", lambda message: done.append(True))
        session.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
        times = [timed(page, gesture) for gesture in gestures[1:]]
        session.send("Tracing.end")
        while not done:
            page.wait_for_timeout(100)
        context.close()
    finally:
        server.stop()
    report(label, [t[0] for t in times if t], chunks, presses)


def report(label: str, times: list[float], events: list[dict], presses: int) -> None:
    kinds, names = breakdown(events)
    sources, functions = profile_self_times(events)
    print(f"\n### {label}: {presses} presses, median {sorted(times)[len(times) // 2]:.0f} ms while traced\n")
    print("| main-thread work per press | ms |\n| --- | ---: |")
    for kind, ms in sorted(kinds.items(), key=lambda item: -item[1]):
        print(f"| {kind} | {ms / presses:.1f} |")
    others = sorted(((ms, name) for name, ms in names.items() if kind_of(name) == "other"), reverse=True)[:6]
    print("\nlargest of the other work: " + ", ".join(f"{name} {ms / presses:.1f} ms" for ms, name in others))
    print("\n| script self time per press, by source | ms |\n| --- | ---: |")
    for source, ms in sorted(sources.items(), key=lambda item: -item[1])[:12]:
        print(f"| {source} | {ms / presses:.1f} |")
    print("\n| function (source) | ms per press |\n| --- | ---: |")
    for function, ms in functions:
        print(f"| {function} | {ms / presses:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", help="a bench_browser.py row (repeatable)")
    parser.add_argument("--presses", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        for label in args.case or ["conv: padding", "assignment: w_rec"]:
            trace_case(browser, label, args.presses)
        browser.close()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
