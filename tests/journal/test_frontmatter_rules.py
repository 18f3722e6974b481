"""What a note's body and tags become when they are stored, character by character.

Written against the mutants `make mutate MODULE=core/journal/storage/frontmatter.py` left alive
(docs/mutation.md): markdown whose meaning sits in white space (an indented code block at the
top, two spaces that break a line at the end) must survive a save, and only control characters
and lone surrogates are dropped.
"""

from __future__ import annotations

import pytest

from core.journal.storage import frontmatter


@pytest.mark.parametrize(("body", "stored"), [
    ("    indented code at the top\n", "    indented code at the top\n"),
    ("\n\n    code after blank lines", "    code after blank lines\n"),
    ("a line that breaks  \nhere  ", "a line that breaks  \nhere  \n"),
    ("tabs\tstay\t", "tabs\tstay\t\n"),
    ("\r\n\r\nwindows\r\nends\r\n\r\n", "windows\nends\n"),
    ("bell\x07 and escape\x1b go, X stays", "bell and escape go, X stays\n"),
    ("a lone surrogate \ud800 goes", "a lone surrogate  goes\n"),
    ("\n\n", ""),
])
def test_a_body_keeps_its_meaningful_white_space_and_loses_control_characters(body, stored):
    assert frontmatter.clean_body(body) == stored


@pytest.mark.parametrize(("tag", "stored"), [
    ("#Xception", "Xception"), ("## # XLA", "XLA"), ("#cnn", "cnn"), ("X#", "X#"),
])
def test_a_tag_loses_only_its_leading_hashes(tag, stored):
    assert frontmatter.clean_tag(tag) == stored
