"""Broken and malicious definitions are refused with their code and location, cheaply.

The corpus under tests/hostile/definitions/ holds one file per breakage of
tests/hostile/valid.yaml; tests/hostile/index.yaml says which DefinitionError each raises.
Huge documents are generated here rather than committed. How long each refusal takes is
measured by benchmarks/bench_engine.py; here only memory is bounded.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

from kl_contact import DefinitionError, Limits, load_workflow, parse_workflow
from kl_contact.definition.document import _MarkingLoader
from kl_contact.definition.loader import check_document

HOSTILE = Path(__file__).parents[1] / "hostile"
INDEX: dict[str, dict[str, Any]] = yaml.safe_load((HOSTILE / "index.yaml").read_text("utf-8"))
VALID = (HOSTILE / "valid.yaml").read_text("utf-8")
PEAK_BYTES = 64 * 2**20
"""No refusal may allocate more than this at its peak (a 2 MB document included)."""


def _refusal(load: Any) -> tuple[DefinitionError, int]:
    tracemalloc.start()
    try:
        with pytest.raises(DefinitionError) as excinfo:
            load()
        return excinfo.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_corpus_is_complete_and_its_base_is_sound() -> None:
    files = {p.name for p in (HOSTILE / "definitions").iterdir()}
    assert files == set(INDEX)
    assert len(files) >= 60
    assert load_workflow(HOSTILE / "valid.yaml").id == "tiny"


@pytest.mark.parametrize("name", sorted(INDEX))
def test_each_hostile_definition_is_refused_with_its_code_and_location(name: str) -> None:
    expected = INDEX[name]
    path = HOSTILE / "definitions" / name
    error, peak = _refusal(lambda: load_workflow(path))
    column = expected["column"]
    if _MarkingLoader.__mro__[1] is yaml.SafeLoader:  # PyYAML's pure reader
        column = expected.get("pure_column", column)
    assert (error.code, error.line, error.column) == (
        expected["code"],
        expected["line"],
        column,
    ), expected["what"]
    assert error.source == str(path)
    assert str(error).startswith(f"{path}:{expected['line']}:{column}: ")
    assert peak < PEAK_BYTES


def _with_options(count: int) -> str:
    options = "".join(
        f"          - {{id: o{i}, label: {{en: Option {i}}}}}\n" for i in range(count)
    )
    return VALID.replace("          - {id: other, label: {en: Other}}\n", options, 1)


def _with_steps(count: int) -> str:
    extra = "".join(
        f"  - id: info{i}\n    kind: self_service\n    title: {{en: Step {i}}}\n"
        for i in range(count)
    )
    return VALID.replace("  - id: channel\n", extra + "  - id: channel\n", 1)


def _with_questions(count: int) -> str:
    extra = "".join(
        f"      - id: q{i}\n        type: text\n        label: {{en: Question {i}}}\n"
        for i in range(count)
    )
    return VALID.replace("      - id: email\n", extra + "      - id: email\n", 1)


GENERATED = {
    "document_size": (lambda: VALID + "#" * (2 * 2**20) + "\n", "limit.document_size", None),
    "options": (lambda: _with_options(600), "limit.options", 40),
    "steps": (lambda: _with_steps(150), "limit.steps", 25),
    "questions": (lambda: _with_questions(600), "limit.questions", None),
    "text_length": (
        lambda: VALID.replace("{en: Tiny support}", "{en: " + "x" * 30_000 + "}"),
        "limit.text_length",
        7,
    ),
    "expanded_nodes": (
        lambda: "noise: [" + ", ".join(["a"] * 250_000) + "]\n" + VALID,
        "yaml.too_many_nodes",
        1,
    ),
    "long_key": (lambda: VALID + "k" * 100_000 + ": 1\n", "yaml.syntax", None),
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_huge_generated_definitions_are_refused_with_bounded_memory(case: str) -> None:
    build, code, line = GENERATED[case]
    text = build()
    error, peak = _refusal(lambda: parse_workflow(text))
    assert error.code == code
    if line is not None:
        assert error.line == line
    assert peak < PEAK_BYTES + 4 * len(text)


def test_limits_are_configurable_both_ways() -> None:
    assert parse_workflow(_with_options(600), limits=Limits(options=1000)).id == "tiny"
    strict = Limits(steps=4, depth=5, aliases=0, text_length=10)
    codes = [e.code for e in check_document(VALID, limits=strict)]
    assert codes[0] == "yaml.too_deep"
    flat = "format: 1\nid: &i tiny\nversion: *i\n"
    assert check_document(flat, limits=strict)[0].code == "yaml.too_many_aliases"
    codes = [e.code for e in check_document(VALID, limits=Limits(steps=4, text_length=10))]
    assert codes[0] == "limit.steps"
    assert "limit.text_length" in codes
    small = Limits(document_bytes=100)
    assert check_document(VALID, limits=small)[0].code == "limit.document_size"
