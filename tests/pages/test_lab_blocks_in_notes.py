"""AppTest: live lab blocks inside a note draw their chart and a lab link; bad ones an error box."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import APP

NOTE = """---
title: Blocks
date: 2021-08-06
type: til
---
# Blocks

Before the blocks.

```lab
view: gradient-decay
w_rec: [0.5, 0.9, 1.1]
T: 40
```

```lab
view: conv-output
kernel: Laplacian
padding: 1
```

```lab
view: no-such-view
```

```lab
view: truncation-error
K: nope
```

After the blocks.
"""


def open_note(notes_dir, slug):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py")
    at.query_params["note"] = slug
    at.run()
    assert not at.exception, at.exception
    return at


def test_good_blocks_draw_and_bad_ones_explain_while_the_note_renders(notes_dir):
    (notes_dir / "2021-08-06-blocks.md").write_text(NOTE, encoding="utf-8")
    at = open_note(notes_dir, "2021-08-06-blocks")
    text = "\n".join(element.value for element in at.markdown)
    assert "Before the blocks." in text and "After the blocks." in text
    assert len(at.get("vega_lite_chart")) == 2
    errors = [error.value for error in at.error]
    assert any("at line 23 " in error and "unknown view 'no\\-such\\-view'" in error for error in errors), errors
    assert any("at line 27 " in error and "K must be a whole number" in error for error in errors), errors
    queries = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    assert queries["bptt_lab"] == "tab=assignment&w_rec=1.1&T=40&w_x=1&batch=20&seed=0"
    assert "pad=1" in queries["conv_lab"] and "kernels=laplacian" in queries["conv_lab"]
