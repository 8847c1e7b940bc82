"""Deflection analytics: funnel figures from generated sessions match hand counts."""

from __future__ import annotations

import json
import re
from collections import Counter
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
    Rate,
    Send,
    Session,
    SkipRating,
    analytics_report,
    default_workflow,
    drop_off_report,
    dump_analytics,
    not_helpful_reasons,
    satisfaction_report,
    step_times,
)
from kl_contact.analytics import Funnel, ResolvingArticle, deflection_report
from kl_contact.articles.catalog import sample_catalog
from kl_contact.articles.matcher import Bm25Matcher
from kl_contact.driver import Driver, search_with
from kl_contact.engine.session import (
    MAX_HISTORY,
    ArticleFeedback,
    ArticlesState,
    HistoryEntry,
    Rating,
    Submission,
)
from kl_contact.schemas import violations
from kl_contact.ticket.model import WorkflowRef

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


# ---------------------------------------------------------------------------- beyond the funnel


STEP_IDS = [step.id for step in WORKFLOW.steps]
REF = WorkflowRef(WORKFLOW.id, WORKFLOW.version, WORKFLOW.digest)
SECRET = "call me on +44 20 7946 0958"


def _session(
    number: int,
    *,
    step: str = "question",
    channel: str | None = "email",
    helped: str | None = None,
    history: tuple[HistoryEntry, ...] = (),
    ratings: tuple[Rating, ...] = (),
    feedback: tuple[ArticleFeedback, ...] = (),
    submitted: bool = False,
) -> Session:
    submission = None
    if submitted:
        ticket = DRIVER.engine.build_ticket(
            DRIVER.start(session_id="t", now=NOW, locale="en").session, "t:ticket:1", NOW
        )
        submission = Submission("t:ticket:1", ticket, "accepted", receipt_for("email", "R-1"))
    return Session(
        id=f"a-{number}",
        workflow=REF,
        locale="en",
        step=step,
        created_at=NOW,
        updated_at=NOW,
        status="resolved" if helped else "submitted" if submitted else "active",
        channel=channel,
        articles=ArticlesState(helped=helped, feedback=feedback),
        submission=submission,
        history=history,
        ratings=ratings,
    )


outcomes = st.sampled_from(["dropped", "helped", "submitted"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STEP_IDS), outcomes), max_size=30))
def test_drop_off_counts_the_sessions_that_stopped_unresolved_where_they_stand(
    plan: list[tuple[str, str]],
) -> None:
    sessions = [
        _session(n, step=step, helped="kb-1" if outcome == "helped" else None,
                 submitted=outcome == "submitted")
        for n, (step, outcome) in enumerate(plan)
    ]  # fmt: skip
    report = drop_off_report(sessions)
    expected = Counter(step for step, outcome in plan if outcome == "dropped")
    assert dict(report.by_step) == dict(expected)
    assert report.dropped == sum(expected.values())
    assert report.sessions == len(plan)
    assert 0.0 <= report.drop_off_rate <= 1.0
    counts = list(report.by_step.values())
    assert counts == sorted(counts, reverse=True)


def test_drop_off_of_walked_sessions() -> None:
    left = generate(1, "email", "activation", "left")
    gave_up = generate(2, "chat", "vpn", "gave_up")
    done = [generate(3, "email", "scan", "helped"), generate(4, "phone", "vpn", "escalated")]
    report = drop_off_report([left, gave_up, *done])
    assert dict(report.by_step) == {left.step: 1, gave_up.step: 1}
    assert report.drop_off_rate == 0.5


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(STEP_IDS), st.integers(0, 3600)), min_size=1, max_size=40)
)
def test_step_times_add_the_time_before_each_event_to_the_step_it_was_handled_on(
    events: list[tuple[str, int]],
) -> None:
    at, history = NOW, []
    spent: Counter[str] = Counter()
    for step, seconds in events:
        at += timedelta(seconds=seconds)
        history.append(HistoryEntry(at=at, event="next", step=step))
        spent[step] += seconds
    times = {t.step: t for t in step_times([_session(1, history=tuple(history))])}
    assert {step: t.total_seconds for step, t in times.items()} == {
        step: float(total) for step, total in spent.items()
    }
    assert all(t.sessions == 1 for t in times.values())
    assert list(times) == sorted(times)


def test_step_times_are_per_session_with_mean_and_median() -> None:
    def visit(number: int, seconds: list[int]) -> Session:
        at, history = NOW, []
        for s in seconds:
            at += timedelta(seconds=s)
            history.append(HistoryEntry(at=at, event="next", step="question"))
        return _session(number, history=tuple(history))

    [question] = step_times([visit(1, [10, 20]), visit(2, [60]), visit(3, [90])])
    assert (question.sessions, question.total_seconds) == (3, 180.0)
    assert (question.mean_seconds, question.median_seconds) == (60.0, 60.0)
    assert step_times([_session(9)]) == ()


def test_a_cut_history_counts_from_its_oldest_kept_entry() -> None:
    history = tuple(
        HistoryEntry(at=NOW + timedelta(hours=1, seconds=n), event="answer", step="question")
        for n in range(MAX_HISTORY)
    )
    [question] = step_times([_session(1, history=history)])
    assert question.total_seconds == MAX_HISTORY - 1  # the hour before it is not known


scores = st.one_of(st.none(), st.integers(1, 5))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["email", "chat", None]),
            st.sampled_from(["kb-1", "kb-2", None]),
            scores,
        ),
        max_size=30,
    )
)
def test_satisfaction_counts_every_rating_by_channel_and_article(
    plan: list[tuple[str | None, str | None, int | None]],
) -> None:
    sessions = [
        _session(
            n,
            step="resolved" if article else "confirmation",
            channel=channel,
            helped=article,
            ratings=(Rating("resolved" if article else "confirmation", NOW, score, SECRET),),
        )
        for n, (channel, article, score) in enumerate(plan)
    ]
    report = satisfaction_report(sessions)
    given_scores = [score for _, _, score in plan if score is not None]
    assert report.total.rated == len(given_scores)
    assert report.total.skipped == len(plan) - len(given_scores)
    assert report.total.scores == {str(s): given_scores.count(s) for s in range(1, 6)}
    if given_scores:
        assert report.total.mean_score == pytest.approx(sum(given_scores) / len(given_scores))
    else:
        assert report.total.mean_score is None
    assert sum(s.rated + s.skipped for s in report.by_channel.values()) == len(plan)
    by_article = Counter(article for _, article, _ in plan if article)
    assert {a: s.rated + s.skipped for a, s in report.by_article.items()} == dict(by_article)
    for channel, summary in report.by_channel.items():
        mine = [sc for ch, _, sc in plan if (ch or "(none)") == channel and sc is not None]
        assert summary.rated == len(mine)
    document = dump_analytics(analytics_report(sessions))
    assert [v.message for v in violations("analytics", document)] == []
    assert SECRET not in json.dumps(document)


def test_ratings_given_through_the_engine_reach_the_report() -> None:
    helped = generate(5, "chat", "vpn", "helped")
    escalated = generate(6, "email", "activation", "escalated")
    rated = DRIVER.handle(helped, Rate(5, SECRET), NOW).session
    skipped = DRIVER.handle(escalated, SkipRating(), NOW).session
    report = satisfaction_report([rated, skipped])
    assert (report.total.rated, report.total.skipped, report.total.mean_score) == (1, 1, 5.0)
    assert set(report.by_step) == {"resolved", "confirmation"}
    assert report.by_article[rated.articles.helped or ""].scores["5"] == 1
    assert report.by_channel["email"].skipped == 1


def test_not_helpful_reasons_are_counted_per_article_and_free_text_is_other() -> None:
    verdicts = (
        ArticleFeedback("kb-1", False, "outdated"),
        ArticleFeedback("kb-2", False, SECRET),
        ArticleFeedback("kb-3", True),
    )
    sessions = [_session(1, feedback=verdicts), _session(2, feedback=verdicts[:1])]
    assert not_helpful_reasons(sessions) == {"kb-1": {"outdated": 2}, "kb-2": {"other": 1}}


reasons = st.one_of(st.none(), st.sampled_from(["outdated", "wrong_product"]), st.text(max_size=20))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(["kb-1", "kb-2", "kb-3"]), reasons), max_size=3),
        max_size=10,
    )
)
def test_the_combined_report_always_matches_its_schema(
    plan: list[list[tuple[str, str | None]]],
) -> None:
    sessions = [
        _session(n, feedback=tuple(ArticleFeedback(a, False, r) for a, r in dict(verdicts).items()))
        for n, verdicts in enumerate(plan)
    ]
    report = analytics_report(iter(sessions))  # read once, even from a generator
    assert report.sessions == len(plan)
    document = json.loads(json.dumps(dump_analytics(report)))
    assert [v.message for v in violations("analytics", document)] == []
    assert document["drop_off"]["dropped"] == len(plan)
    sent = {r for verdicts in plan for _, r in verdicts if r}
    codes = {r for r in sent if re.fullmatch(r"[a-z][a-z0-9_]{0,31}", r)}
    for counts in document["not_helpful_reasons"].values():
        assert set(counts) <= codes | {"other"}  # free text is counted, never kept
