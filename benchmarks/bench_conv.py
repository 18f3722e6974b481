"""Benchmark: conv2d forward + backward, fast path vs the loop reference vs torch; page rerun time.

Usage: .venv/bin/python benchmarks/bench_conv.py [--threads 1] [--repeats 15] [--reference-repeats 1]

Prints markdown tables. Every number is the median of several runs measured in this process,
and every ratio compares numbers from the same run. BLAS (numpy) and torch are both limited to
--threads threads; the environment variables are set before numpy is imported.
torch is optional (benchmark-only): without it the torch columns say "not installed".
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = [  # (label, x shape, w shape, stride, padding)
    ("(3,128,128) x (8,3,3,3), pad 1", (3, 128, 128), (8, 3, 3, 3), 1, 1),
    ("(16,16,32,32) x (32,16,3,3), pad 1", (16, 16, 32, 32), (32, 16, 3, 3), 1, 1),
    ("(1,256,256) x (1,1,5,5), stride 2, pad 2", (1, 256, 256), (1, 1, 5, 5), 2, 2),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs of the fast path and torch")
    parser.add_argument("--reference-repeats", type=int, default=1, help="timed runs of the slow loop reference")
    parser.add_argument("--page-reruns", type=int, default=10, help="timed page reruns")
    return parser.parse_args()


def median_seconds(runs: dict, repeats: int, warmup: int = 1) -> dict:
    """Median wall time of each callable in `runs`, interleaved run by run.

    Interleaving gives every contender the same share of a noisy machine's slow moments.
    """
    for _ in range(warmup):
        for run in runs.values():
            run()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def bench_conv(args: argparse.Namespace) -> None:
    import numpy as np

    from core import conv
    from core.conv import reference as conv_reference

    try:
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None

    print(f"conv2d forward + backward, float64, {args.threads} thread(s) for BLAS and torch, "
          f"median of {args.repeats} runs (loop reference: {args.reference_repeats} run(s), no warm-up, "
          f"measured on the full problem). numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else ", torch not installed")
          + f", {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs.\n")
    print("| case | fast (ms) | loop reference (ms) | speed-up | torch (ms) | ours / torch |")
    print("|---|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for label, x_shape, w_shape, stride, padding in CASES:
        x = rng.standard_normal(x_shape)
        w = rng.standard_normal(w_shape)
        b = rng.standard_normal(w_shape[0])
        grad_out = rng.standard_normal(conv.conv2d(x, w, b, stride=stride, padding=padding).shape)

        not_channel = tuple(axis for axis in range(grad_out.ndim) if axis != grad_out.ndim - 3)

        def fast(x=x, w=w, b=b, grad_out=grad_out, stride=stride, padding=padding, not_channel=not_channel):
            conv.conv2d(x, w, b, stride=stride, padding=padding)
            conv.conv2d_backward(x, w, grad_out, stride=stride, padding=padding)
            grad_out.sum(axis=not_channel)  # the bias gradient, which torch computes too

        def reference(x=x, w=w, b=b, grad_out=grad_out, stride=stride, padding=padding, not_channel=not_channel):
            conv_reference.conv_reference(x, w, b, stride=stride, padding=padding)
            conv_reference.conv_backward_reference(x, w, grad_out, stride=stride, padding=padding)
            grad_out.sum(axis=not_channel)

        contenders = {"fast": fast}
        if torch is not None:
            tx = torch.tensor(x, requires_grad=True)
            tw = torch.tensor(w, requires_grad=True)
            tb = torch.tensor(b, requires_grad=True)
            tgrad = torch.tensor(grad_out)

            def torch_run(tx=tx, tw=tw, tb=tb, tgrad=tgrad, stride=stride, padding=padding):
                tx.grad = tw.grad = tb.grad = None
                F.conv2d(tx, tw, tb, stride=stride, padding=padding).backward(tgrad)

            contenders["torch"] = torch_run
        medians = median_seconds(contenders, args.repeats)
        fast_s = medians["fast"]
        reference_s = median_seconds({"reference": reference}, args.reference_repeats, warmup=0)["reference"]
        torch_cell, ratio_cell = "not installed", "-"
        if torch is not None:
            torch_cell, ratio_cell = f"{medians['torch'] * 1e3:.2f}", f"{fast_s / medians['torch']:.2f}x"
        print(f"| {label} | {fast_s * 1e3:.2f} | {reference_s * 1e3:.0f} | {reference_s / fast_s:.0f}x "
              f"| {torch_cell} | {ratio_cell} |")


def bench_page(args: argparse.Namespace) -> None:
    if not (ROOT / "app.py").exists():
        print("\nPage rerun: skipped, app.py not found.")
        return
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/conv_lab.py").run()
    if at.exception:
        print(f"\nPage rerun: the page raised {at.exception[0].value}")
        return
    padding_values = list(range(1, 7)) + [0]

    def rerun_with_padding(padding: int) -> float:
        at.slider(key="conv_padding").set_value(padding)
        start = time.perf_counter()
        at.run()
        return time.perf_counter() - start

    # First visit of each padding value: new output, new verification, new output chart (the
    # input and kernel charts stay cached, as they do when a student moves this slider).
    first = [rerun_with_padding(p) for p in padding_values]
    repeat = [rerun_with_padding(p) for _ in range(max(1, args.page_reruns // len(padding_values)))
              for p in padding_values]
    print("\nPage rerun after moving the padding slider (AppTest on app.py, default settings otherwise; "
          "AppTest also recompiles the page script on every run, which `streamlit run` caches):\n")
    print("| rerun | median (ms) | max (ms) | reruns |")
    print("|---|---:|---:|---:|")
    for label, times in (("new padding value (computed and charted)", first),
                         ("padding value seen before (st.cache_data hits)", repeat)):
        print(f"| {label} | {statistics.median(times) * 1e3:.0f} | {max(times) * 1e3:.0f} | {len(times)} |")
    print("\nTarget: <= 150 ms.")


def main() -> None:
    args = parse_args()
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    bench_conv(args)
    bench_page(args)


if __name__ == "__main__":
    main()
