"""What a page shows, read out of an AppTest run, and the English words left in it.

`english_left(at)` walks every element and block the run produced and reads the strings a user
sees: markdown bodies, captions, labels, help, placeholders, options, and the titles and
descriptions inside chart specs. It drops what is not interface language (math between `$`,
code between backticks, links' targets, HTML tags, Material icon names) and returns the words
of two or more Latin letters that are not on the allow-list: proper names, the course's fixed
terms, units and math function names. A page rendered with `?lang=ko` should leave none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

# Names and terms that stay in Latin letters in Korean text (as Korean course material writes them).
ALLOWED = frozenset("""
    studylab Streamlit NumPy numpy PyTorch torch Vega Lite FSRS BPTT TBPTT RNN RNNs CNN CNNs LSTM GRU MLP ReLU
    tanh sigmoid softmax exp log max min sum mean std argmax argmin det tr diag rank sin cos
    KPT Keep Problem Try TIL Boostcamp AI Tech Day Week Q A git Git GitHub SSH HTTPS Markdown YAML
    JSON CSV PNG JPEG SVG URL UTF FIFO NUL md Ctrl Cmd Shift Enter Space Esc Tab Alt PgUp PgDn Home End
    ms px KB MB GB fps Hz dB
    RGB HxW CxHxW NCHW NHWC BLAS GEMM FLOP FLOPs GFLOP
    dL dX dW dO db dS dH dw
    ko en
""".split())

_STYLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_IDENTIFIER = re.compile(r"\b\w*_\w+")  # w_rec, dL/dS_k, W_hh: notation, not words
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"<[^>]*>")
_ICON = re.compile(r":material/\w+:|:[a-z]+(-badge)?\[|:[a-z_]+:")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_SHOWN_FIELDS = {"body", "label", "help", "placeholder", "options", "content", "caption", "text",
                 "title", "value_label", "description"}
_SPEC_KEYS = {"title", "description", "text"}


def _strings(message, field_path: str = "") -> Iterable[tuple[str, str]]:
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if field.type == field.TYPE_MESSAGE:
                yield from _strings(item, field.name)
            elif field.type == field.TYPE_STRING:
                yield field.name if field.name != "content" else field_path, item


def _spec_texts(spec: object) -> Iterable[str]:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in _SPEC_KEYS and isinstance(value, str):
                yield value
            elif key in _SPEC_KEYS and isinstance(value, list):
                yield from (line for line in value if isinstance(line, str))
            elif key not in ("data", "datasets", "values"):
                yield from _spec_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _spec_texts(item)


def shown_texts(at) -> list[str]:
    """Every interface string of the run's page (the AppTest `at` after a run)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            for name, text in _strings(proto):
                if name == "spec":
                    try:
                        found.extend(_spec_texts(json.loads(text)))
                    except ValueError:
                        pass
                elif name in _SHOWN_FIELDS:
                    found.append(text)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin-letter words of `text` outside math, code, links and tags, not allowed."""
    allow = ALLOWED | set(allowed)
    for pattern in (_STYLE, _CODE, _MATH, _LINK_TARGET, _URL, _TAG, _ICON, _IDENTIFIER):
        text = pattern.sub(" ", text)
    return [word for word in _WORD.findall(text) if word not in allow and word.strip("'’") not in allow]


def english_left(at, allowed: Iterable[str] = (), skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """{shown text: its English words} for every shown text with some; `skip` lists texts that are
    the user's own content (a note's body), not the interface."""
    skipped = set(skip)
    left = {}
    for text in shown_texts(at):
        if text in skipped:
            continue
        words = english_words(text, allowed)
        if words:
            left[text[:120]] = words
    return left
