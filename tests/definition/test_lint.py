"""Lint: the broken-definition corpus yields its expected code at its expected line, the
shipped and sample definitions yield nothing, and every finding says how to fix it."""

from __future__ import annotations

import json
import re
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


def test_a_finding_prints_its_place_code_message_and_hint() -> None:
    (syntax,) = lint_text("a: [\n", source="bad.yaml")
    assert syntax.path == ()
    assert str(syntax) == (
        f"bad.yaml:{syntax.line}:{syntax.column}: error: yaml.syntax: {syntax.message}; "
        f"hint: {syntax.hint}"
    )
    located = lint_text((BROKEN / "42-when-reads-itself.yaml").read_bytes(), "x.yaml")
    assert str(located[0]).startswith("x.yaml:66:24: error: ref.later_question: ")
    assert " (at steps[1].questions[3].when.answer); hint: " in str(located[0])


def test_a_request_without_a_contact_email_is_a_warning_on_its_questions() -> None:
    text = minimal().replace("role: contact_email, ", "")
    (finding,) = lint_text(text)
    assert (finding.code, finding.severity) == ("request.no_contact_email", "warning")
    assert finding.path == ("steps", 1, "questions")


def _mini_text() -> str:
    return (HERE / "mini.yaml").read_text("utf-8")


def test_findings_carry_their_own_hints() -> None:
    (undeclared,) = lint_text((BROKEN / "01-default-locale-undeclared.yaml").read_bytes())
    assert undeclared.hint == "add it to locales or pick one of them"
    text = _mini_text().replace("title: {en: Mini, ru: Мини}", "title: {en: 'Mini {x}', ru: Мини}")
    (placeholder,) = lint_text(text)
    assert placeholder.hint == "placeholders known here: none"
    german = (HERE / "untranslated-messages.yaml").read_text("utf-8")
    (missing,) = lint_text(german)
    assert missing.hint == "add a 'de' entry under messages: for each of them"


def test_a_message_override_may_use_only_message_placeholders() -> None:
    good = (
        _mini_text()
        + "messages:\n  answer.too_short: {en: 'At least {min}', ru: 'Не меньше {min}'}\n"
    )
    assert lint_text(good) == []
    bad = good.replace("'At least {min}'", "'At least {minimum}'")
    (finding,) = lint_text(bad)
    assert (finding.code, finding.path) == (
        "text.unknown_placeholder",
        ("messages", "answer.too_short", "en"),
    )


def test_an_unknown_option_in_an_in_list_points_at_the_list() -> None:
    text = _mini_text().replace(
        "      - when: {answer: category, equals: other}\n",
        "      - when: {answer: category, in: [billing, nope]}\n",
    )
    (finding,) = lint_text(text)
    assert finding.code == "ref.unknown_option"
    assert finding.path[-1] == "in"
    assert "'nope'" in finding.message


def test_duplicate_options_in_a_dependent_list_are_refused() -> None:
    text = _mini_text().replace(
        "              - {id: b1, label: {en: B1, ru: B1}}\n",
        "              - {id: b1, label: {en: B1, ru: B1}}\n"
        "              - {id: b1, label: {en: B2, ru: B2}}\n",
    )
    (finding,) = lint_text(text)
    assert finding.code == "id.duplicate"
    assert finding.path[-4:] == ("options", "beta", 1, "id")


def test_options_beside_depends_on_are_refused_with_a_clear_message() -> None:
    text = _mini_text().replace(
        "        depends_on:\n",
        "        options:\n          - {id: x, label: {en: X, ru: X}}\n        depends_on:\n",
    )
    both = [f for f in lint_text(text) if f.code == "question.options_and_depends_on"]
    assert [f.message for f in both] == ["a question has both options and depends_on"]


FOLLOW_UP_STEPS = """  - id: follow_up
    kind: follow_up
    title: {en: Your request}
    next: done
    questions:
      - {id: number, type: text, role: request_number, required: true, label: {en: Number}}
      - {id: address, type: email, role: contact_email, required: true, label: {en: E-mail}}
  - id: done
    kind: resolved
    title: {en: Done}
"""


def _with_follow_up(steps: str = FOLLOW_UP_STEPS, pointer: str = "follow_up") -> str:
    text = minimal() + steps
    page = '{title: {en: Contacts}, url: {en: "https://example.com/c"}'
    return text.replace(page + "}", f"{page}, follow_up: {pointer}}}")


def _codes(text: str) -> list[tuple[str, int | None]]:
    return [(f.code, f.line) for f in lint_text(text)]


def test_a_follow_up_step_named_by_the_contacts_page_lints_clean() -> None:
    assert lint_text(_with_follow_up()) == []


def test_follow_up_naming_another_kind_of_step_is_misplaced() -> None:
    text = _with_follow_up(pointer="request")
    found = _codes(text)
    assert ("step.follow_up_misplaced", 8) in found  # the contacts page's line
    with pytest.raises(DefinitionError) as refused:
        parse_workflow(text)
    assert refused.value.code == "step.follow_up_misplaced"


def test_a_follow_up_step_no_follow_up_key_names_is_misplaced() -> None:
    text = minimal() + FOLLOW_UP_STEPS
    line = text.splitlines().index("  - id: follow_up") + 1
    assert ("step.follow_up_misplaced", line) in _codes(text)
    (misplaced,) = [f for f in lint_text(text) if f.code == "step.follow_up_misplaced"]
    assert (
        misplaced.message == "the follow_up step 'follow_up' must be entered from follow_up: alone"
    )


def test_a_follow_up_step_reached_by_next_is_misplaced() -> None:
    text = _with_follow_up().replace(
        "    kind: channel_choice\n", "    kind: channel_choice\n    next: follow_up\n"
    )
    assert "step.follow_up_misplaced" in [code for code, _ in _codes(text)]


def test_a_follow_up_step_without_a_resolved_end() -> None:
    text = _with_follow_up(FOLLOW_UP_STEPS.replace("    next: done\n", "    next: end\n"))
    line = text.splitlines().index("  - id: follow_up") + 1
    assert ("step.follow_up_without_end", line) in _codes(text)
    without_next = _with_follow_up(FOLLOW_UP_STEPS.replace("    next: done\n", ""))
    assert "step.follow_up_without_end" in [code for code, _ in _codes(without_next)]


def test_a_follow_up_step_must_ask_the_number_and_the_email() -> None:
    text = _with_follow_up(FOLLOW_UP_STEPS.replace("role: request_number, ", ""))
    (finding,) = [f for f in lint_text(text) if f.code == "step.follow_up_without_lookup"]
    assert finding.message == "a follow_up step must ask the request number and the e-mail"
    assert finding.path == ("steps", 3)  # after the channel choice, request and end


def test_follow_up_naming_no_step_is_an_unknown_step_with_a_suggestion() -> None:
    findings = lint_text(_with_follow_up(pointer="folow_up"))
    unknown = [f for f in findings if f.code == "ref.unknown_step"]
    assert unknown
    assert "follow_up" in unknown[0].hint


def test_attempts_out_of_range_is_a_schema_finding() -> None:
    text = _with_follow_up(
        FOLLOW_UP_STEPS.replace("    next: done\n", "    next: done\n    attempts: 0\n")
    )
    assert any(code.startswith("schema.") for code, _ in _codes(text))


def test_a_step_that_is_not_an_end_and_leads_nowhere_has_no_exit() -> None:
    extra = """  - id: ask
    kind: questions
    title: {en: Ask}
    questions:
      - {id: note, type: text, label: {en: Note}}
"""
    text = (
        minimal().replace(
            "  - id: end\n    kind: confirmation", "  - id: end\n    kind: confirmation"
        )
        + extra
    )
    line = text.splitlines().index("  - id: ask") + 1
    exits = [f for f in lint_text(text) if f.code == "step.no_exit"]
    assert [(f.line, f.path, f.message, f.severity) for f in exits] == [
        (line, ("steps", 3), "a step that is not an end has no next step", "error")
    ]
    with pytest.raises(DefinitionError) as refused:
        parse_workflow(text)
    assert refused.value.code in {f.code for f in lint_text(text) if f.severity == "error"}


FINDINGS: dict[str, list[str]] = yaml.safe_load((HERE / "broken-findings.yaml").read_text("utf-8"))


_READERS_WORDS = re.compile(r"(: yaml\.syntax: ).*?(; hint: )")
"""A syntax error is worded by the YAML reader: libyaml and PyYAML's own reader differ."""


def _as_pinned(finding: str) -> str:
    return _READERS_WORDS.sub(r"\1(the reader's words)\2", finding)


@pytest.mark.parametrize("name", sorted(INDEX))
def test_each_finding_of_the_corpus_reads_and_points_where_its_author_looks(name: str) -> None:
    # the message, hint, path, line and column a definition's author acts on
    findings = lint_text((BROKEN / name).read_bytes(), source=name)
    assert [_as_pinned(str(f)) for f in findings] == [_as_pinned(f) for f in FINDINGS[name]]


def test_a_document_read_without_a_name_is_called_string_where_it_is_refused() -> None:
    from kl_contact.definition.lint import lint_source
    from kl_contact.definition.loader import check_document

    broken = (BROKEN / "01-default-locale-undeclared.yaml").read_bytes()
    findings, _ = lint_source(broken)
    assert [f.location for f in findings] == ["<string>:5:17"]
    assert [e.location for e in check_document(broken)] == ["<string>:5:17"]
    assert [f.location for f in lint_text(broken)] == ["<string>:5:17"]


def test_an_unknown_phone_region_is_found_at_its_key() -> None:
    text = minimal().replace("default_locale: en\n", "default_locale: en\nphone_region: XX\n")
    assert [(f.code, f.path, f.message) for f in lint_text(text)] == [
        (
            "phone_region.unknown",
            ("phone_region",),
            "phone region 'XX' is not a region with a numbering plan",
        )
    ]


def test_the_missing_messages_of_a_locale_are_counted_and_the_first_three_named() -> None:
    from kl_contact.messages import MESSAGES

    given = sorted(MESSAGES)[2:]  # all but the first two
    messages = "".join(f"  {code}: {{en: x, de: x}}\n" for code in given)
    text = minimal().replace("locales: [en]", "locales: [en, de]")
    few = text.replace("default_locale: en\n", f"default_locale: en\nmessages:\n{messages}")
    (finding,) = [f for f in lint_text(few) if f.code == "messages.missing_locale"]
    first, second = sorted(MESSAGES)[:2]
    assert finding.message == f"2 validation messages have no 'de' text ({first}, {second})"
    (many,) = [f for f in lint_text(text) if f.code == "messages.missing_locale"]
    assert many.message.endswith(", ...)")
    assert many.path == ("locales", 1)


def test_selection_counts_belong_to_a_multiple_choice_and_nothing_else() -> None:
    licence = (HERE / "licence-key.yaml").read_text("utf-8")
    assert "        max_selected: 2\n" in licence  # on its multiple-choice question
    assert lint_text(licence) == []
    text = licence.replace(
        "        pattern_message:", "        max_selected: 2\n        pattern_message:", 1
    )
    (ignored,) = [f for f in lint_text(text) if f.code == "rule.not_applicable"]
    assert (ignored.message, ignored.path[-1], ignored.severity) == (
        "a text question ignores max_selected",
        "max_selected",
        "warning",
    )


def test_a_condition_on_a_misspelt_locale_suggests_the_declared_one() -> None:
    text = _mini_text().replace("        when: {channel: phone}\n", "        when: {locale: rus}\n")
    (finding,) = lint_text(text)
    assert (finding.code, finding.path[-1]) == ("ref.unknown_locale", "locale")
    assert finding.hint.startswith("did you mean 'ru'?")


def test_a_duplicate_option_of_a_dependent_list_is_found_in_that_list() -> None:
    a1 = "              - {id: a1, label: {en: A1, ru: A1}}\n"
    text = _mini_text().replace(a1, a1 + a1.replace("A1", "A2"))
    (finding,) = lint_text(text)
    assert finding.code == "id.duplicate"
    assert finding.message == "duplicate option id 'a1' for 'alpha'"
    assert finding.path[-5:] == ("depends_on", "options", "alpha", 1, "id")
    assert finding.line == text.splitlines().index(a1.replace("A1", "A2").rstrip("\n")) + 1


def test_a_text_key_like_no_locale_is_to_be_removed() -> None:
    text = minimal().replace("title: {en: Mini}", "title: {en: Mini, Zzzzzz: X}")
    (finding,) = lint_text(text)
    assert (finding.code, finding.path) == ("schema.pattern", ("title", "Zzzzzz"))
    assert finding.hint == "a text's keys are locale codes (en); remove this key"


def test_a_condition_may_compare_a_dependent_question_with_any_of_its_lists_options() -> None:
    ask = "        min_length: 3\n"
    fine = _mini_text().replace(ask, ask + "        when: {answer: version, in: [a1, b1]}\n")
    assert lint_text(fine) == []
    wrong = _mini_text().replace(ask, ask + "        when: {answer: version, equals: c1}\n")
    (finding,) = lint_text(wrong)
    assert (finding.code, finding.message) == (
        "ref.unknown_option",
        "question 'version' has no option 'c1'",
    )
