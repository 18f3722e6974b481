"""The Write page when another process saved the note first: the usual conflict screen, with the
other process's text in the diff, and both texts kept."""

from __future__ import annotations

import subprocess
import sys

from streamlit.testing.v1 import AppTest

from core.journal import storage
from tests.conftest import APP, ROOT

CNN = "2021-08-05-cnn-first-steps.md"
OTHER_PROCESS = """
import sys, datetime
sys.path.insert(0, {root!r})
from core.journal import storage
data, loaded = storage.read_note({folder!r}, {rel!r})
meta = storage.build_meta("CNN first steps", datetime.date(2021, 8, 5), "lecture", [])
storage.save_note({folder!r}, {rel!r}, meta, "SAVED BY ANOTHER APP INSTANCE", expected_hash=loaded)
"""


def test_a_save_after_another_process_saved_shows_the_conflict_with_its_text(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["edit"] = CNN[:-3]
    at.switch_page("pages/write.py").run()
    at.text_area(key="write_body").set_value("MY EDIT IN THE BROWSER").run()
    script = OTHER_PROCESS.format(root=str(ROOT), folder=str(notes_dir), rel=CNN)
    subprocess.run([sys.executable, "-c", script], check=True, env={"PATH": "", "STUDYLAB_READONLY": ""})
    at.button(key="write_save").click().run()
    assert not at.exception
    assert "changed on disk since you opened it" in "\n".join(error.value for error in at.error)
    assert "+MY EDIT IN THE BROWSER" in at.code[0].value and "-SAVED BY ANOTHER APP INSTANCE" in at.code[0].value
    at.button(key="write_overwrite").click().run()
    assert "MY EDIT IN THE BROWSER" in (notes_dir / CNN).read_text(encoding="utf-8")
    kept = [version.path.read_text(encoding="utf-8") for version in storage.list_history(notes_dir, CNN)]
    assert any("SAVED BY ANOTHER APP INSTANCE" in text for text in kept)
