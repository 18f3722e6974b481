"""The sync tests' shared fixtures: a bare remote with two clones (laptop, desktop) and a
laptop with an attacker's clone (pair)."""

from tests.sync.test_sync import desktop, isolated_git, laptop, remote  # noqa: F401 (fixtures)
from tests.sync.test_sync_attacks import pair  # noqa: F401 (fixtures)
