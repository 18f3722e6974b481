"""Serve studylab: `streamlit run serve.py` (what `make run` does) runs app.py as an ASGI app
(`st.App`) with one addition, so that opening a page's address directly (a bookmark, a
shared `/notes?note=...` link, a reload) makes no failing requests.

Why: Streamlit's browser code does not know where the server's root is. Opened at `/notes`,
it first tries `/notes/_stcore/health` and `/notes/_stcore/host-config` (two 404s in the
console), then the parent `/` (streamlit/streamlit#7074). For every page's address, this
launcher serves Streamlit's own index.html with the server root named up front
(`window.__streamlit.BACKEND_BASE_URL`, the setting Streamlit reads when it is hosted), so
the first try is the right one. `streamlit run app.py` still works; it only shows those 404s.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent
INDEX_HTML = Path(st.__file__).resolve().parent / "static" / "index.html"
# The page's own address minus its last part is the server root: /notes -> /, /base/notes -> /base/.
BASE_URL_SCRIPT = (
    "<script>window.__streamlit = Object.assign({}, window.__streamlit, "
    '{BACKEND_BASE_URL: window.location.origin + window.location.pathname.replace(/[^/]*$/, "")});</script>'
)


def page_paths() -> list[str]:
    """The URL path of every page file (st.navigation names a page after its file)."""
    return sorted(f"/{path.stem}" for path in (ROOT / "pages").glob("*.py") if not path.stem.startswith("_"))


def index_with_base_url() -> str:
    """Streamlit's index.html with the server root set before Streamlit's own script runs."""
    html = INDEX_HTML.read_text(encoding="utf-8")
    return html.replace("<head>", f"<head>\n    {BASE_URL_SCRIPT}", 1)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(index_with_base_url(), headers={"Cache-Control": "no-cache"})


app = st.App(ROOT / "app.py", routes=[Route(path, page) for path in page_paths()])
