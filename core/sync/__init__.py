"""Syncing the journal through git: between the student's computers, and with a study group.

Modules: ``gitcli`` (running the git command safely: no prompts, allowed protocols only,
credentials never shown), ``repo`` (git mode: init, status, auto-commit, .gitignore), ``merge``
(a pull that never loses a note: file-level three-way merge with conflict copies, union merge
of append-only logs, resumable after a crash), ``conflicts`` (conflict copies and resolving
them) and ``peers`` (read-only journals of others).

May import ``core.journal`` (notes, storage, files); never ``core.review``,
``core.experiments``, a lab or streamlit.
"""
