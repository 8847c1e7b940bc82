"""Erasure: a finished contact loses its personal data and keeps what analytics counts."""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import DETAILS, NOW, PHONE, sample_engine, walk
from kl_contact import (
    ArticleNotHelpful,
    Attachment,
    Engine,
    Session,
    UsageError,
    deflection_report,
    dump_session,
    erase_personal_data,
    feedback_report,
)
from kl_contact.engine.session import ArticleFeedback
from kl_contact.schemas import violations


def _finished(engine: Engine, channel: str = "phone") -> Session:
    session = walk(engine, channel, "en")[-1].session
    assert session.status == "submitted"
    return session


def test_every_personal_answer_and_the_ticket_are_erased(engine: Engine) -> None:
    done = _finished(engine)
    files = (Attachment("passport-scan.png", "image/png", 1200),)
    done = attrs.evolve(done, answers={**done.answers, "screenshots": files})
    erased = engine.erase_personal_data(done)
    text = json.dumps(dump_session(erased), ensure_ascii=False)
    for secret in (DETAILS["name"], DETAILS["email"], PHONE, DETAILS["description"]):
        assert secret not in text
    assert "passport-scan" not in text
    assert erased.answers["screenshots"] == (Attachment("<redacted>", "image/png", 1200),)
    assert erased.answers["email"] == "<redacted>"
    assert erased.submission is not None
    assert erased.submission.ticket.contact.email == "<redacted>"
    assert list(violations("session", dump_session(erased))) == []


def test_what_is_not_personal_stays(engine: Engine) -> None:
    done = _finished(engine)
    erased = erase_personal_data(engine.workflow, done)
    for qid in ("product", "platform", "category", "consent"):
        assert erased.answers[qid] == done.answers[qid]
    assert erased.request_number == done.request_number
    assert (erased.step, erased.trail, erased.channel) == (done.step, done.trail, done.channel)
    assert erased.history == done.history
    assert erased.submission is not None
    assert done.submission is not None
    assert erased.submission.ticket.consents == done.submission.ticket.consents


def test_a_licence_key_is_erased() -> None:
    engine = sample_engine("licence-key")
    question = engine.workflow.questions()["key"]
    assert question.is_personal
    done = Session(
        id="k-1",
        workflow=engine.start(session_id="k-0", now=NOW).session.workflow,
        locale="en",
        step="done",
        created_at=NOW,
        updated_at=NOW,
        status="resolved",
        answers={"key": "ABCDE-12345-FGHIJ-67890", "problem": "activation"},
    )
    erased = engine.erase_personal_data(done)
    assert erased.answers == {"key": "<redacted>", "problem": "activation"}


def test_an_unfinished_session_is_refused(engine: Engine) -> None:
    transitions = walk(engine, "email", "en")
    for transition in transitions[:-1]:
        with pytest.raises(UsageError) as refused:
            engine.erase_personal_data(transition.session)
        assert refused.value.code == "session.not_finished"


def test_erasing_twice_changes_nothing_more(engine: Engine) -> None:
    once = engine.erase_personal_data(_finished(engine, "chat"))
    assert engine.erase_personal_data(once) == once


@given(
    reasons=st.lists(
        st.one_of(st.none(), st.sampled_from(["outdated", "wrong_product"]), st.text()),
        max_size=4,
    )
)
def test_analytics_counts_an_erased_session_as_before(reasons: list[str | None]) -> None:
    from kl_contact import default_workflow

    engine = Engine(default_workflow())
    transitions = walk(engine, "email", "en")
    on_articles = next(t for t in transitions if t.view.kind == "articles")
    session = on_articles.session
    for index, reason in enumerate(reasons):
        session = engine.handle(session, ArticleNotHelpful(f"kb-{index}", reason), NOW).session
    done = attrs.evolve(transitions[-1].session, articles=session.articles)
    erased = engine.erase_personal_data(done)
    assert deflection_report([erased]) == deflection_report([done])
    assert feedback_report([erased]) == feedback_report([done])
    for before, after in zip(done.articles.feedback, erased.articles.feedback, strict=True):
        if before.reason != after.reason:  # only words a user typed go
            assert after.reason == "<redacted>"
            assert feedback_report(
                [attrs.evolve(done, articles=attrs.evolve(done.articles, feedback=(before,)))]
            )[0].reasons == {"other": 1}


def test_an_answer_the_definition_no_longer_asks_is_treated_as_personal(engine: Engine) -> None:
    done = _finished(engine, "email")
    older = attrs.evolve(done, answers={**done.answers, "home_address": "1 Main Street"})
    erased = engine.erase_personal_data(older)
    assert erased.answers["home_address"] == "<redacted>"


def test_a_reason_the_user_typed_for_an_unhelpful_article_is_erased_and_a_code_stays(
    engine: Engine,
) -> None:
    done = _finished(engine)
    feedback = (
        ArticleFeedback("kb-1", helpful=False, reason="My key ABCDE-12345 is refused"),
        ArticleFeedback("kb-2", helpful=False, reason="outdated"),
        ArticleFeedback("kb-3", helpful=False),
    )
    done = attrs.evolve(done, articles=attrs.evolve(done.articles, feedback=feedback))
    erased = engine.erase_personal_data(done)
    assert [(f.article_id, f.reason) for f in erased.articles.feedback] == [
        ("kb-1", "<redacted>"),
        ("kb-2", "outdated"),
        ("kb-3", None),
    ]
    assert erased.articles.shown == done.articles.shown
