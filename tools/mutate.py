"""`make mutate`: mutmut 3 on studylab's promise-keeping modules, one module at a time.

    python tools/mutate.py                         every module in [tool.studylab.mutate], in turn
    python tools/mutate.py core/urlparams.py       one module (or several, or a table key's glob)
    python tools/mutate.py --summary [MODULE ...]  only the table of the last results
    python tools/mutate.py --survivors [MODULE ...]  the diff of each survivor not listed as equivalent
    python tools/mutate.py --equivalent [MODULE ...]  each listed equivalent mutant's diff beside its
                                                     reason (mutmut renumbers mutants when code changes)
    FRESH=1 python tools/mutate.py MODULE         forget the module's earlier results first
    MUTANTS="GLOB ..." python tools/mutate.py MODULE  only the mutants whose names match a glob
                                                  (e.g. "core.sync.merge.x_pull__mutmut_*"), rerun
                                                  even when they have a result (with --survivors
                                                  or --equivalent: only their diffs)

Each module is mutated alone and checked against only the tests listed for it in pyproject.toml's
[tool.studylab.mutate] (mutmut then runs, for each mutant, only those of them that call the mutated
function). The rest of the configuration is [tool.mutmut]; this script only narrows `only_mutate`
and the test selection for the run, by replacing mutmut's loaded Config (mutmut is pinned to 3.8).

The summary counts mutants as killed, survived, timeout, no tests or other, and as equivalent
the survivors listed in docs/mutation.md ("- `mutant name`: reason"); the score is
killed / (mutants - equivalent).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "mutation.md"
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}


def table() -> dict[str, list[str]]:
    """{module path or glob: pytest arguments selecting its tests}."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["studylab"]["mutate"]


def tests_for(module: str) -> list[str]:
    for pattern, tests in table().items():
        if fnmatch.fnmatch(module, pattern):
            return tests
    raise SystemExit(f"{module} is not in [tool.studylab.mutate] of pyproject.toml: add it with its tests")


def mutant_globs() -> list[str]:
    """The MUTANTS environment variable's globs of mutant names (none: every mutant)."""
    return os.environ.get("MUTANTS", "").split()


def run_one(module: str, jobs: int) -> int:
    """One mutmut run in this process: `module` mutated, checked against its tests."""
    from mutmut import configuration
    from mutmut.__main__ import cli

    retest_survivors(module)
    loaded = configuration.config()
    configuration._config = dataclasses.replace(
        loaded, only_mutate=[module], pytest_add_cli_args_test_selection=list(tests_for(module)))
    try:
        cli(["run", "--max-children", str(jobs), *mutant_globs()], standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def retest_survivors(module: str) -> None:
    """Mark the module's survivors (and timeouts) of the last run unchecked, so this run tries them
    against today's tests: mutmut itself keeps every result whose function did not change, and a
    new test would never get its chance. FRESH=1 drops all results of the module instead."""
    meta = ROOT / "mutants" / f"{module}.meta"
    # mutmut copies the files it does not mutate into mutants/, so after another module's run this
    # module's file there is a plain copy, newer than the source: mutmut would take it for already
    # mutated and run its mutants against unmutated code. Without it, mutmut makes the mutants
    # again (cheap) and keeps each result whose function did not change.
    (ROOT / "mutants" / module).unlink(missing_ok=True)
    # mutmut records which tests call which function only for the functions it mutated, and redoes
    # that record only when the test selection changes: two modules sharing a selection (the
    # modules of core/practice/*.py) would find no test for the second. So the record is dropped
    # whenever the module differs from the last run's.
    last = ROOT / "mutants" / "last-module.txt"
    if not last.exists() or last.read_text(encoding="utf-8") != module:
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    last.parent.mkdir(exist_ok=True)
    last.write_text(module, encoding="utf-8")
    if not meta.exists() or os.environ.get("FRESH"):
        meta.unlink(missing_ok=True)
        return
    data = json.loads(meta.read_text(encoding="utf-8"))
    codes = data["exit_code_by_key"]
    data["exit_code_by_key"] = {name: None if code not in KILLED else code for name, code in codes.items()}
    meta.write_text(json.dumps(data), encoding="utf-8")


def equivalent() -> set[str]:
    """The mutant names docs/mutation.md lists as equivalent."""
    return set(equivalent_reasons())


def equivalent_reasons() -> dict[str, str]:
    """{mutant name: the reason docs/mutation.md gives for it being equivalent}."""
    if not DOCS.exists():
        return {}
    found = re.findall(r"^- `([\w.ǁ]+__mutmut_\d+)`:? *(.*)$", DOCS.read_text(encoding="utf-8"), flags=re.M)
    return dict(found)


def files_of(modules: list[str]) -> list[Path]:
    """The module files named or matched by `modules`, each once, in order (no __init__.py)."""
    found: dict[Path, None] = {}
    for module in modules:
        matches = sorted(ROOT.glob(module)) if any(c in module for c in "*?[") else [ROOT / module]
        found.update((path.relative_to(ROOT), None) for path in matches if path.name != "__init__.py")
    return list(found)


def summary(modules: list[str]) -> None:
    """Per file: mutants, killed, survived, timeout, equivalent, other, and the score."""
    same = equivalent()
    print(f"{'module':40} {'mutants':>7} {'killed':>6} {'survived':>8} {'timeout':>7} {'equiv':>5} "
          f"{'other':>5} {'score':>6}")
    for path in files_of(modules):
        meta = ROOT / "mutants" / f"{path}.meta"
        if not meta.exists():
            print(f"{str(path):40} not measured yet")
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        killed = sum(code in KILLED for code in codes.values())
        timeout = sum(code in TIMEOUT for code in codes.values())
        survived = {name for name, code in codes.items() if code == 0}
        equal = len(survived & same)
        other = len(codes) - killed - timeout - len(survived)
        counted = len(codes) - equal
        score = f"{100 * (killed + timeout) / counted:5.1f}%" if counted else "  -"
        print(f"{str(path):40} {len(codes):7} {killed:6} {len(survived) - equal:8} {timeout:7} {equal:5} "
              f"{other:5} {score:>6}")


def survivors(modules: list[str], *, listed: bool = False) -> None:
    """The diff of every surviving mutant not listed as equivalent (or, with `listed`, of every
    mutant listed as equivalent, beside its reason, and whether it still survives), made from the
    source (mutmut's own `show` needs the module's mutated copy, which the next module's run
    replaces)."""
    import io

    from mutmut.__main__ import write_all_mutants_to_file
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    reasons = equivalent_reasons()
    globs = mutant_globs()
    for path in files_of(modules):
        meta = ROOT / "mutants" / f"{path}.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        prefix = ".".join(path.with_suffix("").parts) + "."
        if listed:
            names = sorted(name for name in reasons if name.startswith(prefix))
        else:
            names = sorted(name for name, code in codes.items() if code == 0 and name not in reasons)
        names = [name for name in names if not globs or any(fnmatch.fnmatch(name, glob) for glob in globs)]
        if not names:
            continue
        out = io.StringIO()
        write_all_mutants_to_file(out=out, source=path.read_text(encoding="utf-8"), filename=path)
        for name in names:
            status = {None: "no such mutant now", 0: "survived"}.get(codes.get(name), "killed")
            print(f"# {name}: {status}" + (f"\n# listed: {reasons[name]}" if listed else ""))
            if name in codes:
                print(get_diff_for_mutant(name, source=out.getvalue(), path=path))


def main(argv: list[str]) -> int:
    jobs = int(os.environ.get("MUTATE_JOBS", "1"))
    if argv[:1] == ["--one"]:
        return run_one(argv[1], jobs)
    if argv[:1] in (["--survivors"], ["--equivalent"]):
        os.chdir(ROOT)
        survivors(argv[1:] or list(table()), listed=argv[0] == "--equivalent")
        return 0
    only_summary = argv[:1] == ["--summary"]
    modules = [arg for arg in argv if not arg.startswith("--")] or list(table())
    if not only_summary:
        for path in files_of(modules):
            print(f"== mutmut on {path}, tests: {' '.join(tests_for(str(path)))}", flush=True)
            code = subprocess.call([sys.executable, __file__, "--one", str(path)], cwd=ROOT)
            if code:
                print(f"mutmut stopped on {path} (exit {code})")
                return code
    summary(modules)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
