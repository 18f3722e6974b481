"""studylab's pure-Python core: no streamlit here, so every number can be tested without a page.

One package per room:

- ``core.journal``: the notes library: files, notes, search, glossary, stats, templates, drafts,
  rendering, the journal's charts and ``storage`` (atomic, conflict-safe writes).
- ``core.review``: review cards in notes, the review log, FSRS scheduling, the queue, its charts.
- ``core.experiments``: lab runs recorded as experiment notes, and their charts.
- ``core.sync``: syncing the notes folder through git, with the student's machines and peers.
- ``core.conv``: the convolution lab (operations, loop reference, inputs, view, charts).
- ``core.rnn``: the BPTT explorer (linear, tanh and gated RNNs, training, checks, view, charts).
- ``core.practice`` and ``core.labblocks``: what names the labs (practice problems, lab views
  in notes) but never the journal.
- ``core.urlparams``: a lab's controls as URL parameters, shared by both labs; it imports none
  of the above.
- ``core.messages``: the message catalogue (gettext through Babel) every room speaks through;
  it imports nothing from core.

These three top-level modules each serve more than one room, so none belongs inside one:
``labblocks`` joins the two labs (the journal may not import them, and neither lab the other),
``urlparams`` both labs, ``messages`` all of them.

``review``, ``experiments`` and ``sync`` may import ``journal`` and never one another; the
journal imports none of them; the labs import no journal-side package. The rules are contracts
in pyproject.toml, checked by import-linter in ``make test``.
"""
