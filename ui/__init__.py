"""The Streamlit glue the pages share; core/ never imports it.

- ``frame``: the frame around every page (CSS, browser hooks, sidebar, direct page addresses);
- ``notes_folder``: the cached library, peers' copies, read-only, refresh/commit, trash and undo;
- ``rendering``: a note on the screen (chips, body with math, live blocks, links);
- ``lab_state``: the labs' URL state, lab links, recording a run;
- ``conv_lab`` and ``bptt_lab``: each lab's drawing functions, so its page shows its layout;
- ``write_editor``: the Write page's editor (drafts, switching notes, saving, the callbacks);
- ``merge_screen``: Sync's merge screen (a note and its conflict copy, merged hunk by hunk);
- ``review``: the deck, the review store, grading, practice widgets, the dashboard's review part;
- ``access``: the visitor rule (who may write);
- ``components``: the browser components, with their JavaScript in ``assets/``;
- ``widgets``: charts, flash messages, the verified badge, counts in words;
- ``chartspec``: an Altair chart's Vega-Lite spec, cheaply, with its description (pure: no streamlit);
- ``i18n``: the interface language of the run (address, switch, notes folder, browser) and its switch.

- ``today``: the Dashboard's Today block as data (pure: no streamlit), joining notes, review and runs.

Layers, lowest first: ``today``, ``chartspec``, ``i18n``, ``access`` and ``components`` import no ui module;
``widgets`` imports ``chartspec``; ``notes_folder`` imports those; ``review`` imports ``notes_folder`` and ``widgets``;
``rendering`` adds ``review``; ``lab_state`` adds ``rendering``; the lab views (``conv_lab``,
``bptt_lab``), ``write_editor``, ``merge_screen`` and ``frame`` come last, and none of them imports
another.
No cycles (tests/test_import_cycles.py).
"""
