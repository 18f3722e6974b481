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


HOSTILE = """---
title: Hostile blocks
date: 2021-08-07
type: til
---
# Hostile blocks

```lab
view: gradient-decay
T: 100000000000000000000000
```

```lab
view: conv-output
size: 5
dilation: 4
```

After the blocks.
"""


def test_hostile_numbers_and_a_kernel_that_does_not_fit_are_error_boxes_in_the_note(notes_dir):
    (notes_dir / "2021-08-07-hostile-blocks.md").write_text(HOSTILE, encoding="utf-8")
    at = open_note(notes_dir, "2021-08-07-hostile-blocks")
    assert "After the blocks." in "\n".join(element.value for element in at.markdown)
    errors = [error.value for error in at.error]
    assert any("at line 9 " in error and "T must be a whole number between 1 and 1000" in error
               for error in errors), errors
    assert any("at line 14 " in error and "does not fit a 5x5 input with padding 0" in error
               for error in errors), errors
    assert not at.get("vega_lite_chart")


def test_a_note_of_a_thousand_lab_blocks_draws_twenty_and_links_the_rest(notes_dir):
    import time

    from ui.rendering import MAX_LAB_BLOCKS

    blocks = "".join(f"```lab\nview: gradient-decay\nw_rec: [0.5, 0.9, 1.0, 1.1, 1.2, 0.1, 0.2, 2.9]\nT: 1000\n"
                     f"batch: 256\nseed: {seed}\n```\n" for seed in range(1000))
    (notes_dir / "2021-08-08-many-blocks.md").write_text(
        "---\ntitle: Many blocks\ndate: 2021-08-08\ntype: til\n---\n# Many blocks\n\n" + blocks + "\nThe end.\n",
        encoding="utf-8")
    started = time.perf_counter()
    at = open_note(notes_dir, "2021-08-08-many-blocks")
    assert time.perf_counter() - started < 40
    assert len(at.get("vega_lite_chart")) == MAX_LAB_BLOCKS
    text = "\n".join(element.value for element in at.markdown)
    assert text.count("in the BPTT explorer](bptt_lab?tab=assignment&w_rec=2.9&T=1000") == 1000 - MAX_LAB_BLOCKS
    assert "seed=999)" in text and "The end." in text
