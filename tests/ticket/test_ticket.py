"""The ticket the engine builds and the receipts it accepts."""

from __future__ import annotations

from importlib import resources

from conftest import DETAILS, NOW, russian_only_subject, walk
from kl_contact import (
    Back,
    ChooseChannel,
    Continue,
    Engine,
    EngineerContact,
    Next,
    Receipt,
    Send,
    TicketAccepted,
    Transition,
)
from kl_contact.definition.flow import compile_flow
from kl_contact.definition.loader import parse_workflow
from kl_contact.ticket.build import visible_along


def _submitted(engine: Engine, channel: str, locale: str = "en") -> Transition:
    transitions = walk(engine, channel, locale)
    return next(t for t in transitions if t.session.status == "submitting")


def test_the_ticket_holds_normalised_contact_details(engine: Engine) -> None:
    ticket = _submitted(engine, "phone").session.submission.ticket  # type: ignore[union-attr]
    assert ticket.contact.email == "jane.roe@example.org"
    assert ticket.contact.phone == "+442079460958"  # typed as +44 20 7946 0958
    assert ticket.contact.name == "Jane Roe"
    assert ticket.contact.language == "en"
    phone = next(a for a in ticket.answers if a.question == "phone")
    assert (phone.type, phone.value) == ("phone", "+442079460958")


def test_the_ticket_carries_labels_in_the_users_locale_and_stable_ids(engine: Engine) -> None:
    ticket = _submitted(engine, "chat", "ru").session.submission.ticket  # type: ignore[union-attr]
    by_id = {a.question: a for a in ticket.answers}
    assert by_id["platform"].value == "android"
    assert by_id["platform"].label == "Операционная система"
    assert by_id["category"].display == "Проверка и обнаруженные угрозы"
    assert (ticket.product, ticket.category, ticket.platform) == ("premium", "scan", "android")
    assert ticket.subject == "Проверка останавливается на середине"
    assert ticket.articles.shown == ("kb-1",)
    assert ticket.articles.escalated is True
    assert ticket.created_at.tzinfo is not None
    assert "phone" not in by_id  # hidden on the chat channel


def test_an_answer_that_went_out_of_sight_is_not_in_the_ticket(engine: Engine) -> None:
    t = engine.start(session_id="s-9", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("email"), NOW)
    first = {"product": "plus", "platform": "windows", "category": "web_protection"}
    t = engine.handle(
        t.session, Next({**first, "web_component": "firewall", "subject": "Site blocked"}), NOW
    )
    assert t.view.kind == "articles"
    t = engine.handle(t.session, Back(), NOW)
    t = engine.handle(t.session, Next({"category": "other"}), NOW)  # web_component now hidden
    assert t.view.kind == "request"
    ticket = engine.build_ticket(t.session, "t-1", NOW)
    assert "web_component" not in {a.question for a in ticket.answers}


def test_redacted_ticket_keeps_ids_and_choices_only(engine: Engine) -> None:
    ticket = _submitted(engine, "phone").session.submission.ticket  # type: ignore[union-attr]
    redacted = ticket.redacted()
    assert redacted.contact.email == redacted.contact.phone == redacted.contact.name == "<redacted>"
    assert redacted.description == redacted.subject == "<redacted>"
    kept = {a.question: a.value for a in redacted.answers}
    assert kept["product"] == "plus"
    assert kept["email"] == kept["phone"] == kept["name"] == "<redacted>"
    assert (redacted.id, redacted.channel, redacted.product) == (ticket.id, "phone", "plus")


def test_a_receipt_needs_a_request_number_and_the_users_channel(engine: Engine) -> None:
    t = _submitted(engine, "chat")
    submission_id = t.effects[0].submission_id  # type: ignore[attr-defined]
    for receipt, codes in [
        (
            Receipt(request_number="", channel="phone"),
            ["receipt.no_request_number", "receipt.wrong_channel"],
        ),
        (Receipt(request_number="INC-7", channel="email"), ["receipt.wrong_channel"]),
    ]:
        refused = engine.handle(t.session, TicketAccepted(submission_id, receipt), NOW)
        assert [i.code for i in refused.view.issues] == codes
        assert refused.session.status == "submitting"  # still waiting for a good receipt
    good = Receipt(
        request_number="INC-7",
        channel="chat",
        contact=EngineerContact(chat_url="https://chat.example.com/r/INC-7"),
    )
    done = engine.handle(t.session, TicketAccepted(submission_id, good), NOW)
    assert done.view.kind == "confirmation"


def test_a_definition_sets_the_phone_region(workflow) -> None:  # type: ignore[no-untyped-def]
    text = resources.files("kl_contact").joinpath("definition/default_workflow.yaml").read_text()
    german = parse_workflow("phone_region: DE\n" + text, source="de.yaml")
    assert german.phone_region == "DE"
    assert workflow.phone_region is None
    engine = Engine(german)
    t = engine.start(session_id="de-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChooseChannel("phone"), NOW)
    questions = {"product": "plus", "platform": "windows", "category": "other", "subject": "Help!"}
    t = engine.handle(t.session, Next(questions), NOW)
    t = engine.handle(t.session, Send(dict(DETAILS, phone="030 901820")), NOW)
    assert t.session.status == "submitting"  # a Berlin number without +49 is read in DE
    assert t.effects[0].ticket.contact.phone == "+4930901820"  # type: ignore[attr-defined]


def test_a_question_shown_only_in_the_users_locale_reaches_the_ticket() -> None:
    flow = compile_flow(parse_workflow(russian_only_subject()))
    answers = {"category": "billing", "subject": "Счёт"}
    shown, _ = visible_along(flow, ["question"], answers, "email", "ru")
    assert "subject" in [q.id for q in shown]
    shown, _ = visible_along(flow, ["question"], answers, "email", "en")
    assert "subject" not in [q.id for q in shown]
