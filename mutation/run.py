"""Mutation testing of the core packages: which small faults in the code the tests catch.

mutmut (configured under ``[tool.mutmut]`` in pyproject.toml) writes every mutant of the core
packages into ``mutants/`` and records, in one run of the suite, which tests reach each
function; a mutant then runs only those tests. This script drives it in bounded steps:

* each package is run on its own, under a time budget (``--seconds``), on a fixed sample of
  its mutants (``--sample``: the same mutants every run for the same code, picked by a hash
  of their names; ``all`` takes every one), with one worker;
* ``--changed REF`` takes instead the mutants of the functions whose lines differ from the
  merge base with ``REF``, and ``--fixed`` the functions listed in :data:`FIXED_SAMPLE`;
* it prints a score per package (killed, timed out, survived, never reached by a test, not
  checked within the budget) and every surviving mutant as a diff, marked *equivalent*
  with the reason when it is listed in ``mutation/equivalent.yaml``;
* ``--check`` exits with status 1 when a survivor is not in that list.

Results stay in ``mutants/`` between runs: a mutant already checked is not run again until
its function changes (mutmut tracks that), so repeated runs go further.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
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


def recorded() -> list[Mutant]:
    """Every mutant mutmut has written, with its last verdict."""
    out: list[Mutant] = []
    for meta in sorted((MUTANTS / SOURCE).rglob("*.py.meta")):
        data = json.loads(meta.read_text("utf-8"))
        path = str(meta.relative_to(MUTANTS))[: -len(".meta")]
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
    try:
        base = _git("merge-base", "HEAD", ref).strip()
    except subprocess.CalledProcessError:
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


def _run_mutmut(names: list[str], seconds: float) -> bool:
    command = [*mutmut(), "run", "--max-children", "1", *names]
    log = MUTANTS.parent / "test-artifacts" / "mutation.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n== {time.strftime('%H:%M:%S')} {len(names)} mutant(s), {seconds:.0f} s\n")
        out.flush()
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
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
    log = MUTANTS.parent / "test-artifacts" / "mutation.log"
    tail = log.read_text("utf-8", errors="replace")[-1_000_000:]
    last = tail.rsplit("\n== ", 1)[-1]
    return "BadTestExecutionCommandsException" in last


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


def diff_of(mutant: Mutant) -> str:
    """The unified diff between the function and its mutant."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = Path.cwd()
    os.chdir(ROOT)
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


def report(chosen: dict[str, list[Mutant]], allowed: list[Equivalent]) -> tuple[bool, bool]:
    """Print the scores and the survivors; (every survivor reviewed, every target reached)."""
    by_name = {m.name: m for m in recorded()}
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
                diff = diff_of(mutant)
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


def print_stubs(chosen: dict[str, list[Mutant]], allowed: list[Equivalent]) -> None:
    """Allow-list entries to review for every survivor not listed yet (``why`` left empty:
    an entry without a reason is refused)."""
    by_name = {m.name: m for m in recorded()}
    stubs = []
    for mutants in chosen.values():
        for picked in mutants:
            mutant = by_name.get(picked.name, picked)
            if mutant.status not in UNDETECTED | {"suspicious"}:
                continue
            diff = diff_of(mutant)
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
    return None


def choose(
    args: argparse.Namespace, mutants: list[Mutant], wanted: set[str] | None
) -> dict[str, list[Mutant]]:
    """The mutants to check, per package."""
    packages = [p for p in args.packages.split(",") if p]
    unknown = set(packages) - set(PACKAGES)
    if unknown:
        raise SystemExit(f"unknown package(s): {', '.join(sorted(unknown))}")
    size = None if args.sample == "all" else int(args.sample)
    chosen: dict[str, list[Mutant]] = {}
    for package in packages:
        mine = [m for m in mutants if package_of(m.name) == package]
        if wanted is not None:
            chosen[package] = [m for m in mine if m.function in wanted]
        else:
            chosen[package] = sample(mine, size)
    return {p: ms for p, ms in chosen.items() if ms}


def _names(chosen: dict[str, list[Mutant]]) -> set[str]:
    return {m.name for mutants in chosen.values() for m in mutants}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", default=",".join(PACKAGES))
    parser.add_argument("--sample", default=os.environ.get("MUTATE_SAMPLE", "200"))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("MUTATE_SECONDS", "300"))
    )
    parser.add_argument("--changed", metavar="REF", help="the functions changed since REF")
    parser.add_argument("--fixed", action="store_true", help="the fixed sample of functions")
    parser.add_argument("--check", action="store_true", help="fail on an unreviewed survivor")
    parser.add_argument("--report-only", action="store_true", help="run nothing, report")
    parser.add_argument(
        "--stubs", action="store_true", help="print allow-list entries for unreviewed survivors"
    )
    args = parser.parse_args(argv)

    allowed = load_allow_list()
    wanted = wanted_functions(args)
    if wanted is not None:
        # a few functions: one run of mutmut for all of them, under one budget
        if not args.report_only:
            started = time.monotonic()
            done = _run_mutmut(sorted({mutmut_glob(f) for f in wanted}), args.seconds)
            elapsed = time.monotonic() - started
            if not done and elapsed < args.seconds / 2:
                print(f"mutmut stopped after {elapsed:.0f} s: see test-artifacts/mutation.log")
                return 1
            state = "done" if done else "budget reached"
            print(f"{len(wanted)} function(s), {elapsed:.0f} s, {state}")
        chosen = choose(args, recorded(), wanted)
    else:
        if not args.report_only:
            prepare(max(args.seconds, 600.0))
        chosen = choose(args, recorded(), None)
    if wanted is None and not args.report_only:
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
    reviewed, reached = report(chosen, allowed)
    unchecked = sum(m.code is None for m in recorded() if m.name in _names(chosen))
    if unchecked:
        print(f"\n{unchecked} mutant(s) were not checked within the budget.")
    if args.stubs:
        print_stubs(chosen, allowed)
    if args.check and not reviewed:
        print("\nA mutant survived that mutation/equivalent.yaml does not list: add a test")
        print("that kills it, or list it there with the reason it cannot change behaviour.")
        return 1
    if not reached:
        print("\nSome packages are below their target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
