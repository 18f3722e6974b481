"""The conftest puts `sys.modules['__main__']` back after every test, as AppTest does not: a process
started with multiprocessing's spawn after a page test would otherwise re-run app.py."""

from __future__ import annotations

import sys
import types

ORIGINAL = sys.modules["__main__"]


def test_a_test_that_replaces_main_like_apptest():
    fake = types.ModuleType("__main__")
    fake.__file__ = "app.py"
    sys.modules["__main__"] = fake


def test_the_next_test_sees_the_real_main_again():
    assert sys.modules["__main__"] is ORIGINAL
    assert getattr(sys.modules["__main__"], "__file__", "") != "app.py"
