"""Markdown to plain text, for search snippets: what a reader sees, without the syntax.

`plain_text("## Setup\\n**Count** the ones: $S_T = \\\\sum_k X_k$, see [[rnn|the lecture]].")`
gives `"Setup Count the ones: S_T = Σ_k X_k, see the lecture."`. Headings, emphasis, list and
quote markers, code fences and backticks, link and wikilink brackets, HTML tags and math
delimiters go; the words stay. TeX commands become the symbols they print where that is one
character (Greek letters, Σ, ∂, ≤, …), `\\frac{a}{b}` becomes `a/b`, other commands lose their
backslash and braces vanish. Pure text in, text out; no streamlit.
"""

from __future__ import annotations

import functools
import re

TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "sum": "Σ", "prod": "Π", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞", "cdot": "·",
    "times": "×", "div": "÷", "pm": "±", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "∼", "equiv": "≡", "propto": "∝", "in": "∈", "notin": "∉", "subset": "⊂",
    "subseteq": "⊆", "cup": "∪", "cap": "∩", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "mapsto": "↦", "sqrt": "√", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "circ": "∘",
    "ldots": "…", "cdots": "⋯", "dots": "…", "forall": "∀", "exists": "∃", "top": "⊤",
}
_SPACING = re.compile(r"\\(?:,|;|:|!|quad|qquad|\s)")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])")
_FRAC = re.compile(r"\\[dt]?frac\s*(?=\{)")
_SCRIPT_SPACE = re.compile(r"([\^_])\s+")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)")
_WIKILINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_LINE_MARKERS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)+")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")
_CODE_SPAN = re.compile(r"`+([^`\n]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>$])")


def tex_to_text(tex: str) -> str:
    """A TeX formula as readable text: `\\sum_{k=1}^{T} w_{rec}^{T-k}` -> `Σ_k=1^T w_rec^T-k`."""
    text = tex.replace("\\{", "\x01").replace("\\}", "\x02").replace("\\|", "‖")
    text = _SPACING.sub(" ", text)
    text = _SIZING.sub("", text)
    text = _fractions(text)
    text = _COMMAND.sub(lambda match: TEX_SYMBOLS.get(match.group(1), match.group(1)), text)
    text = text.replace("\\\\", " ").replace("&", " ").replace("{", "").replace("}", "")
    text = text.replace("\x01", "{").replace("\x02", "}")
    return " ".join(_SCRIPT_SPACE.sub(r"\1", text).split())


def _fractions(tex: str) -> str:
    """`\\frac{a}{b}` -> `a/b`, with nested braces inside a and b."""
    match = _FRAC.search(tex)
    while match:
        numerator, after_numerator = _group(tex, match.end())
        denominator, end = _group(tex, after_numerator)
        if numerator is None or denominator is None:
            return tex
        tex = f"{tex[:match.start()]}{numerator}/{denominator}{tex[end:]}"
        match = _FRAC.search(tex)
    return tex


def _group(tex: str, start: int) -> tuple[str | None, int]:
    """The text inside the balanced {...} group that starts at `start` (spaces skipped), and its end."""
    while start < len(tex) and tex[start].isspace():
        start += 1
    if start >= len(tex) or tex[start] != "{":
        return None, start
    depth = 0
    for position in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[position], 0)
        if depth == 0:
            return tex[start + 1:position], position + 1
    return None, start


@functools.lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """The words of a markdown note on one line, without markdown, math or link syntax.

    Cached by text (notes never change in place: an edit is a new Note), so a rerun with a search
    in the box does not strip the same notes again."""
    kept = []
    for line in markdown.split("\n"):
        if _FENCE.match(line) or _RULE.match(line):
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = _DISPLAY_MATH.sub(lambda match: f" {tex_to_text(match.group(1))} ", text)
    text = _INLINE_MATH.sub(lambda match: tex_to_text(match.group(1)), text)
    text = _WIKILINK.sub(lambda match: (match.group(2) or match.group(1)).strip(), text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = "\n".join(_LINE_MARKERS.sub("", line) for line in text.split("\n"))
    text = _CODE_SPAN.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _ITALIC.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    text = text.replace("|", " ")
    return " ".join(text.split())
