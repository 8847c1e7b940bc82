"""Shared fixtures: the default workflow, an engine, a fixed clock and walking helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from kl_contact import (
    ArticleMatch,
    ArticlesFound,
    ChooseChannel,
    Continue,
    Engine,
    EngineerContact,
    Escalate,
    Event,
    Next,
    Receipt,
    SearchArticles,
    Send,
    SubmitTicket,
    TicketAccepted,
    Transition,
    default_workflow,
    load_workflow,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

# Mutation runs (mutation/run.py) need the same examples every time, so that a mutant's
# verdict does not depend on luck: no example database, a fixed seed, no deadline.
settings.register_profile("mutate", derandomize=True, database=None, deadline=None)
# Tests never assert wall-clock time, and hypothesis's per-example deadline is one: on a busy
# machine the first example (which pays for lazy imports) could fail a correct test.
settings.register_profile("default", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

QUESTION_ANSWERS: dict[str, dict[str, Any]] = {
    "en": {
        "product": "plus",
        "platform": "windows",
        "category": "activation",
        "subject": "The activation code is not accepted",
    },
    "ru": {
        "product": "premium",
        "platform": "android",
        "category": "scan",
        "subject": "Проверка останавливается на середине",
    },
}

DETAILS = {
    "description": "The application says the code is invalid although it came with the purchase.",
    "name": "Jane Roe",
    "email": "jane.roe@example.org",
    "consent": True,
}

PHONE = "+44 20 7946 0958"

HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    'https://chat.example.com/"onmouseover="alert(1)',
    "https://user:pass@chat.example.com/",
    "//chat.example.com/r/1",
    "https:/x",
    "file:///etc/passwd",
    "mailto:",
]
"""Links that must never reach a view: they run code, carry credentials or break out."""


def receipt_for(channel: str, number: str = "INC-000042") -> Receipt:
    contacts = {
        "email": EngineerContact(email="support@example.com"),
        "chat": EngineerContact(chat_url="https://chat.example.com/r/INC-000042"),
        "phone": EngineerContact(phone="+74950000000", phone_display="+7 495 000-00-00"),
    }
    return Receipt(request_number=number, channel=channel, contact=contacts[channel])


def script(channel: str, locale: str) -> list[Event]:
    """The user events of a full walk (host events are added by :func:`walk`)."""
    details = dict(DETAILS)
    if channel == "phone":
        details["phone"] = PHONE
    return [
        Continue(),
        ChooseChannel(channel),
        Next(QUESTION_ANSWERS[locale]),
        Escalate(),
        Send(details),
    ]


def answer_effects(engine: Engine, transition: Transition, now: datetime) -> Iterator[Transition]:
    """Feed back a result for each effect, like a host would."""
    for effect in transition.effects:
        if isinstance(effect, SearchArticles):
            match = ArticleMatch(
                id="kb-1", title="An article", url="https://example.com/kb/1", score=1.0
            )
            yield engine.handle(transition.session, ArticlesFound(effect.search_id, (match,)), now)
        elif isinstance(effect, SubmitTicket):
            receipt = receipt_for(effect.ticket.channel)
            yield engine.handle(
                transition.session, TicketAccepted(effect.submission_id, receipt), now
            )


def on_request_step(engine: Engine, channel: str = "phone", locale: str = "en") -> Transition:
    """The transition that shows the request form of ``channel``, all earlier steps done."""
    transition = engine.start(session_id="s-1", now=NOW, locale=locale)
    for event in script(channel, locale)[:-1]:
        transition = engine.handle(transition.session, event, NOW)
        transition = next(iter(answer_effects(engine, transition, NOW)), transition)
    assert transition.view.kind == "request"
    return transition


def walk(engine: Engine, channel: str, locale: str, session_id: str = "s-1") -> list[Transition]:
    """Every transition of a full walk to the confirmation."""
    now = NOW
    transitions = [engine.start(session_id=session_id, now=now, locale=locale)]
    for event in script(channel, locale):
        now += timedelta(seconds=30)
        transition = engine.handle(transitions[-1].session, event, now)
        transitions.append(transition)
        transitions.extend(answer_effects(engine, transition, now))
    return transitions


@pytest.fixture(scope="session")
def workflow():  # type: ignore[no-untyped-def]
    return default_workflow()


def library_caches() -> tuple[Any, ...]:
    """The functions of the mutated packages that memoise their results (``cache_clear``)."""
    from kl_contact.channels import callback, receipt_fields, replies, status
    from kl_contact.engine import present
    from kl_contact.questionnaire import fields
    from kl_contact.ticket import build

    return (
        present._scene,
        present._slots_view,
        status._statuses,
        callback._offered,
        receipt_fields._receipt_fields,
        replies._tag_pattern,
        fields.normalise_email,
        build._along,
    )


def clear_library_caches() -> None:
    """Forget every result the library memoised: the cached functions, the stems of catalog
    words and the default workflow's compiled flow."""
    from kl_contact.articles import analysis
    from kl_contact.definition import loader

    for cached in library_caches():
        cached.cache_clear()
    # kept, a stemmer's mutant would meet the stems an earlier test computed with the real
    # code, and look killed or alive by chance
    analysis._stems.clear()
    analysis._STEMMERS.clear()  # made on first use: a mutant of that making must run
    if loader._cached_default is not None:
        object.__setattr__(loader._cached_default, "_compiled", None)


@pytest.fixture(autouse=True)
def _fresh_caches_under_mutation() -> None:
    """Under a mutation run, each test starts without the library's caches of built views,
    compiled flows and stems. mutmut records which tests reach each function, and a
    function whose result is cached is reached only by the first test that asks: its
    mutants would then run against that one test alone."""
    if "MUTANT_UNDER_TEST" in os.environ:
        clear_library_caches()


@pytest.fixture
def engine(workflow) -> Engine:  # type: ignore[no-untyped-def]
    return Engine(workflow)


def minimal(extra_steps: str = "") -> str:
    """A small sound definition (English only) with ``extra_steps`` after the channel choice."""
    return f"""format: 1
id: mini
version: 1
locales: [en]
default_locale: en
title: {{en: Mini}}
self_service: []
contacts_page: {{title: {{en: Contacts}}, url: {{en: "https://example.com/c"}}}}
channels:
  - id: email
    title: {{en: E-mail}}
    description: {{en: Write to us}}
    button: {{en: Write}}
    instructions:
      - text: {{en: "Request {{request_number}} is registered."}}
registration_note: {{en: "A letter goes to {{email}}."}}
steps:
  - id: channel
    kind: channel_choice
    title: {{en: Channel}}
{extra_steps}
  - id: request
    kind: request
    title: {{en: Request}}
    questions:
      - {{id: email, type: email, role: contact_email, required: true, label: {{en: E-mail}}}}
  - id: end
    kind: confirmation
    title: {{en: Sent}}
"""


DEFINITIONS = Path(__file__).parent / "definitions"


def russian_only_subject() -> str:
    """The text of ``tests/definitions/mini.yaml`` with its subject asked only in Russian:
    a question that shows, and is answered, in one locale only."""
    text = (DEFINITIONS / "mini.yaml").read_text("utf-8")
    subject = "      - id: subject\n"
    return text.replace(subject, subject + "        when: {locale: ru}\n")


def sample_engine(name: str) -> Engine:
    """An engine over ``tests/definitions/<name>.yaml``, a small definition that shows what
    the default workflow cannot (each file says which behaviour it is for)."""
    return Engine(load_workflow(DEFINITIONS / f"{name}.yaml"))


def at_step(engine: Engine, channel: str = "email", session_id: str = "s-1") -> Transition:
    """A session of ``engine`` just past the channel choice (the definition's first step)."""
    first = engine.start(session_id=session_id, now=NOW)
    return engine.handle(first.session, ChooseChannel(channel), NOW)
