// The Write page's live preview (an st.components.v2 component, zero height, inside the
// preview's st.fragment).
//
// Streamlit sends a text field's value to the server only on blur or Ctrl+Enter (and the
// status line's idle commit, editor_status.js, after a pause). The preview follows typing as
// Obsidian's does: DEBOUNCE_MS after the last keystroke in the title or the body, this sends
// their text as a trigger value, which reruns only the preview's fragment; the field keeps its
// cursor and its IME composition, nothing is committed and nothing is saved from here.

const TITLE = ".st-key-write_title input";
const BODY = ".st-key-write_body textarea";
const DEBOUNCE_MS = 300;

export default function (component) {
  const live = (window.__studylabLivePreview ??= {});
  live.send = component.setTriggerValue;  // the newest mount's sender (the fragment reruns it)
  if (live.installed) return;
  live.installed = true;
  document.addEventListener("input", (event) => {
    if (!(event.target instanceof Element) || !event.target.matches(`${TITLE}, ${BODY}`)) return;
    clearTimeout(live.timer);
    live.timer = setTimeout(() => {
      const title = document.querySelector(TITLE);
      const body = document.querySelector(BODY);
      if (!body || !live.send) return;
      live.send("text", { title: title ? title.value : null, body: body.value, at: Date.now() });
    }, DEBOUNCE_MS);
  }, true);
}
