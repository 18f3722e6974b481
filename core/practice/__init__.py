"""Practice problems that the labs generate and check: a fresh small problem each time.

Modules: ``exercise`` (the Exercise a generator returns, answer parsing and checking),
``conv_problems`` and ``rnn_problems`` (the generators). ``GENERATORS`` names them all; ``draw``
makes one problem from a name and a seed (the same seed always gives the same problem).

Every expected answer comes from the same core function the labs use (``core.conv``,
``core.rnn``); the tests check each generator against plain loops over many seeds.

May import: the standard library, numpy, ``core.conv`` and ``core.rnn``. Never imports
``core.journal`` or streamlit (the Review page joins practice and the journal).
"""

from __future__ import annotations

from core.practice.conv_problems import conv1d_gradient, conv1d_output, conv_output_size
from core.practice.exercise import Exercise, Generator, Outcome, check, parse_number
from core.practice.rnn_problems import rnn_state_gradient, vanish_or_explode

GENERATORS: dict[str, Generator] = {
    generator.name: generator
    for generator in (
        Generator("conv-output-size", "Convolution output size", "conv", conv_output_size),
        Generator("conv1d-output", "One output of a 1D convolution", "conv", conv1d_output),
        Generator("conv1d-gradient", "One entry of ∂L/∂X or ∂L/∂W of a 1D convolution", "conv", conv1d_gradient),
        Generator("rnn-state-gradient", "∂L/∂Sₖ, n steps back in the counting RNN", "bptt", rnn_state_gradient),
        Generator("vanish-or-explode", "Vanishing or exploding gradient", "bptt", vanish_or_explode),
    )
}


def draw(name: str, seed: int) -> Exercise:
    """A problem from generator `name` (KeyError when there is none) for `seed` (any int >= 0)."""
    return GENERATORS[name].make(seed)


__all__ = ["GENERATORS", "Exercise", "Generator", "Outcome", "check", "draw", "parse_number"]
