"""What the engine hands the host: the article query and the ticket carry the user's answers
in the user's language, with identifiers derived from the session and a counter."""

from __future__ import annotations

from conftest import NOW, at_step, sample_engine, walk
from kl_contact import (
    Answer,
    ArticlesFound,
    Engine,
    Escalate,
    Next,
    SearchArticles,
    Send,
    SubmitTicket,
    Ticket,
)


def effects_of(engine: Engine, channel: str, locale: str) -> tuple[SearchArticles, SubmitTicket]:
    found = [e for t in walk(engine, channel, locale) for e in t.effects]
    search = next(e for e in found if isinstance(e, SearchArticles))
    submit = next(e for e in found if isinstance(e, SubmitTicket))
    return search, submit


def test_the_article_query_carries_the_structured_answers(engine: Engine) -> None:
    search, _ = effects_of(engine, "email", "en")
    query = search.query
    assert (query.product, query.platform, query.category) == ("plus", "windows", "activation")
    assert (query.locale, query.channel) == ("en", "email")


def test_identifiers_count_up_from_the_session_id(engine: Engine) -> None:
    search, submit = effects_of(engine, "email", "en")
    assert search.search_id == "s-1:search:1"
    assert submit.submission_id == "s-1:ticket:2"
    assert submit.ticket.id == "s-1:ticket:2"


def test_ticket_labels_and_choices_are_in_the_users_language(engine: Engine) -> None:
    # the default workflow's own default locale is Russian: an English session stays English
    _, submit = effects_of(engine, "email", "en")
    shown = {a.question: (a.label, a.display) for a in submit.ticket.answers}
    assert shown["product"] == ("Product", "Kaspersky Plus")
    assert shown["category"] == ("Problem category", "Activation and licence")
    assert shown["consent"][1] == "yes"
    _, russian = effects_of(engine, "email", "ru")
    shown = {a.question: (a.label, a.display) for a in russian.ticket.answers}
    assert shown["product"] == ("Программа", "Kaspersky Premium")


def test_self_service_links_are_in_the_users_language(engine: Engine) -> None:
    english = engine.start(session_id="s-1", now=NOW, locale="en").view.resources
    russian = engine.start(session_id="s-1", now=NOW, locale="ru").view.resources
    assert english[0].url == "https://support.kaspersky.com/help#/b2c"
    assert russian[0].url == "https://support.kaspersky.ru/help#/b2c"
    assert english[0].title == "Online help"


def platform_ticket(details: dict[str, str]) -> Ticket:
    engine = sample_engine("platform-only")
    t = at_step(engine)
    t = engine.handle(t.session, Next({"platform": "android", "subject": "Scan stops"}), NOW)
    search = t.effects[0]
    assert isinstance(search, SearchArticles)
    t = engine.handle(t.session, ArticlesFound(search.search_id, ()), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    t = engine.handle(t.session, Send(details), NOW)
    (effect,) = t.effects
    assert isinstance(effect, SubmitTicket)
    return effect.ticket


def test_the_contact_language_answer_sets_the_reply_language() -> None:
    ticket = platform_ticket({"email": "jane.roe@example.org", "language": "de"})
    assert ticket.contact.language == "de"
    assert ticket.platform == "android"


def test_without_a_language_answer_the_reply_is_in_the_session_locale() -> None:
    ticket = platform_ticket({"email": "jane.roe@example.org"})
    assert ticket.contact.language == "en"


def test_a_choice_without_a_label_shows_as_its_id_in_the_ticket() -> None:
    engine = sample_engine("multiple-choice")
    t = at_step(engine)
    t = engine.handle(t.session, Answer({"symptoms": ("slow", "mystery")}), NOW)
    ticket = engine.build_ticket(t.session, "t-1", NOW)
    assert (ticket.id, ticket.created_at) == ("t-1", NOW)
    (symptoms,) = [a for a in ticket.answers if a.question == "symptoms"]
    assert symptoms.display == "It is slow, mystery"
