"""studylab: a study dashboard and lab journal for a deep-learning math course.

Run with `streamlit run app.py`. This file is the frame around every page: page config,
navigation in sections, and the sidebar; each page lives in pages/.
"""

import streamlit as st

from core.messages import N_, _
from ui import access, frame, i18n, notes_folder

# The icon is a local file: a :material/...: page icon is fetched from a web font service.
st.set_page_config(page_title="studylab", page_icon=str(frame.APP_ICON), layout="wide")
i18n.choose()  # before anything is drawn: every _() of this run speaks the chosen language

SECTIONS = {
    N_("Journal"): [
        ("pages/dashboard.py", N_("Dashboard"), ":material/dashboard:", True),
        ("pages/notes.py", N_("Notes"), ":material/menu_book:", False),
        ("pages/write.py", N_("Write"), ":material/edit_note:", False),
    ],
    N_("Labs"): [
        ("pages/conv_lab.py", N_("Convolution lab"), ":material/grid_on:", False),
        ("pages/bptt_lab.py", N_("BPTT explorer"), ":material/timeline:", False),
    ],
    N_("Records"): [
        ("pages/review.py", N_("Review"), ":material/school:", False),
        ("pages/experiments.py", N_("Experiments"), ":material/science:", False),
        ("pages/sync.py", N_("Sync"), ":material/sync:", False),
        ("pages/archive.py", N_("Trash & history"), ":material/inventory_2:", False),
    ],
}

# Read-only, the Write page leaves the menu but keeps its address: a link to it explains why
# writing is off instead of Streamlit's "Page not found".
HIDDEN_READONLY = {"pages/write.py"}
readonly = notes_folder.readonly()
navigation = {
    _(section): [st.Page(path, title=_(title), icon=icon, default=default,
                      visibility="hidden" if readonly and path in HIDDEN_READONLY else "visible")
              for path, title, icon, default in pages]
    for section, pages in SECTIONS.items()
}
page = st.navigation(navigation)
frame.sidebar(notes_folder.load_library(rescan=True))
access.visitor_panel()
frame.browser_hooks(page_paths=[entry.url_path for pages in navigation.values() for entry in pages])
page.run()
