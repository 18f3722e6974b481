// In-app links for studylab (an st.components.v2 component with no UI, mounted once per run).
//
// 1. A plain left click on a markdown link whose href starts with "notes?note=" (wikilinks,
//    the Notes list, backlinks, recent entries) opens that note in the same tab and session:
//    the new URL is pushed onto the history and a popstate event hands it to Streamlit, which
//    reruns the page named by the URL exactly as it does for the browser's Back and Forward.
//    Ctrl/Cmd/Shift/middle clicks keep the browser's own behaviour (a new tab or window).
// 2. A click on "#studylab-undo-trash" (the Undo in the trash toast) is sent to Python as the
//    trigger "action" = "undo-trash".
// 3. Streamlit pushes a history entry whenever a page sets st.query_params. When the Notes
//    page names the note it shows (or Write its draft) right after a page switch, two things
//    would go wrong: the parameter can reach the browser before the new path does (an entry
//    like "/?note=..." on the old page), and the bare "/notes" entry stays behind it (Back
//    would seem to do nothing). So a push that only changes the query waits DEFER_MS: a page
//    switch arriving meanwhile carries the parameters itself and the waiting push is dropped;
//    otherwise, when it only adds parameters to a URL reached moments ago, it replaces that entry.
//
// Listeners are installed once per browser tab; each mount refreshes the trigger function.

const NOTE_LINK = /^notes\?note=/;
const UNDO_TRASH = "#studylab-undo-trash"; // ui_hooks.UNDO_TRASH_LINK
const SETTLE_MS = 2500;
const DEFER_MS = 150;

export default function (component) {
  const state = (window.__studylabLinks ??= { lastPathChange: performance.now() });
  state.setTriggerValue = component.setTriggerValue;
  if (state.installed) return;
  state.installed = true;
  document.addEventListener("click", (event) => onClick(event, state), true);
  window.addEventListener("popstate", () => (state.lastPathChange = performance.now()));
  replaceParameterOnlyPushes(state);
}

function onClick(event, state) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link) return;
  const href = link.getAttribute("href");
  if (href === UNDO_TRASH) {
    event.preventDefault();
    state.setTriggerValue?.("action", "undo-trash");
    return;
  }
  if (!NOTE_LINK.test(href)) return;
  event.preventDefault();
  event.stopPropagation();
  const target = new URL(href, window.location.href);
  if (target.pathname + target.search === window.location.pathname + window.location.search) return;
  state.push({}, "", target.pathname + target.search);
  state.lastPathChange = performance.now();
  window.dispatchEvent(new PopStateEvent("popstate", { state: {} }));
}

function replaceParameterOnlyPushes(state) {
  const push = (state.push = window.history.pushState.bind(window.history));
  const replace = window.history.replaceState.bind(window.history);
  let waiting = null;
  window.history.pushState = function (data, unused, url) {
    const target = url == null ? null : new URL(url, window.location.href);
    if (!target || target.pathname !== window.location.pathname) {
      clearTimeout(waiting);
      state.lastPathChange = performance.now();
      return push(data, unused, url);
    }
    clearTimeout(waiting);
    waiting = setTimeout(() => {
      const settling = performance.now() - state.lastPathChange < SETTLE_MS;
      if (target.pathname !== window.location.pathname) return;
      if (window.location.search === "" && settling) replace(data, unused, url);
      else push(data, unused, url);
    }, DEFER_MS);
  };
}
