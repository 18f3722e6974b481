// In-app links for studylab (an st.components.v2 component with no UI, mounted once per run).
//
// 1. A plain left click on a relative markdown link to one of the app's pages (data.pages: the
//    URL paths of app.py's navigation, e.g. "notes?note=...", "notes?owner=...&note=...",
//    "bptt_lab?tab=deep&radius=1.5") opens that page in the same tab and session: the new URL is pushed
//    onto the history and a popstate event hands it to Streamlit, which reruns the page named by
//    the URL exactly as it does for the browser's Back and Forward. Ctrl/Cmd/Shift/Alt/middle
//    clicks keep the browser's own behaviour (a new tab or window).
// 2. A click on "#studylab-undo-trash" (the Undo in the trash toast) is sent to Python as the
//    trigger "action" = "undo-trash".
// 3. Streamlit pushes a history entry whenever a page sets st.query_params. When the Notes
//    page names the note it shows (or Write its draft) right after a page switch, two things
//    would go wrong: the parameter can reach the browser before the new path does (an entry
//    like "/?note=..." on the old page), and the bare "/notes" entry stays behind it (Back
//    would seem to do nothing). So a push that only changes the query waits DEFER_MS: a page
//    switch arriving meanwhile carries the parameters itself and the waiting push is dropped (so
//    is it when a link click (1) pushes its own address meanwhile); otherwise, when it only adds
//    parameters to a URL reached moments ago, it replaces that entry. While a push waits, <html>
//    carries data-studylab-address-pending, so a test can wait for the address bar.
// 4. Scrolling once the page has been drawn (the page keeps growing after Streamlit's own
//    scroll: math, expanders, charts), each time until the reader scrolls:
//    - an address with #section (a reload, a shared link) lands on that heading;
//    - data.scroll (a key Python asks for once, e.g. the Notes page's open note after a trash)
//      brings that keyed container to the top;
//    - a click in the Notes list whose note is drawn below the screen (a phone, where the
//      columns stack) brings the note into view.
//
// 5. Accessibility the markup lacks, kept up as Streamlit redraws (a MutationObserver):
//    - <html lang> is the interface language (data.lang), so screen readers speak Korean as Korean
//      and CSS :lang(ko) keeps Korean words whole;
//    - a wide equation or table that scrolls sideways in its own box gets tabindex="0", role
//      "region" and a label (data.labels), so the keyboard can reach and scroll it;
//    - Streamlit's sidebar navigation puts its section headers (divs) inside the <ul> and the <li>s
//      inside those divs, which is not a valid list: the list and item roles are set to "none"
//      (a nav of links under section headers, which is what it is);
//    - <html data-studylab-theme> says whether the light or the dark theme is on, for the page CSS;
//    - the aria-labels and titles Streamlit writes in English on its own controls are swapped for
//      their translations (data.labels.streamlit, data.labels.helpFor), and Material icons beside a
//      text are hidden from screen readers (decoration, announced as "school icon" otherwise).
//
// Listeners are installed once per browser tab; each mount refreshes the pages and the trigger.

const UNDO_TRASH = "#studylab-undo-trash"; // ui_hooks.UNDO_TRASH_LINK
const NOTES_LIST = ".st-key-notes_list"; // pages/notes.py
const OPEN_NOTE = ".st-key-notes_open";
const SETTLE_MS = 2500;
const DEFER_MS = 150;
const SCROLL_AGAIN_MS = [0, 400, 1200];

export default function (component) {
  const state = (window.__studylabLinks ??= { lastPathChange: performance.now(), scrolled: new Set() });
  state.setTriggerValue = component.setTriggerValue;
  state.pages = new Set(component.data?.pages ?? []);
  state.labels = component.data?.labels ?? state.labels ?? {};
  if (component.data?.lang) document.documentElement.lang = component.data.lang;
  keepAccessible(state);
  const request = component.data?.scroll;
  if (request && !state.scrolled.has(request.id)) {
    state.scrolled.add(request.id);
    afterRun(() => document.querySelector(`.st-key-${request.key}`));
  }
  if (state.installed) return;
  state.installed = true;
  document.addEventListener("click", (event) => onClick(event, state), true);
  window.addEventListener("popstate", () => (state.lastPathChange = performance.now()));
  replaceParameterOnlyPushes(state);
  if (window.location.hash.length > 1) {
    const id = decodeURIComponent(window.location.hash.slice(1));
    afterRun(() => document.getElementById(id));
  }
}

function appPage(href, pages) {
  if (!href || /^([a-z][a-z0-9+.-]*:|\/|#|\?)/i.test(href)) return false;
  return pages.has(href.replace(/^\.\//, "").split(/[?#]/)[0]);
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
  if (!appPage(href, state.pages)) return;
  event.preventDefault();
  event.stopPropagation();
  const target = new URL(href, window.location.href);
  if (target.pathname + target.search === window.location.pathname + window.location.search) {
    if (target.hash.length > 1) document.getElementById(decodeURIComponent(target.hash.slice(1)))?.scrollIntoView();
    return;
  }
  if (link.closest(NOTES_LIST)) afterRun(belowTheFold(OPEN_NOTE), { waitForRun: true, once: true });
  state.dropWaitingPush?.(); // an older address written after this one would undo the click
  state.push({}, "", target.pathname + target.search + target.hash);
  state.lastPathChange = performance.now();
  window.dispatchEvent(new PopStateEvent("popstate", { state: {} }));
}

// The element `selector` names, when its top is below the visible part of the page.
function belowTheFold(selector) {
  return () => {
    const element = document.querySelector(selector);
    return element && element.getBoundingClientRect().top > window.innerHeight * 0.8 ? element : null;
  };
}

// Once Streamlit's run has ended (after the next run starts, with waitForRun), scroll to what
// find() returns; again as the page settles, unless the reader scrolls first.
function afterRun(find, { waitForRun = false, once = false } = {}) {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  const runState = () => app.getAttribute("data-test-script-state");
  let sawRun = !waitForRun || runState() === "running";
  const observer = new MutationObserver(() => {
    if (runState() === "running") sawRun = true;
    else if (sawRun) settle();
  });
  const stop = () => observer.disconnect();
  function settle() {
    stop();
    const readerScrolls = ["wheel", "touchstart", "keydown", "mousedown"];
    let cancelled = false;
    const cancel = () => (cancelled = true);
    readerScrolls.forEach((name) => window.addEventListener(name, cancel, { once: true, capture: true }));
    (once ? SCROLL_AGAIN_MS.slice(0, 1) : SCROLL_AGAIN_MS).forEach((delay, index, delays) =>
      setTimeout(() => {
        const element = cancelled ? null : find();
        element?.scrollIntoView({ block: "start" });
        if (index === delays.length - 1) readerScrolls.forEach((name) => window.removeEventListener(name, cancel, true));
      }, delay));
  }
  observer.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  if (sawRun && runState() === "notRunning") settle();
  setTimeout(stop, 60_000);
}

function replaceParameterOnlyPushes(state) {
  const push = (state.push = window.history.pushState.bind(window.history));
  const replace = window.history.replaceState.bind(window.history);
  let waiting = null;
  // <html data-studylab-address-pending> while a write waits, so a test (or anything reading the
  // address) can wait for the address bar instead of guessing how long DEFER_MS takes on its machine.
  const pending = (on) => document.documentElement.toggleAttribute("data-studylab-address-pending", on);
  state.dropWaitingPush = () => {
    clearTimeout(waiting);
    pending(false);
  };
  window.history.pushState = function (data, unused, url) {
    const target = url == null ? null : new URL(url, window.location.href);
    if (!target || target.pathname !== window.location.pathname) {
      state.dropWaitingPush();
      state.lastPathChange = performance.now();
      return push(data, unused, url);
    }
    clearTimeout(waiting);
    pending(true);
    waiting = setTimeout(() => {
      pending(false);
      const settling = performance.now() - state.lastPathChange < SETTLE_MS;
      if (target.pathname !== window.location.pathname) return;
      if (window.location.search === "" && settling) replace(data, unused, url);
      else push(data, unused, url);
    }, DEFER_MS);
  };
}

const SCROLL_BOXES = '[data-testid="stMarkdownContainer"] .katex-display, [data-testid="stMarkdownContainer"] table';
const NAV_LISTS = '[data-testid="stSidebarNavItems"]';

function fixAccessibility(state) {
  // Which theme is on (Streamlit's setting, not only the system's): the page CSS keeps the dark
  // theme's primary buttons readable with it (their light red needs dark text).
  const app = document.querySelector('[data-testid="stApp"]');
  const rgb = app ? getComputedStyle(app).backgroundColor.match(/\d+/g)?.map(Number) : null;
  const theme = rgb && rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114 < 128 ? "dark" : "light";
  if (document.documentElement.dataset.studylabTheme !== theme) document.documentElement.dataset.studylabTheme = theme;
  for (const box of document.querySelectorAll(SCROLL_BOXES)) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && box.getAttribute("tabindex") !== "0") {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.tagName === "TABLE" ? state.labels.table ?? "Table, scrolls sideways"
        : state.labels.equation ?? "Equation, scrolls sideways");
      box.dataset.studylabScroll = "1";
    } else if (!scrolls && box.dataset.studylabScroll) {
      ["tabindex", "role", "aria-label", "data-studylab-scroll"].forEach((name) => box.removeAttribute(name));
    }
  }
  speakTheInterfaceLanguage(state.labels);
  for (const list of document.querySelectorAll(NAV_LISTS)) {
    if (list.getAttribute("role") !== "none") list.setAttribute("role", "none");
    for (const item of list.querySelectorAll("li:not([role])")) item.setAttribute("role", "none");
  }
}

const HELP_FOR = /^Help for (.*)$/s;
const REMOVE = /^Remove (.*)$/s; // a multiselect chip's close button
const TITLE_TEXT = /^Title text '(.*)'$/s; // Vega's label on a chart title: the title says it

function speakTheInterfaceLanguage(labels) {
  // Streamlit labels its own controls in English ("App pages", "Help for …", "Show data"); the app
  // hands their translations in (labels.streamlit, labels.helpFor) and they are swapped in place.
  const own = labels.streamlit ?? {};
  for (const node of document.querySelectorAll("[aria-label], [title]")) {
    for (const name of ["aria-label", "title"]) {
      const value = node.getAttribute(name);
      if (!value) continue;
      const help = labels.helpFor && value.match(HELP_FOR);
      const remove = labels.remove && value.match(REMOVE);
      const title = value.match(TITLE_TEXT);
      const shown = own[value] ?? (help ? labels.helpFor.replace("{label}", help[1])
        : remove ? labels.remove.replace("{label}", remove[1]) : title ? title[1] : null);
      if (shown && shown !== value) node.setAttribute(name, shown);
    }
  }
  // A Material icon beside its text is decoration: "school icon" read before every title is noise.
  for (const icon of document.querySelectorAll('span[role="img"][translate="no"][aria-label$=" icon"]')) {
    const around = icon.parentElement?.textContent.replace(icon.textContent, "").trim();
    if (around) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("role");
      icon.removeAttribute("aria-label");
    }
  }
}

function keepAccessible(state) {
  fixAccessibility(state);
  if (state.accessibilityObserver) return;
  let queued = false;
  const again = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fixAccessibility(state);
    });
  };
  state.accessibilityObserver = new MutationObserver(again);
  state.accessibilityObserver.observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", again);
}
