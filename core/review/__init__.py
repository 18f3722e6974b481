"""Reviewing what the journal teaches: cards written in notes, when each comes back, and how it went.

Modules: ``cards`` (Q:/A: cards, quiz and practice blocks, whole notes as cards; the library
with its malformed cards among its problems), ``log`` (the append-only review log, shared by
processes and merged across machines), ``schedule`` (FSRS via the ``fsrs`` package, replayed
from the log), ``queue`` (what is due now, forecasts, statistics) and ``charts``.

May import ``core.journal`` (notes, storage) and ``fsrs``; never ``core.experiments``,
``core.sync``, a lab or streamlit.
"""
