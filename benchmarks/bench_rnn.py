"""BPTT explorer benchmarks: prints one markdown table (medians of several runs, one process).

    .venv/bin/python benchmarks/bench_rnn.py

Rows: tanh RNN forward + BPTT (H=64, T=1000, batch 32, float64) against torch autograd at the
same thread count (skipped if torch is not installed); the linear RNN's closed-form gradients
at T = 100,000; the 100x100 loss surface at T = 50; the heaviest first-time settings of the
Deep and Gated tabs (T = 500, H = 64, one BLAS thread), each against the way it used to be
computed, interleaved in the same run; the same first visits as the first call of a fresh
process (memory not yet touched, as on a server's first visit); and a rerun of the explorer page
after a slider move at the default settings (AppTest, so it includes Streamlit's own script-run
work).

    .venv/bin/python benchmarks/bench_rnn.py --against ../older-checkout

also times the fresh-process rows with another checkout's code, interleaved, for a before/after.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import rnn  # noqa: E402
from core.rnn import tanh as rnn_tanh  # noqa: E402
from core.rnn import view as rnn_view  # noqa: E402

REPEATS = 7


def median_ms(run: Callable[[], object], repeats: int = REPEATS, warmup: int = 1) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def numpy_blas_threads() -> int:
    """Threads OpenBLAS (bundled with numpy) will use; os.cpu_count() if it cannot be asked."""
    libraries = glob.glob(str(Path(np.__file__).parent.parent / "numpy.libs" / "libscipy_openblas*.so"))
    for path in libraries:
        library = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(library, symbol):
                return int(getattr(library, symbol)())
    return os.cpu_count() or 1


def tanh_rnn_rows(threads: int) -> list[tuple[str, str, str, str]]:
    H, T, N, D = 64, 1000, 32, 8
    params = rnn_tanh.init_tanh_rnn(H, D, 1.0, 0)
    X, Y = rnn_tanh.sequence_task(N, T, D, H, 1, "all")

    def ours():
        return rnn_tanh.tanh_bptt(params, rnn_tanh.tanh_forward(params, X), Y, "all")

    ours_ms = median_ms(ours)
    label = f"tanh RNN forward + BPTT, H={H}, T={T}, batch {N}, loss on every step, float64"
    try:
        import torch
    except ImportError:
        return [(label + " (ours)", f"{ours_ms:.1f} ms", "<= 1.5x torch", "torch not installed: no reference")]
    torch.set_num_threads(threads)
    weights = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    inputs = torch.tensor(X).transpose(0, 1).contiguous()
    targets = torch.tensor(Y).transpose(0, 1).contiguous()

    def theirs():
        for weight in weights.values():
            weight.grad = None
        drives = (inputs @ weights["W_xh"].T + weights["b"]).unbind(0)
        h = torch.zeros(N, H, dtype=torch.float64)
        states = []
        for t in range(T):
            h = torch.tanh(h @ weights["W_hh"].T + drives[t])
            states.append(h)
        loss = 0.5 * ((torch.stack(states) - targets) ** 2).sum() / N
        loss.backward()
        return loss

    theirs()
    ours_grads = ours().grads
    difference = max(float(np.max(np.abs(ours_grads[name] - weights[name].grad.numpy()))) for name in params)
    theirs_ms = median_ms(theirs)
    ratio = ours_ms / theirs_ms
    verdict = "met" if ratio <= 1.5 else "MISSED"
    return [
        (label + " (ours, NumPy)", f"{ours_ms:.1f} ms", "<= 1.5x torch",
         f"ratio ours/torch = {ratio:.2f} ({verdict}); largest gradient difference {difference:.1e}"),
        (label + f" (torch {torch.__version__} autograd, {threads} threads)", f"{theirs_ms:.1f} ms", "reference", ""),
    ]


def linear_rows() -> list[tuple[str, str, str, str]]:
    N, T = 32, 100_000
    X, target = rnn.counting_batch(N, T, 0)
    S = rnn.linear_forward(X, 1.0, 0.9999)
    _, grad_out = rnn.counting_loss(S, target)
    backward_ms = median_ms(lambda: rnn.linear_backward_closed(X, S, grad_out, 0.9999))
    forward_ms = median_ms(lambda: rnn.linear_forward(X, 1.0, 0.9999))
    return [
        (f"linear RNN gradients, closed form, T = {T:,}, batch {N}", f"{backward_ms:.1f} ms", "<= 10 ms",
         "met" if backward_ms <= 10 else "MISSED"),
        (f"linear RNN forward (chunked), T = {T:,}, batch {N}", f"{forward_ms:.1f} ms", "", "for context"),
    ]


def surface_row() -> tuple[str, str, str, str]:
    X, target = rnn.counting_batch(20, 50, 0)
    axis = np.linspace(*rnn_view.SURFACE_RANGE, 100)
    ms = median_ms(lambda: rnn.loss_surface(X, target, axis, axis))
    return ("loss surface 100x100, T = 50, batch 20", f"{ms:.2f} ms", "<= 200 ms", "met" if ms <= 200 else "MISSED")


def interleaved_ms(runs: dict[str, Callable[[], object]], repeats: int = 5) -> dict[str, float]:
    """Median ms of each of `runs`, run in turn (a, b, a, b, ...) so a busy moment slows all of them."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(values) for name, values in times.items()}


def first_time_rows() -> list[tuple[str, str, str, str]]:
    """The heavy first visits at T = 500, H = 64 (one BLAS thread, as the lab runs)."""
    from threadpoolctl import threadpool_limits

    from core.rnn import gated
    from core.rnn.gradcheck import tanh_complex_step, tanh_forward_mode

    H, T, seed, radius = 64, 500, 0, 1.0
    X, Y = rnn_tanh.sequence_task(rnn_view.DEEP_BATCH, T, rnn_view.DEEP_INPUTS, H, seed + 1)
    cells = {cell: rnn_view.gated_problem(cell, H, T, seed, 0.0, radius) for cell in ("lstm", "gru")}

    def one_by_one() -> None:
        for cell in cells:
            for bias in rnn_view.GATE_BIASES:
                params = rnn_view.gated_problem(cell, H, T, seed, bias, radius)
                gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y)

    params, X_deep, Y_deep = rnn_view.deep_problem(radius, H, T, seed)
    rng = np.random.default_rng(seed + 99)
    directions = [{name: rng.standard_normal(value.shape) for name, value in params.items()} for _ in range(3)]
    with threadpool_limits(1):
        sweep = interleaved_ms({
            "stacked": lambda: gated.sweep_step_norms(cells, X, Y, rnn_view.GATE_BIASES),
            "per cell": lambda: [gated.step_norms_by_gate_bias(cell, cells[cell], X, Y, rnn_view.GATE_BIASES)
                                 for cell in cells],
            "one by one": one_by_one}, repeats=3)
        check = interleaved_ms({
            "forward mode": lambda: tanh_forward_mode(params, X_deep, Y_deep, directions),
            "complex step": lambda: [tanh_complex_step(params, X_deep, Y_deep, d, h=1e-20) for d in directions]})
        decay = interleaved_ms({
            "curves": lambda: rnn_view.decay_curves(rnn_view.DEEP_RADII, H, T, seed),
            "badge": lambda: rnn_view.verify_deep(radius, H, T, seed, 10)})
    return [
        ("gate-bias sweep, T = 500, H = 64: 16 networks in one stacked run (both cells)",
         f"{sweep['stacked']:.0f} ms", "", f"{sweep['stacked'] / sweep['one by one']:.2f}x the 16 networks one by one "
         f"({sweep['one by one']:.0f} ms), {sweep['stacked'] / sweep['per cell']:.2f}x one stacked run per cell "
         f"({sweep['per cell']:.0f} ms)"),
        ("Deep badge's full-size check, 3 directions, T = 500, H = 64: forward mode (complex step's limit)",
         f"{check['forward mode']:.0f} ms", "", f"{check['forward mode'] / check['complex step']:.2f}x three "
         f"complex-step passes ({check['complex step']:.0f} ms)"),
        ("Deep tab Decay, first visit at T = 500, H = 64: decay curves + badge",
         f"{decay['curves']:.0f} + {decay['badge']:.0f} ms", "", "for context"),
    ]


FIRST_CALLS = {
    "gate-bias sweep, T = 500, H = 64": "view.gate_bias_sweep(64, 500, 0, 1.0)",
    "Deep tab Decay at T = 500, H = 64: decay curves + badge":
        "view.decay_curves(view.DEEP_RADII, 64, 500, 0); view.verify_deep(1.0, 64, 500, 0, 10)",
    "Deep tab Monte Carlo at T = 500, H = 64: estimates + bias and spread for five p":
        "view.deep_view(1.0, 64, 500, 0, 10, 0.8, 200); view.randomized_spread(1.0, 64, 500, 0, 10, 100)",
    "Gated tab Decay at T = 500, H = 64: tanh RNN, LSTM and GRU curves":
        "view.gated_curves(64, 500, 0, 1.0, 1.0)",
}
FIRST_CALL = """
import time
from threadpoolctl import threadpool_limits
from core.rnn import view
import pandas  # imported before the clock starts, as in the app
with threadpool_limits(1):
    start = time.perf_counter()
    {call}
    print(time.perf_counter() - start)
"""
FRESH_PROCESSES = 7


def first_call_ms(root: Path, call: str) -> float:
    """Milliseconds of `call`, the first thing a new Python process computes with `root`'s code."""
    done = subprocess.run([sys.executable, "-c", FIRST_CALL.format(call=call)], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
    return 1e3 * float(done.stdout.strip().splitlines()[-1])


def fresh_process_rows(against: Path | None) -> list[tuple[str, str, str, str]]:
    """The first visits' work as the first call of a new process, median of FRESH_PROCESSES
    processes; with `against`, that checkout's code alternating with this one's."""
    rows = []
    for name, call in FIRST_CALLS.items():
        ours, theirs = [], []
        for _ in range(FRESH_PROCESSES):
            ours.append(first_call_ms(ROOT, call))
            if against is not None:
                theirs.append(first_call_ms(against, call))
        note = "first call of a fresh process"
        if against is not None:
            note += f"; {statistics.median(ours) / statistics.median(theirs):.2f}x {against.name}'s " \
                    f"({statistics.median(theirs):.0f} ms, {min(theirs):.0f} to {max(theirs):.0f})"
        rows.append((f"{name}, in a fresh process", f"{statistics.median(ours):.0f} ms "
                     f"({min(ours):.0f} to {max(ours):.0f})", "", note))
    return rows


def page_rows() -> list[tuple[str, str, str, str]]:
    from streamlit.testing.v1 import AppTest

    notes = Path(tempfile.mkdtemp()) / "notes"
    shutil.copytree(ROOT / "notes", notes)
    os.environ["STUDYLAB_NOTES_DIR"] = str(notes)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/bptt_lab.py").run()
    values = iter(np.round(np.linspace(0.80, 0.98, 4 * REPEATS), 3))

    def move(value: float) -> float:
        """Seconds of the rerun a w_rec move causes (its callback reruns just the pictures)."""
        app.slider(key="bptt_w_rec").set_value(value)
        start = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - start
        app.run()  # draw the whole page again, so the slider is in AppTest's tree for the next move
        return elapsed

    for _ in range(2):
        move(float(next(values)))
    fresh_ms = 1e3 * statistics.median(move(float(next(values))) for _ in range(REPEATS))
    move(0.9)
    cached_ms = 1e3 * statistics.median(move(0.9) for _ in range(REPEATS))
    shutil.rmtree(notes.parent, ignore_errors=True)
    return [
        ("explorer pictures rerun after moving w_rec to a new value (defaults, AppTest)", f"{fresh_ms:.0f} ms",
         "<= 150 ms", "met" if fresh_ms <= 150 else "MISSED"),
        ("explorer pictures rerun with every result cached", f"{cached_ms:.0f} ms", "", "for context"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, help="another checkout whose first calls are timed alongside")
    parser.add_argument("--only-fresh", action="store_true", help="print only the fresh-process rows")
    args = parser.parse_args()
    threads = numpy_blas_threads()
    load = os.getloadavg()
    fresh = fresh_process_rows(args.against.resolve() if args.against else None)
    rows = fresh if args.only_fresh else (tanh_rnn_rows(threads) + linear_rows() + [surface_row()]
                                          + first_time_rows() + fresh + page_rows())
    print(f"BPTT explorer benchmarks · median of {REPEATS} runs · numpy {np.__version__} "
          f"(OpenBLAS, {threads} threads) · {os.cpu_count()} CPUs · load average {load[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after\n")
    print("| benchmark | time | target | result |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
