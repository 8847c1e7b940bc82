"""A locale the shipped validation messages do not cover: every issue reads in the
definition's default locale instead, in the engine and in the server-side check
(tests/definitions/untranslated-messages.yaml, German beside English)."""

from __future__ import annotations

import attrs

from conftest import DEFINITIONS, NOW, sample_engine
from kl_contact import ChooseChannel, Send, SubmitTicket, revalidate_answers, revalidate_ticket

ENGINE = sample_engine("untranslated-messages")


def sent(locale: str, email: str) -> tuple[str, ...]:
    t = ENGINE.start(session_id="s-1", now=NOW, locale=locale)
    t = ENGINE.handle(t.session, ChooseChannel("email"), NOW)
    t = ENGINE.handle(t.session, Send({"email": email}), NOW)
    return tuple(i.message for i in t.session.issues)


def test_engine_issues_fall_back_to_the_default_locale() -> None:
    (german,) = sent("de", "nobody")
    (english,) = sent("en", "nobody")
    assert german == english
    assert "name@example.com" in german


def test_an_empty_label_stays_empty() -> None:
    t = ENGINE.start(session_id="s-1", now=NOW, locale="de")
    t = ENGINE.handle(t.session, ChooseChannel("email"), NOW)
    assert t.view.question("email").label == ""


def test_revalidation_issues_fall_back_to_the_default_locale() -> None:
    def messages(document: object) -> list[str]:
        return [i.message for i in revalidate_answers(ENGINE.workflow, document).issues]

    answers = {"channel": "email", "answers": {"email": "nobody"}}
    assert messages({**answers, "locale": "de"}) == messages({**answers, "locale": "en"})
    malformed = {"channel": "email", "extra": True}
    assert messages({**malformed, "locale": "de"}) == messages({**malformed, "locale": "en"})


def test_a_rebuilt_ticket_warning_falls_back_to_the_default_locale() -> None:
    def warning(locale: str) -> str:
        t = ENGINE.start(session_id="s-1", now=NOW, locale=locale)
        t = ENGINE.handle(t.session, ChooseChannel("email"), NOW)
        t = ENGINE.handle(t.session, Send({"email": "jane.roe@example.org"}), NOW)
        (effect,) = t.effects
        assert isinstance(effect, SubmitTicket)
        tampered = attrs.evolve(effect.ticket, subject="Urgent!!!")
        (issue,) = revalidate_ticket(ENGINE.workflow, tampered).issues
        assert issue.code == "ticket.rebuilt"
        return issue.message

    assert warning("de") == warning("en")


def test_an_answer_cleared_by_a_locale_condition_is_kept_in_its_locale() -> None:
    from kl_contact import Answer, ChangeLocale

    t = ENGINE.start(session_id="s-1", now=NOW, locale="de")
    t = ENGINE.handle(t.session, ChooseChannel("email"), NOW)
    t = ENGINE.handle(t.session, Answer({"imprint": "HRB 12345"}), NOW)
    assert t.session.answers["imprint"] == "HRB 12345"
    t = ENGINE.handle(t.session, ChangeLocale("en"), NOW)
    assert "imprint" not in t.session.answers


def test_lint_names_the_first_messages_a_locale_lacks() -> None:
    from kl_contact import lint_text

    text = (DEFINITIONS / "untranslated-messages.yaml").read_text("utf-8")
    (finding,) = lint_text(text)
    assert (finding.code, finding.severity, finding.path) == (
        "messages.missing_locale",
        "warning",
        ("locales", 1),
    )
    assert finding.message.endswith(", ...)")
    assert "no 'de' text (" in finding.message


def test_lint_lists_every_missing_message_when_there_are_three_or_fewer() -> None:
    from kl_contact import lint_text
    from kl_contact.messages import missing_messages

    text = (DEFINITIONS / "untranslated-messages.yaml").read_text("utf-8")
    missing = [code for code, _ in missing_messages(["de"])]
    given = "".join(f"  {code}: {{en: x, de: y}}\n" for code in missing[3:])
    (three,) = lint_text(text + "messages:\n" + given)
    assert three.message == (f"3 validation messages have no 'de' text ({', '.join(missing[:3])})")
