"""Markdown helpers shared by every page that shows notes (pure text in, text out)."""

from __future__ import annotations

import re
from typing import Mapping
from urllib.parse import quote

from core.journal.notes import WIKILINK, Note

NOTES_URL = "notes"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")
_FENCE = re.compile(r"^(```|~~~)")


def escape_markdown(text: str) -> str:
    """Backslash-escape every character st.markdown would treat as markup (incl. `$` for LaTeX)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def note_url(slug: str) -> str:
    """Relative URL of the Notes page opened on `slug` (shareable: ?note=<slug>)."""
    return f"{NOTES_URL}?note={quote(slug)}"


def link_wikilinks(body: str, notes_by_slug: Mapping[str, Note]) -> str:
    """Turn `[[slug]]` and `[[slug|label]]` into markdown links; unknown targets stay visible text.

    Fenced code blocks are left as they are, so code samples can contain `[[...]]`.
    """
    lines, in_fence = [], False
    for line in body.split("\n"):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
        lines.append(line if in_fence else WIKILINK.sub(lambda m: _link(m, notes_by_slug), line))
    return "\n".join(lines)


def _link(match: re.Match, notes_by_slug: Mapping[str, Note]) -> str:
    slug = match.group(1).strip()
    note = notes_by_slug.get(slug)
    label = (match.group(2) or (note.title if note else slug)).strip()
    if note is None:
        return f"{escape_markdown(label)} *(no note named {escape_markdown(slug)})*"
    return f"[{escape_markdown(label)}]({note_url(slug)})"


def highlighted(spans: tuple[tuple[str, bool], ...]) -> str:
    """A search snippet as markdown with the matched spans highlighted."""
    return "".join(
        f":orange-background[**{escape_markdown(text)}**]" if is_match else escape_markdown(text)
        for text, is_match in spans
    )
