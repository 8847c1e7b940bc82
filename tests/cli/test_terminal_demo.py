"""``kl-contact demo`` in a real pseudo-terminal, driven key by key as a person would.

Each walk starts the command in its own process with a terminal of 120 columns, waits for
each prompt before typing, and reads the screen the person would see. Lists are chosen
by typing part of an option's label (the prompt filters as you type) and Enter.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the dev extra")
if os.environ.get("CI") != "true":
    pytest.importorskip("questionary", reason="the interactive demo needs the cli extra")

ENTER = "\r"
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
_CODES = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"


def _loose(text: str) -> str:
    """A pattern for ``text`` as a terminal shows it: styles may sit between characters."""
    return _CODES.join(re.escape(char) for char in text)


class Terminal:
    """One ``kl-contact demo`` in a pseudo-terminal."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "kl_contact.cli", "demo", *args],
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 120),
            env=env,
        )
        self.seen: list[str] = []

    def expect(self, text: str) -> str:
        """Wait until ``text`` shows on the screen; what came before it."""
        self.child.expect(_loose(text))
        before = str(self.child.before) + text
        self.seen.append(before)
        return ANSI.sub("", before)

    def answer(self, prompt: str, keys: str) -> str:
        """Wait for ``prompt``, then type ``keys``."""
        shown = self.expect(prompt)
        self.child.send(keys)
        return shown

    def finish(self) -> tuple[int, str]:
        """Wait for the end; the exit status and everything shown."""
        self.child.expect(pexpect.EOF)
        self.seen.append(str(self.child.before))
        self.child.close()
        return self.child.exitstatus, ANSI.sub("", "".join(self.seen))

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminal() -> Iterator[type[Terminal]]:
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        opened.append(Terminal(*args))
        return opened[-1]

    yield start  # type: ignore[misc]
    for t in opened:
        t.close()


def _question_step(t: Terminal, product: str, platform: str, category: str, subject: str) -> str:
    """Answer the questions step; what the screen showed."""
    shown = t.answer("? Product", product + ENTER)
    # The version list is shown only once a product is chosen: its options depend on it.
    shown += t.answer("? Product version", ENTER)
    shown += t.answer("? Operating system", platform + ENTER)
    shown += t.answer("? Problem category", category + ENTER)
    return shown + t.answer("? Describe the problem briefly", subject + ENTER)


def test_an_article_helps_and_nothing_is_sent(terminal: type[Terminal]) -> None:
    t = terminal("--locale", "en", "--channel", "email")
    first = t.answer("I still need an engineer", ENTER)
    assert "Language: English (en); Русский: --locale ru" in first
    assert "Knowledge base: https://support.kaspersky.com/consumer#kb" in first
    t.expect("Channel: E-mail (from --channel)")
    _question_step(t, "VPN Secure", "Android", "VPN", "VPN does not connect on my phone")
    t.answer("? The error message, if there is one", ENTER)
    t.expect("? These articles may help")
    t.answer("Contact support", ENTER)  # the pointer starts on the first article
    t.answer("? Did this article answer your question?", "y")
    status, screen = t.finish()
    assert status == 0
    assert "Glad the article helped" in screen
    assert "DEMO-" not in screen
    assert "Traceback" not in screen


def test_a_chat_request_with_an_attachment(terminal: type[Terminal], tmp_path: Path) -> None:
    shot = tmp_path / "blocked-page.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ" + bytes(100))
    t = terminal("--locale", "en", "--channel", "chat")
    t.answer("I still need an engineer", ENTER)
    channel = t.expect("Channel: Chat (from --channel)")
    assert "? Choose how to contact us" not in channel  # --channel is honoured: not asked
    t.answer("? Product", "Premium" + ENTER)
    t.answer("? Product version", ENTER)
    t.answer("? Operating system", "Windows" + ENTER)
    t.answer("? Problem category", "Web protection" + ENTER)
    # A question that applies only to web protection appears after that choice.
    t.answer("? Which component blocks the site?", "Web Anti-Virus" + ENTER)
    t.answer("? Describe the problem briefly", "abc")
    t.expect("Enter at least 5 characters.")  # shown while typing, before Enter
    t.child.send(" bank site is blocked" + ENTER)
    t.answer("? The error message, if there is one", ENTER)
    t.answer("? These articles may help", "Contact support" + ENTER)
    t.answer(
        "? Detailed description",
        "The bank's site shows a warning and the page does not open since the update." + ENTER,
    )
    rules = t.expect("Attach a file")
    assert "up to 10 MB a file, 5 files" in rules
    t.child.send(str(tmp_path / "missing.png"))
    t.expect("There is no file at this path.")
    t.child.send("\x15" + str(program))  # Ctrl-U clears the line; a program is refused
    t.expect("this type of file cannot be attached")
    t.child.send("\x15" + str(shot) + ENTER)
    t.expect("+ blocked-page.png (attached)")
    t.answer("Attach a file", ENTER)  # an empty line: no more files
    t.answer("? Name", "Maria" + ENTER)
    t.answer("? E-mail", "maria@example.com" + ENTER)
    t.answer("? I agree to the processing", "y")
    status, screen = t.finish()
    assert status == 0, screen[-2000:]
    assert "No. DEMO-000001" in screen
    assert "https://chat.example.com/support/DEMO-000001" in screen
    assert "Go to the support chat" in screen
    assert "Traceback" not in screen


def test_without_locale_the_first_screen_asks_the_language(terminal: type[Terminal]) -> None:
    t = terminal("--channel", "phone")
    asked = t.answer("Language / Язык", "English" + ENTER)
    assert "--locale CODE skips this question" in asked + t.expect("I still need an engineer")
    t.child.send(CTRL_C)
    status, _ = t.finish()
    assert status == 130


@pytest.mark.parametrize(
    ("prompt", "key", "status", "message"),
    [
        ("I still need an engineer", CTRL_C, 130, "kl-contact: interrupted (Ctrl-C)"),
        ("I still need an engineer", CTRL_D, 1, "kl-contact: input ended (Ctrl-D)"),
        ("? Describe the problem briefly", CTRL_C, 130, "kl-contact: interrupted (Ctrl-C)"),
        ("? Describe the problem briefly", CTRL_D, 1, "kl-contact: input ended (Ctrl-D)"),
    ],
)
def test_ctrl_c_and_ctrl_d_leave_with_one_line(
    terminal: type[Terminal], prompt: str, key: str, status: int, message: str
) -> None:
    t = terminal("--locale", "en", "--channel", "email")
    if prompt.startswith("? Describe"):
        t.answer("I still need an engineer", ENTER)
        t.answer("? Product", "Plus" + ENTER)
        t.answer("? Product version", ENTER)
        t.answer("? Operating system", "Windows" + ENTER)
        t.answer("? Problem category", "Activation" + ENTER)
    t.answer(prompt, key)
    code, screen = t.finish()
    assert code == status
    tail = screen[screen.rindex(prompt) :]
    assert "Traceback" not in screen
    assert message in tail
    assert [line for line in tail.splitlines() if line.startswith("kl-contact:")] == [
        line for line in tail.splitlines() if message in line
    ]


def test_going_back_to_an_answered_list_keeps_the_previous_choice(
    terminal: type[Terminal],
) -> None:
    """A resource opened on the first screen stays the pointer's place when it comes back."""
    t = terminal("--locale", "en", "--channel", "email")
    t.answer("I still need an engineer", UP + ENTER)  # the last link: Downloads
    shown = t.expect("Installers of the home products.")
    assert "Downloads: https://www.kaspersky.com/downloads" in shown
    again = t.expect("I still need an engineer")
    assert "» Downloads" in again
    t.child.send(CTRL_C)
    assert t.finish()[0] == 130


def test_an_article_that_did_not_help_then_contact_support(terminal: type[Terminal]) -> None:
    t = terminal("--locale", "en", "--channel", "phone")
    t.answer("I still need an engineer", ENTER)
    t.expect("Channel: Phone (from --channel)")
    _question_step(t, "Plus", "Windows", "Activation", "The activation code is not accepted")
    t.answer("? The error message, if there is one", ENTER)
    t.expect("? These articles may help")
    t.answer("Contact support", ENTER)  # open the first article
    t.answer("? Did this article answer your question?", "n")
    t.answer("? What was wrong with it?", "did not help" + ENTER)
    # Back at the list: the article is marked, and the pointer moves past it.
    again = t.expect("(did not help)")
    assert "? These articles may help" in again
    t.expect("Contact support")
    t.child.send("Contact support" + ENTER)
    # The phone question applies to the phone channel only.
    t.answer("? Detailed description", "The code from the shop is refused as invalid." + ENTER)
    t.answer("Attach a file", ENTER)
    t.answer("? Name", "Sam" + ENTER)
    t.answer("? E-mail", "sam@example.com" + ENTER)
    t.answer("? Phone", "+44 20 7946 0958" + ENTER)
    t.answer("? I agree to the processing", "y")
    status, screen = t.finish()
    assert status == 0, screen[-2000:]
    assert "Call the engineers at +7 495 000-00-00" in screen


def test_a_request_the_user_already_has_is_found_and_added_to(terminal: type[Terminal]) -> None:
    t = terminal("--locale", "en")
    t.answer("I still need an engineer", ENTER)
    t.answer("? Choose how to contact us", "already" + ENTER)
    t.answer("? Request number", "DEMO-000100" + ENTER)
    t.answer("? E-mail", "someone.else@example.org" + ENTER)
    shown = t.answer("? Request number", ENTER)  # not found: asked again, as typed
    assert "No request with this number was found for this address" in shown
    t.answer("? E-mail", "\x15" + "jane.roe@example.org" + ENTER)
    found = t.answer("? What you want to add", "The scan still stops halfway." + ENTER)
    assert "The engineers answered request DEMO-000100 and are waiting for you." in found
    t.answer("Attach a file", ENTER)
    status, screen = t.finish()
    assert status == 0, screen[-2000:]
    assert "Your request has been updated" in screen
    assert "Traceback" not in screen
