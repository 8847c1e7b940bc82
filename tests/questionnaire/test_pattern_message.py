"""A question's own pattern message words the issue of an answer that does not match its
pattern, and only that issue (tests/definitions/licence-key.yaml)."""

from __future__ import annotations

from conftest import NOW, sample_engine
from kl_contact import Next

KEY_MESSAGE = "A key looks like ABCDE-12345-FGHIJ-67890."


def test_an_answer_off_the_pattern_reads_the_questions_own_message() -> None:
    engine = sample_engine("licence-key")
    first = engine.start(session_id="s-1", now=NOW)
    t = engine.handle(first.session, Next({"key": "ABCDE", "problem": "renewal"}), NOW)
    (issue,) = t.view.question("key").issues
    assert (issue.code, issue.message) == ("answer.pattern", KEY_MESSAGE)
    # a frontend that words its own message gets the pattern the answer missed
    assert issue.params == {"pattern": "[A-Z0-9]{5}(-[A-Z0-9]{5}){3}"}


def test_another_issue_of_that_question_keeps_its_usual_message() -> None:
    engine = sample_engine("licence-key")
    first = engine.start(session_id="s-1", now=NOW)
    t = engine.handle(first.session, Next({"problem": "renewal"}), NOW)
    (issue,) = t.view.question("key").issues
    assert issue.code == "answer.required"
    assert issue.message != KEY_MESSAGE
