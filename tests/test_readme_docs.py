"""The README stays short and the guide in docs/ stays whole: its pages exist and every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = ("notes.md", "labs.md", "review.md", "experiments.md", "sync.md", "performance.md")

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def relative_targets(markdown: str) -> list[str]:
    """The targets of relative markdown links and images, outside code."""
    prose = INLINE_CODE.sub("", FENCE.sub("", markdown))
    return [target for target in LINK.findall(prose) if not ABSOLUTE.match(target)]


def test_readme_is_at_most_250_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250


def test_the_guide_has_its_pages():
    missing = [page for page in PAGES if not (DOCS / page).is_file()]
    assert missing == []
    assert len(list(DOCS.glob("*.md"))) >= len(PAGES)


@pytest.mark.parametrize("page", [README, *sorted(DOCS.glob("*.md"))],
                         ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_an_existing_file(page):
    broken = []
    for target in relative_targets(page.read_text(encoding="utf-8")):
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not (page.parent / path).exists():
            broken.append(target)
    assert broken == []


def test_the_link_finder_skips_code_and_absolute_links():
    text = "\n".join([
        "[a](docs/a.md#x) ![b](b.png) [c](https://example.com) [d](#anchor) [e](mailto:x@y.z)",
        "`[f](f.md)`",
        "````",
        "[g](bptt_lab?tab=deep)",
        "```",
        "[h](h.md)",
        "```",
        "````",
    ])
    assert relative_targets(text) == ["docs/a.md#x", "b.png"]


def test_the_upload_box_states_the_limit_the_lab_enforces():
    import tomllib

    from core.conv.inputs import UPLOAD_BYTES
    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 2**20 == UPLOAD_BYTES, "the box says what the lab accepts"
