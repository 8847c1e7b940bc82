"""Mutation testing of the core packages: which small faults in the code the tests catch.

mutmut (configured under ``[tool.mutmut]`` in pyproject.toml) writes every mutant of the core
packages into ``mutants/`` and records, in one run of the suite, which tests reach each
function; a mutant then runs only those tests. This script drives it in bounded steps:

* each package is run on its own, under a time budget (``--seconds``), on a fixed sample of
  its mutants (``--sample``: the same mutants every run for the same code, picked by a hash
  of their names; ``all`` takes every one), with one worker;
* ``--changed REF`` takes instead the mutants of the functions whose lines differ from the
  merge base with ``REF``, and ``--fixed`` the functions listed in :data:`FIXED_SAMPLE`: the
  short run, which fits in CI on a fresh clone. Up to ``--sample`` of those mutants (taken
  from each function in turn, the same every run) run in a fresh scratch copy
  (``test-artifacts/mutate-ci``) whose mutmut configuration mutates only those functions
  and selects only their packages' tests (:data:`TESTS`), so that mutmut's one recorded
  run of the tests is short;
* it prints a score per package (killed, timed out, survived, never reached by a test, not
  checked within the budget) and every surviving mutant as a diff, marked *equivalent*
  with the reason when it is listed in ``mutation/equivalent.yaml``;
* ``--check`` exits with status 1 when a survivor is not in that list.

Results of the per-package runs stay in ``mutants/`` between runs: a mutant already checked
is not run again until its function changes (mutmut tracks that), so repeated runs go
further.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
LOG = Path("test-artifacts") / "mutation.log"
ALLOW_LIST = ROOT / "mutation" / "equivalent.yaml"
SOURCE = Path("src")

PACKAGES = (
    "engine",
    "questionnaire",
    "definition",
    "tokens",
    "channels",
    "articles",
    "ticket",
    "wire",
)
"""The packages mutated, in the order they run."""

TARGETS = {
    "engine": 90.0,
    "questionnaire": 90.0,
    "definition": 90.0,
    "tokens": 90.0,
    "channels": 85.0,
    "articles": 85.0,
    "ticket": 85.0,
    "wire": 85.0,
}
"""The share of mutants each package's tests must detect, in percent."""

FIXED_SAMPLE = (
    "kl_contact.definition.conditions.evaluate",
    "kl_contact.questionnaire.answer_policy.visible_answers",
    "kl_contact.questionnaire.validation.is_required",
    "kl_contact.ticket.receipts.receipt_problems",
    "kl_contact.ticket.build.visible_along",
    "kl_contact.engine.present.allowed_events",
    "kl_contact.engine.transition._is_stale",
    "kl_contact.tokens.SessionTokens.open",
)
"""Functions checked under CI when a change touches none of the core packages: where the
faults the suite once missed lived (conditions, hidden answers, required_when, receipts,
Back, stale results, skipped steps, tokens)."""

DETECTED = {"killed", "timeout"}
UNDETECTED = {"survived", "no tests"}

# mutmut's exit codes for a mutant (see mutmut.stats.status_by_exit_code).
_STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    -9: "timeout",
}


def status_of(code: int | None) -> str:
    """The verdict for mutmut's exit code of a mutant (``None``: not run yet)."""
    if code is None:
        return "not checked"
    return _STATUS.get(code, "suspicious")


# --------------------------------------------------------------------------- names


def readable(mutant: str) -> str:
    """``kl_contact.engine.engine.Engine.handle`` for mutmut's name of a mutant's function.

    >>> readable("kl_contact.engine.engine.xǁEngineǁhandle__mutmut_12")
    'kl_contact.engine.engine.Engine.handle'
    >>> readable("kl_contact.tokens.x__b64__mutmut_1")
    'kl_contact.tokens._b64'
    """
    module, _, function = mutant.rsplit("__mutmut_", 1)[0].rpartition(".")
    if function.startswith("xǁ"):
        function = ".".join(function[2:].split("ǁ"))
    elif function.startswith("x_"):
        function = function[2:]
    return f"{module}.{function}"


def package_of(mutant: str) -> str:
    """The core package a mutant belongs to (``tokens`` and ``wire`` are modules)."""
    return mutant.split(".")[1]


# --------------------------------------------------------------------------- the state


@dataclass
class Mutant:
    """One mutant as mutmut recorded it."""

    name: str
    path: str
    code: int | None

    @property
    def status(self) -> str:
        return status_of(self.code)

    @property
    def function(self) -> str:
        return readable(self.name)


def recorded(base: Path = ROOT) -> list[Mutant]:
    """Every mutant mutmut has written under ``base``, with its last verdict."""
    out: list[Mutant] = []
    mutants = base / "mutants"
    for meta in sorted((mutants / SOURCE).rglob("*.py.meta")):
        data = json.loads(meta.read_text("utf-8"))
        path = str(meta.relative_to(mutants))[: -len(".meta")]
        for name, code in data.get("exit_code_by_key", {}).items():
            out.append(Mutant(name, path, code))
    return out


def sample(mutants: Iterable[Mutant], size: int | None) -> list[Mutant]:
    """A fixed sample: the ``size`` mutants whose names hash lowest (all when ``None``)."""
    ordered = sorted(mutants, key=lambda m: hashlib.sha256(m.name.encode()).hexdigest())
    return ordered if size is None else ordered[:size]


# --------------------------------------------------------------------------- changes


def changed_lines(ref: str) -> dict[str, set[int]]:
    """The lines of each source file that differ from the merge base with ``ref`` (none when
    ``ref`` is unknown, as in a clone that has only one branch)."""
    for candidate in (ref, f"origin/{ref}"):  # a fresh clone has only the remote's branch
        try:
            base = _git("merge-base", "HEAD", candidate).strip()
            break
        except subprocess.CalledProcessError:
            continue
    else:
        return {}
    diff = _git("diff", "--unified=0", "--no-color", base, "--", str(SOURCE))
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = out.setdefault(target[2:], set()) if target.startswith("b/") else None
        elif line.startswith("@@") and current is not None:
            match = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            if match:
                start, count = int(match[1]), int(match[2] or "1")
                # a pure deletion touches the line it happened before
                current.update(range(start, start + max(count, 1)))
    return out


def functions_at(path: Path, lines: set[int]) -> set[str]:
    """Qualified names (``module.Class.method``) of the top-level functions and methods of
    ``path`` that span any of ``lines``: what mutmut mutates as one unit."""
    module = ".".join(path.relative_to(SOURCE).with_suffix("").parts)
    tree = ast.parse((ROOT / path).read_text("utf-8"))
    found: set[str] = set()

    def visit(nodes: list[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if lines & set(range(first, (node.end_lineno or node.lineno) + 1)):
                    found.add(f"{module}.{prefix}{node.name}")

    visit(tree.body, "")
    return found


def functions_of(package: str) -> set[str]:
    """Every function and method mutmut mutates in a core package (``tokens`` and ``wire``
    are modules)."""
    folder = ROOT / SOURCE / "kl_contact" / package
    paths = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
    found: set[str] = set()
    for path in paths:
        lines = set(range(1, len(path.read_text("utf-8").splitlines()) + 1))
        found |= functions_at(path.relative_to(ROOT), lines)
    return found


def mutmut_glob(function: str) -> str:
    """mutmut's name pattern for every mutant of ``function`` (``module.Class.method``).

    >>> mutmut_glob("kl_contact.engine.engine.Engine.handle")
    'kl_contact.engine.engine.xǁEngineǁhandle__mutmut_*'
    """
    parts = function.split(".")
    for split in range(len(parts) - 1, 0, -1):
        if (ROOT / SOURCE / Path(*parts[:split])).with_suffix(".py").exists():
            module, rest = parts[:split], parts[split:]
            break
    else:
        raise SystemExit(f"no module under {SOURCE} holds {function}")
    name = "xǁ" + "ǁ".join(rest) if len(rest) > 1 else "x_" + rest[0]
    return ".".join([*module, name]) + "__mutmut_*"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


# --------------------------------------------------------------------------- running


def mutmut() -> list[str]:
    """The mutmut command of the interpreter running this script."""
    return [str(Path(sys.executable).with_name("mutmut"))]


WORKERS = 1
"""How many mutants run at once (``--workers``)."""


def prepare(seconds: float) -> None:
    """Write the mutants and record which tests reach each function (the first call runs the
    whole selected suite once; later calls only catch up with what changed)."""
    if not (MUTANTS / "mutmut-stats.json").exists() or not recorded():
        # mutmut needs at least one mutant name to run; this one is tiny and well tested.
        _run_mutmut(["kl_contact.ticket.receipts.*"], seconds)


def run_batch(names: list[str], seconds: float) -> bool:
    """Run the named mutants (one worker) for at most ``seconds``; whether it finished."""
    if not names:
        return True
    return _run_mutmut(names, seconds)


def _run_mutmut(
    names: list[str], seconds: float, base: Path = ROOT, log: Path = ROOT / LOG
) -> bool:
    command = [*mutmut(), "run", "--max-children", str(WORKERS), *names]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n== {time.strftime('%H:%M:%S')} {len(names)} mutant(s), {seconds:.0f} s\n")
        out.flush()
        process = subprocess.Popen(
            command, cwd=base, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=seconds)
            return process.returncode == 0
        except subprocess.TimeoutExpired:
            # mutmut stops its workers on an interrupt; whatever was checked is kept
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return False
        finally:
            if process.poll() is None:  # pragma: no cover - interrupted from outside
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _refused_its_tests() -> bool:
    """Whether the last mutmut run stopped because pytest refused the test ids it was given."""
    log = ROOT / LOG
    tail = log.read_text("utf-8", errors="replace")[-1_000_000:]
    last = tail.rsplit("\n== ", 1)[-1]
    return "BadTestExecutionCommandsException" in last


# --------------------------------------------------------------------------- the short run

TESTS = {
    "engine": ("tests/engine",),
    "questionnaire": ("tests/questionnaire",),
    "definition": ("tests/definition",),
    "tokens": ("tests/test_tokens.py",),
    "channels": ("tests/channels",),
    "articles": ("tests/articles",),
    "ticket": ("tests/ticket",),
    "wire": (
        "tests/test_wire.py",
        "tests/test_wire_contract.py",
        "tests/test_wire_documents.py",
        "tests/test_wire_errors.py",
    ),
}
"""Each package's own tests (laid out like the code): all the short run gives mutmut."""

SCRATCH = Path("test-artifacts") / "mutate-ci"
"""Where the short run copies the project and lets mutmut write its mutants."""

_NOT_COPIED = shutil.ignore_patterns("__pycache__", "node_modules", ".hypothesis", "*.pyc")


_PRAGMA = "# pragma: no mutate block"


def confine(source: str, keep: set[str]) -> str:
    """``source`` with every function and class but those named in ``keep`` (``func``,
    ``Class.method``) marked for mutmut to leave alone, on the line that ends its header:
    mutmut then writes the mutants of those functions only. Nothing else changes, not even
    a line number."""
    import libcst as cst

    class Marker(cst.CSTTransformer):
        def __init__(self) -> None:
            self.prefix: list[str] = []

        def _wanted(self, name: str) -> bool:
            qualified = ".".join([*self.prefix, name])
            return any(k == qualified or k.startswith(qualified + ".") for k in keep)

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            wanted = self._wanted(node.name.value)
            self.prefix.append(node.name.value)
            return wanted  # a class left alone as a whole needs no mark inside

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            self.prefix.pop()
            return updated if self._wanted(original.name.value) else _mark(updated)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False  # mutmut mutates a nested function as part of the outer one

        def leave_FunctionDef(
            self, original: cst.FunctionDef, updated: cst.FunctionDef
        ) -> cst.FunctionDef:
            return updated if self._wanted(original.name.value) else _mark(updated)

    def _mark(node: Any) -> Any:
        body = node.body
        if isinstance(body, cst.IndentedBlock):
            header = body.header
            text = f"{header.comment.value}  {_PRAGMA}" if header.comment else _PRAGMA
            header = header.with_changes(
                whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)
            )
            return node.with_changes(body=body.with_changes(header=header))
        # a one-line body: the pragma on its line keeps mutmut off that line
        trailing = body.trailing_whitespace
        text = f"{trailing.comment.value}  {_PRAGMA}" if trailing.comment else _PRAGMA
        trailing = trailing.with_changes(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)
        )
        return node.with_changes(body=body.with_changes(trailing_whitespace=trailing))

    return cst.parse_module(source).visit(Marker()).code


def confined(functions: set[str]) -> dict[Path, str]:
    """The source of each file that holds one of ``functions`` (qualified names), confined
    to those functions."""
    out: dict[Path, str] = {}
    for path in sorted({_module_path(f) for f in functions}):
        module = ".".join(path.relative_to(SOURCE).with_suffix("").parts)
        keep = {f[len(module) + 1 :] for f in functions if f.startswith(module + ".")}
        out[path] = confine((ROOT / path).read_text("utf-8"), keep)
    return out


def mutants_of(functions: set[str]) -> dict[str, list[Mutant]]:
    """The mutants mutmut makes of each of ``functions`` (by qualified name) in their
    :func:`confined` files, computed as mutmut computes them, without running anything;
    functions without mutants are left out."""
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    out: dict[str, list[Mutant]] = {}
    for path, source in confined(functions).items():
        cwd = Path.cwd()
        os.chdir(ROOT)  # mutmut reads its configuration from the working directory
        try:
            mutated = mutate_file_contents(str(path), source)
        finally:
            os.chdir(cwd)
        for mangled in mutated.mutant_names:
            name = get_mutant_name(path, mangled)
            if readable(name) in functions:
                out.setdefault(readable(name), []).append(Mutant(name, str(path), None))
    return out


def spread(by_function: dict[str, list[Mutant]], size: int | None) -> list[Mutant]:
    """At most ``size`` mutants taken in turn from each function (each function's in the
    fixed order of :func:`sample`), so that every function gets its share; all when ``None``.
    """
    queues = [sample(by_function[f], None) for f in sorted(by_function)]
    out: list[Mutant] = []
    while any(queues) and (size is None or len(out) < size):
        for queue in queues:
            if queue and (size is None or len(out) < size):
                out.append(queue.pop(0))
    return out


def _module_path(function: str) -> Path:
    """The source file that holds ``function`` (``module.Class.method``)."""
    parts = function.split(".")
    for split in range(len(parts) - 1, 0, -1):
        path = (SOURCE / Path(*parts[:split])).with_suffix(".py")
        if (ROOT / path).exists():
            return path
    raise SystemExit(f"no module under {SOURCE} holds {function}")


TIMEOUT_MULTIPLIER = 4.0
"""How long a mutant may run: this many times the time its tests took on the real code (plus
a second) before it counts as timed out. mutmut's own default, 15, lets a mutant that loops
for ever (one of ``Phrases._pass`` does) hold the only worker for many minutes when its tests
are slow; four times is still ample for a machine busier than when the times were taken."""


def scratch_config(files: Iterable[Path], packages: Iterable[str]) -> dict[str, object]:
    """mutmut's configuration for the short run: the project's, mutating only ``files``
    and selecting only the tests of ``packages`` (the project's exclusions kept), with a
    mutant's time bounded by :data:`TIMEOUT_MULTIPLIER` unless the project sets its own."""
    settings = dict(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"])
    settings.setdefault("timeout_multiplier", TIMEOUT_MULTIPLIER)
    exclusions = [a for a in settings.get("pytest_add_cli_args_test_selection", []) if a[:1] == "-"]
    tests = [t for p in PACKAGES if p in set(packages) for t in TESTS[p]]
    settings["only_mutate"] = sorted(str(f) for f in files)
    settings["pytest_add_cli_args_test_selection"] = [*tests, *exclusions]
    # the copy is not a repository of its own: nothing to learn from git
    settings["use_git_change_detection"] = False
    return settings


def with_mutmut_config(pyproject: str, settings: dict[str, object]) -> str:
    """``pyproject`` (the text of pyproject.toml) with its ``[tool.mutmut]`` table replaced."""
    # JSON's strings, lists and booleans are also TOML's
    table = "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
    section = re.compile(r"^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", re.MULTILINE | re.DOTALL)
    if not section.search(pyproject):
        raise SystemExit("pyproject.toml has no [tool.mutmut] table")
    return section.sub(lambda _: f"[tool.mutmut]\n{table}\n", pyproject, count=1)


def make_scratch(settings: dict[str, object], sources: dict[Path, str]) -> Path:
    """A fresh copy of what the tests need, under :data:`SCRATCH`, configured with
    ``settings`` and with ``sources`` in place of those files; its path."""
    scratch = ROOT / SCRATCH
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    copied = [str(SOURCE), "tests", *(str(p) for p in settings.get("also_copy", []))]  # type: ignore[attr-defined]
    for name in dict.fromkeys(copied):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=_NOT_COPIED)
        elif source.is_file():
            shutil.copy2(source, scratch / name)
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    (scratch / "pyproject.toml").write_text(with_mutmut_config(pyproject, settings), "utf-8")
    for path, text in sources.items():
        (scratch / path).write_text(text, "utf-8")
    return scratch


def short_run(picked: list[Mutant], seconds: float) -> tuple[Path, bool, float]:
    """Run ``picked`` in a fresh scratch copy: mutmut writes the mutants of their files only
    and records which of their packages' tests reach each function; (the copy, whether it
    finished, the seconds it took)."""
    settings = scratch_config({Path(m.path) for m in picked}, {package_of(m.name) for m in picked})
    started = time.monotonic()
    scratch = make_scratch(settings, confined({m.function for m in picked}))
    log = ROOT / SCRATCH.with_suffix(".log")
    log.unlink(missing_ok=True)
    left = seconds - (time.monotonic() - started)
    done = _run_mutmut([m.name for m in picked], left, base=scratch, log=log)
    return scratch, done, time.monotonic() - started


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Equivalent:
    """A reviewed mutant that no test can kill, because it does not change behaviour."""

    function: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    why: str


def load_allow_list(path: Path = ALLOW_LIST) -> list[Equivalent]:
    """The reviewed equivalent mutants; each entry must say why it is equivalent."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text("utf-8")) or []
    out = []
    for entry in entries:
        why = str(entry.get("why", "")).strip()
        if not why:
            raise SystemExit(f"{path}: the entry for {entry.get('function')} has no 'why'")
        out.append(
            Equivalent(
                function=entry["function"],
                before=tuple(_lines(entry.get("before", ""))),
                after=tuple(_lines(entry.get("after", ""))),
                why=why,
            )
        )
    return out


def _lines(text: str | list[str]) -> Iterator[str]:
    items = text if isinstance(text, list) else str(text).splitlines()
    for item in items:
        if item.strip():
            yield " ".join(item.split())


def diff_of(mutant: Mutant, base: Path = ROOT) -> str:
    """The unified diff between the function and its mutant (written under ``base``)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = Path.cwd()
    os.chdir(base)
    try:
        return get_diff_for_mutant(mutant.name, path=mutant.path)
    finally:
        os.chdir(cwd)


def change_of(diff: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The removed and the added lines of a diff, with their spacing normalised."""
    removed, added = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.extend(_lines(line[1:]))
        elif line.startswith("+"):
            added.extend(_lines(line[1:]))
    return tuple(removed), tuple(added)


def equivalent_for(mutant: Mutant, diff: str, allowed: list[Equivalent]) -> Equivalent | None:
    before, after = change_of(diff)
    for entry in allowed:
        if entry.function == mutant.function and (entry.before, entry.after) == (before, after):
            return entry
    return None


@dataclass
class Score:
    """The verdicts of one package's checked mutants."""

    package: str
    counts: Counter[str] = field(default_factory=Counter)
    equivalent: int = 0

    @property
    def checked(self) -> int:
        return sum(self.counts[s] for s in DETECTED | UNDETECTED | {"suspicious"})

    @property
    def percent(self) -> float | None:
        relevant = self.checked - self.equivalent
        if relevant <= 0:
            return None
        return 100.0 * sum(self.counts[s] for s in DETECTED) / relevant


def report(
    chosen: dict[str, list[Mutant]], allowed: list[Equivalent], base: Path = ROOT
) -> tuple[bool, bool]:
    """Print the scores and the survivors; (every survivor reviewed, every target reached)."""
    by_name = {m.name: m for m in recorded(base)}
    all_reviewed = True
    all_reached = True
    rows = []
    survivors: list[tuple[Mutant, str, Equivalent | None]] = []
    for package, mutants in chosen.items():
        score = Score(package)
        for picked in mutants:
            mutant = by_name.get(picked.name, picked)
            score.counts[mutant.status] += 1
            if mutant.status in UNDETECTED | {"suspicious"}:
                diff = diff_of(mutant, base)
                entry = equivalent_for(mutant, diff, allowed)
                if entry is not None:
                    score.equivalent += 1
                else:
                    all_reviewed = False
                survivors.append((mutant, diff, entry))
        percent = score.percent
        target = TARGETS[package]
        reached = percent is not None and percent >= target
        all_reached &= reached or percent is None
        rows.append((package, score, percent, target, reached))

    print()
    print("== survivors (equivalent ones say why)")
    for mutant, diff, entry in survivors:
        mark = f"equivalent: {entry.why}" if entry else mutant.status.upper()
        print(f"\n-- {mutant.function} [{mutant.name.rsplit('__', 1)[1]}] {mark}")
        for line in diff.splitlines()[2:]:
            if line.startswith(("-", "+")):
                print(f"   {line}")
    print()
    header = (
        f"{'package':<14}{'score':>7}{'target':>8}{'killed':>8}{'timeout':>8}{'survived':>9}"
        f"{'no test':>8}{'equiv.':>7}{'unchecked':>10}{'sample':>8}"
    )
    print(header)
    print("-" * len(header))
    for package, score, percent, target, reached in rows:
        shown = f"{percent:6.1f}%" if percent is not None else "     - "
        flag = "" if reached or percent is None else "  below target"
        survived = score.counts["survived"] + score.counts["suspicious"]
        print(
            f"{package:<14}{shown:>7}{target:>7.0f}%{score.counts['killed']:>8}"
            f"{score.counts['timeout']:>8}{survived:>9}"
            f"{score.counts['no tests']:>8}{score.equivalent:>7}"
            f"{score.counts['not checked']:>10}{sum(score.counts.values()):>8}{flag}"
        )
    return all_reviewed, all_reached


def print_stubs(
    chosen: dict[str, list[Mutant]], allowed: list[Equivalent], base: Path = ROOT
) -> None:
    """Allow-list entries to review for every survivor not listed yet (``why`` left empty:
    an entry without a reason is refused)."""
    by_name = {m.name: m for m in recorded(base)}
    stubs = []
    for mutants in chosen.values():
        for picked in mutants:
            mutant = by_name.get(picked.name, picked)
            if mutant.status not in UNDETECTED | {"suspicious"}:
                continue
            diff = diff_of(mutant, base)
            if equivalent_for(mutant, diff, allowed) is None:
                before, after = change_of(diff)
                stubs.append(
                    {"function": mutant.function, "before": list(before), "after": list(after)}
                )
    print()
    print(yaml.safe_dump(stubs, allow_unicode=True, sort_keys=False, width=200))


# --------------------------------------------------------------------------- main


def wanted_functions(args: argparse.Namespace) -> set[str] | None:
    """The functions to check (``None``: a sample of every package's mutants)."""
    if args.changed:
        wanted: set[str] = set()
        for path, lines in changed_lines(args.changed).items():
            if (ROOT / path).exists() and path.endswith(".py"):
                wanted |= functions_at(Path(path), lines)
        core = {f for f in wanted if package_of(f) in PACKAGES}
        if core:
            return core
        print(f"no core function differs from {args.changed}: checking the fixed sample")
        return set(FIXED_SAMPLE)
    if args.fixed:
        return set(FIXED_SAMPLE)
    if args.own_tests:
        return set().union(*(functions_of(p) for p in packages_of(args)))
    return None


def packages_of(args: argparse.Namespace) -> list[str]:
    """The packages ``--packages`` names, in the order given."""
    packages = [p for p in args.packages.split(",") if p]
    unknown = set(packages) - set(PACKAGES)
    if unknown:
        raise SystemExit(f"unknown package(s): {', '.join(sorted(unknown))}")
    return packages


def choose(args: argparse.Namespace, mutants: list[Mutant]) -> dict[str, list[Mutant]]:
    """The fixed sample of each package's mutants."""
    packages = packages_of(args)
    size = None if args.sample == "all" else int(args.sample)
    chosen: dict[str, list[Mutant]] = {}
    for package in packages:
        chosen[package] = sample([m for m in mutants if package_of(m.name) == package], size)
    return {p: ms for p, ms in chosen.items() if ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", default=",".join(PACKAGES))
    parser.add_argument("--sample", default=os.environ.get("MUTATE_SAMPLE", "200"))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("MUTATE_SECONDS", "300"))
    )
    parser.add_argument("--workers", type=int, default=1, help="mutants run at once")
    parser.add_argument("--changed", metavar="REF", help="the functions changed since REF")
    parser.add_argument("--fixed", action="store_true", help="the fixed sample of functions")
    parser.add_argument(
        "--own-tests",
        action="store_true",
        help="every function of --packages, each package against its own tests only, "
        "in a fresh scratch copy",
    )
    parser.add_argument("--check", action="store_true", help="fail on an unreviewed survivor")
    parser.add_argument("--report-only", action="store_true", help="run nothing, report")
    parser.add_argument(
        "--stubs", action="store_true", help="print allow-list entries for unreviewed survivors"
    )
    args = parser.parse_args(argv)
    global WORKERS, SCRATCH
    WORKERS = max(1, args.workers)
    if args.own_tests:  # a copy of its own, so that one package's results stay beside another's
        SCRATCH = SCRATCH.with_name("mutate-" + "-".join(packages_of(args)))

    allowed = load_allow_list()
    wanted = wanted_functions(args)
    if wanted is not None:
        return main_short(args, wanted, allowed)
    if not args.report_only:
        prepare(max(args.seconds, 600.0))
    chosen = choose(args, recorded())
    if not args.report_only:
        for package, mutants in chosen.items():
            # survivors run again too: a test written since may kill them now
            todo = [m for m in mutants if m.status in {"not checked", *UNDETECTED}]
            started = time.monotonic()
            done = run_batch([m.name for m in todo], args.seconds)
            elapsed = time.monotonic() - started
            if not done and elapsed < args.seconds / 2 and _refused_its_tests():
                # mutmut refused to start the batch's tests at all (seen with some large
                # sets of test ids): run the package module by module instead
                for module in sorted({m.path for m in todo}):
                    left = args.seconds - (time.monotonic() - started)
                    if left < 30:
                        break
                    names = [m.name for m in todo if m.path == module]
                    done = run_batch(names, left) and done
                elapsed = time.monotonic() - started
            state = "done" if done else "budget reached"
            print(f"{package}: {len(todo)} mutant(s) to check, {elapsed:.0f} s, {state}")
    return finish(args, chosen, allowed, ROOT)


def main_short(args: argparse.Namespace, wanted: set[str], allowed: list[Equivalent]) -> int:
    """The short run: a spread sample of the mutants of ``wanted``, in a scratch copy."""
    size = None if args.sample == "all" else int(args.sample)
    by_function = mutants_of(wanted)
    if not by_function and wanted != set(FIXED_SAMPLE):
        print("the changed functions have no mutants: checking the fixed sample")
        by_function = mutants_of(set(FIXED_SAMPLE))
    if args.own_tests:  # a package's score: its mutants in proportion, as `make mutate` takes them
        picked = sample([m for ms in by_function.values() for m in ms], size)
    else:
        picked = spread(by_function, size)
    chosen: dict[str, list[Mutant]] = {}
    for mutant in picked:
        chosen.setdefault(package_of(mutant.name), []).append(mutant)
    scratch = ROOT / SCRATCH
    elapsed = 0.0
    if picked and not args.report_only:
        scratch, done, elapsed = short_run(picked, args.seconds)
        if not done and elapsed < args.seconds / 2:
            print(f"mutmut stopped after {elapsed:.0f} s: see {SCRATCH.with_suffix('.log')}")
            return 1
    status = finish(args, chosen, allowed, scratch)
    by_name = {m.name: m for m in recorded(scratch)}
    verdicts = Counter(by_name.get(m.name, m).status for m in picked)
    checked = len(picked) - verdicts["not checked"]
    print(
        f"\nshort run: {checked} of {len(picked)} mutant(s) checked "
        f"(of {sum(map(len, by_function.values()))} in {len(by_function)} function(s), "
        f"{', '.join(chosen) or 'no package'}), "
        f"{verdicts['killed'] + verdicts['timeout']} detected, {elapsed:.0f} s"
    )
    return status


def finish(
    args: argparse.Namespace,
    chosen: dict[str, list[Mutant]],
    allowed: list[Equivalent],
    base: Path,
) -> int:
    """Print the report of the mutants in ``chosen`` as mutmut left them under ``base``;
    the exit status."""
    reviewed, reached = report(chosen, allowed, base)
    by_name = {m.name: m for m in recorded(base)}
    unchecked = sum(
        by_name.get(m.name, m).code is None for mutants in chosen.values() for m in mutants
    )
    if unchecked:
        print(f"\n{unchecked} mutant(s) were not checked within the budget.")
    if args.stubs:
        print_stubs(chosen, allowed, base)
    if args.check and not reviewed:
        print("\nA mutant survived that mutation/equivalent.yaml does not list: add a test")
        print("that kills it, or list it there with the reason it cannot change behaviour.")
        return 1
    if not reached:
        print("\nSome packages are below their target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
