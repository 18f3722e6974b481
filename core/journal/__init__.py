"""The journal: markdown notes with YAML front matter and everything that reads or writes them.

Modules: ``notes`` (loading, problems), ``files`` (which entries of the folder are notes, and
reading them without blocking), ``search``, ``stats``, ``storage`` (a package: atomic,
conflict-safe writes across processes, the folder lock, history, trash, import/export), ``diff``
(bounded line diffs), ``templates``, ``render`` (wikilinks, escaping) and ``charts`` (the
dashboard's chart builders); ``glossary`` (Korean-English terms, used by search); for review:
``cards`` (cards in notes), ``review_log`` (the append-only log), ``schedule`` (FSRS via the
``fsrs`` package), ``review_queue`` (today's queue, statistics) and ``review_charts``.

May import: the standard library, numpy, pandas, altair, pyyaml, fsrs and ``core.chartspec``.
Never imports a lab (``core.conv``, ``core.rnn``) or streamlit.
"""
