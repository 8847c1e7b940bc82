"""The channel-choice view marks channels open or closed; a closed phone cannot be chosen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kl_contact import ChangeLocale, ChooseChannel, Continue, Engine, JsonEngine, UsageError
from kl_contact.schemas import violations
from kl_contact.wire import dump_session, dump_transition, load_session

SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # 15:00 in Moscow
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def on_channel_step(engine: Engine, now: datetime, locale: str = "en", **kw: str):  # type: ignore[no-untyped-def]
    first = engine.start(session_id="s-hours", now=now, locale=locale, **kw)
    return engine.handle(first.session, Continue(), now)


def test_view_marks_each_channel_open_or_closed(engine: Engine) -> None:
    view = on_channel_step(engine, SATURDAY, time_zone="Europe/London").view
    channels = {c.id: c for c in view.channels}
    assert channels["email"].open
    assert channels["email"].opens_at is None
    assert channels["chat"].open  # weekend hours 10:00-18:00 Moscow
    phone = channels["phone"]
    assert not phone.open
    assert not phone.choosable
    assert phone.opens_at is not None
    assert phone.opens_at.isoformat() == "2026-11-30T06:00:00+00:00"  # Monday 09:00 Moscow
    assert phone.suggest == ("email", "chat")


def test_open_channel_shows_when_it_closes(engine: Engine) -> None:
    view = on_channel_step(engine, WEDNESDAY, time_zone="Europe/Moscow").view
    phone = next(c for c in view.channels if c.id == "phone")
    assert phone.open
    assert phone.closes_at is not None
    assert phone.closes_at.isoformat() == "2026-11-25T21:00:00+03:00"


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["Phone", "closed", "2026-11-30 09:00 (UTC+03:00)", "E-mail", "Chat"]),
        ("ru", ["Телефон", "закрыт", "30.11.2026 09:00 (UTC+03:00)", "Электронная почта"]),
    ],
)
def test_choosing_a_closed_phone_is_an_issue_not_an_error(
    engine: Engine, locale: str, words: list[str]
) -> None:
    step = on_channel_step(engine, SATURDAY, locale=locale)
    after = engine.handle(step.session, ChooseChannel("phone"), SATURDAY)
    assert after.view.kind == "channel_choice"
    assert after.session.channel is None
    (issue,) = after.view.issues
    assert issue.code == "channel.closed"
    assert issue.path == ("channel",)
    assert issue.params["opens_at"] == words[2]
    for word in words:
        assert word in issue.message
    # the same user picks e-mail instead, and goes on
    moved = engine.handle(after.session, ChooseChannel("email"), SATURDAY)
    assert moved.view.kind == "questions"
    assert moved.session.channel == "email"
    assert moved.view.issues == ()


def test_a_closed_channel_that_may_be_chosen_is_chosen(engine: Engine) -> None:
    night = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 00:00 in Moscow: chat closed
    step = on_channel_step(engine, night)
    chat = next(c for c in step.view.channels if c.id == "chat")
    assert not chat.open
    assert chat.choosable
    after = engine.handle(step.session, ChooseChannel("chat"), night)
    assert after.session.channel == "chat"
    assert after.view.kind == "questions"


def test_the_time_zone_and_region_survive_json(engine: Engine) -> None:
    step = on_channel_step(engine, SATURDAY, time_zone="Asia/Almaty", region="KZ")
    data = dump_session(step.session)
    assert data["time_zone"] == "Asia/Almaty"
    assert data["region"] == "KZ"
    assert not list(violations("session", data))
    assert load_session(dump_session(step.session)) == step.session
    transition = dump_transition(step)
    assert not list(violations("transition", transition))
    phone = next(c for c in transition["view"]["channels"] if c["id"] == "phone")
    assert phone["opens_at"] == "2026-11-30T11:00:00+05:00"


def test_json_start_takes_the_time_zone(engine: Engine) -> None:
    json_engine = JsonEngine(engine)
    request = {
        "session_id": "s-j",
        "now": SATURDAY.isoformat(),
        "time_zone": "America/New_York",
        "region": "US",
    }
    response = json_engine.start(request)
    assert response["ok"] is True
    assert response["transition"]["session"]["time_zone"] == "America/New_York"
    assert response["transition"]["session"]["region"] == "US"


def test_unknown_time_zone_is_a_usage_error(engine: Engine) -> None:
    with pytest.raises(UsageError) as caught:
        engine.start(session_id="s", now=SATURDAY, time_zone="Mars/Olympus_Mons")
    assert caught.value.code == "time_zone.unknown"


def test_the_terminal_shows_a_closed_channel_and_its_next_opening(engine: Engine) -> None:
    from kl_contact.cli.render import render_view

    text = render_view(on_channel_step(engine, SATURDAY, locale="ru").view)
    phone = next(line for line in text.splitlines() if "(phone)" in line)
    assert "[x -> 30.11.2026 09:00 (UTC+03:00)]" in phone
    email = next(line for line in text.splitlines() if "(email)" in line)
    assert "[x" not in email


def test_the_driver_passes_the_time_zone_and_region_on(engine: Engine) -> None:
    from kl_contact.driver import Driver

    driver = Driver(engine, search=lambda query, limit: [], submit=lambda ticket: None)  # type: ignore[arg-type, return-value]
    started = driver.start(session_id="d", now=SATURDAY, time_zone="Asia/Almaty", region="KZ")
    assert (started.session.time_zone, started.session.region) == ("Asia/Almaty", "KZ")


def test_the_definition_may_reword_the_closed_channel_issue() -> None:
    from importlib import resources

    from kl_contact import parse_workflow

    text = (
        resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text()
    ).replace(
        "articles:\n  limit: 5",
        'messages:\n  channel.closed: {ru: "Закрыто: {channel}.{opens}", '
        'en: "Off duty: {channel}.{opens}"}\n\narticles:\n  limit: 5',
        1,
    )
    engine = Engine(parse_workflow(text))
    step = on_channel_step(engine, SATURDAY)
    after = engine.handle(step.session, ChooseChannel("phone"), SATURDAY)
    (issue,) = after.view.issues
    assert issue.message == "Off duty: Phone. It opens on 2026-11-30 09:00 (UTC+03:00)."


def test_a_stored_session_with_an_unknown_time_zone_still_renders(engine: Engine) -> None:
    import attrs

    step = on_channel_step(engine, SATURDAY)
    document = dump_session(attrs.evolve(step.session, time_zone="Mars/Olympus_Mons"))
    view = engine.view(load_session(document))
    phone = next(c for c in view.channels if c.id == "phone")
    assert phone.opens_at is not None
    assert phone.opens_at.isoformat() == "2026-11-30T09:00:00+03:00"  # the schedule's own zone


def test_a_closed_channel_without_suggestions_says_only_when_it_opens() -> None:
    from importlib import resources

    from kl_contact import parse_workflow

    text = (
        resources.files("kl_contact.definition")
        .joinpath("default_workflow.yaml")
        .read_text("utf-8")
    )
    assert text.count("        suggest: [email, chat]\n") == 1
    engine = Engine(parse_workflow(text.replace("        suggest: [email, chat]\n", "")))
    step = on_channel_step(engine, SATURDAY)
    (issue,) = engine.handle(step.session, ChooseChannel("phone"), SATURDAY).view.issues
    assert issue.message == "Phone is closed now. It opens on 2026-11-30 09:00 (UTC+03:00)."
    assert "others" not in issue.params


def test_changing_the_language_rewords_the_closed_channel_issue(engine: Engine) -> None:
    step = on_channel_step(engine, SATURDAY, locale="en")
    closed = engine.handle(step.session, ChooseChannel("phone"), SATURDAY)
    (issue,) = closed.view.issues
    assert issue.params["channel_id"] == "phone"
    russian = engine.handle(closed.session, ChangeLocale("ru"), SATURDAY)
    (reworded,) = russian.view.issues
    assert reworded.code == "channel.closed"
    assert reworded.params["channel_id"] == "phone"
    assert "Телефон" in reworded.message
    assert "30.11.2026 09:00 (UTC+03:00)" in reworded.message
    assert "Phone" not in reworded.message
    # once the line opens, the issue is not shown again in any language
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
    assert engine.handle(closed.session, ChangeLocale("ru"), monday).view.issues == ()
