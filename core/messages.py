"""The message catalogue: gettext with Babel, for core and ui alike (no streamlit here).

Text that reaches the page is written in English in the code and wrapped: ``_("Notes")``,
``ngettext("{count} note", "{count} notes", n).format(count=n)``, or ``N_("Journal")`` for a
module-level constant that is translated where it is shown (``_(SECTION)``). The translations
live in ``locales/<lang>/LC_MESSAGES/messages.po`` (in the repository); they are compiled in
memory on first use and again whenever a ``.po`` file changes, so there is no build step.
``make messages`` (pybabel extract + update, configured in babel.cfg) finds new strings.
Text made once and read by many sessions (a cached library's reasons) is a ``Message``: the msgid
and its values, translated each time it is read (``str(message)``).

The language is set once per Streamlit run by ``ui.i18n`` (``set_language``) and read here
per thread: each session's script run has its own thread, so two sessions never see each
other's language. Dates and numbers follow it too (``format_date``, ``format_number``).

Imports none of core's packages, so the labs, practice generators and the journal may all use it.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import threading
from collections.abc import Callable
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile

LANGUAGES = ("en", "ko")
NAMES = {"en": "English", "ko": "한국어"}
DEFAULT = "en"
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

_state = threading.local()
_compiled: dict[str, tuple[float, _gettext.NullTranslations]] = {}
_compile_lock = threading.Lock()


def normalize(value: object) -> str | None:
    """'ko', 'ko-KR', 'ko_KR', 'KO' -> 'ko'; a language we have, else None."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def set_language(lang: str | None) -> str:
    """Make `lang` (normalized; English when unknown) this thread's language; returns it."""
    chosen = normalize(lang) or DEFAULT
    _state.lang = chosen
    return chosen


_fallback: Callable[[], str | None] | None = None


def set_fallback(resolver: Callable[[], str | None] | None) -> None:
    """Where a thread that was never told its language asks for it (ui.i18n registers the
    session's choice: a widget callback runs before the run has chosen its language)."""
    global _fallback
    _fallback = resolver


def language() -> str:
    """This thread's language: as set, else the fallback's answer, else English."""
    chosen = getattr(_state, "lang", None)
    if chosen is None and _fallback is not None:
        chosen = normalize(_fallback())
    return chosen or DEFAULT


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of `lang`, rebuilt when its .po file changed; English (the msgids
    themselves) when the language has no catalogue."""
    path = po_path(lang)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return _gettext.NullTranslations()
    cached = _compiled.get(lang)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _compile_lock:
        with path.open("rb") as source:
            catalog = pofile.read_po(source, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        mofile.write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        compiled = _gettext.GNUTranslations(buffer)
        _compiled[lang] = (stamp, compiled)
    return compiled


def gettext(message: str) -> str:
    """`message` in this thread's language (itself when it has no translation)."""
    return translations(language()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of `singular`/`plural` that fits `count` in this thread's language (Korean has one)."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it now (module-level constants)."""
    return message


def locale() -> Locale:
    return Locale.parse({"en": "en_US", "ko": "ko_KR"}[language()])


def format_date(day: dt.date, format: str = "medium") -> str:
    """A date as the language writes it: 'Aug 5, 2021', '2021. 8. 5.'."""
    return dates.format_date(day, format=format, locale=locale())


def format_number(value: float, decimals: int | None = None) -> str:
    """A number with the language's separators; `decimals` fixes the digits after the point."""
    if decimals is None:
        return numbers.format_decimal(value, locale=locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=locale())


def count(value: int, singular: str, plural: str) -> str:
    """`ngettext` with the number filled in: count(3, '{count} note', '{count} notes') -> '3 notes'."""
    return ngettext(singular, plural, value).format(count=format_number(value))


class Message:
    """A message kept language-neutral and translated when it is read: its msgid (mark it with
    ``N_`` so the catalogue has it) and its placeholders' values.

    For text that is made once and shown to many sessions: the notes library is parsed once and
    shared by every session (whatever each one's language), so a note's warnings and a file's
    problem are kept as Messages and put into words only where they are shown: ``str(message)``
    (or ``format``, an f-string, ``"{reason}".format(reason=message)``) gives them in this
    thread's language. A value that is a Message itself is translated too (a file's kind inside
    a sentence); other values are filled in as they are.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: object):
        self.msgid = msgid
        self.params = tuple(sorted(params.items()))

    def __str__(self) -> str:
        translated = gettext(self.msgid)
        if not self.params:  # a message without placeholders is shown as it is (braces and all)
            return translated
        return translated.format(**{name: str(value) if isinstance(value, Message) else value
                                    for name, value in self.params})

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        params = "".join(f", {name}={value!r}" for name, value in self.params)
        return f"Message({self.msgid!r}{params})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, self.params))

    def __reduce__(self):
        return _message, (self.msgid, self.params)


def _message(msgid: str, params: tuple) -> Message:
    return Message(msgid, **dict(params))

