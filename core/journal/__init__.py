"""The journal: markdown notes with YAML front matter and everything that reads or writes them.

Modules: ``notes`` (loading, problems), ``search``, ``stats``, ``storage`` (atomic, conflict-safe
writes, history, trash, import/export), ``templates``, ``render`` (wikilinks, escaping) and
``charts`` (the dashboard's chart builders); ``glossary`` (Korean-English terms, used by search).

May import: the standard library, numpy, pandas, altair, pyyaml and ``core.chartspec``.
Never imports a lab (``core.conv``, ``core.rnn``) or streamlit.
"""
