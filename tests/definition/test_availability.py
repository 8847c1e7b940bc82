"""Opening hours as a definition writes them: a day that closes at 24:00 and the schedules of
regions, read into the model the channel statuses are computed from."""

from __future__ import annotations

from datetime import time

from kl_contact.definition.availability import availability_from_data

WEEK = [{"days": ["mon"], "opens": "09:00", "closes": "24:00"}]


def test_a_period_that_closes_at_24_00_runs_to_midnight() -> None:
    availability = availability_from_data({"time_zone": "Europe/Moscow", "weekly": WEEK})
    assert availability is not None
    (monday,) = availability.schedule.weekly
    assert (monday.days, monday.period.opens, monday.period.closes) == ((0,), time(9), time(0))


def test_each_region_keeps_its_own_schedule() -> None:
    raw = {
        "time_zone": "Europe/Moscow",
        "weekly": WEEK,
        "regions": {
            "KZ": {
                "time_zone": "Asia/Almaty",
                "weekly": [{"days": ["tue"], "opens": "10:00", "closes": "12:00"}],
            }
        },
    }
    availability = availability_from_data(raw)
    assert availability is not None
    assert set(availability.regions) == {"KZ"}
    kz = availability.regions["KZ"]
    assert kz.time_zone == "Asia/Almaty"
    assert [(p.days, p.period.opens) for p in kz.weekly] == [((1,), time(10))]
