// The Write page's status line (an st.components.v2 component).
//
// Python sends what it knows on every run: {state: "saved" | "unsaved" | "new" | "conflict" |
// "refused", label, run} (`run` is new each time, so a save answered with the same label as
// before, e.g. "Saved at 14:02" twice in one minute, still replaces "Saving…"). The browser adds
// what only it can see:
//   - "Unsaved changes" from the first keystroke in the title, course or body, before the
//     text reaches the server (Streamlit sends a text field's value on blur or Ctrl+Enter);
//   - after IDLE_MS without typing (and outside an IME composition, so Korean syllables are
//     never cut), the field's text is committed the way Ctrl+Enter commits it, so the server
//     keeps it as a draft on disk while the cursor stays where it is;
//   - Ctrl+S / Cmd+S first commits the focused field (Streamlit's button shortcut alone would
//     save the text as it was before the last keystrokes), then the Save button's own shortcut
//     runs; the line says "Saving…" until the page answers;
//   - keystrokes are never lost: when the tab is hidden or left (visibilitychange, pagehide,
//     beforeunload) the typed field is committed at once, and while keystrokes have not reached
//     the server yet, leaving the page (reload, close) asks first (beforeunload), which gives
//     the commit time to arrive; once the server has the text, its draft on disk survives any
//     reload and nothing is asked.

const FIELDS = [".st-key-write_title", ".st-key-write_course", ".st-key-write_body"];
const SAVE_BUTTON = ".st-key-write_save button";
const IDLE_MS = 1200;

export default function (component) {
  const { data, parentElement } = component;
  const editor = (window.__studylabEditor ??= {});
  let line = parentElement.querySelector("[data-status]");
  if (!line) {
    line = document.createElement("div");
    line.setAttribute("data-status", "");
    line.setAttribute("role", "status");
    line.setAttribute("aria-live", "polite");
    line.innerHTML = '<span class="dot"></span><span class="label"></span>';
    parentElement.appendChild(line);
  }
  editor.show = (state, label) => {
    line.dataset.state = state;
    line.querySelector(".label").textContent = label;
    window.__studylabEditorState = state;
  };
  // The words of the states only the browser sees come from Python, in the interface language.
  editor.words = { unsaved: "Unsaved changes", saving: "Saving…", ...(data.words ?? {}) };
  settlePending(editor);
  // Keystrokes not yet sent to the server outrank what the server last knew.
  if (editor.typed && !["conflict", "refused"].includes(data.state)) editor.show("unsaved", editor.words.unsaved);
  else editor.show(data.state, data.label);
  if (editor.installed) return;
  editor.installed = true;
  document.addEventListener("input", (event) => onInput(event, editor), true);
  document.addEventListener("compositionstart", () => (editor.composing = true), true);
  document.addEventListener("compositionend", (event) => {
    editor.composing = false;
    onInput(event, editor);
  }, true);
  document.addEventListener("keydown", (event) => onSaveShortcut(event, editor), true);
  // Leaving a field sends its text (Streamlit commits on blur), so the server knows it from then on.
  document.addEventListener("focusout", (event) => {
    if (editorField(event.target)) editor.typed = false;
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest(SAVE_BUTTON)) editor.show("saving", editor.words.saving);
  }, true);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush(editor);
  });
  window.addEventListener("pagehide", () => flush(editor));
  window.addEventListener("beforeunload", (event) => {
    if (!editor.typed || !document.querySelector(FIELDS.join(","))) return;
    flush(editor);
    event.preventDefault();
    event.returnValue = "";  // older browsers need it set to show the question
  });
}

// The text typed but not yet on the server is also kept in this tab's sessionStorage, so a
// reload that beats the commit (the old session stops before it saves the draft) still gets it:
// the reloaded page puts it back into its field and commits it. It is dropped as soon as the
// server's field holds it or this page has committed it, and never restored after PENDING_MS.
const PENDING = "studylab-write-pending";
const PENDING_MS = 10 * 60 * 1000;

function fieldKey(field) {
  return FIELDS.find((selector) => field.closest(selector));
}

function keepPending(field) {
  try {
    sessionStorage.setItem(PENDING, JSON.stringify({
      url: location.pathname + location.search, field: fieldKey(field), value: field.value, at: Date.now(),
    }));
  } catch (error) { /* storage full or off: the idle commit still saves the text */ }
}

function settlePending(editor) {
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  } catch (error) {
    return;
  }
  if (!pending) return;
  const field = document.querySelector(`${pending.field} textarea, ${pending.field} input`);
  const stale = Date.now() - pending.at > PENDING_MS || pending.url !== location.pathname + location.search;
  // This page already sent that very text (a commit, or Ctrl+S): the server has it, even when a run
  // (a save) has meanwhile put a different text in the field; putting it back would undo that run.
  const sent = editor.committed?.field === pending.field && editor.committed?.value === pending.value;
  if (stale || sent || (field && field.value === pending.value)) {
    if (!editor.typed) sessionStorage.removeItem(PENDING);
    return;
  }
  if (!field || editor.typed || editor.restoring) return;
  editor.restoring = true;
  const prototype = field.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, "value").set.call(field, pending.value);
  field.dispatchEvent(new Event("input", { bubbles: true }));
  editor.typed = true;
  editor.show("unsaved", editor.words.unsaved);
  setTimeout(() => {
    editor.restoring = false;
    commit(field, editor);
  }, 50);
}

// Send the typed field's text now (the tab is going away or out of sight).
function flush(editor) {
  if (!editor.typed) return;
  clearTimeout(editor.timer);
  const field = editorField(document.activeElement) ?? editor.lastField;
  if (field && field.isConnected) commit(field, editor);
}

function editorField(target) {
  if (!(target instanceof Element) || !["TEXTAREA", "INPUT"].includes(target.tagName)) return null;
  return FIELDS.some((selector) => target.closest(selector)) ? target : null;
}

function onInput(event, editor) {
  const field = editorField(event.target);
  if (!field) return;
  editor.typed = true;
  editor.lastField = field;
  keepPending(field);
  editor.show("unsaved", editor.words.unsaved);
  clearTimeout(editor.timer);
  editor.timer = setTimeout(() => {
    if (!editor.composing && document.activeElement === field) commit(field, editor);
  }, IDLE_MS);
}

function onSaveShortcut(event, editor) {
  if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "s") return;
  if (!document.querySelector(SAVE_BUTTON)) return;
  clearTimeout(editor.timer);
  const field = editorField(document.activeElement);
  if (field) commit(field, editor);
  editor.show("saving", editor.words.saving);
}

// Commit a text field the way Ctrl+Enter does, without the keystroke reaching Streamlit's
// shortcut listener on the document (it would count Enter as held down).
function commit(field, editor) {
  editor.typed = false;
  editor.committed = { field: fieldKey(field), value: field.value };
  const enter = new KeyboardEvent("keydown", {
    key: "Enter", code: "Enter", keyCode: 13, ctrlKey: true, bubbles: true, cancelable: true,
  });
  const stop = (event) => event === enter && event.stopPropagation();
  document.body.addEventListener("keydown", stop);
  try {
    field.dispatchEvent(enter);
  } finally {
    document.body.removeEventListener("keydown", stop);
  }
}
