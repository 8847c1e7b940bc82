"""What the views show and what the articles step records: progress, the chosen channel, the
contacts page, question hints and limits; opened articles, feedback and a change of locale."""

from __future__ import annotations

import attrs
import pytest

from conftest import NOW, QUESTION_ANSWERS, at_step, on_request_step, sample_engine, walk
from kl_contact import (
    Answer,
    ArticleHelped,
    ArticleMatch,
    ArticleNotHelpful,
    ArticlesFound,
    ChangeLocale,
    ChooseChannel,
    Continue,
    Engine,
    Escalate,
    Next,
    OpenArticle,
    Receipt,
    SearchArticles,
    Transition,
    UsageError,
)


def to_questions(engine: Engine, locale: str = "en") -> Transition:
    t = engine.start(session_id="s-1", now=NOW, locale=locale)
    t = engine.handle(t.session, Continue(), NOW)
    return engine.handle(t.session, ChooseChannel("email"), NOW)


def to_articles(engine: Engine) -> Transition:
    t = to_questions(engine)
    return engine.handle(t.session, Next(QUESTION_ANSWERS["en"]), NOW)


def test_progress_counts_steps_from_one(engine: Engine) -> None:
    first = engine.start(session_id="s-1", now=NOW).view.progress
    assert (first.index, first.total) == (1, len(engine.workflow.steps))
    assert to_questions(engine).view.progress.index == 3


def test_the_view_names_the_chosen_channel_and_the_contacts_page(engine: Engine) -> None:
    t = engine.handle(engine.start(session_id="s-1", now=NOW).session, Continue(), NOW)
    page = engine.workflow.contacts_page
    assert t.view.contacts_page is not None
    assert t.view.contacts_page.url == page.url["ru"]
    assert t.view.contacts_page.title == page.title["ru"]
    assert t.view.channel is None
    assert to_questions(engine).view.channel == "email"


def test_a_question_view_carries_its_placeholder_and_limits(engine: Engine) -> None:
    subject = to_questions(engine).view.question("subject")
    assert subject.placeholder == "For example, the activation code is not accepted"
    assert (subject.min_length, subject.max_length) == (5, 150)
    assert subject.label == "Describe the problem briefly"
    extras = at_step(sample_engine("warnings")).view.question("extras")
    assert (extras.min_selected, extras.max_selected) == (2, None)


def test_typing_shows_the_mistakes_in_what_was_typed_but_not_missing_answers(
    engine: Engine,
) -> None:
    t = to_questions(engine)
    t = engine.handle(t.session, Answer({"subject": "   "}), NOW)
    assert t.session.issues == ()
    t = engine.handle(t.session, Answer({"subject": "abc"}), NOW)
    assert [(i.question, i.code) for i in t.session.issues] == [("subject", "answer.too_short")]


def test_an_article_opened_twice_is_recorded_once(engine: Engine) -> None:
    t = to_articles(engine)
    for article in ("kb-1", "kb-1", "kb-2"):
        t = engine.handle(t.session, OpenArticle(article), NOW)
    assert t.session.articles.opened == ("kb-1", "kb-2")
    assert t.view.articles is not None
    assert t.view.articles.opened == ("kb-1", "kb-2")


def test_feedback_keeps_the_reason_and_the_last_word_per_article(engine: Engine) -> None:
    t = to_articles(engine)
    t = engine.handle(t.session, ArticleNotHelpful("kb-1", reason="outdated"), NOW)
    t = engine.handle(t.session, ArticleNotHelpful("kb-2"), NOW)
    feedback = {f.article_id: (f.helpful, f.reason) for f in t.session.articles.feedback}
    assert feedback == {"kb-1": (False, "outdated"), "kb-2": (False, None)}
    t = engine.handle(t.session, ArticleHelped("kb-1"), NOW)
    feedback = {f.article_id: (f.helpful, f.reason) for f in t.session.articles.feedback}
    assert feedback == {"kb-1": (True, None), "kb-2": (False, None)}
    assert len(t.session.articles.feedback) == 2
    assert t.view.kind == "resolved"


def test_not_helpful_twice_keeps_one_entry_for_the_article(engine: Engine) -> None:
    t = to_articles(engine)
    t = engine.handle(t.session, ArticleNotHelpful("kb-1", reason="outdated"), NOW)
    t = engine.handle(t.session, ArticleNotHelpful("kb-2"), NOW)
    t = engine.handle(t.session, ArticleNotHelpful("kb-1", reason="wrong product"), NOW)
    assert [(f.article_id, f.reason) for f in t.session.articles.feedback] == [
        ("kb-2", None),
        ("kb-1", "wrong product"),
    ]


def test_a_change_of_locale_on_a_step_without_questions(engine: Engine) -> None:
    t = engine.start(session_id="s-1", now=NOW, locale="en")
    t = engine.handle(t.session, Continue(), NOW)
    t = engine.handle(t.session, ChangeLocale("ru"), NOW)
    assert (t.session.locale, t.view.locale, t.session.issues) == ("ru", "ru", ())
    assert t.view.kind == "channel_choice"


def test_a_change_of_locale_to_an_undeclared_one_is_refused(engine: Engine) -> None:
    t = to_questions(engine)
    with pytest.raises(UsageError) as excinfo:
        engine.handle(t.session, ChangeLocale("de"), NOW)
    assert excinfo.value.code == "locale.unknown"
    assert excinfo.value.params == {"locale": "de"}  # in the redacted params, not the message
    assert "'de'" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"status": "active", "step": "confirmation"},
            "an active session cannot be on an end step",
        ),
        (
            {"status": "submitting", "step": "details"},
            "a submitting session needs a pending submission on a request step",
        ),
        (
            {"status": "resolved", "step": "details"},
            "a resolved session must be on a resolved step",
        ),
        ({"locale": "de"}, "the session's locale is not declared"),
    ],
)
def test_a_session_whose_status_or_locale_does_not_fit_is_refused(
    engine: Engine, change: dict[str, str], message: str
) -> None:
    session = attrs.evolve(to_questions(engine).session, **change)
    with pytest.raises(UsageError) as excinfo:
        engine.check_session(session)
    assert excinfo.value.code == "session.misfit"
    assert str(excinfo.value) == f"session.misfit: {message}"


def test_a_session_with_a_receipt_for_an_undeclared_channel_is_refused(engine: Engine) -> None:
    final = walk(engine, "email", "en")[-1].session
    submission = final.submission
    assert submission is not None
    assert submission.receipt is not None
    forged = attrs.evolve(submission, receipt=Receipt(request_number="INC-1", channel="pigeon"))
    with pytest.raises(UsageError) as excinfo:
        engine.check_session(attrs.evolve(final, submission=forged))
    assert str(excinfo.value) == "session.misfit: the receipt's channel is not declared"


def test_actions_carry_the_step_button_and_mark_the_way_forward(engine: Engine) -> None:
    welcome = engine.start(session_id="s-1", now=NOW, locale="en")
    (go_on,) = [a for a in welcome.view.actions if a.type != "change_locale"]
    assert (go_on.type, go_on.primary) == ("continue", True)
    assert go_on.label == engine.workflow.start.button["en"]  # type: ignore[index]
    t = to_questions(engine)
    actions = {a.type: a for a in t.view.actions}
    assert actions["next"].primary
    assert actions["next"].label == engine.workflow.step("question").button["en"]  # type: ignore[index]
    assert not actions["back"].primary
    assert actions["back"].label == "Back"
    articles = {a.type: a for a in to_articles(engine).view.actions}
    assert articles["escalate"].primary
    assert articles["escalate"].label == engine.workflow.step("articles").button["en"]  # type: ignore[index]
    assert not articles["open_article"].primary


def test_the_articles_view_lists_those_marked_not_helpful(engine: Engine) -> None:
    t = to_articles(engine)
    t = engine.handle(t.session, ArticleNotHelpful("kb-2"), NOW)
    assert t.view.articles is not None
    assert t.view.articles.not_helpful == ("kb-2",)


def test_options_follow_each_change_of_the_answers_they_depend_on(engine: Engine) -> None:
    """An unanswered question's options change back and forth with an earlier answer (the
    view of each outcome is kept once built; a kept one must never show for another)."""

    def platforms(t: Transition) -> list[str]:
        return [o.id for o in t.view.question("platform").options]

    t = to_questions(engine)
    assert "macos" in platforms(t)
    for product, has_macos in (("anti_virus", False), ("plus", True), ("total_security", False)):
        t = engine.handle(t.session, Answer({"product": product}), NOW)
        assert ("macos" in platforms(t)) is has_macos, product
        assert t.view.question("platform") == engine.view(t.session).question("platform")
    t = engine.handle(t.session, Answer({"platform": "windows"}), NOW)
    assert t.view.question("platform").value == "windows"
    assert "macos" not in platforms(t)


def test_an_answered_question_keeps_its_limits_and_pattern(engine: Engine) -> None:
    t = to_questions(engine)
    t = engine.handle(t.session, Answer({"subject": "Activation fails"}), NOW)
    subject = t.view.question("subject")
    assert subject.value == "Activation fails"
    assert (subject.min_length, subject.max_length) == (5, 150)
    licence = sample_engine("licence-key")
    first = licence.start(session_id="s-1", now=NOW)  # the licence step comes first
    t = licence.handle(first.session, Answer({"key": "ABCDE"}), NOW)
    key = t.view.question("key")
    assert key.value == "ABCDE"
    assert key.pattern == "[A-Z0-9]{5}(-[A-Z0-9]{5}){3}"
    t = licence.handle(t.session, Answer({"devices": ("pc",)}), NOW)
    devices = t.view.question("devices")
    assert (devices.value, devices.min_selected, devices.max_selected) == (("pc",), 1, 2)


def test_a_files_question_tells_the_frontend_which_files_it_takes(engine: Engine) -> None:
    files = on_request_step(engine, "email").view.question("screenshots").attachments
    assert files is not None
    assert (files.max_count, files.max_size, files.max_total_size) == (5, 10 << 20, 25 << 20)
    assert ".png" in files.extensions
    assert "image/png" in files.media_types


def test_the_ticket_says_which_articles_the_user_saw_opened_and_found_no_help_in(
    engine: Engine,
) -> None:
    t = to_articles(engine)
    (search,) = [e for e in t.effects if isinstance(e, SearchArticles)]
    found = (
        ArticleMatch(id="kb-1", title="Activation", url="https://example.com/kb/1", score=2.0),
        ArticleMatch(id="kb-2", title="Licences", url="https://example.com/kb/2", score=1.0),
    )
    t = engine.handle(t.session, ArticlesFound(search.search_id, found), NOW)
    t = engine.handle(t.session, OpenArticle("kb-2"), NOW)
    t = engine.handle(t.session, ArticleNotHelpful("kb-2"), NOW)
    t = engine.handle(t.session, Escalate(), NOW)
    articles = engine.build_ticket(t.session, "t-1", NOW).articles
    assert (articles.shown, articles.opened, articles.not_helpful) == (
        ("kb-1", "kb-2"),
        ("kb-2",),
        ("kb-2",),
    )
    assert articles.escalated
