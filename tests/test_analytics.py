"""Deflection analytics: funnel figures from generated sessions match hand counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DETAILS, NOW, PHONE, receipt_for
from kl_contact import (
    ArticleHelped,
    ArticleNotHelpful,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Event,
    Next,
    OpenArticle,
    Send,
    Session,
    default_workflow,
)
from kl_contact.analytics import Funnel, ResolvingArticle, deflection_report
from kl_contact.articles.catalog import sample_catalog
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.driver import Driver, search_with

WORKFLOW = default_workflow()
DRIVER = Driver(
    Engine(WORKFLOW),
    search=search_with(Bm25Matcher.for_workflow(sample_catalog(), WORKFLOW)),
    submit=lambda ticket: receipt_for(ticket.channel, f"R-{ticket.channel}"),
)
SUBJECTS = {
    "activation": "The activation code is not accepted",
    "vpn": "VPN does not connect on my phone",
    "scan": "The scan stops halfway and never finishes",
}

# outcomes: "left" quits on the questions; "helped" is resolved by the first article;
# "escalated" presses Contact support and sends; "gave_up" escalates and never sends
OUTCOMES = ("left", "helped", "escalated", "gave_up")


def generate(number: int, channel: str, category: str, outcome: str) -> Session:
    """One session walked through the default workflow to the given outcome."""
    now = NOW + timedelta(minutes=number)
    t = DRIVER.start(session_id=f"gen-{number}", now=now, locale="en")
    events: list[Event] = [Continue(), ChooseChannel(channel)]
    for event in events:
        t = DRIVER.handle(t.session, event, now)
    if outcome == "left":
        return t.session
    answers = {"product": "plus", "platform": "android", "category": category}
    t = DRIVER.handle(t.session, Next({**answers, "subject": SUBJECTS[category]}), now)
    assert t.view.kind == "articles"
    shown = t.session.articles.shown
    assert shown
    if outcome == "helped":
        t = DRIVER.handle(t.session, OpenArticle(shown[0]), now)
        t = DRIVER.handle(t.session, ArticleHelped(shown[0]), now)
        assert t.view.kind == "resolved"
        return t.session
    t = DRIVER.handle(t.session, ArticleNotHelpful(shown[0], reason="outdated"), now)
    t = DRIVER.handle(t.session, Escalate(), now)
    if outcome == "gave_up":
        return t.session
    details = {**DETAILS, "phone": PHONE} if channel == "phone" else dict(DETAILS)
    t = DRIVER.handle(t.session, Send(details), now)
    assert t.view.kind == "confirmation"
    return t.session


# (channel, category, outcome, how many)
PLAN = [
    ("email", "activation", "helped", 3),
    ("email", "activation", "escalated", 2),
    ("email", "scan", "left", 1),
    ("chat", "vpn", "helped", 2),
    ("chat", "vpn", "gave_up", 1),
    ("chat", "scan", "escalated", 1),
    ("phone", "scan", "helped", 1),
    ("phone", "activation", "left", 2),
]


@pytest.fixture(scope="module")
def sessions() -> list[Session]:
    out = []
    for channel, category, outcome, count in PLAN:
        for _ in range(count):
            out.append(generate(len(out), channel, category, outcome))
    return out


def test_funnel_matches_hand_counts(sessions: list[Session]) -> None:
    report = deflection_report(sessions)
    # 13 sessions; 3 left before the articles; 6 helped; 4 escalated, 3 of whom sent
    assert report.total == Funnel(
        started=13, reached_articles=10, resolved=6, escalated=4, submitted=3
    )
    assert report.total.deflection_rate == pytest.approx(0.6)
    assert report.by_channel == {
        "chat": Funnel(started=4, reached_articles=4, resolved=2, escalated=2, submitted=1),
        "email": Funnel(started=6, reached_articles=5, resolved=3, escalated=2, submitted=2),
        "phone": Funnel(started=3, reached_articles=1, resolved=1, escalated=0, submitted=0),
    }
    # sessions that left on the questions never answered a category
    assert report.by_category == {
        "(none)": Funnel(started=3),
        "activation": Funnel(started=5, reached_articles=5, resolved=3, escalated=2, submitted=2),
        "scan": Funnel(started=2, reached_articles=2, resolved=1, escalated=1, submitted=1),
        "vpn": Funnel(started=3, reached_articles=3, resolved=2, escalated=1, submitted=0),
    }


def test_top_articles_are_those_that_resolved_most(sessions: list[Session]) -> None:
    report = deflection_report(sessions, top=2)
    helped = [s.articles.helped for s in sessions if s.articles.helped]
    assert len(helped) == 6
    # each category's question found its own first article, so the counts follow the plan
    assert [a.resolved for a in report.top_articles] == [3, 2]
    assert report.top_articles[0] == ResolvingArticle(helped[0], 3)
    assert deflection_report(sessions, top=0).top_articles == ()


def test_empty_collection_is_an_empty_funnel() -> None:
    report = deflection_report([])
    assert report.total == Funnel()
    assert report.total.deflection_rate == 0.0
    assert report.by_channel == {}


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["email", "chat", "phone"]),
            st.sampled_from(sorted(SUBJECTS)),
            st.sampled_from(OUTCOMES),
        ),
        max_size=6,
    )
)
def test_funnel_stages_narrow_and_parts_add_up(plan: list[tuple[str, str, str]]) -> None:
    sessions = [generate(i, *entry) for i, entry in enumerate(plan)]
    report = deflection_report(sessions)
    total = report.total
    assert total.started == len(plan)
    assert total.started >= total.reached_articles >= total.resolved + total.escalated
    assert total.escalated >= total.submitted
    for part in (report.by_channel, report.by_category):
        assert sum(f.started for f in part.values()) == total.started
        assert sum(f.submitted for f in part.values()) == total.submitted
        assert sum(f.resolved for f in part.values()) == total.resolved


def test_feedback_counts_not_helpful_per_article_with_reason_codes() -> None:
    from kl_contact.analytics import OTHER_REASON, demotions, feedback_report

    base = _one_session()
    sessions = [
        attrs_evolve(base, ("a", "b"), [("a", False, "outdated"), ("b", True, None)]),
        attrs_evolve(base, ("a",), [("a", False, "my card number is 4111")]),
        attrs_evolve(base, ("a", "c"), [("a", False, None)]),
        attrs_evolve(base, ("c",), []),
    ]
    counts = {c.article_id: c for c in feedback_report(sessions)}
    assert counts["a"].shown == 3
    assert counts["a"].not_helpful == 3
    assert counts["a"].reasons == {"outdated": 1, OTHER_REASON: 1}
    assert "4111" not in repr(counts)
    assert counts["b"].helpful == 1
    assert counts["c"].shown == 2
    assert counts["c"].rejection_rate == 0.0
    assert next(c.article_id for c in feedback_report(sessions)) == "a"
    assert demotions(counts.values(), min_shown=3) == {"a": 0.5}
    assert demotions(counts.values(), min_shown=4) == {}
    assert demotions(counts.values(), min_shown=1, strength=0.3)["a"] == pytest.approx(0.7)


def _one_session() -> object:
    from kl_contact import Engine, default_workflow

    return Engine(default_workflow()).start(session_id="fb-1", now=NOW, locale="en").session


def attrs_evolve(
    session: object, shown: tuple[str, ...], verdicts: list[tuple[str, bool, str | None]]
) -> object:
    import attrs

    from kl_contact.engine.session import ArticleFeedback, ArticlesState

    state = ArticlesState(
        shown=shown,
        feedback=tuple(ArticleFeedback(a, helpful, reason) for a, helpful, reason in verdicts),
    )
    return attrs.evolve(session, articles=state)  # type: ignore[misc]
