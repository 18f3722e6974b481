"""The BPTT explorer's controls as URL parameters: every control of every tab, with its range and
default (the page's sliders use the same numbers), so a copied link reopens the explorer as it was.
"""

from __future__ import annotations

from core.messages import N_, _
from core.rnn.examples import MAX_TYPED_LENGTH
from core.urlparams import Param, encode

# The tabs' and parts' names are their values in the session and the URL codes' targets: they stay
# English; the page shows them translated (format_func).
TABS = {"assignment": N_("Assignment: counting RNN"), "deep": N_("Deep RNN (tanh)"), "gated": N_("Gated cells")}
ASSIGNMENT_PARTS = {"rules": N_("Gradient and rules"), "truncation": N_("Truncation"),
                    "training": N_("Loss surface and training"), "steps": N_("Step by step")}
DEEP_PARTS = {"decay": N_("Decay"), "truncation": N_("Truncation"), "montecarlo": N_("Monte Carlo"),
              "paths": N_("Two paths")}
GATED_PARTS = {"decay": N_("Decay"), "sweep": N_("Gate-bias sweep")}
SEEDS = dict(low=0, high=10_000)
COMPARE_RATES = (0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5)
"""w_rec values the Assignment tab can draw beside the current one."""


def _float(name: str, key: str, default: float, low: float, high: float, step: float | None = None) -> Param:
    return Param(name, key, "float", default, low=low, high=high, step=step)


def _int(name: str, key: str, default: int, low: int, high: int, step: int | None = None) -> Param:
    return Param(name, key, "int", default, low=low, high=high, step=step)


PARAMS: tuple[Param, ...] = (
    Param("tab", "bptt_tab", "choice", TABS["assignment"], codes=TABS),
    # Assignment: the counting RNN
    Param("part", "bptt_assign_part", "choice", ASSIGNMENT_PARTS["rules"], codes=ASSIGNMENT_PARTS),
    _float("w_x", "bptt_w_x", 1.0, -3.0, 3.0, 0.01),
    _float("w_rec", "bptt_w_rec", 0.9, -3.0, 3.0, 0.01),
    _int("T", "bptt_T", 50, 1, 1000),
    _int("batch", "bptt_batch", 20, 1, 256),
    _int("seed", "bptt_seed", 0, **SEEDS),
    _int("K", "bptt_K", 10, 1, 1000),
    Param("compare", "bptt_compare", "floats", [], low=-3.0, high=3.0, size=(0, len(COMPARE_RATES))),
    _float("start_w_x", "bptt_start_w_x", -1.5, -2.5, 2.5),
    _float("start_w_rec", "bptt_start_w_rec", 2.0, -2.5, 2.5),
    _int("steps", "bptt_steps", 2000, 10, 5000),
    _float("lr", "bptt_lr", 0.01, 1e-6, 1.0),
    _float("clip", "bptt_clip", 1.0, 1e-3, 1e3),
    # Step by step: the typed sequence, the random sequence's length, the loop's step
    Param("seq", "bptt_seq", "text", "1 0 1 1 0", size=(0, 20 * MAX_TYPED_LENGTH)),
    _int("seq_length", "bptt_seq_length", 8, 1, MAX_TYPED_LENGTH),
    _int("loop_k", "bptt_loop_k", MAX_TYPED_LENGTH, 1, MAX_TYPED_LENGTH),
    # Deep RNN (tanh)
    Param("deep_part", "bptt_deep_part", "choice", DEEP_PARTS["decay"], codes=DEEP_PARTS),
    _float("radius", "bptt_radius", 1.0, 0.1, 3.0, 0.05),
    _int("H", "bptt_H", 32, 4, 64),
    _int("deep_T", "bptt_deep_T", 100, 10, 500),
    _int("deep_seed", "bptt_deep_seed", 0, **SEEDS),
    _int("deep_K", "bptt_deep_K", 10, 1, 500),
    _float("p", "bptt_p", 0.8, 0.5, 0.99, 0.01),
    _int("draws", "bptt_draws", 200, 10, 400, 10),
    _int("paths_t", "bptt_paths_t", 90, 1, 500),
    # Gated cells
    Param("gated_part", "bptt_gated_part", "choice", GATED_PARTS["decay"], codes=GATED_PARTS),
    _float("gate_bias", "bptt_gate_bias", 1.0, -3.0, 6.0, 0.25),
    _int("gated_H", "bptt_gated_H", 32, 4, 64),
    _int("gated_T", "bptt_gated_T", 100, 10, 500),
    _float("gated_scale", "bptt_gated_radius", 1.0, 0.5, 2.0, 0.05),
    _int("gated_seed", "bptt_gated_seed", 0, **SEEDS),
)
DEFAULTS = {param.key: param.default for param in PARAMS}
BY_NAME = {param.name: param for param in PARAMS}
TAB_PARAMS = {
    "assignment": ("tab", "part", "w_x", "w_rec", "T", "batch", "seed", "K", "compare", "start_w_x", "start_w_rec",
                   "steps", "lr", "clip", "seq", "seq_length", "loop_k"),
    "deep": ("tab", "deep_part", "radius", "H", "deep_T", "deep_seed", "deep_K", "p", "draws", "paths_t"),
    "gated": ("tab", "gated_part", "gate_bias", "gated_H", "gated_T", "gated_scale", "gated_seed"),
}


def tab_query(tab: str, values: dict) -> dict[str, str]:
    """Every parameter of one tab, defaults included ({name: text}), from the controls' values
    {session key: value}: a record's complete settings, and a link that reopens them."""
    params = [BY_NAME[name] for name in TAB_PARAMS[tab]]
    return encode({**{param.key: param.default for param in params}, **values, "bptt_tab": TABS[tab]}, params,
                  always=TAB_PARAMS[tab])


WINDOWS = (("K", "bptt_K", "T", "bptt_T"), ("deep_K", "bptt_deep_K", "deep_T", "bptt_deep_T"),
           ("paths_t", "bptt_paths_t", "deep_T", "bptt_deep_T"))
"""(window, its key, the sequence length it cannot exceed, that key): the sliders clamp them."""


def window_notices(query: dict, values: dict) -> list[str]:
    """Sentences for the windows a link set longer than its sequence (the slider stops at T)."""
    notices = []
    for name, key, length_name, length_key in WINDOWS:
        if name in query and values.get(key, 0) > values.get(length_key, 0):
            notices.append(_("The link's {name}={value} is longer than the sequence ({length_name} = {length}), "
                             "so {name} is {length}.").format(name=name, value=values[key], length_name=length_name,
                                                              length=values[length_key]))
    return notices
