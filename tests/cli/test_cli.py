"""The ``kl-contact`` command: demo, lint and schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kl_contact.cli import main
from kl_contact.schemas import violations


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_demo_all_prints_the_request_numbers_one_resolved_and_a_callback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "demo", "--all")
    assert status == 0
    summary = out.split("######## summary ########")[1]
    numbers = re.findall(r"-> (DEMO-\d{6})", summary)
    assert numbers == [f"DEMO-00000{n}" for n in range(1, 6)]
    assert "######## demo 5: in-product ########" in out
    # the phone line is closed on the callback walk: the third slot is booked and shown
    assert "demo-7: phone (en) -> DEMO-000005, call back booked for 2026-11-30 10:00" in summary
    assert "An engineer calls you on 2026-11-30 10:00 (UTC+03:00) at +442079460321" in out
    assert "Phone is closed now. We can call you back" in out
    assert "resolved by an article" in summary
    assert "Wait for the engineer's reply" in out  # e-mail, English
    assert "Перейдите в чат поддержки" in out  # chat, Russian
    assert "https://chat.example.com/support/DEMO-000002" in out
    assert "Call the engineers at +7 495 000-00-00" in out  # phone, English
    assert "Рады, что статья помогла" in out
    assert "demo-6: email (en) -> followed up DEMO-000100: added" in summary


def test_demo_follows_up_a_request_waiting_for_the_user(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "demo", "--answers", "follow_up")
    assert status == 0
    assert "> I already have a request (follow_up)" in out
    assert "No. DEMO-000100 [waiting_for_you]" in out
    assert "The engineers answered request DEMO-000100 and are waiting for you." in out
    assert "Your information was added to request DEMO-000100." in out
    assert "(text and 1 file(s) for DEMO-000100 handed to the host)" in out
    status, out, _ = run(capsys, "demo", "--answers", "follow_up", "--locale", "ru", "--json")
    document = json.loads(out)
    assert list(violations("transition", document)) == []
    assert document["view"]["follow_up"]["status"] == "added"
    assert document["effects"][-1]["type"] == "add_to_request"


def test_the_helped_demo_rates_the_article_at_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo", "--answers", "helped")
    assert status == 0
    question = "  ? Насколько статья помогла решить вопрос? [1] [2] [3] [4] [5]"
    asked, answered = out.index(question + "\n"), out.index(question + " -> 5\n")
    assert asked < answered
    assert "(rating 5 of 5 on 'resolved' handed to the host)" in out


def test_a_rating_that_is_not_a_score_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("channel: email\nrating: 9\n", encoding="utf-8")
    status, _, err = run(capsys, "demo", "--answers", str(answers))
    assert status != 0
    assert "'rating' is a score from 1 to 5" in err


def test_the_in_product_demo_starts_prefilled_and_the_ticket_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "demo", "--answers", "in-product")
    assert status == 0
    locked = "[filled in by your program, cannot be changed]"
    assert f"Product * = Kaspersky Premium {locked}" in out
    assert f"Product version = 21.x, the latest {locked}" in out
    assert "Operating system * = Windows [filled in by your program]" in out
    assert "[plus] Kaspersky Plus" not in out  # a read-only answer offers no options
    status, out, _ = run(capsys, "demo", "--answers", "in-product", "--locale", "ru")
    assert "Программа * = Kaspersky Premium [заполнено вашей программой, изменить нельзя]" in out
    status, out, _ = run(capsys, "demo", "--answers", "in-product", "--json")
    document = json.loads(out)
    assert list(violations("transition", document)) == []
    ticket = document["session"]["submission"]["ticket"]
    marks = {a["question"]: a.get("prefilled", False) for a in ticket["answers"]}
    assert (marks["product"], marks["version"], marks["platform"]) == (True, True, False)
    assert ticket["platform"] == "android"  # the user changed the editable one


@pytest.mark.parametrize("channel", ["email", "chat", "phone"])
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_demo_json_is_valid_against_the_schemas(
    capsys: pytest.CaptureFixture[str], channel: str, locale: str
) -> None:
    status, out, _ = run(capsys, "demo", "--answers", channel, "--locale", locale, "--json")
    assert status == 0
    document = json.loads(out)
    assert list(violations("transition", document)) == []
    assert document["view"]["kind"] == "confirmation"
    assert document["view"]["locale"] == locale
    assert document["view"]["confirmation"]["channel"] == channel


def test_lint_default_is_clean_and_broken_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from importlib import resources

    default = resources.files("kl_contact.definition").joinpath("default_workflow.yaml")
    good = tmp_path / "good.yaml"
    good.write_bytes(default.read_bytes())
    status, out, _ = run(capsys, "lint", str(good))
    assert status == 0
    assert "no problems" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("kind: articles", "kind: quiz"), encoding="utf-8"
    )
    status, out, _ = run(capsys, "lint", str(bad), "--format", "json")
    assert status == 1
    findings = json.loads(out)
    assert findings[0]["code"] == "schema.enum"
    assert findings[0]["file"] == str(bad)
    assert findings[0]["line"] > 1


def test_schemas_check_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "schemas", "check")
    assert status == 0
    assert "0 problem(s)" in out
    status, _, _ = run(capsys, "schemas", "export", str(tmp_path))
    assert status == 0
    assert (tmp_path / "session.schema.json").is_file()


def test_demo_with_a_broken_workflow_reports_location(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("format: 1\nid: [\n", encoding="utf-8")
    status, _, err = run(capsys, "demo", "--workflow", str(bad), "--answers", "email")
    assert status == 2
    assert f"{bad}:" in err
    assert "yaml.syntax" in err


def test_an_unexpected_exception_is_one_line_unless_asked_for(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kl_contact.cli as cli

    def broken(args: object) -> int:
        raise RuntimeError("a secret detail")

    monkeypatch.setattr(cli, "_paths", broken)
    status, out, err = run(capsys, "paths")
    assert status == 70
    assert out == ""
    assert err.splitlines() == [
        "kl-contact: error: internal.error: unexpected RuntimeError; hint: this is a bug in "
        "kl-contact: run again with KL_CONTACT_TRACEBACK=1 and report it"
    ]
    monkeypatch.setenv(cli.TRACEBACK_VARIABLE, "1")
    with pytest.raises(RuntimeError):
        main(["paths"])
