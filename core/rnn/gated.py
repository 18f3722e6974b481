"""Gated recurrent cells (LSTM and GRU) with their own BPTT and per-step gradient norms.

Both use the loss of `core.rnn.tanh` (0.5 ||h - y||^2 / N on the last step or every step) so
their gradient decay can be drawn beside the plain tanh RNN. Inputs X are (N, T, D)
batch-first; states are stored time-major, (T+1, N, H).

LSTM, parameters {"W_x": (4H, D), "W_h": (4H, H), "b": (4H,)}, gate blocks in the order
input i, forget f, candidate g, output o::

    [i, f, g, o] = [sigmoid, sigmoid, tanh, sigmoid](W_x x_t + W_h h_{t-1} + b)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

The forget-gate bias b[H:2H] sets how much of c_{t-1} survives a step: dc_{t-1} = f * dc_t, so
with f near 1 the cell state carries gradient over many steps (the "constant error carousel").

GRU (the PyTorch variant, reset gate applied after the recurrent matmul), parameters
{"W_x": (3H, D), "W_h": (3H, H), "b": (3H,)}, blocks reset r, update z, candidate n::

    r = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)
    z = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)
    n = tanh(W_xn x_t + b_n + r * (W_hn h_{t-1}))
    h_t = (1 - z) * n + z * h_{t-1}

The update-gate bias b[H:2H] pushes z towards 1, i.e. towards copying h_{t-1}: dh_{t-1} gets
z * dh_t directly, past any squashing nonlinearity.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from core.rnn.tanh import BPTTResult, Params, loss_and_direct_grads, rnn_loss, row_norms


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def init_lstm(H: int, D: int, seed: int, forget_bias: float = 1.0, recurrent_scale: float = 1.0) -> Params:
    """LSTM parameters: Gaussian W_x (std 1/sqrt(D)), W_h (std recurrent_scale/sqrt(H)),
    bias 0 except the forget block b[H:2H] = forget_bias."""
    return _init_blocks(4, H, D, seed, forget_bias, recurrent_scale)


def init_gru(H: int, D: int, seed: int, update_bias: float = 1.0, recurrent_scale: float = 1.0) -> Params:
    """GRU parameters: Gaussian W_x (std 1/sqrt(D)), W_h (std recurrent_scale/sqrt(H)),
    bias 0 except the update block b[H:2H] = update_bias."""
    return _init_blocks(3, H, D, seed, update_bias, recurrent_scale)


def _init_blocks(blocks: int, H: int, D: int, seed: int, gate_bias: float, recurrent_scale: float) -> Params:
    """`blocks` stacked gate blocks of size H: W_x (blocks*H, D), W_h (blocks*H, H), b (blocks*H,)
    with the second block's bias set to `gate_bias` (forget gate for LSTM, update gate for GRU)."""
    rng = np.random.default_rng(seed)
    b = np.zeros(blocks * H)
    b[H : 2 * H] = gate_bias
    return {
        "W_x": rng.standard_normal((blocks * H, D)) / np.sqrt(D),
        "W_h": rng.standard_normal((blocks * H, H)) * (recurrent_scale / np.sqrt(H)),
        "b": b,
    }


@dataclass(frozen=True)
class GatedCache:
    """Forward-pass values kept for BPTT.

    cell: "lstm" or "gru"; hidden: (T+1, N, H) states h_0..h_T; inputs: (T, N, D);
    gates: (T, N, G*H) gate activations per step (LSTM: i, f, g, o; GRU: r, z, n);
    extra: LSTM cell states c_0..c_T (T+1, N, H); GRU recurrent candidate part W_hn h_{t-1}
    (T, N, H).
    """

    cell: str
    hidden: np.ndarray
    inputs: np.ndarray
    gates: np.ndarray
    extra: np.ndarray


def _input_drive(params: Params, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Time-major inputs (T, N, D) and W_x x_t + b for all steps at once, (T, N, G*H)."""
    N, T, D = X.shape
    inputs = np.ascontiguousarray(np.asarray(X, dtype=np.float64).transpose(1, 0, 2))
    drive = (inputs.reshape(T * N, D) @ params["W_x"].T).reshape(T, N, -1)
    return inputs, drive + params["b"]  # b is (G*H,), or (N, G*H) for one bias per sequence


def lstm_forward(params: Params, X: np.ndarray) -> GatedCache:
    """Run the LSTM over X (N, T, D) from h_0 = c_0 = 0."""
    inputs, drive = _input_drive(params, X)
    T, N, _ = inputs.shape
    H = params["W_h"].shape[1]
    W_h_T = np.ascontiguousarray(params["W_h"].T)
    hidden = np.zeros((T + 1, N, H))
    cell = np.zeros((T + 1, N, H))
    gates = np.empty((T, N, 4 * H))
    for t in range(T):
        pre = hidden[t] @ W_h_T + drive[t]
        gate = gates[t]
        gate[:, : 2 * H] = _sigmoid(pre[:, : 2 * H])
        gate[:, 2 * H : 3 * H] = np.tanh(pre[:, 2 * H : 3 * H])
        gate[:, 3 * H :] = _sigmoid(pre[:, 3 * H :])
        i, f, g, o = gate[:, :H], gate[:, H : 2 * H], gate[:, 2 * H : 3 * H], gate[:, 3 * H :]
        cell[t + 1] = f * cell[t] + i * g
        hidden[t + 1] = o * np.tanh(cell[t + 1])
    return GatedCache("lstm", hidden, inputs, gates, cell)


def gru_forward(params: Params, X: np.ndarray) -> GatedCache:
    """Run the GRU over X (N, T, D) from h_0 = 0."""
    inputs, drive = _input_drive(params, X)
    T, N, _ = inputs.shape
    H = params["W_h"].shape[1]
    W_h_T = np.ascontiguousarray(params["W_h"].T)
    hidden = np.zeros((T + 1, N, H))
    gates = np.empty((T, N, 3 * H))
    recurrent_candidate = np.empty((T, N, H))
    for t in range(T):
        from_h = hidden[t] @ W_h_T
        gate = gates[t]
        gate[:, : 2 * H] = _sigmoid(drive[t, :, : 2 * H] + from_h[:, : 2 * H])
        recurrent_candidate[t] = from_h[:, 2 * H :]
        r, z = gate[:, :H], gate[:, H : 2 * H]
        gate[:, 2 * H :] = np.tanh(drive[t, :, 2 * H :] + r * recurrent_candidate[t])
        n = gate[:, 2 * H :]
        hidden[t + 1] = (1.0 - z) * n + z * hidden[t]
    return GatedCache("gru", hidden, inputs, gates, recurrent_candidate)


def gated_forward(cell: str, params: Params, X: np.ndarray) -> GatedCache:
    """Dispatch to `lstm_forward` or `gru_forward` by cell name."""
    if cell == "lstm":
        return lstm_forward(params, X)
    if cell == "gru":
        return gru_forward(params, X)
    raise ValueError(f"unknown gated cell {cell!r}; use 'lstm' or 'gru'")


def gated_loss(cell: str, params: Params, X: np.ndarray, Y: np.ndarray, loss_on: str = "last") -> float:
    """Loss of the LSTM or GRU on X (N, T, D) against Y ((N, H) or (N, T, H))."""
    return rnn_loss(gated_forward(cell, params, X).hidden, Y, loss_on)


def gated_bptt(params: Params, cache: GatedCache, Y: np.ndarray, loss_on: str = "last") -> BPTTResult:
    """Full BPTT for an LSTM or GRU cache. Returns gradients {"W_x", "W_h", "b"} with the
    parameters' shapes, step norms ||dL/dh_t|| (T+1,) and the loss.

    The per-step pre-activation gradients are stored (T, N, G*H) so the weight gradients are
    one matmul each over all steps at the end.
    """
    loss, grad_h, grad_pre_x, grad_pre_h = _backward(params, cache, Y, loss_on)
    T, N, D = cache.inputs.shape
    H = cache.hidden.shape[2]
    grads = {
        "W_x": grad_pre_x.reshape(T * N, -1).T @ cache.inputs.reshape(T * N, D),
        "W_h": grad_pre_h.reshape(T * N, -1).T @ cache.hidden[:-1].reshape(T * N, H),
        "b": grad_pre_x.sum(axis=(0, 1)),
    }
    step_norms = row_norms(grad_h.reshape(T + 1, -1))
    return BPTTResult(grads, step_norms, loss)


def step_norms_by_gate_bias(cell: str, params: Params, X: np.ndarray, Y: np.ndarray,
                            biases: tuple[float, ...]) -> np.ndarray:
    """||dL/dh_t|| of full BPTT (loss on the last step) with the gate block's bias b[H:2H] (forget
    gate for LSTM, update gate for GRU) set to each of `biases`: (len(biases), T+1).

    X (N, T, D), Y (N, H). The biases run side by side as extra sequences of one batch, each
    with its own bias row, so the sweep costs about one run's Python steps (see sweep_step_norms).
    """
    return sweep_step_norms({cell: params}, X, Y, biases)[cell]


def _backward(params: Params, cache: GatedCache, Y: np.ndarray, loss_on: str) -> tuple[float, np.ndarray, ...]:
    """(loss, dL/dh_t (T+1, N, H), input-side and recurrent-side pre-activation gradients)."""
    backward = _lstm_backward if cache.cell == "lstm" else _gru_backward
    loss, direct = loss_and_direct_grads(cache.hidden, Y, loss_on)
    grad_h = np.zeros_like(cache.hidden)
    grad_h[grad_h.shape[0] - direct.shape[0] :] = direct
    return (loss, *backward(params, cache, grad_h))


def _lstm_backward(
    params: Params, cache: GatedCache, grad_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """grad_h (T+1, N, H) holds the direct loss terms and is completed in place to dL/dh_t.
    Returns it and the pre-activation gradients (T, N, 4H), used for both W_x and W_h."""
    W_h = params["W_h"]
    H = W_h.shape[1]
    cell = cache.extra
    T = cache.gates.shape[0]
    grad_pre = np.empty_like(cache.gates)
    grad_cell = np.zeros_like(cell[0])
    for t in range(T, 0, -1):
        gate = cache.gates[t - 1]
        i, f, g, o = gate[:, :H], gate[:, H : 2 * H], gate[:, 2 * H : 3 * H], gate[:, 3 * H :]
        squashed = np.tanh(cell[t])
        dh = grad_h[t]
        grad_cell = grad_cell + dh * o * (1.0 - squashed**2)
        out = grad_pre[t - 1]
        out[:, :H] = grad_cell * g * i * (1.0 - i)
        out[:, H : 2 * H] = grad_cell * cell[t - 1] * f * (1.0 - f)
        out[:, 2 * H : 3 * H] = grad_cell * i * (1.0 - g**2)
        out[:, 3 * H :] = dh * squashed * o * (1.0 - o)
        grad_cell = grad_cell * f
        grad_h[t - 1] += out @ W_h
    return grad_h, grad_pre, grad_pre


def _gru_backward(
    params: Params, cache: GatedCache, grad_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """grad_h (T+1, N, H) holds the direct loss terms and is completed in place to dL/dh_t.
    Returns it, the gradients of the input-side pre-activations (T, N, 3H) and of the
    recurrent-side ones (T, N, 3H); they differ in the candidate block, where r scales W_hn h."""
    W_h = params["W_h"]
    H = W_h.shape[1]
    T = cache.gates.shape[0]
    grad_pre_x = np.empty_like(cache.gates)
    grad_pre_h = np.empty_like(cache.gates)
    for t in range(T, 0, -1):
        gate = cache.gates[t - 1]
        r, z, n = gate[:, :H], gate[:, H : 2 * H], gate[:, 2 * H :]
        dh = grad_h[t]
        grad_candidate = dh * (1.0 - z) * (1.0 - n**2)
        grad_reset = grad_candidate * cache.extra[t - 1] * r * (1.0 - r)
        grad_update = dh * (cache.hidden[t - 1] - n) * z * (1.0 - z)
        grad_pre_x[t - 1, :, :H] = grad_reset
        grad_pre_x[t - 1, :, H : 2 * H] = grad_update
        grad_pre_x[t - 1, :, 2 * H :] = grad_candidate
        grad_pre_h[t - 1, :, : 2 * H] = grad_pre_x[t - 1, :, : 2 * H]
        grad_pre_h[t - 1, :, 2 * H :] = grad_candidate * r
        grad_h[t - 1] += dh * z + grad_pre_h[t - 1] @ W_h
    return grad_h, grad_pre_x, grad_pre_h


RESCALE_BEYOND = 300
"""A network's dL/dh in the sweep is held times 2^exponent, a power of two chosen so that its norm
stays within 2^-300 .. 2^300 (see _SweepRun.exponents)."""

SWEEP_BLOCK = 25
"""Steps whose backward factors sweep_step_norms holds at once (about 14 MB for the LSTM and GRU
rows together at H = 64)."""


def sweep_step_norms(cells: dict[str, Params], X: np.ndarray, Y: np.ndarray, biases: tuple[float, ...],
                     block: int = SWEEP_BLOCK, rescale_beyond: int = RESCALE_BEYOND) -> dict[str, np.ndarray]:
    """`step_norms_by_gate_bias` for several cells at once: {cell: (len(biases), T+1)} for
    `cells` = {"lstm": params, "gru": params} (either or both), every cell and bias one row block
    of a single stacked run. One Python loop over the steps advances all
    len(cells) * len(biases) networks together, and the backward pass keeps only dL/dh_t (the
    norms need no weight gradient), so each step is a handful of NumPy calls per cell.

    Memory stays at `block` steps: a first forward pass keeps only the state at every block's
    start; the backward then runs the blocks last to first, each one's forward again from its
    start state (the last block's forward runs only then) with the factors its backward needs,
    into buffers every block reuses. Holding
    every step instead (about 400 MB at T = 500, H = 64, 16 networks of 8 sequences) cost more
    in first-touched memory than the second forward pass costs (docs/performance.md, BPTT).

    Norms go through `row_norms`, so a norm of 1e-250 is reported as such, not as 0. Each
    network's gradient is also held rescaled by a power of two whenever its norm leaves
    [2^-rescale_beyond, 2^rescale_beyond] (exact: only the exponent changes): its norm then takes
    row_norms' quick path at every step, and a gradient fading below 1e-308 keeps its digits
    instead of turning subnormal.

    Each network's numbers are those of gated_bptt on its own (see
    tests/rnn/test_gated.py::test_one_stacked_sweep_equals_each_network_on_its_own).
    """
    X = np.asarray(X, dtype=np.float64)
    N, T, _ = X.shape
    biases = tuple(float(bias) for bias in biases)
    count = len(biases)
    inputs = np.ascontiguousarray(np.tile(X, (count, 1, 1)).transpose(1, 0, 2))  # (T, R, D), R = count * N
    runs = {}
    for cell, params in cells.items():
        if cell not in ("lstm", "gru"):
            raise ValueError(f"unknown gated cell {cell!r}; use 'lstm' or 'gru'")
        H = params["W_h"].shape[1]
        rows = np.tile(params["b"], (count * N, 1))
        rows[:, H : 2 * H] = np.repeat(biases, N)[:, None]
        runs[cell] = _SweepRun(cell, params, rows, inputs, count, min(block, T), rescale_beyond)
    targets = np.tile(np.asarray(Y, dtype=np.float64), (count, 1))
    # The cells only read the shared inputs and targets, and NumPy lets go of the GIL inside BLAS
    # and its larger elementwise loops: one thread per cell overlaps most of their work (on one
    # BLAS thread each where the caller limits BLAS to one, as the app does).
    with ThreadPoolExecutor(max_workers=max(1, len(runs))) as pool:
        list(pool.map(lambda run: run.sweep(targets), runs.values()))
    return {cell: run.step_norms for cell, run in runs.items()}


class _SweepRun:
    """One cell's stacked rows (R = count * N) in sweep_step_norms: its state at each block's
    start, and for the block being run back, per step only what the backward of dL/dh needs (as
    products of gate values, worked out once per step)."""

    def __init__(self, cell: str, params: Params, bias_rows: np.ndarray, inputs: np.ndarray, count: int,
                 block: int, rescale_beyond: int) -> None:
        self.cell, self.count, self.rescale_beyond = cell, count, rescale_beyond
        self.H = H = params["W_h"].shape[1]
        self.W_h, self.W_h_T, self.W_x_T = params["W_h"], np.ascontiguousarray(params["W_h"].T), params["W_x"].T
        self.bias_rows, self.inputs = bias_rows, inputs  # (R, G*H), (T, R, D)
        T, R, _ = inputs.shape
        self.hidden, self.cell_state = np.zeros((R, H)), np.zeros((R, H))
        self.start_states: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.step_norms = np.empty((count, T + 1))
        self.drive = np.empty((block, R, bias_rows.shape[1]))
        if cell == "lstm":
            # tanh of the pre-activations halved in the sigmoid blocks, then a * t + b: the
            # sigmoids 0.5 (1 + tanh(0.5 a)) and the tanh in three whole-row calls. The halving
            # is folded into the weights and bias once (by a power of two: the same bits).
            self.scale = np.repeat([0.5, 0.5, 1.0, 0.5], H)
            self.shift = np.repeat([0.5, 0.5, 0.0, 0.5], H)
            self.W_h_T, self.W_x_T = self.W_h_T * self.scale, self.W_x_T * self.scale
            self.bias_rows = bias_rows * self.scale
            self.gate_factors = np.empty((block, R, 4 * H))  # dL/dpre = [dc * (i, f, g)-factors, dh * o-factor]
            self.carry = np.empty((block, R, H))            # dc_{t-1} = carry * dc_t (f)
            self.to_cell = np.empty((block, R, H))          # dc_t += dh_t * o (1 - tanh(c)^2)
        else:
            self.from_h_factors = np.empty((block, R, 3 * H))  # dL/d(W_h h) = dh * [r, z, n]-factors
            self.keep = np.empty((block, R, H))                # z: the direct path dh_{t-1} += z dh_t

    def sweep(self, targets: np.ndarray) -> None:
        """Fill step_norms, given the targets (R, H): the first forward pass, then the blocks run
        back last to first (the last block's forward runs once, with its factors, just before its
        backward)."""
        T, block = self.inputs.shape[0], self.drive.shape[0]
        starts = range(0, T, block)
        for t0 in starts[:-1]:
            self.forward_block(t0, t0 + block, keep=False)
        self.start_states[starts[-1]] = (self.hidden, self.cell_state)
        for t0 in reversed(starts):
            t1 = min(t0 + block, T)
            self.forward_block(t0, t1, keep=True)
            if t1 == T:
                self.start_backward(targets)
            for t in range(t1, t0, -1):
                self.backward_step(t, t0)

    def forward_block(self, t0: int, t1: int, keep: bool) -> None:
        """Steps t0 .. t1-1 forward. The first pass (keep False) records the start state; the
        second (keep True) starts from it and writes the block's backward factors."""
        if keep:
            self.hidden, self.cell_state = self.start_states.pop(t0)
        else:
            self.start_states[t0] = (self.hidden, self.cell_state)
        steps, R, D = t1 - t0, *self.inputs.shape[1:]
        drive = self.drive[:steps]
        np.matmul(self.inputs[t0:t1].reshape(steps * R, D), self.W_x_T, out=drive.reshape(steps * R, -1))
        drive += self.bias_rows
        step = self._lstm_step if self.cell == "lstm" else self._gru_step
        for j in range(steps):
            step(drive[j], j if keep else None)

    def _lstm_step(self, drive: np.ndarray, j: int | None) -> None:
        H, h = self.H, self.hidden
        gate = h @ self.W_h_T
        gate += drive
        np.tanh(gate, out=gate)
        gate *= self.scale
        gate += self.shift
        i, f, g, o = gate[:, :H], gate[:, H : 2 * H], gate[:, 2 * H : 3 * H], gate[:, 3 * H :]
        previous = self.cell_state
        self.cell_state = f * previous + i * g
        squashed = np.tanh(self.cell_state)
        self.hidden = o * squashed
        if j is None:
            return
        factors = self.gate_factors[j]
        np.multiply(g * i, 1.0 - i, out=factors[:, :H])
        np.multiply(previous * f, 1.0 - f, out=factors[:, H : 2 * H])
        np.multiply(i, 1.0 - g * g, out=factors[:, 2 * H : 3 * H])
        np.multiply(squashed * o, 1.0 - o, out=factors[:, 3 * H :])
        self.carry[j] = f
        np.multiply(o, 1.0 - squashed * squashed, out=self.to_cell[j])

    def _gru_step(self, drive: np.ndarray, j: int | None) -> None:
        H, h = self.H, self.hidden
        from_h = h @ self.W_h_T
        gates = drive[:, : 2 * H] + from_h[:, : 2 * H]
        gates *= 0.5
        np.tanh(gates, out=gates)
        gates *= 0.5
        gates += 0.5
        r, z = gates[:, :H], gates[:, H:]
        candidate = from_h[:, 2 * H :]
        n = np.tanh(drive[:, 2 * H :] + r * candidate)
        self.hidden = (1.0 - z) * n + z * h
        if j is None:
            return
        factors = self.from_h_factors[j]
        through_n = (1.0 - z) * (1.0 - n * n)
        np.multiply(through_n * candidate, r * (1.0 - r), out=factors[:, :H])
        np.multiply(h - n, z * (1.0 - z), out=factors[:, H : 2 * H])
        np.multiply(through_n, r, out=factors[:, 2 * H :])
        self.keep[j] = z

    def start_backward(self, targets: np.ndarray) -> None:
        """dL/dh_T from the last state (the loss on the last step, averaged over every row)."""
        R, T = targets.shape[0], self.step_norms.shape[1] - 1
        self.grad_h = (self.hidden - targets) / R
        self.grad_cell = np.zeros_like(targets)
        # Network b's dL/dh and dL/dc are held times 2^exponents[b]: a gradient fading for hundreds
        # of steps would otherwise reach float64's subnormals and lose its digits, then vanish.
        self.exponents = np.zeros(self.count, dtype=np.int64)
        self._record_norms(T)

    def backward_step(self, t: int, t0: int) -> None:
        """dL/dh_{t-1} from dL/dh_t, with the factors of step t-1 in the block starting at t0."""
        H, dh, j = self.H, self.grad_h, t - 1 - t0
        R = dh.shape[0]
        if self.cell == "lstm":
            self.grad_cell = self.grad_cell + dh * self.to_cell[j]
            pre = self.gate_factors[j].copy()
            pre[:, : 3 * H].reshape(R, 3, H)[...] *= self.grad_cell[:, None, :]
            pre[:, 3 * H :] *= dh
            self.grad_cell = self.grad_cell * self.carry[j]
            self.grad_h = pre @ self.W_h
        else:
            pre = self.from_h_factors[j].reshape(R, 3, H) * dh[:, None, :]
            self.grad_h = pre.reshape(R, 3 * H) @ self.W_h
            self.grad_h += dh * self.keep[j]
        self._record_norms(t - 1)

    def _record_norms(self, t: int) -> None:
        """Each network's ||dL/dh_t|| into step_norms[:, t]; then any network whose held gradient's
        norm has left [2^-rescale_beyond, 2^rescale_beyond] is brought back to [0.5, 1) by a power
        of two (exact: only the exponent changes)."""
        # The loss averages over every row, `count` times as many as one network has.
        by_bias = (self.grad_h * self.count).reshape(self.count, -1)
        held = row_norms(by_bias)
        self.step_norms[:, t] = np.ldexp(held, -self.exponents)
        mantissas, powers = np.frexp(held)
        drifted = (mantissas > 0) & (np.abs(powers) > self.rescale_beyond)
        if drifted.any():
            shift = np.where(drifted, -powers, 0)
            self.exponents += shift
            factors = np.repeat(np.ldexp(1.0, shift), self.grad_h.shape[0] // self.count)[:, None]
            self.grad_h *= factors
            if self.cell == "lstm":
                self.grad_cell *= factors
