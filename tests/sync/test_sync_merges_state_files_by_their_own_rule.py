"""A state file given a merge function (the review log) is merged by that function, which gets both
sides' bytes, and b"" for a side that does not have the file yet.

Written against the mutants `make mutate MODULE=core/sync/merge.py` left alive (docs/mutation.md).
"""

from __future__ import annotations

import pytest

from core.sync import gitcli, merge
from tests.sync.test_sync import note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")

LOG = ".studylab/reviews.jsonl"


def recording(calls: list[tuple[bytes, bytes]]):
    def merger(ours: bytes, theirs: bytes) -> bytes:
        calls.append((ours, theirs))
        return merge.union_lines(ours, theirs)

    return {LOG: merger}


def test_a_log_only_the_other_machine_has_is_merged_with_nothing_here(laptop, desktop):
    (desktop / ".studylab").mkdir(exist_ok=True)
    write(desktop, LOG, '{"at": "2021-08-06T10:00:00", "card": "x"}\n')
    merge.sync(desktop)
    write(laptop, "a.md", note("A", "changed here meanwhile"))
    calls = []
    merge.sync(laptop, merge_state=recording(calls))
    assert calls == [(b"", b'{"at": "2021-08-06T10:00:00", "card": "x"}\n')]
    assert (laptop / LOG).read_bytes() == b'{"at": "2021-08-06T10:00:00", "card": "x"}\n'


def test_a_log_only_this_machine_has_is_merged_with_nothing_from_there(laptop, desktop):
    write(desktop, "b.md", note("B", "changed there"))
    merge.sync(desktop)
    (laptop / ".studylab").mkdir(exist_ok=True)
    write(laptop, LOG, '{"at": "2021-08-06T11:00:00", "card": "y"}\n')
    calls = []
    merge.sync(laptop, merge_state=recording(calls))
    assert calls == [(b'{"at": "2021-08-06T11:00:00", "card": "y"}\n', b"")]
    assert (laptop / LOG).read_bytes() == b'{"at": "2021-08-06T11:00:00", "card": "y"}\n'
    assert "changed there" in (laptop / "b.md").read_text(encoding="utf-8")
