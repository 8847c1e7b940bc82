"""Loading definitions: the default one is sound; broken ones are refused with a location."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kl_contact import (
    DefinitionError,
    RequestFormat,
    default_workflow,
    load_workflow,
    parse_workflow,
)
from kl_contact.definition.model import StepKind

DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def test_default_workflow_follows_the_source_document() -> None:
    workflow = default_workflow()
    assert workflow.locales == ("ru", "en")
    assert [s.kind for s in workflow.steps] == [
        StepKind.SELF_SERVICE,
        StepKind.CHANNEL_CHOICE,
        StepKind.QUESTIONS,
        StepKind.ARTICLES,
        StepKind.REQUEST,
        StepKind.CONFIRMATION,
        StepKind.RESOLVED,
        StepKind.FOLLOW_UP,
        StepKind.RESOLVED,
    ]
    assert workflow.contacts_page.follow_up == "follow_up"
    assert {r.kind for r in workflow.self_service} == {
        "help",
        "knowledge_base",
        "faq",
        "forum",
        "utilities",
        "downloads",
    }
    urls = {r.id: r.url["ru"] for r in workflow.self_service}
    assert urls["online_help"] == "https://support.kaspersky.ru/help#/b2c"
    assert urls["forum"] == "https://forum.kaspersky.com/forum/продукты-для-дома-18/"
    assert workflow.contacts_page.url["ru"] == "https://support.kaspersky.ru/b2c/ru#contacts"
    assert [c.id for c in workflow.channels] == ["email", "chat", "phone"]
    questions = workflow.questions()
    assert {"product", "category", "platform"} <= set(questions)
    assert questions["product"].type.value == "single_choice"
    assert workflow.digest.startswith("sha256:")
    assert len(workflow.digest) == 71


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in DEFAULT_TEXT, old
    path = tmp_path / "broken.yaml"
    path.write_text(DEFAULT_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_unknown_step_kind_names_file_line_and_column(tmp_path: Path) -> None:
    path = _broken(tmp_path, "kind: articles\n", "kind: wizard\n")
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    error = excinfo.value
    assert error.code == "schema.enum"
    assert error.source == str(path)
    assert error.line == _line_of(path, "kind: wizard")
    assert error.column == 11
    assert f"{path}:{error.line}:11:" in str(error)


def test_missing_locale_text_is_refused_at_its_node(tmp_path: Path) -> None:
    path = _broken(tmp_path, "label: {ru: Программа, en: Product}", "label: {ru: Программа}")
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    error = excinfo.value
    assert error.code == "text.missing_locale"
    assert error.line == _line_of(path, "label: {ru: Программа}")
    assert "'en'" in error.message
    assert error.path[-1] == "label"


def test_bad_yaml_is_refused_with_position(tmp_path: Path) -> None:
    path = _broken(tmp_path, "id: home-support\n", "id: [home-support\n")
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    assert excinfo.value.code == "yaml.syntax"
    assert excinfo.value.line is not None
    assert excinfo.value.column is not None
    assert str(path) in str(excinfo.value)


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(DefinitionError) as excinfo:
        parse_workflow("format: 1\nid: a\nid: b\n", source="dup.yaml")
    assert excinfo.value.code == "yaml.duplicate_key"
    assert (excinfo.value.line, excinfo.value.column) == (3, 1)
    assert str(excinfo.value).startswith("dup.yaml:3:1:")


def test_python_tags_are_refused() -> None:
    with pytest.raises(DefinitionError) as excinfo:
        parse_workflow("format: !!python/object/apply:os.system ['true']\n")
    assert excinfo.value.code == "yaml.tag"
    assert excinfo.value.line == 1


def test_unknown_step_reference(tmp_path: Path) -> None:
    path = _broken(tmp_path, "        to: details\n", "        to: nowhere\n")
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    assert excinfo.value.code == "ref.unknown_step"
    assert excinfo.value.line == _line_of(path, "to: nowhere")


def test_condition_on_unknown_option(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "when: {answer: category, equals: web_protection}",
        "when: {answer: category, equals: web_protektion}",
    )
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    assert excinfo.value.code == "ref.unknown_option"
    assert excinfo.value.line == _line_of(path, "web_protektion")
    assert excinfo.value.hint


def test_all_problems_are_collected() -> None:
    from kl_contact.definition.loader import check_document

    text = DEFAULT_TEXT.replace("label: {ru: Программа, en: Product}", "label: {ru: Программа}")
    text = text.replace("        to: details\n", "        to: nowhere\n")
    codes = {p.code for p in check_document(text)}
    assert {"text.missing_locale", "ref.unknown_step"} <= codes
    assert check_document(DEFAULT_TEXT) == []


# ------------------------------------------------------------------ what a parsed file holds
# (the default workflow is parsed once per process; these read definitions parsed here)

MINI = (Path(__file__).parents[1] / "definitions" / "mini.yaml").read_text("utf-8")
VERSION = """      - id: version
        type: single_choice
        label: {en: Version, ru: Версия}
        depends_on:
          question: product
          options:
            alpha:
              - {id: a1, label: {en: A1, ru: A1}}
            beta:
              - {id: b1, label: {en: B1, ru: B1}}
"""


def _mini(old: str, new: str) -> str:
    assert old in MINI
    return MINI.replace(old, new, 1)


def test_a_dependent_question_with_its_own_condition_needs_both() -> None:
    text = _mini(
        VERSION,
        VERSION.replace(
            "        depends_on:\n", "        when: {locale: ru}\n        depends_on:\n"
        ),
    )
    from kl_contact.definition.conditions import ConditionContext, evaluate

    version = parse_workflow(text).questions()["version"]
    for answers, locale, shown in [
        ({"product": "alpha"}, "ru", True),
        ({"product": "alpha"}, "en", False),
        ({}, "ru", False),
    ]:
        ctx = ConditionContext(answers=answers, channel=None, locale=locale)
        assert evaluate(version.when, ctx) is shown


def test_equal_dependent_lists_are_shared_whatever_the_key_order() -> None:
    text = _mini(
        "            beta:\n              - {id: b1, label: {en: B1, ru: B1}}\n",
        "            beta:\n              - {label: {en: A1, ru: A1}, id: a1}\n",
    )
    version = parse_workflow(text).questions()["version"]
    assert [o.id for o in version.options] == ["a1"]


def test_help_texts_and_channel_instructions_are_read() -> None:
    text = _mini(
        "        min_length: 3\n",
        "        min_length: 3\n        help: {en: In a few words, ru: В двух словах}\n",
    )
    workflow = parse_workflow(text)
    assert workflow.questions()["subject"].help == {"en": "In a few words", "ru": "В двух словах"}
    (email, phone) = workflow.channels
    assert [dict(i.text) for i in email.instructions] == [
        {
            "en": "Request {request_number} is registered.",
            "ru": "Запрос {request_number} зарегистрирован.",
        }
    ]
    assert email.instructions[0].action is None
    assert len(phone.instructions) == 1


def test_an_unknown_parent_option_names_the_option_it_lacks() -> None:
    text = _mini(
        "            beta:\n",
        "            gamma:\n"
        "              - {id: g1, label: {en: G1, ru: G1}}\n"
        "            beta:\n",
    )
    from kl_contact.definition.lint import lint_text

    unknown = [f for f in lint_text(text) if f.code == "ref.unknown_option"]
    assert [(f.message, f.path[-1]) for f in unknown] == [
        ("question 'product' has no option 'gamma'", "gamma")
    ]


def test_an_unknown_parent_is_pointed_at_by_its_path() -> None:
    text = _mini("          question: product\n", "          question: produce\n")
    from kl_contact.definition.lint import lint_text

    (finding,) = [f for f in lint_text(text) if f.code == "ref.unknown_question"]
    assert finding.path == ("steps", 1, "questions", 1, "depends_on", "question")


def test_the_shipped_default_is_the_same_model_as_the_checked_load() -> None:
    """default_workflow() skips the checks the test suite runs on the shipped file; what it
    builds must be exactly what the checking loader builds from the same text."""
    import attrs

    from kl_contact import default_workflow, parse_workflow

    checked = parse_workflow(DEFAULT_TEXT, source="kl_contact/definition/default_workflow.yaml")
    shipped = default_workflow()
    for field in attrs.fields(type(shipped)):
        if field.name != "_compiled":
            assert getattr(shipped, field.name) == getattr(checked, field.name), field.name


def test_request_numbers_and_their_subject_tag_are_declared_in_the_definition(
    tmp_path: Path,
) -> None:
    assert default_workflow().requests.tag("17") == "[Request #17]"
    path = tmp_path / "rt.yaml"
    path.write_text(
        DEFAULT_TEXT + '\nrequests:\n  number: "KL-{id}"\n  subject_tag: "[support #{id}]"\n',
        encoding="utf-8",
    )
    requests = load_workflow(path).requests
    assert requests.request_number("17") == "KL-17"
    assert requests.ticket_id("KL-17") == "17"
    assert requests.tag("KL-17") == "[support #17]"


@pytest.mark.parametrize(
    "declared",
    ['number: "KL-"', 'number: "{id}-{id}"', 'subject_tag: "[support]"', "colour: red"],
)
def test_a_request_format_without_its_placeholder_is_refused_at_its_line(
    tmp_path: Path, declared: str
) -> None:
    path = tmp_path / "rt.yaml"
    path.write_text(DEFAULT_TEXT + f"\nrequests:\n  {declared}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as excinfo:
        load_workflow(path)
    assert excinfo.value.line is not None
    assert excinfo.value.line >= DEFAULT_TEXT.count("\n")


@given(
    head=st.text(st.characters(blacklist_characters="{}"), max_size=12),
    tail=st.text(st.characters(blacklist_characters="{}"), max_size=12),
    ticket_id=st.from_regex(r"[0-9A-Za-z]{1,20}", fullmatch=True),
)
def test_a_request_number_always_gives_back_its_ticket_id(
    head: str, tail: str, ticket_id: str
) -> None:
    requests = RequestFormat(number=f"{head}{{id}}{tail}")
    number = requests.request_number(ticket_id)
    assert number == f"{head}{ticket_id}{tail}"
    assert requests.ticket_id(number) == ticket_id
    assert requests.ticket_id(head + tail) is None


def test_a_condition_on_several_locales_holds_in_each_of_them() -> None:
    from kl_contact.definition.conditions import ConditionContext, evaluate

    text = _mini(
        "        min_length: 3\n", "        min_length: 3\n        when: {locale: [ru, en]}\n"
    )
    subject = parse_workflow(text).questions()["subject"]
    for locale in ("ru", "en"):
        assert evaluate(subject.when, ConditionContext(answers={}, channel=None, locale=locale))


def test_the_counts_attempts_follow_up_steps_and_default_priority_are_read() -> None:
    text = _mini(
        "      - id: category\n",
        "      - id: extras\n        type: multiple_choice\n        min_selected: 2\n"
        "        label: {en: Extras, ru: Ещё}\n"
        "        options: [{id: x, label: {en: X, ru: X}}, {id: y, label: {en: Y, ru: Y}}]\n"
        "      - id: category\n",
    )
    extras = parse_workflow(text).questions()["extras"]
    assert (extras.min_selected, extras.max_selected) == (2, None)
    priority = DEFAULT_TEXT.replace(
        "default: {queue: general, priority: normal}", "default: {queue: general, priority: high}"
    )
    assert parse_workflow(priority).routing.priority.value == "high"
    pointed = DEFAULT_TEXT.replace("    attempts: 5\n", "    attempts: 2\n", 1)
    follow_up = next(s for s in parse_workflow(pointed).steps if s.kind is StepKind.FOLLOW_UP)
    assert follow_up.attempts == 2
