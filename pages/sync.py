"""Sync: the journal as a git repository, synced with a remote and with the study group's journals."""

import datetime as dt

import streamlit as st

from core.journal import diff as text_diff
from core.journal import storage
from core.journal.render import escape_markdown
from core.sync import conflicts, gitcli, merge, peers, repo
from ui import frame, merge_screen, notes_folder, widgets
from ui.review import sync_mergers

frame.app_frame()

st.title("Sync", anchor=False)
st.caption(
    "Keep one journal on several computers, and read your study group's journals, through git. "
    "A sync never loses a note: when both sides changed the same note, yours stays and theirs is "
    "saved beside it as a conflict copy for you to resolve here."
)

folder = notes_folder.notes_dir()
readonly = notes_folder.readonly()
STATE_LINES = {
    "clean": ("success", "Up to date with the remote (as of the last check)."),
    "changed": ("info", "Changes here are not committed yet; **Sync now** commits and sends them."),
    "ahead": ("info", "This journal has {ahead} commit(s) the remote does not have yet: **Sync now** sends them."),
    "behind": ("warning", "The remote has {behind} commit(s) this journal does not have yet: "
                          "**Sync now** brings them."),
    "diverged": ("warning", "Both sides have new commits ({ahead} here, {behind} there): **Sync now** merges them."),
    "conflict": ("error", "{count} to resolve below: the same note was changed on two machines."),
    "no-remote": ("info", "No remote yet: add the URL of an empty repository (GitHub, GitLab, a folder) below."),
}


LAST_FAILURE = "_sync_last_failure"


def run(action, success: str, *, remote: bool = False) -> None:
    """Run a git action from a button; its outcome is shown on the next run. A failed exchange
    with the remote (`remote`) becomes the page's one state line until the next attempt."""
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
        st.error(f"The last sync failed: {failure}", icon=":material/cloud_off:")
        return
    kind, line = STATE_LINES[status.state]
    getattr(st, kind)(line.format(ahead=status.ahead, behind=status.behind,
                                  count=plural(len(status.conflicts), "conflict copy", "conflict copies")))


def sync_now() -> str:
    """Pull, then push (merge.sync), saying what came in and what went out."""
    result = merge.pull(folder, merge_state=sync_mergers(folder))
    outgoing = repo.status(folder).ahead  # None before the branch has an upstream: all of it goes
    merge.push(folder)
    if result.up_to_date:
        arrived = "nothing new arrived"
    else:
        notes = [path for path in result.taken if not path.startswith(".")]  # not the logs and .gitignore
        arrived = f"{plural(len(notes), 'file')} updated from the remote"
        if result.conflicts:
            arrived += f", {plural(len(result.conflicts), 'conflict copy', 'conflict copies')} to resolve"
    if result.problems:
        arrived += (f"; {plural(len(result.problems), 'note')} could not be written here and stayed in the "
                    f"repository ({'; '.join(result.problems[:3])})")
    if outgoing is None:
        sent = "this journal's branch was sent to the remote"
    elif outgoing:
        sent = f"{plural(outgoing, 'commit')} sent to the remote"
    else:
        sent = "nothing needed sending"
    return f"{arrived}; {sent}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def remote_form() -> None:
    """The remote's URL in a form, so one click on "Save the remote" saves what was typed (a plain
    field, so the student can check it; once saved it is only shown redacted, above)."""
    with st.form("sync_remote", border=False):
        st.text_input("Remote URL", key="sync_remote_url", placeholder="https://github.com/you/til.git")
        st.form_submit_button("Save the remote", key="sync_set_remote", on_click=save_remote)


def save_remote() -> None:
    url = st.session_state.sync_remote_url.strip()
    if not url:
        widgets.flash("error", "Type the remote's URL first.")
        return
    st.session_state.sync_remote_url = ""  # the field never keeps (echoes) a URL that may hold a password
    run(lambda: repo.set_remote(folder, url), "Remote saved.")


def conflict_panel(copy: str) -> None:
    pair = conflicts.pair(folder, copy)
    with st.expander(f":material/call_split: {pair.original} ↔ {pair.copy}", expanded=True):
        st.caption(text_diff.legend("the other machine's text", "yours (the text typed on this machine)"))
        st.code(conflicts.diff(folder, pair) or "The two texts are the same.", language="diff")
        if readonly:
            return
        st.caption(f"`{pair.original}` holds the text typed on {pair.original_from}; `{pair.copy}` the text typed "
                   f"on {pair.copy_from}" + (f" (commit {pair.copy_commit[:10]})." if pair.copy_commit else "."))
        keep, take, edit = st.columns(3)
        keep.button("Keep mine (theirs goes to the trash or history)", key=f"sync_keep_{copy}", on_click=run,
                    args=(lambda: conflicts.keep_mine(folder, pair), f"Kept your {pair.original}."))
        take.button("Take theirs (mine goes to the trash or history)", key=f"sync_take_{copy}", on_click=run,
                    args=(lambda: conflicts.take_theirs(folder, pair), f"{pair.original} now holds their text."),
                    disabled=not pair.original_exists and not pair.copy_is_mine)
        edit.page_link("pages/sync.py", label="Merge by hand, change by change", icon=":material/merge:",
                       query_params={"merge": copy})


def peers_panel() -> None:
    st.subheader("Study group", anchor=False)
    st.caption("Read-only copies of other students' journals. Their notes appear on the Notes page under their "
               "name and are never mixed into yours or written to.")
    known = peers.peers(folder)
    for peer in known:
        pulled = peers.last_pulled(folder, peer.name)
        when = dt.datetime.fromtimestamp(pulled).strftime("%Y-%m-%d %H:%M") if pulled else "never"
        name_column, url_column, remove_column = st.columns([2, 5, 2], vertical_alignment="center")
        name_column.markdown(f"**{escape_markdown(peer.name)}**  \n:gray[pulled {when}]")
        url_column.code(peer.shown_url, language=None)
        if not readonly:
            remove_column.button("Remove", key=f"sync_peer_remove_{peer.name}", icon=":material/person_remove:",
                                 on_click=run, args=(lambda name=peer.name: peers.remove_peer(folder, name),
                                                     f"Removed {peer.name}'s journal from this machine."))
    if readonly:
        return
    if known:
        st.button("Pull the group's journals", key="sync_pull_peers", icon=":material/group:", on_click=run,
                  args=(lambda: _peer_summary(peers.pull_all(folder)), "{outcome}"))
    with st.form("sync_add_peer", clear_on_submit=True):
        name_column, url_column = st.columns([1, 3])
        name = name_column.text_input("Name", placeholder="minji")
        url = url_column.text_input("Their journal's git URL", placeholder="https://github.com/minji/til.git")
        if st.form_submit_button("Add and pull", icon=":material/person_add:"):
            run(lambda: _add_and_pull(name, url), "Added {outcome}.")
            st.rerun()


def _add_and_pull(name: str, url: str) -> str:
    peer = peers.add_peer(folder, name, url)
    peers.pull_peer(folder, peer)
    return f"{peer.name}'s journal"


def _peer_summary(outcome: dict[str, str | None]) -> str:
    failed = {name: reason for name, reason in outcome.items() if reason}
    if not failed:
        return f"Pulled {len(outcome)} journal(s)."
    return "Pulled what could be reached; " + "; ".join(f"{name}: {reason}" for name, reason in failed.items())


widgets.show_flash()
if st.query_params.get("merge"):
    merge_screen.merge_screen(folder, st.query_params["merge"], "pages/sync.py")
    st.stop()
if gitcli.executable() is None:
    st.error("git is not installed on this machine, so the journal cannot sync. Install git and reload this page.",
             icon=":material/sync_disabled:")
    st.stop()
if not repo.is_git_mode(folder):
    if readonly:  # no dead invitation: say what the journal's owner can do instead
        st.info(f"The notes folder `{folder}` is not a git repository, so it is not synced. This journal is shared "
                f"read-only here ({notes_folder.readonly_reason().rstrip('.')}), so it cannot be changed from this "
                "page: its owner can turn on sync from the Sync page of their own studylab.",
                icon=":material/source:")
    else:
        st.info(f"The notes folder `{folder}` is not a git repository, so it is not synced. Turning it into one "
                "records every note in git; `.history/`, `.trash/` and this machine's settings stay out of it.",
                icon=":material/source:")
        st.button("Turn the notes folder into a git repository", key="sync_init", type="primary",
                  icon=":material/add_circle:", on_click=run, args=(lambda: repo.init(folder), "Git mode is on."))
    st.stop()

status = repo.status(folder)
state_line(status)
branch_column, remote_column, changes_column = st.columns([1, 3, 1])
branch_column.metric("Branch", status.branch)
remote_column.markdown(f"**Remote** `{status.remote or 'none'}`")
remote_column.code(status.remote_url or "not set", language=None)
if status.last_fetch:
    remote_column.caption(f"Last checked {dt.datetime.fromtimestamp(status.last_fetch):%Y-%m-%d %H:%M}")
changes_column.metric("Local changes", len(status.changes))

if not readonly:
    sync_column, fetch_column, auto_column = st.columns(3, vertical_alignment="center")
    sync_column.button("Sync now", key="sync_now", type="primary", icon=":material/sync:",
                       disabled=status.remote is None, on_click=run, args=(sync_now, "Synced: {outcome}."),
                       kwargs={"remote": True})
    fetch_column.button("Check the remote", key="sync_fetch", icon=":material/cloud_download:",
                        disabled=status.remote is None, on_click=run,
                        args=(lambda: merge.fetch(folder), "Checked the remote."), kwargs={"remote": True})
    st.session_state["sync_autocommit"] = repo.autocommit_enabled(folder)
    auto_column.toggle("Commit every save", key="sync_autocommit", on_change=run,
                       args=(lambda: repo.set_autocommit(folder, st.session_state["sync_autocommit"]),
                             "Auto-commit setting saved."),
                       help="One commit per save, named after the note, so your history is git history")
    with st.expander("Remote URL", expanded=status.remote is None):  # open while there is none to change
        st.caption("Credentials belong in git's credential helper (or an SSH key), not in the URL; a URL's user name "
                   "and password are never shown here.")
        remote_form()
else:
    st.info("This journal is shared read-only: syncing and every other git write is off.", icon=":material/lock:")

if status.changes:
    with st.expander(f"{len(status.changes)} local change(s) not committed yet"):
        st.dataframe([{"change": change.code, "file": change.path} for change in status.changes], hide_index=True,
                     width="stretch")

if status.conflicts:
    st.subheader("Conflicts", anchor=False)
    for copy in status.conflicts:
        conflict_panel(copy)

peers_panel()
