"""The BPTT explorer: recurrent networks whose gradients through time are computed and checked.

Modules: ``linear`` (the assignment's counting RNN, re-exported here), ``tanh`` (a tanh RNN with
full, truncated and randomized-truncation BPTT), ``gated`` (LSTM and GRU), ``train`` (clipping and
training), ``gradcheck`` (finite differences and the complex step), ``view`` (what the explorer
page shows, computed from its settings) and ``charts``; ``examples`` holds the day's worked
examples (the assignment's loop step by step, the two paths of dL/dh_t).

May import: the standard library, numpy, pandas, altair.
Never imports ``core.conv``, ``core.journal`` or streamlit.
"""

from core.rnn.linear import (
    LOG10_LOSS_FLOOR,
    LossSurface,
    OverflowWarning,
    counting_batch,
    counting_loss,
    linear_backward,
    linear_backward_closed,
    linear_backward_loop,
    linear_forward,
    loss_surface,
    truncated_gradients_by_window,
    warn_if_overflow,
)

__all__ = [
    "LOG10_LOSS_FLOOR",
    "LossSurface",
    "OverflowWarning",
    "counting_batch",
    "counting_loss",
    "linear_backward",
    "linear_backward_closed",
    "linear_backward_loop",
    "linear_forward",
    "loss_surface",
    "truncated_gradients_by_window",
    "warn_if_overflow",
]
