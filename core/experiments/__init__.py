"""Lab runs kept as experiment notes: ``records`` (a run's front matter and body, parsing
records back into parameters, results and series) and ``charts`` (comparing runs).

May import ``core.journal`` (notes); never ``core.review``, ``core.sync``, a lab or streamlit.
"""
