"""The mutation-testing driver (mutation/run.py): mutant names, the allow-list of equivalent
mutants (each entry well-formed, with a reason, and still matching the code it names), and
the functions a change touches."""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT / "mutation" / "run.py").exists():
    # mutmut runs a copy of the tests beside mutated sources, without the driver
    pytest.skip("the mutation driver is not beside these tests", allow_module_level=True)
_spec = importlib.util.spec_from_file_location("mutation_run", ROOT / "mutation" / "run.py")
assert _spec is not None
assert _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
sys.modules["mutation_run"] = run
_spec.loader.exec_module(run)

DIFF = """--- src/kl_contact/tokens.py
+++ src/kl_contact/tokens.py
@@ -1,3 +1,3 @@
 def _b64(data: bytes) -> str:
-    return   base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
+    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ASCII")
"""


@pytest.mark.parametrize(
    ("mutant", "function"),
    [
        (
            "kl_contact.engine.engine.xǁEngineǁhandle__mutmut_12",
            "kl_contact.engine.engine.Engine.handle",
        ),
        ("kl_contact.tokens.x__b64__mutmut_1", "kl_contact.tokens._b64"),
        ("kl_contact.wire.x_dump_session__mutmut_3", "kl_contact.wire.dump_session"),
    ],
)
def test_mutant_names_read_as_functions_and_back(mutant: str, function: str) -> None:
    assert run.readable(mutant) == function
    assert run.mutmut_glob(function) == mutant.rsplit("__mutmut_", 1)[0] + "__mutmut_*"


def test_a_package_is_the_second_part_of_a_name() -> None:
    assert run.package_of("kl_contact.engine.engine.Engine.handle") == "engine"
    assert run.package_of("kl_contact.tokens._b64") == "tokens"


def test_a_change_is_its_removed_and_added_lines_with_spacing_normalised() -> None:
    assert run.change_of(DIFF) == (
        ('return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")',),
        ('return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ASCII")',),
    )


def test_an_allow_list_entry_matches_by_function_and_change() -> None:
    entry = run.Equivalent(
        "kl_contact.tokens._b64",
        ('return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")',),
        ('return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ASCII")',),
        "codec names are case-insensitive",
    )
    mutant = run.Mutant("kl_contact.tokens.x__b64__mutmut_7", "src/kl_contact/tokens.py", 0)
    assert run.equivalent_for(mutant, DIFF, [entry]) is entry
    other = run.Mutant("kl_contact.tokens.x__sign__mutmut_7", "src/kl_contact/tokens.py", 0)
    assert run.equivalent_for(other, DIFF, [entry]) is None


def test_an_allow_list_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "equivalent.yaml"
    path.write_text("- {function: kl_contact.tokens._b64, before: a, after: b}\n", "utf-8")
    with pytest.raises(SystemExit):
        run.load_allow_list(path)


def _function_source(function: str) -> str:
    parts = function.split(".")
    for split in range(len(parts) - 1, 0, -1):
        path = (ROOT / "src" / Path(*parts[:split])).with_suffix(".py")
        if path.exists():
            break
    node: ast.AST = ast.parse(path.read_text("utf-8"))
    for name in parts[split:]:
        node = next(
            n
            for n in ast.iter_child_nodes(node)
            if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == name
        )
    return " ".join(ast.get_source_segment(path.read_text("utf-8"), node).split())  # type: ignore[union-attr]


def test_every_reviewed_equivalent_still_names_code_that_exists() -> None:
    entries = run.load_allow_list()
    assert entries
    for entry in entries:
        assert run.package_of(entry.function) in run.PACKAGES
        source = _function_source(entry.function)
        for line in entry.before:
            # the source read back ends at the last statement, without its comment
            code = line.split(" # ")[0].rstrip(":")
            assert code in source, (entry.function, line)
        assert entry.before != entry.after
        assert len(entry.why) > 20


def test_the_fixed_sample_names_functions_that_exist() -> None:
    for function in run.FIXED_SAMPLE:
        assert _function_source(function).startswith("def ")


def test_changed_lines_map_to_the_functions_around_them() -> None:
    path = Path("src/kl_contact/tokens.py")
    text = (ROOT / path).read_text("utf-8")
    line = text.splitlines().index("def _b64(data: bytes) -> str:") + 2
    assert run.functions_at(path, {line}) == {"kl_contact.tokens._b64"}
    assert run.functions_at(path, {1}) == set()


# ----------------------------------------------------------------- the short run under CI

SOURCE = """import os


def kept(a):
    return a + 1


def other(a):  # noqa: ARG001
    return a - 1


class Box:
    def kept(self):
        return [1, 2]

    def other(self): return 3


class Elsewhere:
    def kept(self):
        return os.sep
"""


def test_confine_marks_every_function_but_the_kept_ones_and_moves_no_line() -> None:
    pytest.importorskip("libcst")  # the mutate extra; `make test` installs it under CI
    confined = run.confine(SOURCE, {"kept", "Box.kept"})
    lines = confined.splitlines()
    assert len(lines) == len(SOURCE.splitlines())
    marked = [line.strip() for line in lines if "pragma: no mutate block" in line]
    assert marked == [
        "def other(a):  # noqa: ARG001  # pragma: no mutate block",
        "def other(self): return 3  # pragma: no mutate block",
        "class Elsewhere:  # pragma: no mutate block",
    ]
    # only comments were added: the code itself is the same
    assert ast.dump(ast.parse(confined)) == ast.dump(ast.parse(SOURCE))


def test_the_mutants_of_a_confined_file_are_mutmuts_own_for_that_function() -> None:
    pytest.importorskip("mutmut")
    from mutmut.mutation.file_mutation import mutate_file_contents

    function = "kl_contact.tokens._b64"
    found = run.mutants_of({function})
    assert list(found) == [function]
    path = "src/kl_contact/tokens.py"
    whole = mutate_file_contents(path, (ROOT / path).read_text("utf-8")).mutant_names
    expected = {f"kl_contact.tokens.{n}" for n in whole if n.startswith("x__b64__")}
    assert {m.name for m in found[function]} == expected
    assert {m.path for m in found[function]} == {path}


def test_a_spread_sample_takes_from_every_function_in_turn() -> None:
    def mutants(function: str, count: int) -> list[Any]:
        return [run.Mutant(f"{function}__mutmut_{i}", "p.py", None) for i in range(count)]

    by_function = {"m.a": mutants("m.x_a", 5), "m.b": mutants("m.x_b", 1)}
    picked = run.spread(by_function, 3)
    assert [m.name.split("__")[0] for m in picked] == ["m.x_a", "m.x_b", "m.x_a"]
    assert picked == run.spread(by_function, 3)  # the same every time
    assert len(run.spread(by_function, None)) == 6
    assert {m.name for m in run.spread(by_function, 2)} < {m.name for m in picked}


def test_the_short_run_mutates_only_its_files_and_runs_only_their_packages_tests() -> None:
    settings = run.scratch_config(
        [Path("src/kl_contact/tokens.py"), Path("src/kl_contact/engine/present.py")],
        {"tokens", "engine"},
    )
    assert settings["only_mutate"] == [
        "src/kl_contact/engine/present.py",
        "src/kl_contact/tokens.py",
    ]
    selection = settings["pytest_add_cli_args_test_selection"]
    assert selection[:2] == ["tests/engine", "tests/test_tokens.py"]
    assert "--ignore=tests/engine/test_stateful.py" in selection
    assert "tests" not in selection


def test_a_mutant_that_never_ends_is_stopped_after_a_few_times_its_tests_time() -> None:
    settings = run.scratch_config([Path("src/kl_contact/tokens.py")], {"tokens"})
    assert settings["timeout_multiplier"] == run.TIMEOUT_MULTIPLIER
    assert 2 <= run.TIMEOUT_MULTIPLIER < 15  # below mutmut's default, with room for a busy machine
    table = tomllib.loads(run.with_mutmut_config("[tool.mutmut]\n", settings))["tool"]["mutmut"]
    assert table["timeout_multiplier"] == run.TIMEOUT_MULTIPLIER


def test_the_short_runs_configuration_replaces_only_mutmuts_table() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    settings = {"only_mutate": ["src/kl_contact/tokens.py"], "debug": False}
    rewritten = tomllib.loads(run.with_mutmut_config(pyproject, settings))
    original = tomllib.loads(pyproject)
    assert rewritten["tool"]["mutmut"] == settings
    assert {k: v for k, v in rewritten["tool"].items() if k != "mutmut"} == {
        k: v for k, v in original["tool"].items() if k != "mutmut"
    }
    assert rewritten["project"] == original["project"]


def test_every_package_names_tests_that_exist() -> None:
    assert set(run.TESTS) == set(run.PACKAGES)
    for package, paths in run.TESTS.items():
        assert paths, package
        for path in paths:
            assert (ROOT / path).exists(), path


def test_a_whole_package_is_every_function_and_method_of_its_files() -> None:
    tokens = run.functions_of("tokens")
    assert {"kl_contact.tokens._b64", "kl_contact.tokens.SessionTokens.open"} <= tokens
    ticket = run.functions_of("ticket")
    assert "kl_contact.ticket.build.visible_along" in ticket
    assert all(run.package_of(f) == "ticket" for f in ticket)
    assert all(run._module_path(f).exists() for f in ticket)


def test_an_unknown_package_is_refused() -> None:
    with pytest.raises(SystemExit):
        run.main(["--packages", "engine,nowhere", "--own-tests", "--report-only"])


def test_a_mutation_run_clears_every_cache_of_the_mutated_packages() -> None:
    """A function that memoises its result outlives one test: under mutation a mutant of it
    would meet a result the real code computed. Every such function must be cleared."""
    import importlib

    from conftest import clear_library_caches, library_caches
    from kl_contact.articles.analysis import stem, stem_cache

    listed = library_caches()
    for package in run.PACKAGES:
        for function in run.functions_of(package):
            path = ROOT / run._module_path(function)
            tree = ast.parse(path.read_text("utf-8"))
            name = function.rsplit(".", 1)[1]
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    decorators = [ast.unparse(d) for d in node.decorator_list]
                    if any("cache" in d for d in decorators):
                        module = importlib.import_module(function.rsplit(".", 1)[0])
                        assert any(getattr(module, name) is c for c in listed), function
    stem("scanners", keep=True)
    assert stem_cache()
    clear_library_caches()
    assert not stem_cache()
    assert all(c.cache_info().currsize == 0 for c in listed)
