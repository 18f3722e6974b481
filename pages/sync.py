"""Sync: the journal as a git repository, synced with a remote and with the study group's journals."""

import datetime as dt

import streamlit as st

from core import messages
from core.journal import diff as text_diff
from core.journal import storage
from core.journal.render import escape_markdown
from core.messages import N_, _
from core.sync import conflicts, gitcli, merge, peers, repo
from ui import frame, merge_screen, notes_folder, widgets
from ui.review import sync_mergers

frame.app_frame()

st.title(_("Sync"), anchor=False)
st.caption(_(
    "Keep one journal on several computers, and read your study group's journals, through git. "
    "A sync never loses a note: when both sides changed the same note, yours stays and theirs is "
    "saved beside it as a conflict copy for you to resolve here."
))

folder = notes_folder.notes_dir()
readonly = notes_folder.readonly()
STATE_LINES = {
    "clean": ("success", N_("Up to date with the remote (as of the last check).")),
    "changed": ("info", N_("Changes here are not committed yet; **Sync now** commits and sends them.")),
    "ahead": ("info", N_("This journal has {ahead} commit(s) the remote does not have yet: **Sync now** sends them.")),
    "behind": ("warning", N_("The remote has {behind} commit(s) this journal does not have yet: "
                             "**Sync now** brings them.")),
    "diverged": ("warning", N_("Both sides have new commits ({ahead} here, {behind} there): "
                               "**Sync now** merges them.")),
    "conflict": ("error", None),  # counted: see state_line
    "no-remote": ("info", N_("No remote yet: add the URL of an empty repository (GitHub, GitLab, a folder) below.")),
}
WRITE_PAGE, SYNC_PAGE = "pages/write.py", "pages/sync.py"


LAST_FAILURE = "_sync_last_failure"


def run(action, success: str, *, remote: bool = False) -> None:
    """Run a git action from a button; its outcome is shown on the next run. A failed exchange
    with the remote (`remote`) becomes the page's one state line until the next attempt. `success`
    is already in the interface language."""
    failures = st.session_state.setdefault(LAST_FAILURE, {})
    try:
        outcome = action()
    except (gitcli.GitError, storage.StorageError, ValueError, OSError) as err:
        if remote:
            failures[str(folder)] = str(err)
        else:
            widgets.flash("error", str(err))
        return
    if remote:
        failures.pop(str(folder), None)
    notes_folder.refresh_library()
    widgets.flash("success", success.format(outcome=outcome) if outcome is not None else success)


def state_line(status: repo.SyncStatus) -> None:
    """The one state of the journal against its remote, from the last attempt: a failed sync or
    check says so (with the reason) instead of the state the check before it found."""
    failure = st.session_state.get(LAST_FAILURE, {}).get(str(folder))
    if failure:
        st.error(_("The last sync failed: {reason}").format(reason=failure), icon=":material/cloud_off:")
        return
    kind, line = STATE_LINES[status.state]
    if line is None:
        text = messages.ngettext("{count} conflict copy to resolve below: the same note was changed on two machines.",
                                 "{count} conflict copies to resolve below: the same note was changed on two machines.",
                                 len(status.conflicts)).format(count=len(status.conflicts))
    else:
        text = _(line).format(ahead=status.ahead, behind=status.behind)
    getattr(st, kind)(text)


def sync_now() -> str:
    """Pull, then push (merge.sync), saying what came in and what went out (one clause each)."""
    result = merge.pull(folder, merge_state=sync_mergers(folder))
    outgoing = repo.status(folder).ahead  # None before the branch has an upstream: all of it goes
    merge.push(folder)
    if result.up_to_date:
        clauses = [_("nothing new arrived")]
    else:
        notes = [path for path in result.taken if not path.startswith(".")]  # not the logs and .gitignore
        if result.conflicts:
            clauses = [messages.ngettext("{files} updated from the remote, {count} conflict copy to resolve",
                                         "{files} updated from the remote, {count} conflict copies to resolve",
                                         len(result.conflicts)).format(
                files=messages.count(len(notes), "{count} file", "{count} files"), count=len(result.conflicts))]
        else:
            clauses = [messages.count(len(notes), "{count} file updated from the remote",
                                      "{count} files updated from the remote")]
    if result.problems:
        clauses.append(messages.ngettext(
            "{count} note could not be written here and stayed in the repository ({problems})",
            "{count} notes could not be written here and stayed in the repository ({problems})",
            len(result.problems)).format(count=len(result.problems), problems="; ".join(result.problems[:3])))
    if outgoing is None:
        clauses.append(_("this journal's branch was sent to the remote"))
    elif outgoing:
        clauses.append(messages.count(outgoing, "{count} commit sent to the remote",
                                      "{count} commits sent to the remote"))
    else:
        clauses.append(_("nothing needed sending"))
    return "; ".join(clauses)


def remote_form() -> None:
    """The remote's URL in a form, so one click on "Save the remote" saves what was typed (a plain
    field, so the student can check it; once saved it is only shown redacted, above)."""
    with st.form("sync_remote", border=False):
        st.text_input(_("Remote URL"), key="sync_remote_url", placeholder=EXAMPLE_REMOTE)
        st.form_submit_button(_("Save the remote"), key="sync_set_remote", on_click=save_remote)


EXAMPLE_REMOTE, EXAMPLE_PEER, EXAMPLE_PEER_URL = "https://github.com/you/til.git", "minji", "https://github.com/minji/til.git"


def save_remote() -> None:
    url = st.session_state.sync_remote_url.strip()
    if not url:
        widgets.flash("error", _("Type the remote's URL first."))
        return
    st.session_state.sync_remote_url = ""  # the field never keeps (echoes) a URL that may hold a password
    run(lambda: repo.set_remote(folder, url), _("Remote saved."))


def conflict_panel(copy: str) -> None:
    pair = conflicts.pair(folder, copy)
    with st.expander(f":material/call_split: {pair.original} ↔ {pair.copy}", expanded=True):
        st.caption(text_diff.legend(_("the other machine's text"), _("yours (the text typed on this machine)")))
        st.code(conflicts.diff(folder, pair) or _("The two texts are the same."), language="diff")
        if readonly:
            return
        original_from, copy_from = pair.original_from, pair.copy_from
        if pair.copy_commit:
            where = _("`{original}` holds the text typed on {original_from}; `{copy}` the text typed on {copy_from} "
                      "(commit {commit}).")
        else:
            where = _("`{original}` holds the text typed on {original_from}; `{copy}` the text typed on {copy_from}.")
        st.caption(where.format(original=pair.original, original_from=original_from, copy=pair.copy,
                                copy_from=copy_from, commit=(pair.copy_commit or "")[:10]))
        keep, take, edit = st.columns(3)
        keep.button(_("Keep mine (theirs goes to the trash or history)"), key=f"sync_keep_{copy}", on_click=run,
                    args=(lambda: conflicts.keep_mine(folder, pair), _("Kept your {note}.").format(note=pair.original)))
        take.button(_("Take theirs (mine goes to the trash or history)"), key=f"sync_take_{copy}", on_click=run,
                    args=(lambda: conflicts.take_theirs(folder, pair),
                          _("{note} now holds their text.").format(note=pair.original)),
                    disabled=not pair.original_exists and not pair.copy_is_mine)
        edit.page_link(SYNC_PAGE, label=_("Merge by hand, change by change"), icon=":material/merge:",
                       query_params={"merge": copy})


def peers_panel() -> None:
    st.subheader(_("Study group"), anchor=False)
    st.caption(_("Read-only copies of other students' journals. Their notes appear on the Notes page under their "
                 "name and are never mixed into yours or written to."))
    known = peers.peers(folder)
    for peer in known:
        pulled = peers.last_pulled(folder, peer.name)
        when = dt.datetime.fromtimestamp(pulled).strftime("%Y-%m-%d %H:%M") if pulled else None
        name_column, url_column, remove_column = st.columns([2, 5, 2], vertical_alignment="center")
        pulled_line = _("pulled {when}").format(when=when) if when else _("never pulled")
        name_column.markdown(f"**{escape_markdown(peer.name)}**  \n:gray[{pulled_line}]")
        url_column.code(peer.shown_url, language=None)
        if not readonly:
            remove_column.button(_("Remove"), key=f"sync_peer_remove_{peer.name}", icon=":material/person_remove:",
                                 on_click=run, args=(lambda name=peer.name: peers.remove_peer(folder, name),
                                                     _("Removed {name}'s journal from this machine.").format(
                                                         name=peer.name)))
    if readonly:
        return
    if known:
        st.button(_("Pull the group's journals"), key="sync_pull_peers", icon=":material/group:", on_click=run,
                  args=(lambda: _peer_summary(peers.pull_all(folder)), "{outcome}"))
    with st.form("sync_add_peer", clear_on_submit=True):
        name_column, url_column = st.columns([1, 3])
        name = name_column.text_input(_("Name"), placeholder=EXAMPLE_PEER)
        url = url_column.text_input(_("Their journal's git URL"), placeholder=EXAMPLE_PEER_URL)
        if st.form_submit_button(_("Add and pull"), icon=":material/person_add:"):
            run(lambda: _add_and_pull(name, url), _("Added {outcome}'s journal."))  # outcome: the peer's name
            st.rerun()


def _add_and_pull(name: str, url: str) -> str:
    peer = peers.add_peer(folder, name, url)
    peers.pull_peer(folder, peer)
    return peer.name


def _peer_summary(outcome: dict[str, str | None]) -> str:
    failed = {name: reason for name, reason in outcome.items() if reason}
    if not failed:
        return _("Pulled {count} journal(s).").format(count=len(outcome))
    return _("Pulled what could be reached; {failures}").format(
        failures="; ".join(f"{name}: {reason}" for name, reason in failed.items()))


widgets.show_flash()
if st.query_params.get("merge"):
    merge_screen.merge_screen(folder, st.query_params["merge"], "pages/sync.py")
    st.stop()
if gitcli.executable() is None:
    st.error(_("git is not installed on this machine, so the journal cannot sync. Install git and reload this page."),
             icon=":material/sync_disabled:")
    st.stop()
if not repo.is_git_mode(folder):
    if readonly:  # no dead invitation: say what the journal's owner can do instead
        st.info(_("The notes folder `{folder}` is not a git repository, so it is not synced. This journal is shared "
                  "read-only here ({reason}), so it cannot be changed from this page: its owner can turn on sync "
                  "from the Sync page of their own studylab.").format(
                      folder=folder, reason=notes_folder.readonly_reason().rstrip(".")), icon=":material/source:")
    else:
        text = _("The notes folder `{folder}` is not a git repository, so it is not synced. Turning it into one "
                 "records every note in git; `.history/`, `.trash/` and this machine's settings stay out of it.")
        st.info(text.format(folder=folder), icon=":material/source:")
        st.button(_("Turn the notes folder into a git repository"), key="sync_init", type="primary",
                  icon=":material/add_circle:", on_click=run, args=(lambda: repo.init(folder), _("Git mode is on.")))
    st.stop()

status = repo.status(folder)
state_line(status)
branch_column, remote_column, changes_column = st.columns([1, 3, 1])
branch_column.metric(_("Branch"), status.branch)
remote_column.markdown("**" + _("Remote") + "** " + (f"`{status.remote}`" if status.remote else _("none")))
remote_column.code(status.remote_url or _("not set"), language=None)
if status.last_fetch:
    remote_column.caption(_("Last checked {when}").format(
        when=f"{dt.datetime.fromtimestamp(status.last_fetch):%Y-%m-%d %H:%M}"))
changes_column.metric(_("Local changes"), len(status.changes))

if not readonly:
    sync_column, fetch_column, auto_column = st.columns(3, vertical_alignment="center")
    sync_column.button(_("Sync now"), key="sync_now", type="primary", icon=":material/sync:",
                       disabled=status.remote is None, on_click=run,
                       args=(sync_now, _("Synced: {outcome}.")),
                       kwargs={"remote": True})
    fetch_column.button(_("Check the remote"), key="sync_fetch", icon=":material/cloud_download:",
                        disabled=status.remote is None, on_click=run,
                        args=(lambda: merge.fetch(folder), _("Checked the remote.")), kwargs={"remote": True})
    st.session_state["sync_autocommit"] = repo.autocommit_enabled(folder)
    auto_column.toggle(_("Commit every save"), key="sync_autocommit", on_change=run,
                       args=(lambda: repo.set_autocommit(folder, st.session_state["sync_autocommit"]),
                             _("Auto-commit setting saved.")),
                       help=_("One commit per save, named after the note, so your history is git history"))
    with st.expander(_("Remote URL"), expanded=status.remote is None):  # open while there is none to change
        st.caption(_("Credentials belong in git's credential helper (or an SSH key), not in the URL; a URL's user "
                     "name and password are never shown here."))
        remote_form()
else:
    st.info(_("This journal is shared read-only: syncing and every other git write is off."), icon=":material/lock:")

if status.changes:
    with st.expander(_("{count} local change(s) not committed yet").format(count=len(status.changes))):
        st.dataframe([{"change": change.code, "file": change.path} for change in status.changes], hide_index=True,
                     width="stretch", column_config={"change": _("change"), "file": _("file")})

if status.conflicts:
    st.subheader(_("Conflicts"), anchor=False)
    for copy in status.conflicts:
        conflict_panel(copy)

peers_panel()
