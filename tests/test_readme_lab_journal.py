"""The guide's labs page, docs/labs.md, documents every lab URL parameter and lab-block view the code accepts."""

from __future__ import annotations

import re
from pathlib import Path

from core import labblocks
from core.conv import state as conv_state
from core.rnn import state as rnn_state

LABS_DOC = Path(__file__).resolve().parents[1] / "docs" / "labs.md"


def section(title: str) -> str:
    """A second-level section of docs/labs.md (a fenced example's own `## ` headings do not end it)."""
    text = LABS_DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}")
    ends = [match.start() for match in re.finditer(r"^## ", text[start + 1:], re.MULTILINE)]
    fenced = [match.start() for match in re.finditer(r"^````", text[start + 1:], re.MULTILINE)]
    outside = [end for end in ends[1:] if sum(fence < end for fence in fenced) % 2 == 0]
    return text[start:start + 1 + outside[0]] if outside else text[start:]


def documented_names(text: str) -> set[str]:
    return set(re.findall(r"`([A-Za-z_][\w-]*)`", text))


def test_every_url_parameter_of_both_labs_is_documented():
    names = documented_names(section("The lab journal"))
    params = {param.name for param in rnn_state.PARAMS} | {
        param.name for ndim in (1, 2, 3) for param in conv_state.params_for(ndim)}
    assert params - names == set()


def test_every_lab_block_view_and_parameter_is_documented():
    names = documented_names(section("The lab journal"))
    for view in labblocks.VIEWS.values():
        assert view.name in names
        assert set(view.params) - names == set(), view.name
