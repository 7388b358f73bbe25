"""Run chosen mutants of mutmut's ``mutants/`` copy against a chosen test selection (docs/mutation.md).

mutmut 3.8's own runner first runs the whole ``[tool.mutmut]`` test selection for its statistics and
then every test that reached a mutant's function; on a shared 2-core machine that is hours for
``engine/step.py``. This runs the named mutants only, each against the few tests given, in one
child process per mutant forked after the test modules were collected once (so a mutant costs its
tests, not pytest's start-up: 3-5 s instead of 10-14 s). It uses mutmut's own trampoline
(``MUTANT_UNDER_TEST``), so the verdicts are the ones mutmut's runner would give with that selection.

    rm -rf mutants && python tests/mutation_by_hand.py generate   # mutmut's copy and mutants, no test run
    DUBAN_SKIP_PG=1 nice -n 10 python tests/mutation_by_hand.py out.jsonl 300 \\
        '["tests/test_step_pipeline.py", "-k", "start_and_a_step"]' \\
        none engine.step.x_start_in__mutmut_3 "engine.step.xǁStepǁwrite__mutmut_52"

Mutants of what changed since a commit (the mutated line is one the diff from BASE to HEAD adds; a
reindented line counts as added), one line per function with its mutant names, for the command above:

    python tests/mutation_by_hand.py changed 0e3939d engine/timer_sweep.py engine/worker.py

``none`` runs the selection unmutated (it must come out "survived", or the selection is broken).
One JSON line per mutant is appended to the output file (``killed``/``survived``/``timeout``) and
each mutant's pytest output is kept under ``mutants/by_hand_logs/``. ``--tb=no`` is always passed:
pytest's traceback of a failure in the mutated ``engine/step.py`` (26,000 lines, every mutant in it)
re-parses the file per frame, 70-90 s per killed mutant on a loaded machine.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate() -> None:
    """``mutants/`` as ``mutmut run`` makes it before running anything (mutmut 3.8's own steps)."""
    from mutmut.__main__ import (copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths,
                                 store_lines_covered_by_tests)
    from mutmut.mutation.trampoline import set_mutant_under_test

    os.chdir(ROOT)
    set_mutant_under_test("mutant_generation")
    (ROOT / "mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    store_lines_covered_by_tests()
    print(create_mutants(1))


def _defs(source: str) -> dict[str, list[str]]:
    """The mutmut functions of a mutated module (top level and methods), by name: their lines."""
    import ast

    lines = source.splitlines()
    tree = ast.parse(source)
    nodes = list(tree.body) + [m for c in tree.body if isinstance(c, ast.ClassDef) for m in c.body]
    return {n.name: lines[n.lineno:n.end_lineno] for n in nodes
            if isinstance(n, ast.FunctionDef) and "__mutmut_" in n.name}


def changed(base: str, paths: list[str]) -> None:
    """Print, per function, the mutants of ``paths`` whose mutated line was added since ``base``."""
    import difflib
    import re
    import subprocess

    for path in paths:
        diff = subprocess.run(["git", "-C", str(ROOT), "diff", "-U0", base, "HEAD", "--", path],
                              capture_output=True, text=True, check=True).stdout
        added = {line[1:].strip() for line in diff.splitlines()
                 if line.startswith("+") and not line.startswith("+++") and line[1:].strip()}
        defs = _defs((ROOT / "mutants" / path).read_text(encoding="utf-8"))
        module = path[:-3].replace("/", ".")
        found: dict[str, list[str]] = {}
        for name, body in defs.items():
            m = re.match(r"(.+)__mutmut_(\d+)$", name)
            if not m:
                continue
            original = defs[m.group(1) + "__mutmut_orig"]
            gone = [line[2:].strip() for line in difflib.ndiff(original, body) if line.startswith("- ")]
            if any(line in added for line in gone):
                found.setdefault(m.group(1), []).append(f"{module}.{name}")
        for function, names in found.items():
            print(function, len(names), " ".join(names))


def main(out: str, timeout: int, selection: list[str], names: list[str]) -> None:
    mutants = ROOT / "mutants"
    logs = mutants / "by_hand_logs"
    logs.mkdir(exist_ok=True)
    out_path = Path(out).resolve()
    os.chdir(mutants)
    sys.path.insert(0, str(mutants))
    os.environ["PYTHONPATH"] = str(mutants)  # the evaluator workers import the same copy
    import pytest

    args = ["-p", "no:cacheprovider", "-q", "--tb=no", *selection]
    pytest.main(["--collect-only", *args])  # plugins, conftest and test modules imported once, here
    for name in names:
        began = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.environ["MUTANT_UNDER_TEST"] = name
            fd = os.open(logs / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.setpgid(0, 0)
            signal.alarm(timeout)
            os._exit(int(pytest.main(["-x", *args])))
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            verdict = "timeout" if os.WTERMSIG(status) == signal.SIGALRM else f"signal {os.WTERMSIG(status)}"
            try:
                os.killpg(pid, signal.SIGKILL)  # the child's own group: its evaluator workers
            except ProcessLookupError:
                pass
        else:
            verdict = {0: "survived", 1: "killed"}.get(os.WEXITSTATUS(status), f"exit {os.WEXITSTATUS(status)}")
        record = {"name": name, "verdict": verdict, "seconds": round(time.monotonic() - began, 1)}
        with open(out_path, "a") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(record, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["generate"]:
        generate()
    elif sys.argv[1:2] == ["changed"]:
        changed(sys.argv[2], sys.argv[3:])
    else:
        main(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4:])
