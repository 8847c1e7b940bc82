"""Every failure of ``kl-contact`` is one line on standard error with a code and a hint.

The command runs in its own process, as a person runs it, so that nothing the test
harness does (capturing, a terminal or none) hides a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LINE = re.compile(r"^kl-contact: error: (?P<code>[a-z_]+(\.[a-z_]+)+): .+; hint: .+$")


def kl_contact(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kl_contact.cli", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The code of the one error line ``result`` printed (and nothing else)."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = LINE.match(lines[0])
    assert match, lines[0]
    return match["code"]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("answers: [\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text("channle: chat\n", encoding="utf-8")
    (tmp_path / "flat.yaml").write_text("answers: plus\n", encoding="utf-8")
    (tmp_path / "short.yaml").write_text(
        "locale: en\nchannel: email\nanswers: {product: plus}\n", encoding="utf-8"
    )
    (tmp_path / "bad-workflow.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "code", "status"),
    [
        (["demo", "--answers", "nope.yaml"], "file.not_found", 2),
        (["demo", "--answers", "."], "file.is_directory", 2),
        (["demo", "--answers", "list.yaml"], "answers.invalid", 2),
        (["demo", "--answers", "broken.yaml"], "answers.syntax", 2),
        (["demo", "--answers", "typo.yaml"], "answers.unknown_key", 2),
        (["demo", "--answers", "flat.yaml"], "answers.invalid", 2),
        (["demo", "--answers", "short.yaml"], "answers.incomplete", 1),
        (["demo", "--channel", "fax"], "channel.unknown", 2),
        (["demo", "--locale", "de"], "locale.unknown", 2),
        (["demo", "--workflow", "missing.yaml"], "file.not_found", 2),
        (["demo", "--workflow", "bad-workflow.yaml"], "yaml.syntax", 2),
        (["graph", "missing.yaml"], "file.not_found", 2),
        (["paths", "bad-workflow.yaml"], "yaml.syntax", 2),
        (["frobnicate"], "usage.invalid", 2),
        (["demo", "--colour"], "usage.invalid", 2),
        (["validate", "sesion", "x.json"], "usage.invalid", 2),
        ([], "usage.invalid", 2),
    ],
)
def test_each_error_is_one_line_with_a_code_and_a_hint(
    files: Path, args: list[str], code: str, status: int
) -> None:
    result = kl_contact(*args, cwd=files)
    assert result.returncode == status
    assert one_line_error(result) == code


def test_a_typo_gets_the_nearest_name(files: Path) -> None:
    assert "did you mean 'chat'?" in kl_contact("demo", "--channel", "chta").stderr
    assert (
        "did you mean 'channel'?" in kl_contact("demo", "--answers", "typo.yaml", cwd=files).stderr
    )
    incomplete = kl_contact("demo", "--answers", "short.yaml", cwd=files).stderr
    assert "platform (answer.required)" in incomplete  # names what is missing, by id


def test_with_json_the_error_is_one_json_line(files: Path) -> None:
    result = kl_contact("demo", "--answers", "nope.yaml", "--json", cwd=files)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert json.loads(line) == {
        "error": {
            "code": "file.not_found",
            "message": "no such answers file: nope.yaml",
            "hint": "name a YAML answers file or one of the examples: email, chat, phone, helped, "
            "in-product, follow_up",
        }
    }


def test_a_closed_pipe_ends_with_one_line(tmp_path: Path) -> None:
    """``kl-contact lint --format json ... | head -c 10``: the reader leaves early."""
    broken = sorted((Path(__file__).parents[1] / "definitions" / "broken").glob("*.yaml"))
    reader = subprocess.Popen(
        ["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert reader.stdin is not None
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kl_contact.cli",
            "lint",
            "--format",
            "json",
            *map(str, broken * 20),
        ],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    reader.stdin.close()
    reader.wait(timeout=10)
    assert result.returncode == 1
    assert one_line_error(result) == "output.closed"


def test_help_is_plain_text_and_every_option_is_explained() -> None:
    result = kl_contact("--help")
    assert result.returncode == 0
    assert "``" not in result.stdout
    assert "kl-contact validate session s.json" in result.stdout
    for command in ("demo", "lint", "validate", "graph", "paths", "schemas"):
        page = kl_contact(command, "--help").stdout
        options = re.findall(r"^  (-[-\w]+|[A-Z]+|\w+)(?: [A-Z{][^ ]*)?(.*)$", page, re.M)
        assert options, command
        for name, text in options:
            if name in {"-h"}:
                continue
            assert text.strip(), f"{command} {name} has no help text"


@pytest.fixture
def without_prompts(tmp_path: Path) -> dict[str, str]:
    """An environment where the cli extra is not installed: importing questionary fails."""
    blocker = tmp_path / "blocked" / "questionary"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join([str(blocker.parent), *sys.path])}


def test_answers_files_need_no_prompt_library(without_prompts: dict[str, str]) -> None:
    result = kl_contact("demo", "--answers", "chat", "--json", env=without_prompts)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["view"]["confirmation"]["channel"] == "chat"
    # Without a terminal and without --answers the channel's example is walked.
    result = kl_contact("demo", "--channel", "phone", env=without_prompts)
    assert result.returncode == 0, result.stderr
    assert "Call the engineers at +7 495 000-00-00" in result.stdout


def test_on_a_terminal_without_the_extra_the_demo_says_what_to_install(
    without_prompts: dict[str, str],
) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kl_contact.cli", "demo"],
        env={**os.environ, **without_prompts},
        encoding="utf-8",
        timeout=30,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    [line] = [text for text in str(child.before).splitlines() if text.strip()]
    assert LINE.match(line.strip())
    assert "demo.needs_cli_extra" in line
    assert "kl-contact[cli]" in line
