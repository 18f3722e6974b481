"""A note on the screen: its chips, its body with math, headings and live blocks (quiz, practice,
lab views), its links to labs and to other notes.

Imports ui.notes_folder, ui.review and ui.widgets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode

import streamlit as st

from core import labblocks, messages
from core.experiments import records as experiments
from core.journal.notes import Library, Note, note_language, type_name
from core.journal.render import (
    display_math,
    escape_markdown,
    highlight_terms,
    link_wikilinks,
    note_url,
    sections,
    table_of_contents,
)
from core.messages import _
from core.review.cards import BLOCK_KINDS, mark_cards, split_blocks
from ui import i18n, notes_folder, review, widgets

NOTE_BLOCKS = (*BLOCK_KINDS, "lab")
MAX_LAB_BLOCKS = 20
"""Lab blocks drawn as live charts per note; the rest become links that open the lab (a note of a
thousand blocks would keep the page busy for minutes)."""


@dataclass
class LabBudget:
    """How many more lab blocks of the note being rendered may be drawn as charts."""

    left: int = MAX_LAB_BLOCKS


def chips(note: Note) -> str:
    """The note's front matter as one line of markdown badges."""
    icon = widgets.TYPE_ICONS.get(note.type, widgets.DEFAULT_ICON)
    parts = [f":blue-badge[{icon} {escape_markdown(type_name(note.type))}]"]
    if note.date:
        parts.append(f":gray-badge[:material/calendar_today: {note.date.isoformat()}]")
    course = " · ".join(
        text
        for text in (note.course, _("week {week}").format(week=note.week) if note.week else None,
                     _("day {day}").format(day=note.day) if note.day else None)
        if text
    )
    if course:
        parts.append(f":violet-badge[{escape_markdown(course)}]")
    parts += [f":green-badge[#{escape_markdown(tag)}]" for tag in note.tags]
    return " ".join(parts)


def translation_switch(library: Library, note: Note, asked: Note | None = None) -> Note:
    """For a note with a translation, a one-click switch between the two (English | 한국어) and the
    side to show: the one `asked` names when it is the translation (a link to it), else the side in
    the interface language. A note without a translation is shown as it is, with no switch."""
    other_slug = library.translations.get(note.slug)
    if other_slug is None:
        return note
    lang = i18n.language()
    sides = {note.slug: note, other_slug: library.by_slug[other_slug]}
    default = asked.slug if asked is not None and asked.slug == other_slug else library.in_language(note, lang).slug
    key = f"notes_side_{note.slug}_{lang}_{default}"
    if st.session_state.get(key) not in sides:
        st.session_state[key] = default
    names = {slug: messages.NAMES.get(note_language(side) or "", side.title) for slug, side in sides.items()}
    chosen = st.segmented_control(_("Read this note in"), list(sides), key=key, required=True,
                                  format_func=names.get, label_visibility="collapsed")
    return sides.get(chosen, note)


def render_note(note: Note, library: Library, *, terms: Iterable[str] = (), contents: bool = True,
                owner: str | None = None, titled: bool = True) -> None:
    """Render a note as the Notes page does: chips, warnings, the body with math (a lone
    `$$...$$` line is display math), a table of contents when `contents` and the note has three
    or more sections, search `terms` highlighted, then its lab and note links. `owner` names the
    study-group peer whose journal `library` is (its links then stay in that journal). `titled`
    False leaves out the chips and the title (the caller has shown them above)."""
    if titled:
        st.markdown(chips(note))
    for warning in note.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    if titled and not note.body.lstrip().startswith("# "):
        st.title(note.title, anchor=False)  # a title as big as a note's own `# ` title, above its `##` sections
    terms = tuple(terms)
    parts = sections(display_math(note.body))
    toc = table_of_contents(parts) if contents else ""
    budget = LabBudget()
    for index, part in enumerate(parts):
        if toc and part.level > 1 and all(earlier.level < 2 for earlier in parts[:index]):
            with st.expander(_("Contents"), icon=":material/toc:"):
                st.markdown(toc)
        if part.heading is not None and (titled or index > 0 or part.level > 1):
            heading = link_wikilinks(highlight_terms(part.heading, terms), library.by_slug, owner)
            _heading(part.level, heading, part.anchor)
        if part.body.strip():
            note_body(link_wikilinks(highlight_terms(part.body, terms), library.by_slug, owner), note, budget)
    lab_links(note.labs)
    lang = i18n.language()  # linked notes with a translation are listed by the interface language's title
    related_notes(_("Links in this note"), [library.in_language(library.by_slug[slug], lang)
                                            for slug in note.links if slug in library.by_slug], owner)
    linking = [library.in_language(library.by_slug[slug], lang)
               for slug in library.backlinks.get(library.primary(note.slug), ())]
    related_notes(_("Linked from"), [other for other in linking if other.type != experiments.EXPERIMENT_TYPE], owner)
    related_notes(_("Experiments made for this note"),
                  [other for other in linking if other.type == experiments.EXPERIMENT_TYPE], owner)


def note_body(markdown: str, note: Note, budget: LabBudget | None = None) -> None:
    """A stretch of a note's markdown (wikilinks already linked); its quiz and practice blocks
    become live widgets (review_ui) and its lab blocks live charts (lab_block), as many as
    `budget` allows (MAX_LAB_BLOCKS per note); later lab blocks become links that open the lab,
    shown with the markdown around them in one element."""
    budget = budget if budget is not None else LabBudget()
    blocks = split_blocks(markdown, NOTE_BLOCKS)
    if all(block.kind == "markdown" for block in blocks):
        st.markdown(mark_cards(markdown))
        return
    pending: list[str] = []
    for block in blocks:
        if block.kind == "markdown":
            pending.append(mark_cards(block.text))
            continue
        if block.kind == "lab" and budget.left <= 0:
            pending.append(lab_link(block.text, _file_line(note, block.text)))
            continue
        _flush(pending)
        if block.kind == "lab":
            budget.left -= 1
            lab_block(block.text, _file_line(note, block.text))
        else:
            review.note_block(block, note)
    _flush(pending)


def _flush(pending: list[str]) -> None:
    if pending:
        st.markdown("\n\n".join(pending))
        pending.clear()


def lab_link(text: str, line: int | None) -> str:
    """A lab block past the per-note limit as one markdown line: a link that opens its view in
    the lab with its settings, or what is wrong with it."""
    try:
        view, values = labblocks.parse_block(text)
    except labblocks.LabBlockError as err:
        reason = escape_markdown(str(err))
        problem = (_("The lab block at line {line} cannot be drawn: {reason}.").format(line=line, reason=reason)
                   if line else _("The lab block cannot be drawn: {reason}.").format(reason=reason))
        return f":material/science: _{problem}_"
    page = widgets.LAB_PAGES[view.lab][0].removeprefix("pages/").removesuffix(".py")
    url = f"{page}?{urlencode(labblocks.lab_query(view, values))}"
    link = _("Open {view} in the {lab}").format(view=escape_markdown(_(view.title)),
                                                lab=_(widgets.LAB_PAGES[view.lab][1]))
    limit = (_("lab block at line {line}; only the first {limit} lab blocks of a note are drawn here") if line
             else _("lab block; only the first {limit} lab blocks of a note are drawn here")).format(
        line=line, limit=MAX_LAB_BLOCKS)
    return f":material/science: [{link}]({url}) ({limit})"


def _file_line(note: Note, block_text: str) -> int | None:
    """The line of the note's file where a block's content starts (None if it cannot be found)."""
    at = note.body.find(block_text)
    return None if at < 0 else note.body_line + note.body.count("\n", 0, at)


def lab_block(text: str, line: int | None) -> None:
    """A live lab view inside a note: its chart and a link that opens the lab with its settings,
    or an error box naming the problem (the rest of the note renders as usual). `line`: where
    the block's settings start in the note's file."""
    try:
        view, values = labblocks.parse_block(text)
        with st.container(border=True):
            widgets.chart(labblocks.chart, view.name, tuple(values.items()))
            st.page_link(widgets.LAB_PAGES[view.lab][0],
                         label=_("Open in the {lab}").format(lab=_(widgets.LAB_PAGES[view.lab][1])),
                         icon=":material/open_in_new:", query_params=labblocks.lab_query(view, values))
    except labblocks.LabBlockError as err:
        reason = escape_markdown(str(err))
        message = (_("The lab block at line {line} of this note cannot be drawn: {reason}.") if line
                   else _("The lab block of this note cannot be drawn: {reason}."))
        st.error(message.format(line=line, reason=reason), icon=":material/science:")


def _heading(level: int, text: str, anchor: str | None) -> None:
    """A note heading with an explicit anchor (so contents links find it) for levels 1-3."""
    if level == 1:
        st.title(text, anchor=anchor)
    elif level == 2:
        st.header(text, anchor=anchor)
    elif level == 3:
        st.subheader(text, anchor=anchor)
    else:
        st.markdown(f"{'#' * level} {text}")


def related_notes(heading: str, notes: list[Note], owner: str | None = None) -> None:
    """A heading and a list of in-app links to `notes` (nothing when the list is empty)."""
    if notes:
        st.markdown(f"**{heading}**\n\n" + "\n".join(f"- {note_anchor(note, owner=owner)}" for note in notes))


def shown_title(note: Note) -> str:
    """`note`'s title in the interface language: its translation's when the pair has a side in
    that language (a translation pair is one note: the link opens it in that language too)."""
    library = notes_folder.load_library()
    own = library.by_slug.get(note.slug)
    if own is None or note.slug not in library.translations:
        return note.title
    return library.in_language(own, i18n.language()).title


def note_anchor(note: Note, *, dated: bool = True, owner: str | None = None) -> str:
    """A markdown link that opens `note` on the Notes page in the same tab (see ui_hooks),
    with its type icon, and its date before the title when `dated`; in peer `owner`'s journal."""
    day = (note.date.isoformat() if note.date else _("undated")) + " · " if dated else ""
    url = note_url(note.slug, owner)
    title = note.title if owner else shown_title(note)
    return f"{widgets.TYPE_ICONS.get(note.type, widgets.DEFAULT_ICON)} [{day}{escape_markdown(title)}]({url})"


def note_link(note: Note, *, dated: bool = True) -> None:
    """An in-app link that opens `note` on the Notes page (its title, after its date if `dated`)."""
    title = shown_title(note)
    label = (note.date.isoformat() if note.date else _("undated")) + f" · {title}" if dated else title
    st.page_link(
        widgets.NOTES_PAGE, label=label, icon=widgets.TYPE_ICONS.get(note.type, widgets.DEFAULT_ICON),
        query_params={"note": note.slug}, help=title,  # the whole title, where a long one is cut short
    )


def lab_links(labs: Iterable[str]) -> None:
    """Links to the labs a note pairs with (only labs that exist)."""
    for lab in labs:
        page = widgets.LAB_PAGES.get(lab)
        if page and Path(__file__).resolve().parent.parent.joinpath(page[0]).exists():
            st.page_link(page[0], label=_("Open the {lab}").format(lab=_(page[1])), icon=":material/biotech:")
