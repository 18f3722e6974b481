"""Plain-text snippets, display math on one line, sections and contents, highlighting in a note."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.journal import search
from core.journal.notes import parse_note
from core.journal.plaintext import plain_text, tex_to_text
from core.journal.render import display_math, highlight_terms, sections, table_of_contents

MARKDOWN = """# Backpropagation

## The setup

**Count** the ones: $S_T = \\sum_{k=1}^{T} X_k\\, w_{rec}^{T-k}$, see [[rnn|the RNN lecture]] and [[cnn]].

$$
\\frac{\\partial L}{\\partial w_{rec}} = \\sum_k \\delta_k S_{k-1}
$$

- [ ] try *clipping* and __truncation__
> a quote with `code` and a [link](https://example.org) and <b>html</b>

```python
print("fenced")
```
| a | b |
"""


def test_plain_text_keeps_the_words_and_drops_the_syntax():
    text = plain_text(MARKDOWN)
    for syntax in ("**", "__", "##", "$", "]]", "[[", "](", "`", "<b>", "> ", "- [ ]", "|", "\\"):
        assert syntax not in text, syntax
    assert text.startswith("Backpropagation The setup Count the ones: S_T = Σ_k=1^T X_k w_rec^T-k, see the RNN")
    assert "lecture and cnn." in text
    assert "∂ L/∂ w_rec = Σ_k δ_k S_k-1" in text
    assert "try clipping and truncation a quote with code and a link and html" in text
    assert 'print("fenced")' in text


def test_tex_to_text_symbols_fractions_and_escaped_braces():
    assert tex_to_text(r"\frac{\partial L}{\partial w_{rec}}") == "∂ L/∂ w_rec"
    assert tex_to_text(r"X_k \in \{0, 1\}") == "X_k ∈ {0, 1}"
    assert tex_to_text(r"\left( \alpha \cdot \beta \right)") == "( α · β )"
    assert tex_to_text(r"\frac{1}{\frac{a}{b}}") == "1/a/b"
    assert tex_to_text(r"\frac{x") == "fracx"


def test_search_snippets_are_plain_text_with_the_matches_flagged():
    note = parse_note(("---\ntitle: T\n---\n" + MARKDOWN).encode(), "t.md")
    spans = search.snippet(note, "clipping")
    text = "".join(part for part, _ in spans)
    assert ("clipping", True) in spans
    assert "*" not in text and "$" not in text and "[[" not in text
    words = plain_text(note.body).split()
    assert set(text.replace("…", " ").split()) <= set(words), "a snippet never cuts a word in half"


@given(st.text(max_size=300))
def test_plain_text_never_raises_and_stays_on_one_line(markdown):
    assert "\n" not in plain_text(markdown)


def test_one_line_display_math_becomes_a_block():
    assert display_math("Before:\n$$E = mc^2$$\nafter") == "Before:\n\n$$\nE = mc^2\n$$\n\nafter"
    assert display_math("- item\n  $$x^2$$") == "- item\n\n  $$\n  x^2\n  $$\n"
    assert display_math("> $$a+b$$") == "> $$\n> a+b\n> $$\n>"


def test_display_math_leaves_code_inline_math_and_math_blocks_alone():
    untouched = "```\n$$x$$\n```\ninline $$a$$ b\n$$\n$$y$$\n$$\n$x$ and $$"
    assert display_math(untouched) == untouched


def test_sections_split_at_headings_outside_code_and_math_with_unique_anchors():
    parts = sections("intro\n## A\ntext\n```\n## not a heading\n```\n### B: 합성곱 $x$\n## A\n$$\n# no\n$$\n")
    assert [(p.level, p.heading, p.anchor) for p in parts] == [
        (0, None, None), (2, "A", "a"), (3, "B: 합성곱 $x$", "b-합성곱-x"), (2, "A", "a-2")
    ]
    assert "## not a heading" in parts[1].body and "# no" in parts[3].body


def test_contents_for_three_or_more_sections_only():
    assert table_of_contents(sections("# T\n## One\n## Two\n")) == ""
    toc = table_of_contents(sections("# T\n## One [[x|link]]\n### Sub\n## Two\n"))
    assert toc == "- [One link](#one-link)\n    - [Sub](#sub)\n- [Two](#two)"


def test_highlighting_marks_prose_only():
    body = ("The kernel (커널) slides; see [kernel](x), [[kernel]], $kernel$, `kernel`, https://kernel.org "
            "and KERNEL.\n```\nkernel\n```\n$$\nkernel\n$$")
    marked = highlight_terms(body, ["kernel", "커널"])
    assert marked.startswith("The :orange-background[kernel] (:orange-background[커널]) slides;")
    assert "[kernel](x), [[kernel]], $kernel$, `kernel`, https://kernel.org and :orange-background[KERNEL]." in marked
    assert marked.endswith("```\nkernel\n```\n$$\nkernel\n$$")


def test_highlighting_skips_terms_that_would_break_markdown():
    assert highlight_terms("a [b] c*d", ["[b]", "c*d", "  "]) == "a [b] c*d"
