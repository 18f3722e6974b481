"""One file per page of the app, run by app.py's st.navigation (never imported by one another).

Streamlit skips this file when it lists pages; it is here so that import-linter can check that
pages stay independent of each other.
"""
