"""Benchmark: convolution forward + backward, ours vs torch (and vs the loop reference); page rerun.

Usage: .venv/bin/python benchmarks/bench_conv.py [--threads 1] [--repeats 21] [--reference-repeats 1]
                                               [--only 1d,3d] [--no-reference] [--page-reruns 0] [--paths]

Prints markdown tables. Every number is the median of several runs measured in this process;
ours and torch are interleaved run by run (ours, torch, ours, torch, ...), so a busy moment on a
shared machine slows both, and every ratio compares numbers from the same run. BLAS (numpy) and
torch are limited to --threads threads: the environment variables are set before numpy is
imported, and threadpoolctl (when installed) confirms the limit on every BLAS numpy loaded.

A case is forward + backward, as one training step needs them: conv, conv_backward (input and
weight gradients) and the bias gradient, against torch's conv{1,2,3}d forward and autograd
backward with the same float64 tensors. torch is optional (benchmark-only; never a dependency):
without it the torch columns say "not installed". Targets (issue 10): the worst ours / torch at
most 1.0, the geometric mean at most 0.8.

--paths adds a table of every lowering a case allows (core.conv.lowering: pointwise, flat, rows,
strided), each timed as forward + backward straight through the lowering (no argument checks, no
bias), interleaved in the same runs as ours and torch: how the chosen path compares with the others.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = [  # (label, group, x shape, w shape, stride, padding, dilation)
    ("1D, batch 16: (16,16,1024) x (32,16,5), pad 2", "1d", (16, 16, 1024), (32, 16, 5), 1, 2, 1),
    ("1D dilation 4, batch 8: (8,16,512) x (16,16,3), pad 4", "1d", (8, 16, 512), (16, 16, 3), 1, 4, 4),
    ("1D stride 2, one signal: (8,4096) x (16,8,7), pad 3", "1d", (8, 4096), (16, 8, 7), 2, 3, 1),
    ("2D single image: (3,128,128) x (8,3,3,3), pad 1", "2d", (3, 128, 128), (8, 3, 3, 3), 1, 1, 1),
    ("2D batch 16: (16,16,32,32) x (32,16,3,3), pad 1", "2d", (16, 16, 32, 32), (32, 16, 3, 3), 1, 1, 1),
    ("2D 64 -> 64 channels, batch 4: (4,64,32,32) x (64,64,3,3), pad 1", "2d", (4, 64, 32, 32),
     (64, 64, 3, 3), 1, 1, 1),
    ("2D 5x5, batch 8: (8,8,32,32) x (16,8,5,5), pad 2", "2d", (8, 8, 32, 32), (16, 8, 5, 5), 1, 2, 1),
    ("2D stride 2: (1,256,256) x (1,1,5,5), pad 2", "2d", (1, 256, 256), (1, 1, 5, 5), 2, 2, 1),
    ("2D stride 2, 7x7, batch 8: (8,3,64,64) x (16,3,7,7), pad 3", "2d", (8, 3, 64, 64), (16, 3, 7, 7), 2, 3, 1),
    ("2D dilation 2, batch 8: (8,16,32,32) x (16,16,3,3), pad 2", "2d", (8, 16, 32, 32), (16, 16, 3, 3), 1, 2, 2),
    ("2D 1x1, batch 16: (16,64,16,16) x (32,64,1,1)", "2d", (16, 64, 16, 16), (32, 64, 1, 1), 1, 0, 1),
    ("2D 1x1, 64 -> 64 channels, one image: (64,56,56) x (64,64,1,1)", "2d", (64, 56, 56), (64, 64, 1, 1),
     1, 0, 1),
    ("2D 1x1, 64 -> 64 channels, batch 8: (8,64,28,28) x (64,64,1,1)", "2d", (8, 64, 28, 28),
     (64, 64, 1, 1), 1, 0, 1),
    ("3D volume 16x32x32, batch 4: (4,4,16,32,32) x (8,4,3,3,3), pad 1", "3d", (4, 4, 16, 32, 32),
     (8, 4, 3, 3, 3), 1, 1, 1),
    ("3D volume 16x32x32, one sample: (1,16,32,32) x (4,1,3,3,3), pad 1", "3d", (1, 16, 32, 32), (4, 1, 3, 3, 3),
     1, 1, 1),
    ("3D stride 2, 5x5x5, batch 2: (2,8,32,32,32) x (16,8,5,5,5), pad 2", "3d", (2, 8, 32, 32, 32),
     (16, 8, 5, 5, 5), 2, 2, 1),
    ("3D dilation 2, one sample: (4,16,24,24) x (8,4,3,3,3), pad 2", "3d", (4, 16, 24, 24), (8, 4, 3, 3, 3),
     1, 2, 2),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=21, help="timed runs of ours and torch, interleaved")
    parser.add_argument("--reference-repeats", type=int, default=1, help="timed runs of the slow loop reference")
    parser.add_argument("--no-reference", action="store_true", help="skip the loop reference (minutes on 3D)")
    parser.add_argument("--only", default="", help="comma-separated groups: 1d,2d,3d")
    parser.add_argument("--page-reruns", type=int, default=10, help="timed page reruns (0 skips the page)")
    parser.add_argument("--paths", action="store_true",
                        help="also time every lowering each case allows (forward + backward), same runs")
    return parser.parse_args()


def median_seconds(runs: dict, repeats: int, warmup: int = 2) -> dict:
    """Median wall time of each callable in `runs`, interleaved run by run."""
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


def gemm_flops(np, repeats: int) -> float:
    """This machine's float64 GEMM rate (flop/s) with numpy.matmul at the BLAS threads set, median of
    `repeats` products of two 512 x 512 matrices."""
    a, b = np.random.default_rng(1).standard_normal((2, 512, 512))
    seconds = median_seconds({"gemm": lambda: a @ b}, repeats)["gemm"]
    return 2 * 512**3 / seconds


def blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed: BLAS threads set by environment variables only"
    libraries = [f"{info['internal_api']} {info['num_threads']} thread(s)" for info in threadpool_info()
                 if info["user_api"] == "blas"]
    return ", ".join(libraries) or "no BLAS found"


def bench_conv(args: argparse.Namespace) -> None:
    import numpy as np

    from core import conv
    from core.conv import lowering, ops
    from core.conv import reference as conv_reference

    try:
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None

    wanted = {group for group in args.only.split(",") if group}
    cases = [case for case in CASES if not wanted or case[1] in wanted]
    print(f"Convolution forward + backward, float64, {args.threads} thread(s) for BLAS and torch "
          f"({blas_threads()}), median of {args.repeats} interleaved runs. numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else ", torch not installed")
          + f", {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
          + (f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "") + ".\n")
    rng = np.random.default_rng(0)
    gemm_rate = gemm_flops(np, args.repeats)
    print(f"numpy.matmul float64 (512 x 512) @ (512 x 512), same run: {gemm_rate / 1e9:.2f} GFLOP/s, the "
          "machine's single-thread GEMM rate the conv's FLOP rate is compared with (3 products of "
          "2 N C_out C_in prod(K) prod(O) flops each).\n")
    print("| case | path | ours (ms) | torch (ms) | ours / torch | GFLOP/s | of GEMM rate "
          "| loop reference (ms) | speed-up vs loops |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    path_rows = []  # (label, path, chosen?, ms, ms of the chosen path, torch ms or None)
    for label, _, x_shape, w_shape, stride, padding, dilation in cases:
        ndim = len(w_shape) - 2
        settings = dict(stride=stride, padding=padding, dilation=dilation)
        x = rng.standard_normal(x_shape)
        w = rng.standard_normal(w_shape)
        b = rng.standard_normal(w_shape[0])
        grad_out = rng.standard_normal(conv.conv(x, w, b, **settings).shape)
        not_channel = tuple(axis for axis in range(grad_out.ndim) if axis != grad_out.ndim - ndim - 1)
        geo = ops._prepare(x, w, b, stride, padding, dilation, ndim)
        path = geo.path  # which lowering computes it

        def ours(x=x, w=w, b=b, grad_out=grad_out, settings=settings, not_channel=not_channel):
            conv.conv(x, w, b, **settings)
            conv.conv_backward(x, w, grad_out, **settings)
            grad_out.sum(axis=not_channel)  # the bias gradient, which torch computes too

        contenders = {"ours": ours}
        if args.paths:
            batched_grad = grad_out if geo.batched else grad_out[None]
            for option in geo.paths:
                def through(option=option, geo=geo, batched_grad=batched_grad):
                    lowering.forward(geo, option)
                    lowering.backward(geo, batched_grad, option)

                contenders[f"path {option}"] = through
        if torch is not None:
            batched = x.ndim == ndim + 2
            tx = torch.tensor(x if batched else x[None], requires_grad=True)
            tw = torch.tensor(w, requires_grad=True)
            tb = torch.tensor(b, requires_grad=True)
            tgrad = torch.tensor(grad_out if batched else grad_out[None])
            function = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[ndim]

            def theirs(tx=tx, tw=tw, tb=tb, tgrad=tgrad, function=function, settings=settings):
                tx.grad = tw.grad = tb.grad = None
                function(tx, tw, tb, **settings).backward(tgrad)

            contenders["torch"] = theirs
            theirs()  # same gradients, or the comparison means nothing
            mine_x, mine_w = conv.conv_backward(x, w, grad_out, **settings)
            assert np.allclose(mine_x, tx.grad.numpy().reshape(mine_x.shape)), label
            assert np.allclose(mine_w, tw.grad.numpy()), label
        medians = median_seconds(contenders, args.repeats)
        torch_cell = ratio_cell = "not installed"
        if torch is not None:
            ratio = medians["ours"] / medians["torch"]
            ratios.append(ratio)
            torch_cell, ratio_cell = f"{medians['torch'] * 1e3:.2f}", f"{ratio:.2f}"
        reference_cell = speedup_cell = "skipped"
        if not args.no_reference:
            def reference(x=x, w=w, b=b, grad_out=grad_out, settings=settings):
                conv_reference.conv_reference(x, w, b, **settings)
                conv_reference.conv_backward_reference(x, w, grad_out, **settings)

            reference_s = median_seconds({"reference": reference}, args.reference_repeats, warmup=0)["reference"]
            reference_cell, speedup_cell = f"{reference_s * 1e3:.0f}", f"{reference_s / medians['ours']:.0f}x"
        flops = 3 * 2 * math.prod(grad_out.shape) * math.prod(w_shape[1:])
        rate = flops / medians["ours"]
        print(f"| {label} | {path} | {medians['ours'] * 1e3:.2f} | {torch_cell} | {ratio_cell} | {rate / 1e9:.2f} "
              f"| {rate / gemm_rate:.0%} | {reference_cell} | {speedup_cell} |", flush=True)
        path_rows += [(label, option, option == path, medians[f"path {option}"], medians[f"path {path}"],
                       medians.get("torch")) for option in (geo.paths if args.paths else ())]
    if ratios:
        worst, mean = max(ratios), math.exp(statistics.fmean(math.log(r) for r in ratios))
        print(f"\nours / torch: worst {worst:.2f} (target <= 1.0: {'met' if worst <= 1.0 else 'MISSED'}), "
              f"geometric mean {mean:.2f} (target <= 0.8: {'met' if mean <= 0.8 else 'MISSED'}) over {len(ratios)} "
              "cases.")
    if path_rows:
        print_paths(path_rows)


def print_paths(path_rows: list) -> None:
    print("\nEvery lowering each case allows, forward + backward through core.conv.lowering (no argument "
          "checks, no bias), in the same interleaved runs (* = the one chosen):\n")
    print("| case | lowering | ms | / chosen | / torch (whole step) |")
    print("|---|---|---:|---:|---:|")
    for label, option, chosen, seconds, chosen_seconds, torch_seconds in path_rows:
        torch_cell = f"{seconds / torch_seconds:.2f}" if torch_seconds else "not installed"
        print(f"| {label} | {option}{' *' if chosen else ''} | {seconds * 1e3:.2f} | {seconds / chosen_seconds:.2f} "
              f"| {torch_cell} |")


def bench_page(args: argparse.Namespace) -> None:
    if args.page_reruns <= 0:
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
        at.run()   # the slider's callback reruns just the pictures fragment
        elapsed = time.perf_counter() - start
        at.run()   # draw the whole page again, so the slider is in AppTest's tree for the next move
        return elapsed

    first = [rerun_with_padding(p) for p in padding_values]
    repeat = [rerun_with_padding(p) for _ in range(max(1, args.page_reruns // len(padding_values)))
              for p in padding_values]
    print("\nServer side of a padding move (AppTest; the padding slider reruns only the pictures fragment; "
          "AppTest also recompiles the page script on every run, which `streamlit run` caches):\n")
    print("| rerun | median (ms) | max (ms) | reruns |")
    print("|---|---:|---:|---:|")
    for label, times in (("new padding value (computed and charted)", first),
                         ("padding value seen before (st.cache_data hits)", repeat)):
        print(f"| {label} | {statistics.median(times) * 1e3:.0f} | {max(times) * 1e3:.0f} | {len(times)} |")
    print("\nWhat the browser feels is measured by benchmarks/bench_browser.py.")


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
