"""Markdown helpers shared by every page that shows notes (pure text in, text out): wikilinks,
escaping, display math, sections and the table of contents, search highlighting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping
from urllib.parse import quote

from core.journal.notes import WIKILINK, Note
from core.journal.plaintext import plain_text

NOTES_URL = "notes"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")
_FENCE = re.compile(r"^(```|~~~)")


def escape_markdown(text: str) -> str:
    """Backslash-escape every character st.markdown would treat as markup (incl. `$` for LaTeX)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def note_url(slug: str, owner: str | None = None) -> str:
    """Relative URL of the Notes page opened on `slug` (shareable: ?note=<slug>), in a study-group
    peer's journal when `owner` names one (?owner=<name>&note=<slug>)."""
    prefix = f"owner={quote(owner)}&" if owner else ""
    return f"{NOTES_URL}?{prefix}note={quote(slug)}"


def link_wikilinks(body: str, notes_by_slug: Mapping[str, Note], owner: str | None = None) -> str:
    """Turn `[[slug]]` and `[[slug|label]]` into markdown links; unknown targets stay visible text.

    Fenced code blocks are left as they are, so code samples can contain `[[...]]`.
    """
    lines, in_fence = [], False
    for line in body.split("\n"):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
        lines.append(line if in_fence else WIKILINK.sub(lambda m: _link(m, notes_by_slug, owner), line))
    return "\n".join(lines)


def _link(match: re.Match, notes_by_slug: Mapping[str, Note], owner: str | None = None) -> str:
    slug = match.group(1).strip()
    note = notes_by_slug.get(slug)
    label = (match.group(2) or (note.title if note else slug)).strip()
    if note is None:
        return f"{escape_markdown(label)} *(no note named {escape_markdown(slug)})*"
    return f"[{escape_markdown(label)}]({note_url(slug, owner)})"


def highlighted(spans: tuple[tuple[str, bool], ...]) -> str:
    """A search snippet as markdown with the matched spans highlighted."""
    return "".join(
        f":orange-background[**{escape_markdown(text)}**]" if is_match else escape_markdown(text)
        for text, is_match in spans
    )


_HEADING_LINE = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_ONE_LINE_DISPLAY = re.compile(r"^([ \t>]*)\$\$(?!\$)(.+?)(?<!\\)\$\$[ \t]*$")
_MATH_FENCE = re.compile(r"^[ \t>]*\$\$[ \t]*$")
TOC_LEVELS = (2, 3)
TOC_MIN_HEADINGS = 3


@dataclass(frozen=True)
class Section:
    """A run of a note's markdown: the heading that opens it (None for the text before the first
    heading), its level (1-6, 0 without heading), its anchor id and the markdown that follows."""

    heading: str | None
    level: int
    anchor: str | None
    body: str


def _prose_lines(body: str) -> Iterator[tuple[str, bool]]:
    """(line, is_prose) for every line of `body`: False for code fences and display-math
    blocks (their delimiter lines included), where nothing may be rewritten."""
    in_fence = in_math = False
    for line in body.split("\n"):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
            yield line, False
        elif not in_fence and _MATH_FENCE.match(line):
            in_math = not in_math
            yield line, False
        else:
            yield line, not (in_fence or in_math)


def display_math(body: str) -> str:
    """Make `$$ ... $$` alone on a line display math, as it is on GitHub and in Obsidian.

    Streamlit's markdown only treats `$$` as display math when the delimiters sit on their own
    lines, so `$$E = mc^2$$` on one line would render as small inline math. Such a line becomes
    `$$`, the formula, `$$` on three lines (with the line's indentation or quote marker kept,
    and blank lines around it so it starts a block). Code fences and multi-line math are left alone.
    """
    lines: list[str] = []
    for line, is_prose in _prose_lines(body):
        one_line = _ONE_LINE_DISPLAY.match(line) if is_prose else None
        if one_line is None:
            lines.append(line)
            continue
        prefix, formula = one_line.group(1), one_line.group(2).strip()
        if lines and lines[-1].strip(" \t>"):
            lines.append(prefix.rstrip())
        lines += [f"{prefix}$$", f"{prefix}{formula}", f"{prefix}$$", prefix.rstrip()]
    return "\n".join(lines)


def sections(body: str) -> list[Section]:
    """Split a note at its ATX headings (`#` to `######`), outside code fences and display math.

    Every heading gets a unique anchor made from its text (letters of any script kept, other
    characters to '-', `section-N` when nothing is left), so a table of contents can link to it.
    """
    result: list[Section] = []
    heading, level, anchor, lines = None, 0, None, []
    used: set[str] = set()
    for line, is_prose in _prose_lines(body):
        match = _HEADING_LINE.match(line) if is_prose else None
        if match is None or not match.group(2).strip():
            lines.append(line)
            continue
        if heading is not None or "".join(lines).strip():
            result.append(Section(heading, level, anchor, "\n".join(lines).strip("\n")))
        heading, level, lines = match.group(2).strip(), len(match.group(1)), []
        anchor = _unique_anchor(heading, used, len(result) + 1)
    if heading is not None or "".join(lines).strip():
        result.append(Section(heading, level, anchor, "\n".join(lines).strip("\n")))
    return result


def table_of_contents(parts: list[Section]) -> str:
    """A markdown list linking to the level-2 and level-3 headings, or '' when there are fewer
    than TOC_MIN_HEADINGS of them (a short note needs no contents)."""
    entries = [part for part in parts if part.level in TOC_LEVELS]
    if len(entries) < TOC_MIN_HEADINGS:
        return ""
    top = min(part.level for part in entries)
    return "\n".join(
        f"{'    ' * (part.level - top)}- [{_toc_label(part.heading)}](#{part.anchor})" for part in entries
    )


def _toc_label(heading: str) -> str:
    """A heading as link text: its markdown and math kept, links reduced to their text."""
    label = WIKILINK.sub(lambda match: (match.group(2) or match.group(1)).strip(), heading)
    label = re.sub(r"!?\[([^\[\]\n]*)\]\([^)\n]*\)", r"\1", label)
    return escape_markdown(plain_text(heading)) if "[" in label or "]" in label else label


def _unique_anchor(heading: str, used: set[str], number: int) -> str:
    base = re.sub(r"[^\w]+", "-", plain_text(heading).casefold()).strip("-_")[:60] or f"section-{number}"
    anchor, counter = base, 2
    while anchor in used:
        anchor, counter = f"{base}-{counter}", counter + 1
    used.add(anchor)
    return anchor


# Spans that highlighting must not touch: code, math, links and wikilinks, autolinks, URLs,
# HTML tags and Streamlit directives (their text, URL or markup would break).
_PROTECTED = re.compile(
    r"(`+)[^\n]*?\1"                      # inline code
    r"|\$\$.+?\$\$"                       # display math on one line
    r"|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$"  # inline math
    r"|\[\[[^\]\n]*\]\]"                  # wikilinks
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"         # links and images
    r"|<[^>\n]*>"                         # autolinks and HTML tags
    r"|https?://\S+"                      # bare URLs
    r"|:[a-z-]+\[[^\]\n]*\]"              # Streamlit directives such as :orange-background[...]
)
_HIGHLIGHTABLE_TERM = re.compile(r"^[^\[\]\\`*_$:<>|#~]+$")


def highlight_terms(body: str, terms: Iterable[str]) -> str:
    """Mark every case-insensitive occurrence of `terms` in a note's prose with
    `:orange-background[...]`, for showing search matches inside the open note.

    Code (fenced and inline), math, links, wikilinks, URLs and HTML are left untouched, as are
    terms holding markdown characters (they could not be wrapped safely).
    """
    usable = sorted({term for term in terms if term.strip() and _HIGHLIGHTABLE_TERM.match(term)}, key=len, reverse=True)
    if not usable:
        return body
    pattern = re.compile("|".join(re.escape(term) for term in usable), re.IGNORECASE)
    return "\n".join(_highlight_line(line, pattern) if is_prose else line for line, is_prose in _prose_lines(body))


def _highlight_line(line: str, pattern: re.Pattern) -> str:
    pieces, position = [], 0
    for protected in _PROTECTED.finditer(line):
        pieces.append(_mark(line[position:protected.start()], pattern))
        pieces.append(protected.group(0))
        position = protected.end()
    pieces.append(_mark(line[position:], pattern))
    return "".join(pieces)


def _mark(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda match: f":orange-background[{match.group(0)}]", text)
