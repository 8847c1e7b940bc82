"""The server-side check gives the engine's errors for the same answers, and drops answers
to questions the user never saw."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

from conftest import NOW
from kl_contact import (
    ArticleMatch,
    ArticlesFound,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Next,
    Send,
    SubmitTicket,
    Ticket,
    Transition,
)
from kl_contact._convert import converter
from kl_contact.definition.model import StepKind
from kl_contact.errors import ValidationIssue
from kl_contact.revalidation import (
    Revalidation,
    SubmittedAnswers,
    revalidate_answers,
    revalidate_ticket,
)
from kl_contact.schemas import violations

GOOD: dict[str, Any] = {
    "product": "plus",
    "platform": "windows",
    "category": "activation",
    "subject": "The activation code is not accepted",
    "description": "The application says the code is invalid although it came with the purchase.",
    "name": "Jane Roe",
    "email": "jane.roe@example.org",
    "consent": True,
}
SHOT = {"name": "screen.png", "media_type": "image/png", "size": 120_000}


def doc(channel: str = "email", locale: str = "en", **changes: Any) -> dict[str, Any]:
    """A submitted-answers document: the good answers with ``changes`` (None removes)."""
    answers = dict(GOOD, **changes)
    return {
        "channel": channel,
        "locale": locale,
        "answers": {k: v for k, v in answers.items() if v is not None},
    }


# (name, document, expected error codes, expected dropped answer ids)
DOCUMENTS: list[tuple[str, dict[str, Any], list[str], list[str]]] = [
    ("valid e-mail, en", doc(), [], []),
    ("valid chat, ru", doc("chat", "ru"), [], []),
    ("valid phone, international", doc("phone", phone="+44 20 7946 0958"), [], []),
    ("valid phone, national in ru", doc("phone", "ru", phone="8 495 123-45-67"), [], []),
    (
        "phone without country code, en",
        doc("phone", phone="020 7946 0958"),
        ["answer.phone_country_code"],
        [],
    ),
    ("phone that is no number", doc("phone", phone="+7 495 12"), ["answer.invalid_phone"], []),
    ("phone missing on the phone channel", doc("phone"), ["answer.required"], []),
    ("description missing", doc(description=None), ["answer.required"], []),
    ("description too short", doc(description="Broken."), ["answer.too_short"], []),
    ("e-mail malformed", doc(email="jane.roe@"), ["answer.invalid_email"], []),
    ("e-mail missing", doc(email="  "), ["answer.required"], []),
    ("consent not given", doc(consent=False), ["answer.consent_required"], []),
    ("consent of the wrong type", doc(consent="yes"), ["answer.wrong_type"], []),
    ("unknown product", doc(product="antivirus-2000"), ["answer.unknown_option"], []),
    (
        "option hidden for the product",
        doc(product="anti_virus", platform="macos"),
        ["answer.unknown_option"],
        [],
    ),
    ("platform of the wrong type", doc(platform=["windows"]), ["answer.wrong_type"], []),
    ("follow-up question left out", doc(category="web_protection"), ["answer.required"], []),
    (
        "follow-up question answered",
        doc(category="web_protection", web_component="firewall"),
        [],
        [],
    ),
    ("hidden follow-up answered", doc(web_component="firewall"), [], ["web_component"]),
    (
        "version of another product (cleared by its policy)",
        doc(product="anti_virus", version="v21_latest"),
        [],
        ["version"],
    ),
    ("version of this product", doc(product="anti_virus", version="v20_or_older"), [], []),
    ("phone given on the e-mail channel", doc(phone="+44 20 7946 0958"), [], ["phone"]),
    ("route past the articles", doc(category="other"), [], []),
    ("unknown question", doc(favourite_colour="green"), [], ["favourite_colour"]),
    (
        "subject with control characters",
        doc(subject="Code \x1b[31mrejected"),
        ["answer.control_characters"],
        [],
    ),
    ("name missing", doc(name=None), ["answer.required"], []),
    (
        "attachments within the policy",
        doc(screenshots=[SHOT, dict(SHOT, name="app.log", media_type="text/plain")]),
        [],
        [],
    ),
    (
        "attachments with tricks",
        doc(
            screenshots=[
                dict(SHOT, name="../../boot.ini"),
                dict(SHOT, name="run.exe"),
                dict(SHOT, size=11 * 2**20),
            ]
        ),
        ["attachment.bad_name", "attachment.type_not_allowed", "attachment.too_large"],
        [],
    ),
    (
        "errors on both steps",
        doc("chat", "ru", subject="Код", email="nobody", consent=False),
        ["answer.too_short", "answer.invalid_email", "answer.consent_required"],
        [],
    ),
]


def _handle(engine: Engine, transition: Transition, event: Any, at: int) -> Transition:
    return engine.handle(transition.session, event, NOW + timedelta(seconds=at))


def engine_run(engine: Engine, document: dict[str, Any]) -> tuple[list[ValidationIssue], Any]:
    """Drive the engine with the document's answers, step by step, as a user would.

    When a step blocks, its errors are recorded and the answers it complained about are
    replaced by good ones (or left out), so that the later steps are checked too: the
    result is every error the engine gives on the way, and the ticket it submits.
    """
    answers = converter.structure(document, SubmittedAnswers).answers
    fixed = dict(answers)
    t = engine.start(session_id="r-1", now=NOW, locale=document["locale"])
    t = _handle(engine, t, Continue(), 1)
    t = _handle(engine, t, ChooseChannel(document["channel"]), 2)
    errors: list[ValidationIssue] = []
    for at in range(3, 30):
        step = engine.workflow.step(t.session.step)
        if step.kind is StepKind.ARTICLES:
            search = t.effects[0]
            match = ArticleMatch(id="kb-1", title="An article", url="https://e.org/1", score=1.0)
            t = _handle(engine, t, ArticlesFound(search.search_id, (match,)), at)  # type: ignore[attr-defined]
            t = _handle(engine, t, Escalate(), at)
            continue
        own = {q.id for q in step.questions}
        given = {k: v for k, v in fixed.items() if k in own}
        event = Send(given) if step.kind is StepKind.REQUEST else Next(given)
        after = _handle(engine, t, event, at)
        if after.session.step == step.id and after.session.status == "active":
            blocking = [i for i in after.session.issues if i.severity == "error"]
            errors.extend(blocking)
            for issue in blocking:  # correct what the step complained about, then go on
                qid = issue.question
                assert qid is not None
                if qid in GOOD:
                    fixed[qid] = converter.structure(GOOD[qid], type(GOOD[qid]))
                elif qid == "phone":
                    fixed[qid] = "+44 20 7946 0958"
                elif qid == "web_component":
                    fixed[qid] = "not_sure"
                else:
                    fixed.pop(qid, None)
            continue
        t = after
        if t.session.status == "submitting":
            submit = t.effects[0]
            assert isinstance(submit, SubmitTicket)
            return errors, submit.ticket
    raise AssertionError("the walk did not end")  # pragma: no cover


def _as_data(issues: list[ValidationIssue] | tuple[ValidationIssue, ...]) -> list[Any]:
    return [converter.unstructure(i) for i in issues if i.severity == "error"]


def test_there_are_enough_documents() -> None:
    assert len(DOCUMENTS) >= 20
    assert sum(1 for _, _, errors, _ in DOCUMENTS if errors) >= 10
    assert sum(1 for _, _, errors, _ in DOCUMENTS if not errors) >= 8


@pytest.mark.parametrize(
    ("document", "codes", "dropped"),
    [d[1:] for d in DOCUMENTS],
    ids=[d[0] for d in DOCUMENTS],
)
def test_revalidation_gives_the_engines_errors(
    engine: Engine, document: dict[str, Any], codes: list[str], dropped: list[str]
) -> None:
    assert list(violations("answers", document)) == []
    engine_errors, engine_ticket = engine_run(engine, document)
    result = revalidate_answers(engine.workflow, document)
    assert [i.code for i in result.issues if i.severity == "error"] == codes
    assert _as_data(result.issues) == _as_data(engine_errors)  # same codes, paths, messages
    assert list(result.dropped) == dropped
    assert not set(dropped) & set(result.answers)
    assert result.ok == (not codes)
    if not codes:  # the same ticket, built from the answers the user could see
        rebuilt = revalidate_answers(
            engine.workflow,
            document,
            ticket_id=engine_ticket.id,
            session_id="r-1",
            now=engine_ticket.created_at,
        ).ticket
        assert rebuilt is not None
        assert attrs.evolve(rebuilt, articles=engine_ticket.articles) == engine_ticket
        assert not {a.question for a in rebuilt.answers} & set(dropped)


def _engine_ticket(engine: Engine, document: dict[str, Any]) -> Ticket:
    errors, ticket = engine_run(engine, document)
    assert errors == []
    assert isinstance(ticket, Ticket)
    return ticket


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
def test_a_ticket_the_engine_built_passes_unchanged(engine: Engine, channel: str) -> None:
    extra = {"phone": "+7 495 123-45-67"} if channel == "phone" else {}
    ticket = _engine_ticket(engine, doc(channel, screenshots=[SHOT], **extra))
    result = revalidate_ticket(engine.workflow, converter.unstructure(ticket))
    assert result.issues == ()
    assert result.ticket == ticket
    assert result.dropped == ()


def test_a_booked_callback_is_kept_with_the_phone_of_the_contact_details(
    engine: Engine,
) -> None:
    ticket = _engine_ticket(engine, doc("phone", phone="+7 495 123-45-67"))
    data = converter.unstructure(ticket)
    data["callback"] = {
        "starts_at": "2026-11-30T09:00:00+03:00",
        "ends_at": "2026-11-30T09:30:00+03:00",
        "time_zone": "Europe/Moscow",
        "phone": "+10000000000",  # not the number the answers give
    }
    result = revalidate_ticket(engine.workflow, data)
    assert result.ok
    assert result.ticket is not None
    assert result.ticket.callback is not None
    assert result.ticket.callback.phone == "+74951234567" == result.ticket.contact.phone
    assert result.ticket.callback.time_zone == "Europe/Moscow"
    assert [(i.code, i.path) for i in result.issues] == [("ticket.rebuilt", ("callback",))]
    # the e-mail channel offers no callback: a callback sent with its ticket is dropped
    email = converter.unstructure(_engine_ticket(engine, doc("email")))
    email["callback"] = data["callback"]
    dropped = revalidate_ticket(engine.workflow, email)
    assert dropped.ticket is not None
    assert dropped.ticket.callback is None


def test_a_tampered_ticket_is_rebuilt_from_its_answers(engine: Engine) -> None:
    ticket = _engine_ticket(engine, doc())
    data = converter.unstructure(ticket)
    data["contact"]["email"] = "someone.else@example.org"
    data["subject"] = "Urgent!!!"
    data["answers"].append(
        {
            "question": "phone",
            "label": "Phone",
            "type": "phone",
            "value": "+442079460958",
            "display": "+442079460958",
        }
    )
    result = revalidate_ticket(engine.workflow, data)
    assert result.ok
    assert result.dropped == ("phone",)  # never visible on the e-mail channel
    assert {(i.code, i.path) for i in result.issues} == {
        ("ticket.rebuilt", ("subject",)),
        ("ticket.rebuilt", ("contact",)),
        ("ticket.rebuilt", ("answers",)),
    }
    assert all(i.severity == "warning" for i in result.issues)
    assert result.ticket == ticket


def test_a_ticket_with_a_bad_answer_gives_the_engines_error(engine: Engine) -> None:
    ticket = _engine_ticket(engine, doc())
    answers = tuple(
        attrs.evolve(a, value="jane.roe@") if a.question == "email" else a for a in ticket.answers
    )
    result = revalidate_ticket(engine.workflow, attrs.evolve(ticket, answers=answers))
    engine_errors, _ = engine_run(engine, doc(email="jane.roe@"))
    assert _as_data(result.issues) == _as_data(engine_errors)
    assert result.ticket is None


def test_a_ticket_for_another_workflow(engine: Engine) -> None:
    ticket = _engine_ticket(engine, doc())
    other = attrs.evolve(ticket, workflow=attrs.evolve(ticket.workflow, version=99))
    result = revalidate_ticket(engine.workflow, other)
    assert [i.code for i in result.issues] == ["document.other_workflow"]
    assert not result.ok


@pytest.mark.parametrize(
    ("document", "code", "path"),
    [
        ({"channel": "email"}, "document.invalid", ()),
        (
            {"channel": "email", "locale": "en", "answers": {"consent": 1}},
            "document.invalid",
            ("answers", "consent"),
        ),
        ({"channel": "email", "locale": "en", "extra": True}, "document.invalid", ()),
        ("not a document", "document.invalid", ()),
        (doc("pigeon"), "document.unknown_channel", ("channel",)),
        (doc(locale="fr"), "document.unknown_locale", ("locale",)),
    ],
)
def test_malformed_documents_become_issues(
    engine: Engine, document: Any, code: str, path: tuple[str, ...]
) -> None:
    result = revalidate_answers(engine.workflow, document)
    assert (result.issues[0].code, result.issues[0].path) == (code, path)
    assert not result.ok
    assert result.ticket is None


def test_a_malformed_ticket_is_an_issue_too(engine: Engine) -> None:
    result = revalidate_ticket(engine.workflow, {"id": "t-1"})
    assert {i.code for i in result.issues} == {"document.invalid"}


def test_revalidation_documents_match_their_schema(engine: Engine) -> None:
    ticket = _engine_ticket(engine, doc())
    result = revalidate_answers(
        engine.workflow, doc(web_component="firewall"), ticket_id=ticket.id, now=ticket.created_at
    )
    document = converter.unstructure(result)
    assert converter.structure(document, Revalidation) == result
    assert list(violations("answers", converter.unstructure(SubmittedAnswers("email", "en")))) == []
    from kl_contact.schemas import _validator

    assert (
        _validator("answers")
        .evolve(schema={"$ref": "answers.schema.json#/$defs/revalidation"})
        .is_valid(document)
    )


def test_messages_follow_the_documents_locale(engine: Engine) -> None:
    ru = revalidate_answers(engine.workflow, doc("email", "ru", email="nobody"))
    en = revalidate_answers(engine.workflow, doc("email", "en", email="nobody"))
    assert ru.issues[0].message != en.issues[0].message
    assert "name@example.com" in en.issues[0].message


def test_the_kept_answers_are_the_visible_ones(engine: Engine) -> None:
    result = revalidate_answers(engine.workflow, doc(phone="+44 20 7946 0958"))
    assert result.dropped == ("phone",)
    assert dict(result.answers) == GOOD


def test_no_ticket_without_the_time_or_with_an_error(engine: Engine) -> None:
    workflow = engine.workflow
    assert revalidate_answers(workflow, doc(), ticket_id="t-1").ticket is None
    blocked = revalidate_answers(workflow, doc(email="nobody"), ticket_id="t-1", now=NOW)
    assert not blocked.ok
    assert blocked.ticket is None
    built = revalidate_answers(workflow, doc(), ticket_id="t-1", now=NOW)
    assert built.ticket is not None
    assert (built.ticket.id, built.ticket.session_id, built.ticket.created_at) == (
        "t-1",
        "t-1",
        NOW,
    )


def test_a_naive_time_is_the_hosts_mistake(engine: Engine) -> None:
    from kl_contact import UsageError

    with pytest.raises(UsageError) as excinfo:
        revalidate_answers(engine.workflow, doc(), ticket_id="t-1", now=NOW.replace(tzinfo=None))
    assert excinfo.value.code == "time.naive"


def test_an_unknown_question_is_a_warning_on_its_answer(engine: Engine) -> None:
    result = revalidate_answers(engine.workflow, doc(colour="red"))
    assert result.ok
    assert [(i.code, i.path, i.severity) for i in result.issues] == [
        ("answer.unknown_question", ("answers", "colour"), "warning")
    ]
    assert result.dropped == ("colour",)


def test_articles_marked_not_helpful_reach_the_rebuilt_ticket(engine: Engine) -> None:
    document = dict(doc(), articles={"shown": ["kb-1", "kb-2"], "not_helpful": ["kb-2"]})
    ticket = revalidate_answers(engine.workflow, document, ticket_id="t-1", now=NOW).ticket
    assert ticket is not None
    assert ticket.articles.shown == ("kb-1", "kb-2")
    assert ticket.articles.not_helpful == ("kb-2",)


def test_a_ticket_that_cannot_be_built_is_one_issue(engine: Engine) -> None:
    data = converter.unstructure(_engine_ticket(engine, doc()))
    data["created_at"] = "2026-13-45T00:00:00+00:00"  # the shape of a time, no such day
    result = revalidate_ticket(engine.workflow, data)
    assert [(i.code, i.path, i.params) for i in result.issues] == [
        ("document.invalid", (), {"keyword": "structure"})
    ]


def test_a_malformed_document_speaks_its_own_locale(engine: Engine) -> None:
    ru = revalidate_answers(engine.workflow, {"channel": "email", "locale": "ru", "x": 1})
    en = revalidate_answers(engine.workflow, {"channel": "email", "locale": "en", "x": 1})
    assert ru.issues[0].message != en.issues[0].message


def test_the_repr_lists_codes_and_counts_only(engine: Engine) -> None:
    result = revalidate_answers(engine.workflow, doc(email="nobody", colour="red"))
    assert repr(result) == (
        "Revalidation(ok=False, issues=['answer.invalid_email', 'answer.unknown_question'], "
        f"answers={len(result.answers)}, dropped=1, ticket=False)"
    )


def test_a_prefilled_ticket_keeps_its_marks_and_its_consent_record(engine: Engine) -> None:
    ticket = _engine_ticket(engine, doc())
    marked = attrs.evolve(
        ticket,
        answers=tuple(attrs.evolve(a, prefilled=a.question == "product") for a in ticket.answers),
    )
    result = revalidate_ticket(engine.workflow, converter.unstructure(marked))
    assert result.issues == ()
    assert result.ticket == marked
    assert [c.id for c in marked.consents] == ["consent"]
    data = converter.unstructure(marked)
    data["consents"][0]["version"] = "1999-01"  # a consent to another text is rebuilt
    rebuilt = revalidate_ticket(engine.workflow, data)
    assert [(i.code, i.path) for i in rebuilt.issues] == [("ticket.rebuilt", ("consents",))]
    assert rebuilt.ticket == marked
