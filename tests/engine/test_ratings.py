"""Ratings on the end steps: what a user may send, what the host is asked to store, and
what a user's mistake becomes."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import NOW, walk
from kl_contact import (
    ArticleHelped,
    Back,
    Engine,
    Feedback,
    JsonEngine,
    Limits,
    Rate,
    RecordFeedback,
    SkipRating,
    Transition,
    UsageError,
    default_workflow,
    dump_session,
    dump_transition,
    load_session,
    parse_workflow,
    satisfaction_report,
)
from kl_contact.engine.views import USER_ACTIONS

LATER = NOW + timedelta(minutes=5)
DEFAULT_TEXT = (
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)


def _with_rating(text: str, rating: str) -> str:
    """The default workflow with each end's ``rating:`` block replaced by ``rating``."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    skipping = False
    for line in lines:
        if line == "    rating:\n":
            skipping = True
            out.append(rating)
            continue
        if skipping and line.startswith("      "):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


WORKFLOW = default_workflow()
ENGINE = Engine(WORKFLOW)


def confirmed(channel: str = "chat", locale: str = "en") -> Transition:
    final = walk(ENGINE, channel, locale)[-1]
    assert final.view.kind == "confirmation"
    return final


def resolved() -> Transition:
    at_articles = walk(ENGINE, "phone", "ru")[:5][-1]
    assert at_articles.view.kind == "articles"
    article = at_articles.session.articles.shown[0]
    done = ENGINE.handle(at_articles.session, ArticleHelped(article), NOW)
    assert done.view.kind == "resolved"
    return done


CONFIRMED = confirmed()


def test_an_end_step_with_a_rating_offers_rate_and_skip_and_nothing_that_leaves() -> None:
    for end in (confirmed(), resolved()):
        view = end.view
        assert view.terminal
        assert view.action_types == ("rate", "skip_rating")
        assert all(action.stays for action in view.actions)
        assert view.rating is not None
        assert (view.rating.status, view.rating.scores) == ("open", (1, 2, 3, 4, 5))
        rate = view.actions[0]
        assert [(f.name, f.source, f.required) for f in rate.fields] == [
            ("score", "/rating/scores/*", True),
            ("comment", None, False),
        ]
        with pytest.raises(UsageError):
            ENGINE.handle(end.session, Back(), LATER)


def test_the_question_is_the_definitions_own_in_the_sessions_locale() -> None:
    view = resolved().view
    prompt = WORKFLOW.step("resolved").rating
    assert prompt is not None
    assert prompt.title is not None
    assert prompt.comment_label is not None
    assert view.rating is not None
    assert view.rating.title == prompt.title["ru"]
    assert view.rating.comment_label == prompt.comment_label["ru"]


def test_without_texts_the_catalogs_question_is_shown() -> None:
    engine = Engine(parse_workflow(_with_rating(DEFAULT_TEXT, "    rating: {}\n")))
    at_articles = walk(engine, "email", "en")[:5][-1]
    helped = ArticleHelped(at_articles.session.articles.shown[0])
    done = engine.handle(at_articles.session, helped, NOW)
    assert done.view.rating is not None
    assert done.view.rating.title == "How well were you helped?"
    assert done.view.rating.comment_label == "Comment (optional)"


def test_rating_a_resolved_contact_records_the_article_and_channel() -> None:
    end = resolved()
    rated = ENGINE.handle(end.session, Rate(4, "  Понятно и быстро  "), LATER)
    [effect] = rated.effects
    assert isinstance(effect, RecordFeedback)
    feedback = effect.feedback
    assert feedback == Feedback(
        session_id=end.session.id,
        workflow=WORKFLOW.id,
        step="resolved",
        score=4,
        at=LATER,
        locale="ru",
        channel="phone",
        article_id=end.session.articles.shown[0],
        request_number=None,
        comment="Понятно и быстро",
    )
    assert rated.session.rating("resolved") is not None
    assert rated.session.ratings[0].score == 4
    assert rated.view.rating is not None
    assert (rated.view.rating.status, rated.view.rating.score) == ("rated", 4)
    assert rated.view.actions == ()
    assert rated.session.status == end.session.status == "resolved"


def test_rating_a_confirmation_records_the_request_number() -> None:
    end = confirmed("email")
    rated = ENGINE.handle(end.session, Rate(2), LATER)
    [effect] = rated.effects
    assert isinstance(effect, RecordFeedback)
    assert effect.feedback.request_number == end.session.request_number is not None
    assert (effect.feedback.article_id, effect.feedback.comment) == (None, None)
    assert effect.feedback.step == "confirmation"


def test_each_end_is_rated_once() -> None:
    end = confirmed()
    for first in (Rate(5), SkipRating()):
        done = ENGINE.handle(end.session, first, LATER)
        assert ENGINE.allowed_events(done.session) == ()
        for again in (Rate(1), SkipRating()):
            with pytest.raises(UsageError) as refused:
                ENGINE.handle(done.session, again, LATER)
            assert refused.value.code == "event.not_allowed"


def test_skipping_records_nothing_for_the_host_and_keeps_the_skip() -> None:
    skipped = ENGINE.handle(confirmed().session, SkipRating(), LATER)
    assert skipped.effects == ()
    [rating] = skipped.session.ratings
    assert (rating.step, rating.score, rating.skipped) == ("confirmation", None, True)
    assert skipped.view.rating is not None
    assert skipped.view.rating.status == "skipped"


@given(score=st.integers().filter(lambda n: not 1 <= n <= 5))
def test_a_score_out_of_range_is_an_issue_and_the_question_stays_open(score: int) -> None:
    end = CONFIRMED
    wrong = ENGINE.handle(end.session, Rate(score), LATER)
    assert wrong.effects == ()
    assert wrong.session.ratings == ()
    [issue] = wrong.view.issues
    assert (issue.code, issue.path, issue.params) == (
        "rating.out_of_range",
        ("score",),
        {"min": 1, "max": 5},
    )
    assert issue.message == "Choose a score from 1 to 5."
    assert wrong.view.action_types == ("rate", "skip_rating")
    fixed = ENGINE.handle(wrong.session, Rate(3), LATER)
    assert fixed.view.issues == ()
    assert len(fixed.effects) == 1


def test_a_boolean_is_not_a_score() -> None:
    wrong = ENGINE.handle(CONFIRMED.session, Rate(True), LATER)
    assert [i.code for i in wrong.view.issues] == ["rating.out_of_range"]


@given(extra=st.integers(1, 50), text=st.text(min_size=1, max_size=3).filter(str.strip))
def test_a_comment_over_the_limit_is_an_issue_that_never_repeats_it(extra: int, text: str) -> None:
    engine = Engine(WORKFLOW, limits=Limits(comment_length=40))
    comment = (text.strip() * 200)[: 40 + extra] + "#"
    wrong = engine.handle(CONFIRMED.session, Rate(5, comment), LATER)
    assert wrong.effects == ()
    [issue] = wrong.view.issues
    assert (issue.code, issue.path, issue.params) == (
        "rating.comment_too_long",
        ("comment",),
        {"max": 40},
    )
    assert comment not in issue.message
    assert wrong.view.rating is not None
    assert wrong.view.rating.comment_max_length == 40
    assert engine.handle(CONFIRMED.session, Rate(5, comment[:40]), LATER).effects


def test_the_default_comment_limit_is_2000_characters() -> None:
    assert Limits().comment_length == 2000
    ok = ENGINE.handle(CONFIRMED.session, Rate(5, "x" * 2000), LATER)
    assert len(ok.effects) == 1
    too_long = ENGINE.handle(CONFIRMED.session, Rate(5, "x" * 2001), LATER)
    assert [i.code for i in too_long.view.issues] == ["rating.comment_too_long"]
    assert CONFIRMED.view.rating is not None
    assert CONFIRMED.view.rating.comment_max_length == 2000


def test_the_issue_is_worded_in_russian_too() -> None:
    wrong = ENGINE.handle(confirmed(locale="ru").session, Rate(0), LATER)
    assert wrong.view.issues[0].message == "Выберите оценку от 1 до 5."


def test_a_comment_never_shows_in_a_repr() -> None:
    secret = "my phone is +44 20 7946 0958"
    rated = ENGINE.handle(CONFIRMED.session, Rate(1, secret), LATER)
    [effect] = rated.effects
    assert isinstance(effect, RecordFeedback)
    for obj in (Rate(1, secret), rated.session, rated.session.ratings[0], effect, effect.feedback):
        assert secret not in repr(obj)
        assert secret not in str(obj)
    assert effect.feedback.comment == secret
    # the repr still says that there is a comment, and that a rating without one has none
    assert repr(rated.session.ratings[0]).endswith("comment=<redacted>)")
    assert repr(effect.feedback).endswith("comment=<redacted>)")
    plain = ENGINE.handle(CONFIRMED.session, Rate(5), LATER)
    assert repr(plain.session.ratings[0]).endswith("comment=None)")


def test_a_rated_session_round_trips_and_the_wire_agrees() -> None:
    rated = ENGINE.handle(CONFIRMED.session, Rate(5, "Быстро"), LATER)
    document = json.loads(json.dumps(dump_session(rated.session)))
    assert load_session(document) == rated.session
    wire = JsonEngine(ENGINE)
    request = {
        "session": dump_session(CONFIRMED.session),
        "event": {"type": "rate", "score": 5, "comment": "Быстро"},
        "now": LATER.isoformat(),
    }
    assert wire.handle(request) == {"ok": True, "transition": dump_transition(rated)}
    over = wire.handle({**request, "event": {"type": "rate", "score": 6}})
    assert over["ok"] is True
    assert [i["code"] for i in over["transition"]["view"]["issues"]] == ["rating.out_of_range"]


def test_an_end_without_rating_offers_no_action_and_refuses_a_rating() -> None:
    engine = Engine(parse_workflow(_with_rating(DEFAULT_TEXT, "")))
    assert all(table.step.rating is None for table in engine.flow.steps.values())
    final = walk(engine, "email", "en")[-1]
    assert final.view.kind == "confirmation"
    assert (final.view.actions, final.view.rating) == ((), None)
    with pytest.raises(UsageError) as refused:
        engine.handle(final.session, Rate(5), LATER)
    assert refused.value.code == "event.not_allowed"
    assert "rate" in USER_ACTIONS


def test_a_session_with_ratings_its_step_cannot_have_is_refused() -> None:
    rated = ENGINE.handle(CONFIRMED.session, Rate(5), LATER).session
    twice = attrs.evolve(rated, ratings=rated.ratings * 2)
    elsewhere = attrs.evolve(rated, ratings=(attrs.evolve(rated.ratings[0], step="resolved"),))
    for forged in (twice, elsewhere):
        with pytest.raises(UsageError) as refused:
            ENGINE.check_session(forged)
        assert refused.value.code == "session.misfit"
    ENGINE.check_session(rated)


def test_erasure_removes_a_ratings_comment_and_keeps_its_score() -> None:
    rated = ENGINE.handle(CONFIRMED.session, Rate(4, "write to jane.roe@example.org"), LATER)
    erased = ENGINE.erase_personal_data(rated.session)
    [rating] = erased.ratings
    assert (rating.step, rating.score, rating.comment) == ("confirmation", 4, "<redacted>")
    assert "jane.roe" not in json.dumps(dump_session(erased))
    report = satisfaction_report([erased])
    assert report == satisfaction_report([rated.session])
    skipped = ENGINE.handle(CONFIRMED.session, SkipRating(), LATER).session
    assert ENGINE.erase_personal_data(skipped).ratings == skipped.ratings
