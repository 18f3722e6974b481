"""The notes library: markdown notes with YAML front matter and everything that reads or writes them.

Modules: ``notes`` (loading, problems), ``files`` (which entries of the folder are notes, and
reading them without blocking), ``dayorder`` (the order of a day's notes), ``search``,
``glossary`` (Korean-English terms, used by search), ``stats``, ``plaintext`` and ``render``
(wikilinks, escaping, sections), ``templates``, ``drafts`` and ``editor`` (the Write page's
model), ``diff`` (bounded line diffs), ``charts`` (the dashboard's chart builders) and
``storage`` (a package: atomic, conflict-safe writes across processes, the folder lock,
history, trash, import/export).

May import: the standard library, numpy, pandas, altair, pyyaml. Never
imports ``core.review``, ``core.experiments``, ``core.sync``, a lab or streamlit.
"""
