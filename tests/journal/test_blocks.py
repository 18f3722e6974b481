"""Splitting a note body into markdown and the fenced blocks the app draws."""

from hypothesis import given
from hypothesis import strategies as st

from core.journal.blocks import Segment, split_blocks

BODY = """# Title
Some text.

```python
print("code stays markdown")
```

```lab
view: gradient-decay
T: 50
```
After the block.
~~~~lab extra words
view: loss-surface
~~~~
"""


def test_wanted_blocks_are_cut_out_and_code_fences_stay():
    segments = split_blocks(BODY, {"lab"})
    assert [segment.kind for segment in segments] == ["markdown", "lab", "markdown", "lab"]
    assert 'print("code stays markdown")' in segments[0].text
    assert segments[1] == Segment("lab", "view: gradient-decay\nT: 50", 8)
    assert segments[2].text.strip() == "After the block."
    assert segments[3].text == "view: loss-surface"


def test_an_unclosed_block_runs_to_the_end():
    segments = split_blocks("text\n```lab\nview: x\n", {"lab"})
    assert segments[-1].kind == "lab" and segments[-1].text == "view: x\n"


def test_a_lab_block_inside_a_longer_code_fence_is_code():
    body = "````markdown\n```lab\nview: x\n```\n````\n"
    assert [segment.kind for segment in split_blocks(body, {"lab"})] == ["markdown"]


@given(st.text(alphabet="ab`~\n lv", max_size=200))
def test_nothing_is_lost_but_fence_lines(body):
    segments = split_blocks(body, {"lab"})
    kept = "".join(segment.text for segment in segments)
    assert set(kept) <= set(body)
    if not any(segment.kind == "lab" for segment in segments):
        assert "\n".join(s.text for s in segments).strip() == body.strip() or not body.strip()
