"""studylab's pure-Python core: no streamlit here, so every number can be tested without a page.

Three packages, one room each:

- ``core.journal``: the notes library, search, stats, storage, templates, rendering, journal charts.
- ``core.conv``: the convolution lab (operations, loop reference, inputs, view, charts).
- ``core.rnn``: the BPTT explorer (linear, tanh and gated RNNs, training, checks, view, charts).

``core.practice`` joins the two labs for the journal's review: it makes practice problems with
their functions and never imports the journal (pages put the two together).

They never import each other; ``core.chartspec`` is the one shared module and imports none of
them. The rules are contracts in pyproject.toml, checked by import-linter in ``make test``.
"""
