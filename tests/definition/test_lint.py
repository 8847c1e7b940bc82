"""Lint: the broken-definition corpus yields its expected code at its expected line, the
shipped and sample definitions yield nothing, and every finding says how to fix it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import minimal
from kl_contact import DefinitionError, parse_workflow
from kl_contact.cli import main
from kl_contact.definition.lint import CODES, lint_text

HERE = Path(__file__).parents[1] / "definitions"
BROKEN = HERE / "broken"
INDEX: dict[str, dict[str, Any]] = yaml.safe_load((HERE / "broken-index.yaml").read_text("utf-8"))
DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)
DOCS = (Path(__file__).parents[2] / "docs" / "definition.md").read_text("utf-8")


def test_corpus_is_large_and_fully_indexed() -> None:
    files = sorted(p.name for p in BROKEN.glob("*.yaml"))
    assert len(files) >= 30
    assert sorted(INDEX) == files
    assert {e["code"] for e in INDEX.values()} >= {
        "id.duplicate",
        "ref.unknown_question",
        "ref.unknown_option",
        "ref.unknown_step",
        "ref.unknown_channel",
        "ref.unknown_locale",
        "flow.unreachable",
        "flow.endless_cycle",
        "dependent.missing_list",
        "text.missing_locale",
        "text.unknown_placeholder",
    }


@pytest.mark.parametrize("name", sorted(INDEX))
def test_broken_definition_yields_its_code_at_its_line(name: str) -> None:
    expected = INDEX[name]
    findings = lint_text((BROKEN / name).read_bytes(), source=name)
    assert (expected["code"], expected["line"]) in [(f.code, f.line) for f in findings]
    for finding in findings:
        assert finding.source == name
        assert finding.line is not None
        assert finding.column is not None
        assert finding.hint
        assert finding.severity in {"error", "warning"}
    if any(f.severity == "error" for f in findings):
        with pytest.raises(DefinitionError):
            parse_workflow((BROKEN / name).read_bytes(), source=name)


def test_shipped_and_sample_definitions_lint_clean() -> None:
    assert lint_text(DEFAULT_TEXT, "default_workflow.yaml") == []
    assert lint_text((HERE / "mini.yaml").read_bytes()) == []
    assert lint_text(minimal()) == []


def test_every_code_is_documented_with_its_severity() -> None:
    for code, (severity, hint) in CODES.items():
        assert f"`{code}`" in DOCS, code
        assert severity in {"error", "warning"}
        assert hint


def test_a_warning_does_not_stop_loading() -> None:
    text = minimal(
        """  - id: lost
    kind: questions
    title: {en: Lost}
    questions:
      - {id: q, type: text, label: {en: Q}}
"""
    ).replace("kind: channel_choice\n", "kind: channel_choice\n    next: request\n")
    findings = lint_text(text)
    assert [(f.code, f.severity) for f in findings] == [("flow.unreachable", "warning")]
    assert parse_workflow(text).step("lost").id == "lost"


def test_unknown_placeholder_names_the_known_ones() -> None:
    text = minimal().replace("{request_number} is", "{ticket} is")
    (finding,) = lint_text(text, "x.yaml")
    assert finding.code == "text.unknown_placeholder"
    assert "{ticket}" in finding.message
    assert "{request_number}" in finding.hint
    assert str(finding).startswith("x.yaml:15:")


def test_cli_lint_json_and_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    names = sorted(INDEX)[:3]
    assert main(["lint", "--format", "json", *(str(BROKEN / n) for n in names)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert {Path(d["file"]).name for d in doc} == set(names)
    for item in doc:
        assert set(item) == {
            "file",
            "line",
            "column",
            "code",
            "message",
            "path",
            "hint",
            "severity",
        }
    warn = tmp_path / "warn.yaml"
    warn.write_text((BROKEN / "32-unreachable-step.yaml").read_text("utf-8"), encoding="utf-8")
    assert main(["lint", str(warn)]) == 0  # warnings alone do not fail
    assert "warning: flow.unreachable" in capsys.readouterr().out
    assert main(["lint", str(tmp_path / "missing.yaml")]) == 1
    assert "file.unreadable" in capsys.readouterr().out


def _annotated(node: Any, path: str) -> Any:
    """Every (path, subschema) that describes a key of the definition."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield f"{path}/properties/{key}", sub
        for key, value in node.items():
            yield from _annotated(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _annotated(value, f"{path}/{index}")


def test_workflow_schema_helps_editors_on_every_key() -> None:
    import jsonschema

    from kl_contact.schemas import load_schema

    schema = load_schema("workflow")
    keys = list(_annotated(schema, ""))
    assert len(keys) > 80
    for path, sub in keys:
        assert sub.get("title"), path
        assert sub.get("description"), path
    with_examples = 0
    for _path, sub in [*keys, *((f"/$defs/{k}", v) for k, v in schema["$defs"].items())]:
        for example in sub.get("examples", []):
            with_examples += 1
            # each example is valid where it stands
            jsonschema.Draft202012Validator(
                {"$defs": schema["$defs"], **{k: v for k, v in sub.items() if k != "examples"}}
            ).validate(example)
    assert with_examples > 80


_LINES = DEFAULT_TEXT.splitlines(keepends=True)
_MINI_LINES = (HERE / "mini.yaml").read_text("utf-8").splitlines(keepends=True)


@settings(max_examples=150, deadline=None)
@given(
    base=st.sampled_from([_LINES, _MINI_LINES]),
    edits=st.lists(
        st.tuples(st.sampled_from(["drop", "repeat", "swap"]), st.integers(0, 10_000)),
        min_size=1,
        max_size=4,
    ),
)
def test_any_edit_of_a_definition_lints_without_crashing(
    base: list[str], edits: list[tuple[str, int]]
) -> None:
    lines = list(base)
    for action, at in edits:
        index = at % len(lines)
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        else:
            other = (index + 1) % len(lines)
            lines[index], lines[other] = lines[other], lines[index]
    text = "".join(lines)
    findings = lint_text(text, "edited.yaml")
    for finding in findings:
        assert finding.code.split(".")[0] in {c.split(".")[0] for c in CODES}
        assert finding.hint
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        with pytest.raises(DefinitionError) as raised:
            parse_workflow(text, "edited.yaml")
        assert (raised.value.code, raised.value.line) == (errors[0].code, errors[0].line)
    else:
        assert parse_workflow(text, "edited.yaml").id


@pytest.mark.parametrize(
    ("key", "condition"),
    [
        ("when", "{answer: subject, answered: true}"),
        ("required_when", "{answer: subject, answered: false}"),
    ],
)
def test_a_question_whose_condition_reads_itself_is_refused(key: str, condition: str) -> None:
    text = minimal(
        f"""  - id: ask
    kind: questions
    title: {{en: Ask}}
    questions:
      - id: subject
        type: text
        label: {{en: Subject}}
        {key}: {condition}"""
    )
    errors = [(f.code, f.path) for f in lint_text(text) if f.severity == "error"]
    assert errors == [("ref.later_question", ("steps", 1, "questions", 0, key, "answer"))]
    with pytest.raises(DefinitionError) as excinfo:
        parse_workflow(text)
    assert excinfo.value.code == "ref.later_question"


def test_an_option_shown_on_its_own_question_s_answer_is_refused() -> None:
    text = minimal(
        """  - id: ask
    kind: questions
    title: {en: Ask}
    questions:
      - id: area
        type: single_choice
        label: {en: Area}
        options:
          - {id: one, label: {en: One}}
          - {id: two, label: {en: Two}, when: {answer: area, equals: one}}"""
    )
    errors = [(f.code, f.path) for f in lint_text(text) if f.severity == "error"]
    assert errors == [
        ("ref.later_question", ("steps", 1, "questions", 0, "options", 1, "when", "answer"))
    ]
