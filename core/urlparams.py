"""A lab's state in its URL: the query parameters that stand for its controls, checked and written.

Each control has a `Param`: its short name in the URL, the session key of its widget, its kind
and its default. `parse` turns query parameters into control values and, for every parameter
that is unknown, malformed or out of range, a sentence naming it (the control keeps its
default); `encode` writes the values that differ from their defaults, so a link stays short
and the defaults never show. Shared by both labs; it imports none of core's packages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from core.messages import N_, _

Value = Any
MAX_LIST = 12
MAX_MATRIX_SIDE = 7


@dataclass(frozen=True)
class Param:
    """One control in the URL.

    kind: "int", "float", "bool", "choice" (one of `codes`), "choices" (a comma list of codes),
    "floats" (a comma list of numbers), "ints" (a comma list of whole numbers), "matrix"
    (rows of numbers: "1,0,-1;2,0,-2") or "text" (what a text box holds, at most `size[1]`
    printable characters; the page reads it and says what is wrong with it). `codes` maps a URL
    code to the widget's value for choices ({"deep": "Deep RNN (tanh)"}); `low`/`high` bound
    numbers; `step` rounds floats to the slider's grid (float noise in a link is harmless) and
    refuses whole numbers off it (a link with draws=15 for a slider of 10, 20, ... is wrong, and
    says so); `size` bounds list lengths (low, high).
    """

    name: str
    key: str
    kind: str
    default: Value
    low: float | None = None
    high: float | None = None
    step: float | None = None
    codes: dict[str, Value] = field(default_factory=dict)
    size: tuple[int, int] = (0, MAX_LIST)

    def describe(self) -> str:
        """What the parameter accepts, for a student (in the interface language)."""
        if self.kind in ("choice", "choices"):
            listed = ", ".join(self.codes)
            return (_("one of {listed}") if self.kind == "choice"
                    else _("a comma-separated list of {listed}")).format(listed=listed)
        if self.kind == "bool":
            return _("true or false")
        if self.kind == "text":
            return _("text of at most {count} characters").format(count=self.size[1])
        bounded = self.low is not None and self.high is not None
        texts = _BOUNDED_KINDS if bounded else _KINDS
        if self.kind not in texts:
            return self.kind
        return _(texts[self.kind]).format(low=f"{self.low:g}" if bounded else "", high=f"{self.high:g}" if bounded
                                          else "", side=MAX_MATRIX_SIDE)


# What a number parameter accepts, without and with bounds (Param.describe).
_KINDS = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "floats": N_("a comma-separated list of numbers"),
    "ints": N_("a comma-separated list of whole numbers"),
    "matrix": N_("rows of numbers, numbers split by ',' and rows by ';' (at most {side}×{side})"),
}
_BOUNDED_KINDS = {
    "int": N_("a whole number from {low} to {high}"),
    "float": N_("a number from {low} to {high}"),
    "floats": N_("a comma-separated list of numbers from {low} to {high}"),
    "ints": N_("a comma-separated list of whole numbers from {low} to {high}"),
    "matrix": N_("rows of numbers from {low} to {high}, numbers split by ',' and rows by ';' (at most {side}×{side})"),
}


class ParamError(ValueError):
    """A query value that does not fit its parameter."""


# Parameters every page of the app accepts, which are not a lab's settings: the interface language (ui.i18n).
APP_PARAMS = ("lang",)


def parse(query: Mapping[str, str | list[str]], params: Iterable[Param],
          ignored: Iterable[str] = APP_PARAMS) -> tuple[dict[str, Value], list[str]]:
    """Control values {session key: value} for the parameters present in `query`, and a notice
    for each parameter that is unknown (not in `params` or `ignored`) or cannot be used."""
    params = list(params)
    by_name = {param.name: param for param in params}
    values: dict[str, Value] = {}
    notices = []
    for name, raw in query.items():
        text = raw[-1] if isinstance(raw, list) else raw
        param = by_name.get(name)
        if param is None:
            if name not in ignored:
                notices.append(_("The link's parameter '{name}' is not a setting of this lab, so it was ignored.")
                               .format(name=name))
            continue
        try:
            values[param.key] = read(param, str(text))
        except ParamError as err:
            default = write(param, param.default) if param.default is not None else ""
            kept = (_("It stays at {default}.").format(default=default) if default
                    else _("It stays at the lab's default."))
            notice = _("The link's {name}={value} could not be used ({reason}); {name} is {accepts}. {kept}")
            notices.append(notice.format(name=name, value=_shown(str(text)), reason=err, accepts=param.describe(),
                                         kept=kept))
    return values, notices


def encode(values: Mapping[str, Value], params: Iterable[Param], always: Iterable[str] = ()) -> dict[str, str]:
    """The query parameters for `values` {session key: value}: those not at their default, and the
    parameters named in `always` (so a lab's own link is never empty: an empty query means the
    student arrived from the navigation, with the lab as they left it)."""
    always = set(always)
    query = {}
    for param in params:
        if param.key not in values or values[param.key] is None:
            continue
        value = values[param.key]
        if param.name in always or not _same(value, param.default):
            query[param.name] = write(param, value)
    return query


def read(param: Param, text: str) -> Value:
    """One query value as the control's value; ParamError saying what is wrong."""
    text = text.strip()
    if param.kind == "text":
        if len(text) > param.size[1]:
            raise ParamError(_("longer than {count} characters").format(count=param.size[1]))
        if not text.isprintable():
            raise ParamError(_("it holds characters that are not text"))
        return text
    if param.kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ParamError(_("not true or false"))
    if param.kind == "choice":
        if text not in param.codes:
            raise ParamError(_("not one of the choices"))
        return param.codes[text]
    if param.kind == "choices":
        items = [item.strip() for item in text.split(",") if item.strip()] if text else []
        unknown = [item for item in items if item not in param.codes]
        if unknown:
            raise ParamError(_("'{value}' is not one of the choices").format(value=_shown(unknown[0])))
        items = list(dict.fromkeys(items))  # a repeated choice counts once
        _check_length(param, items)
        return [param.codes[item] for item in items]
    if param.kind in ("floats", "ints"):
        items = [item for item in text.split(",") if item.strip()]
        _check_length(param, items)
        return [_number(param, item, whole=param.kind == "ints") for item in items]
    if param.kind == "matrix":
        rows = [row for row in text.split(";") if row.strip()]
        matrix = [[_number(param, item, whole=False) for item in row.split(",")] for row in rows]
        if not matrix or len(matrix) > MAX_MATRIX_SIDE or any(len(row) != len(matrix[0]) for row in matrix) \
                or len(matrix[0]) > MAX_MATRIX_SIDE:
            raise ParamError(_("the rows must all have the same length, at most 7 numbers in at most 7 rows"))
        return matrix
    return _number(param, text, whole=param.kind == "int")


def write(param: Param, value: Value) -> str:
    """A control's value as its query text (the inverse of `read`)."""
    if param.kind == "bool":
        return "true" if value else "false"
    if param.kind == "choice":
        return _code(param, value)
    if param.kind == "choices":
        return ",".join(_code(param, item) for item in value)
    if param.kind in ("floats", "ints"):
        return ",".join(_number_text(item) for item in value)
    if param.kind == "matrix":
        return ";".join(",".join(_number_text(item) for item in row) for row in value)
    if param.kind == "text":
        return str(value)
    return _number_text(value)


def _number(param: Param, text: str, *, whole: bool) -> float | int:
    try:
        number = float(text.strip())
    except ValueError:
        raise ParamError(_("not a number")) from None
    if not math.isfinite(number):
        raise ParamError(_("not a finite number"))
    if whole:
        if number != int(number):
            raise ParamError(_("not a whole number"))
        number = int(number)
        if param.step and param.low is not None and (number - param.low) % param.step:
            raise ParamError(_("not on the slider's steps ({first}, {second}, {third}, …)").format(
                first=_number_text(param.low), second=_number_text(param.low + param.step),
                third=_number_text(param.low + 2 * param.step)))
    elif param.step:
        number = round(round(number / param.step) * param.step, 10)
    if (param.low is not None and number < param.low) or (param.high is not None and number > param.high):
        raise ParamError(_("out of range"))
    return number


def _check_length(param: Param, items: list) -> None:
    low, high = param.size
    if not low <= len(items) <= high:
        raise ParamError(_("a list of {count}, not {low} to {high} items").format(count=len(items), low=low, high=high))


def _code(param: Param, value: Value) -> str:
    for code, choice in param.codes.items():
        if choice == value:
            return code
    return str(value)


def _number_text(value: float | int) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.10g}"


def _same(value: Value, default: Value) -> bool:
    if isinstance(value, float) or isinstance(default, float):
        try:
            return math.isclose(float(value), float(default), rel_tol=0, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return len(value) == len(default) and all(_same(a, b) for a, b in zip(value, default, strict=True))
    return value == default


def _shown(text: str, limit: int = 40) -> str:
    """A user's text, cut short and without characters that would break the sentence it goes in."""
    clean = "".join(char if char.isprintable() else "?" for char in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
