"""What lint finds in the channels of a definition: a callback its line can never offer,
suggestions that name no other channel, a regional schedule's mistakes, and placeholders an
instruction cannot fill, each at the place its author has to edit."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml

from kl_contact.definition.channel_checks import channel_problems

DEFAULT: dict[str, Any] = yaml.safe_load(
    resources.files("kl_contact.definition").joinpath("default_workflow.yaml").read_text("utf-8")
)
PHONE = 2  # the channels are e-mail (without opening hours), chat and phone
DEFAULT_WEEK = [{"days": ["mon", "tue"], "opens": "09:00", "closes": "18:00"}]


def _with_phone(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT)
    phone = data["channels"][PHONE]
    assert phone["id"] == "phone"
    for key, value in changes.items():
        if value is None:
            del phone[key]
        else:
            phone[key] = value
    return data


def _found(data: dict[str, Any]) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(p.code, p.path) for p in channel_problems(data)]


def test_the_default_channels_have_no_problem() -> None:
    assert _found(DEFAULT) == []


def test_a_callback_on_a_line_without_opening_hours_could_never_be_offered() -> None:
    for availability in (None, {"always_open": True}):
        problems = list(channel_problems(_with_phone(availability=availability)))
        assert [(p.code, p.path) for p in problems] == [
            ("callback.no_hours", ("channels", PHONE, "callback"))
        ]
        assert problems[0].message == (
            "the channel offers a callback but its line has no opening hours"
        )
    # hours of one region are enough: the line closes there
    regional = {
        "always_open": True,
        "regions": {"KZ": {"time_zone": "Asia/Almaty", "weekly": DEFAULT_WEEK}},
    }
    assert _found(_with_phone(availability=regional)) == []


def test_a_suggestion_must_name_another_declared_channel() -> None:
    availability = copy.deepcopy(DEFAULT["channels"][PHONE]["availability"])
    availability["when_closed"]["suggest"] = ["email", "fax", "phone"]
    problems = list(channel_problems(_with_phone(availability=availability)))
    where = ("channels", PHONE, "availability", "when_closed", "suggest")
    assert [(p.code, p.path, p.message) for p in problems] == [
        ("ref.unknown_channel", (*where, 1), "suggests 'fax', which is not another channel"),
        ("ref.unknown_channel", (*where, 2), "suggests 'phone', which is not another channel"),
    ]


def test_a_regional_schedule_is_checked_at_its_own_place() -> None:
    availability = copy.deepcopy(DEFAULT["channels"][PHONE]["availability"])
    availability["regions"] = {"KZ": {"time_zone": "Mars/Olympus", "weekly": DEFAULT_WEEK}}
    paths = [path for _, path in _found(_with_phone(availability=availability))]
    assert paths
    assert all(p[:5] == ("channels", PHONE, "availability", "regions", "KZ") for p in paths)


def test_an_instruction_with_a_placeholder_it_cannot_fill_is_found_at_its_text() -> None:
    instructions = copy.deepcopy(DEFAULT["channels"][PHONE]["instructions"])
    instructions[0]["text"]["en"] = "Your request {request_numbr} has been registered."
    found = _found(_with_phone(instructions=instructions))
    assert [code for code, _ in found] == ["text.unknown_placeholder"]
    assert found[0][1][:5] == ("channels", PHONE, "instructions", 0, "text")
