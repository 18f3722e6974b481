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
//     runs; the line says "Saving…" until the page answers.

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
  // Keystrokes not yet sent to the server outrank what the server last knew.
  if (editor.typed && !["conflict", "refused"].includes(data.state)) editor.show("unsaved", "Unsaved changes");
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
    if (event.target instanceof Element && event.target.closest(SAVE_BUTTON)) editor.show("saving", "Saving…");
  }, true);
}

function editorField(target) {
  if (!(target instanceof Element) || !["TEXTAREA", "INPUT"].includes(target.tagName)) return null;
  return FIELDS.some((selector) => target.closest(selector)) ? target : null;
}

function onInput(event, editor) {
  const field = editorField(event.target);
  if (!field) return;
  editor.typed = true;
  editor.show("unsaved", "Unsaved changes");
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
  editor.show("saving", "Saving…");
}

// Commit a text field the way Ctrl+Enter does, without the keystroke reaching Streamlit's
// shortcut listener on the document (it would count Enter as held down).
function commit(field, editor) {
  editor.typed = false;
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
