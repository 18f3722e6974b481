// Back to a long note lands where the reader left it (an st.components.v2 component with no UI,
// mounted by the Notes page on every run).
//
// Streamlit draws a page anew on Back and Forward, so the browser's own scroll restoration finds
// a short page and lands at the top. This keeps the scroll position of every Notes address
// (/notes?note=...) in the tab's sessionStorage while the reader scrolls; after Back or Forward
// (popstate) to an address with a kept position, it scrolls there once the run has ended, again
// as the page settles (math, charts, expanders grow it), until the reader scrolls first. While a
// restore waits, scrolling the page does not count as the reader's (the old page shrinking).

const KEY = "studylab-scroll:";
const AGAIN_MS = [0, 300, 900, 2000];
const READER = ["wheel", "touchstart", "keydown", "mousedown"];

export default function () {
  const memory = (window.__studylabScroll ??= { restoring: null });
  if (memory.restoring) restore(memory);
  if (memory.installed) return;
  memory.installed = true;
  const onScroll = () => {
    if (memory.restoring || !onNotes()) return;
    clearTimeout(memory.timer);
    memory.timer = setTimeout(() => remember(here(), scroller().scrollTop), 100);
  };
  window.addEventListener("scroll", onScroll, true);  // capture: the main area scrolls, not the window
  window.addEventListener("popstate", () => {
    const kept = recall(here());
    memory.restoring = kept == null ? null : { url: here(), top: kept };
  });
}

function onNotes() {
  return /\/notes$/.test(window.location.pathname);
}

function here() {
  return window.location.pathname + window.location.search;
}

// The element that scrolls the page: Streamlit's main area when it scrolls itself, else the document.
function scroller() {
  const main = document.querySelector('[data-testid="stMain"]');
  return main && main.scrollHeight > main.clientHeight + 1 && getComputedStyle(main).overflowY !== "visible"
    ? main : document.scrollingElement;
}

function remember(url, top) {
  try {
    sessionStorage.setItem(KEY + url, String(Math.round(top)));
  } catch (error) { /* storage full or off: Back lands at the top, as before */ }
}

function recall(url) {
  try {
    const kept = sessionStorage.getItem(KEY + url);
    return kept == null ? null : Number(kept);
  } catch (error) {
    return null;
  }
}

function restore(memory) {
  const app = document.querySelector('[data-testid="stApp"]');
  const wanted = memory.restoring;
  if (!app || wanted.url !== here()) {
    memory.restoring = null;
    return;
  }
  if (wanted.started) return;
  const ended = () => app.getAttribute("data-test-script-state") === "notRunning";
  const start = () => {
    wanted.started = true;
    let cancelled = false;
    const cancel = () => (cancelled = true);
    READER.forEach((name) => window.addEventListener(name, cancel, { once: true, capture: true }));
    AGAIN_MS.forEach((delay, index) => setTimeout(() => {
      if (!cancelled && memory.restoring === wanted && wanted.url === here()) scroller().scrollTop = wanted.top;
      if (index === AGAIN_MS.length - 1) {
        READER.forEach((name) => window.removeEventListener(name, cancel, true));
        if (memory.restoring === wanted) memory.restoring = null;
      }
    }, delay));
  };
  if (ended()) {
    start();
    return;
  }
  const observer = new MutationObserver(() => {
    if (ended()) {
      observer.disconnect();
      start();
    }
  });
  observer.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  setTimeout(() => observer.disconnect(), 30_000);
}
