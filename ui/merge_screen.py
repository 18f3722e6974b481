"""The merge screen: a note and its conflict copy side by side, aligned by hunk, merged by hand.

Each hunk shows yours beside the other machine's text with a choice (take yours, take theirs,
both); the result below is built from the choices and stays editable; saving puts it in place of
the note and moves the conflict copy to the trash (core.sync.conflicts.resolve_with_text). On a
phone one side shows at a time, with a switch. Imports ui.notes_folder and ui.widgets.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import messages
from core.journal import handmerge, storage
from core.journal.render import escape_markdown
from core.messages import N_, _
from core.sync import conflicts
from ui import notes_folder, widgets

CHOICE_LABELS = {handmerge.MINE: N_("Take yours"), handmerge.THEIRS: N_("Take theirs"), handmerge.BOTH: N_("Both")}
PHONE = 640  # px: below this Streamlit stacks columns, and the screen shows one side at a time
SIDES = {"yours": N_("Yours"), "theirs": N_("Theirs")}
RESULT, STARTED = "merge_result", "_merge_started"


def merge_screen(folder: Path, copy: str, back_page: str) -> None:
    """Draw the merge screen for conflict copy `copy` of the notes folder `folder`."""
    st.page_link(back_page, label=_("Back to Sync"), icon=":material/arrow_back:")
    if conflicts.CONFLICT_MARK not in copy or not (folder / copy).is_file():
        st.warning(_("There is no conflict copy named `{copy}` to merge; it may be resolved already.").format(
            copy=escape_markdown(copy)), icon=":material/call_split:")
        return
    pair = conflicts.pair(folder, copy)
    mine, theirs = conflicts.texts(folder, pair)
    started = st.session_state.get(STARTED)
    if started is None or started[0] != copy:
        st.session_state[STARTED] = started = (copy, mine, theirs)
        for key in [key for key in st.session_state if str(key).startswith("merge_choice_")]:
            del st.session_state[key]
        st.session_state[RESULT] = mine
    mine, theirs = started[1], started[2]  # the texts this merge started from, until it is saved
    parts = handmerge.segments(mine, theirs)
    mine_from = pair.copy_from if pair.copy_is_mine else pair.original_from
    theirs_from = pair.original_from if pair.copy_is_mine else pair.copy_from
    st.subheader(_("Merge `{note}` by hand").format(note=pair.original.replace("`", "")), anchor=False)
    st.caption(messages.ngettext(
        "**Yours** was typed on {mine}; **theirs** on {theirs}. {count} place differs: for each, take yours, theirs "
        "or both (yours first). The result below follows your choices and stays editable.",
        "**Yours** was typed on {mine}; **theirs** on {theirs}. {count} places differ: for each, take yours, theirs "
        "or both (yours first). The result below follows your choices and stays editable.",
        handmerge.hunk_count(parts)).format(mine=escape_markdown(mine_from), theirs=escape_markdown(theirs_from),
                                            count=handmerge.hunk_count(parts)))
    side = phone_switch()
    for part in parts:
        if part.changed:
            hunk_row(part, parts)
        else:
            same = messages.count(len(part.mine), "{count} line the same on both sides",
                                  "{count} lines the same on both sides")
            st.caption(f":material/unfold_less: {same}")
    st.text_area(_("Result"), key=RESULT, height=320,
                 help=_("What the note will hold. Choosing again above rebuilds it from the choices."))
    save_column, cancel_column = st.columns(2)
    save_column.button(_("Save the merge and resolve"), key="merge_save", type="primary", icon=":material/merge:",
                       on_click=save_merge, args=(folder, pair, (mine, theirs)), disabled=notes_folder.readonly())
    cancel_column.page_link(back_page, label=_("Cancel: keep both for now"), icon=":material/close:")
    st.html(f"<style>@media (max-width: {PHONE}px) {{ [class*='st-key-merge_{'theirs' if side == 'yours' else 'mine'}"
            "_pane_'] { display: none; } }</style>")


def phone_switch() -> str:
    """On a phone (CSS hides it on a wide screen) the side to show: yours or theirs."""
    st.html(f"<style>@media (min-width: {PHONE + 1}px) {{ .st-key-merge_side_switch {{ display: none; }} }}</style>")
    with st.container(key="merge_side_switch"):
        chosen = st.segmented_control(_("Show"), list(SIDES), key="merge_side", format_func=lambda side: _(SIDES[side]),
                                      default="yours", required=True)
    return chosen or "yours"


def hunk_row(part: handmerge.Segment, parts: list[handmerge.Segment]) -> None:
    with st.container(border=True, key=f"merge_hunk_{part.index}", gap="small"):
        st.caption(_("Change {number} · from line {line} of yours").format(number=part.index + 1, line=part.mine_start))
        mine_column, theirs_column = st.columns(2)
        with mine_column, st.container(key=f"merge_mine_pane_{part.index}"):
            st.markdown(":blue-badge[" + _("Yours") + "]")
            pane(part.mine)
        with theirs_column, st.container(key=f"merge_theirs_pane_{part.index}"):
            st.markdown(":orange-badge[" + _("Theirs") + "]")
            pane(part.theirs)
        st.segmented_control(_("Keep"), list(CHOICE_LABELS), key=f"merge_choice_{part.index}", default=handmerge.MINE,
                             required=True, format_func=lambda choice: _(CHOICE_LABELS[choice]), on_change=rebuild,
                             args=(parts,), label_visibility="collapsed")


def pane(lines: tuple[str, ...]) -> None:
    text = handmerge.shown(lines)
    if text:
        st.code(text, language=None, wrap_lines=True)
    else:
        st.caption(_("(no lines here on this side: the other side adds its lines)"))


def rebuild(parts: list[handmerge.Segment]) -> None:
    """A choice changed: the result is the merge of every choice made."""
    choices = {part.index: st.session_state.get(f"merge_choice_{part.index}") or handmerge.MINE
               for part in parts if part.changed}
    st.session_state[RESULT] = handmerge.merged(parts, choices)


def save_merge(folder: Path, pair: conflicts.ConflictPair, merged_from: tuple[str, str]) -> None:
    try:
        conflicts.resolve_with_text(folder, pair, st.session_state.get(RESULT, ""), merged_from)
    except (storage.StorageError, ValueError, OSError) as err:
        widgets.flash("error", _("The merge was not saved: {reason}.").format(reason=err))
        return
    st.session_state.pop(STARTED, None)
    notes_folder.refresh_library()
    st.query_params.pop("merge", None)
    widgets.flash("success", _("Merged: {note} now holds the merged text; the conflict copy is in the trash "
                               "(Trash & history can restore it).").format(note=pair.original))
