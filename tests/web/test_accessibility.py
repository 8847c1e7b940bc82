"""The page for people who use assistive technology or the keyboard alone.

Every screen a walk reaches is audited with axe-core (the copy the JS tests install in
tests/js/node_modules, run inside Debian's Chromium): a violation of impact "serious" or
"critical" fails the test. A second test walks to a confirmation with key presses only,
checking at each press that the focused element is visibly outlined. Under ``CI=true`` a
missing axe-core or Chromium fails these tests instead of skipping them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kl_contact_web.storage import Storage

from web.conftest import ROOT, MailSink, need
from web.test_browser import (  # noqa: F401  (the fixtures are used by name)
    GARDEN_SHOP,
    browser,
    click,
    page,
    site,
    site_for,
    walk_page,
)
from web.walks import PATHS, script

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = frozenset({"serious", "critical"})

_RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}"""


def audit(tab: Any) -> list[str]:
    """The serious and critical axe-core violations on the page as it is shown now."""
    need(AXE.exists(), f"{AXE.relative_to(ROOT)} is missing (make js installs it)")
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the driver: no CSP
    found = tab.evaluate(_RUN_AXE)
    return [f"{v['id']} ({v['impact']}) at {v['nodes']}" for v in found if v["impact"] in BLOCKING]


def audited(screens: dict[str, list[str]]) -> Callable[[Any], None]:
    """A callback for :func:`walk_page` that audits each screen into ``screens``."""

    def check(tab: Any) -> None:
        kind = tab.get_attribute("#view", "data-kind")
        step = tab.get_attribute("#view", "data-step")
        screens[f"{kind}:{step}"] = audit(tab)

    return check


@pytest.mark.parametrize("path", PATHS)
def test_every_screen_of_each_path_passes_the_audit(
    page: Any,  # noqa: F811
    site: tuple[str, Storage],  # noqa: F811
    mail_sink: MailSink,
    path: str,
) -> None:
    base, _ = site
    screens: dict[str, list[str]] = {}
    end = walk_page(page, base, script(path), on_screen=audited(screens))
    assert end in {"confirmation", "resolved"}
    kinds = {screen.partition(":")[0] for screen in screens}
    assert {"self_service", end} <= kinds, screens
    assert len(screens) >= 3, screens
    assert {screen: found for screen, found in screens.items() if found} == {}


def test_mistakes_beside_their_questions_pass_the_audit(
    page: Any,  # noqa: F811
    site: tuple[str, Storage],  # noqa: F811
) -> None:
    base, _ = site
    page.goto(f"{base}/?locale=ru")
    page.wait_for_selector("#view[data-kind=self_service]")
    click(page, "button[data-event=continue]")
    click(page, "button[data-channel=email]")
    page.fill("[name=q-subject]", "no")
    click(page, "button.primary[data-event=next]")
    assert page.locator(".issue").count() >= 4
    assert audit(page) == []


def test_a_workflow_of_another_shape_passes_the_audit(
    page: Any,  # noqa: F811
    tmp_path: Path,
    mail_sink: MailSink,
) -> None:
    plan = {
        "locale": "en",
        "channel": "greenhouse_call",
        "answers": {
            "plant_kinds": ["roses"],
            "soil": "clay",
            "headline": "Roses wilt",
            "story": "The leaves turned brown within a week.",
            "reach_me": "pat@example.org",
            "ok_to_store": True,
        },
    }
    screens: dict[str, list[str]] = {}
    with site_for(tmp_path, mail_sink.port, KL_CONTACT_WEB_WORKFLOW=str(GARDEN_SHOP)) as (
        base,
        _,
    ):
        assert walk_page(page, base, plan, on_screen=audited(screens)) == "confirmation"
    assert len(screens) >= 4, screens
    assert {screen: found for screen, found in screens.items() if found} == {}


# ---------------------------------------------------------------------- the keyboard alone

_FOCUS = """() => {
  const node = document.activeElement;
  if (!node || node === document.body) return null;
  const style = getComputedStyle(node);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return { tag: node.tagName.toLowerCase(), type: node.type || "", name: node.name || "",
           event: node.dataset.event || "", channel: node.dataset.channel || "",
           value: node.value || "", text: (node.textContent || "").trim(), ring };
}"""


class Keyboard:
    """Moves through the page with Tab and Shift+Tab only and records what it saw."""

    def __init__(self, tab: Any) -> None:
        self.page = tab
        self.presses = 0
        self.unringed: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.presses += 1

    def focused(self) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.page.evaluate(_FOCUS)
        if found is not None and not found["ring"]:
            self.unringed.append(f"{found['tag']}[{found['name'] or found['text']}]")
        return found

    def tab_to(self, wanted: Callable[[dict[str, Any]], bool], *, limit: int = 60) -> None:
        """Press Tab until the focused element is ``wanted`` (fails after ``limit`` presses)."""
        for _ in range(limit):
            self.press("Tab")
            found = self.focused()
            if found is not None and wanted(found):
                return
        raise AssertionError(f"Tab never reached the element ({self.page.url})")

    def activate(self, key: str = "Enter") -> None:
        """Press ``key`` on the focused element and wait for the page to show the reply."""
        before = self.page.get_attribute("#view", "data-renders")
        self.press(key)
        self.page.wait_for_function(
            "before => document.getElementById('view').dataset.renders !== before", arg=before
        )

    def choose(self, name: str, option_label: str) -> None:
        """Focus the list ``name`` and move through it with the arrow keys to the option."""
        self.tab_to(lambda f: f["name"] == name)
        labels, current = self.page.eval_on_selector(
            f'[name="{name}"]', "s => [[...s.options].map(o => o.textContent), s.selectedIndex]"
        )
        for _ in range(labels.index(option_label) - current):
            self.activate("ArrowDown")  # each choice is recorded at once: the page re-renders
            self.focused()

    def type_into(self, name: str, text: str) -> None:
        self.tab_to(lambda f: f["name"] == name)
        self.page.keyboard.type(text)
        self.presses += 1


def answer_with_keys(keys: Keyboard, answers: dict[str, Any]) -> None:
    """Answer the shown questions the plan answers: type, arrow through lists, Space to tick."""
    tab = keys.page
    for qid, value in answers.items():
        name = f"q-{qid}"
        if tab.locator(f'[name="{name}"]').count() == 0:
            continue
        kind = tab.eval_on_selector(f'[name="{name}"]', "n => n.type")
        if kind == "select-one":
            label = tab.eval_on_selector(
                f'[name="{name}"] option[value="{value}"]', "o => o.textContent"
            )
            keys.choose(name, label)
        elif kind == "checkbox" and value is True:
            keys.tab_to(lambda f, name=name: f["name"] == name)
            keys.activate("Space")  # a consent is recorded at once
        elif kind in {"text", "email", "tel", "textarea"}:
            keys.type_into(name, str(value))


def test_a_request_can_be_made_with_the_keyboard_alone(
    page: Any,  # noqa: F811
    site: tuple[str, Storage],  # noqa: F811
    mail_sink: MailSink,
) -> None:
    """The chat path (lists, texts, articles, a consent) with Tab, arrows, typing, Enter."""
    base, storage = site
    plan = script("chat")
    page.goto(f"{base}/?locale={plan['locale']}")
    page.wait_for_selector("#view[data-kind=self_service]")
    keys = Keyboard(page)
    seen: list[str] = []
    for _ in range(12):
        kind = page.get_attribute("#view", "data-kind")
        seen.append(kind)
        if kind == "confirmation":
            break
        if kind == "self_service":
            keys.tab_to(lambda f: f["event"] == "continue")
        elif kind == "channel_choice":
            keys.tab_to(lambda f: f["channel"] == plan["channel"])
            keys.press("Shift+Tab")  # back one and on again: the focus order is the reading order
            assert (keys.focused() or {}).get("channel") != plan["channel"]
            keys.press("Tab")
            assert (keys.focused() or {}).get("channel") == plan["channel"]
        elif kind == "articles":
            page.wait_for_selector("article[data-article]")
            keys.tab_to(lambda f: f["event"] == "escalate")
        else:
            answer_with_keys(keys, plan["answers"])
            keys.tab_to(lambda f: f["event"] in {"next", "send"} and f["tag"] == "button")
        keys.activate()
        issues = page.locator(".issue, .issues li")
        assert issues.count() == 0, issues.all_inner_texts()
    assert seen[-1] == "confirmation", seen
    assert {"self_service", "channel_choice", "questions", "articles", "request"} <= set(seen)

    number = page.inner_text(".request-number").strip()
    assert re.fullmatch(r"WEB-\d{6}", number)
    stored = storage.request(number)
    assert stored is not None
    assert stored.channel == "chat"
    assert stored.ticket["contact"]["email"] == plan["answers"]["email"]
    keys.tab_to(lambda f: f["tag"] == "a")  # the chat link is reached as well
    assert keys.unringed == [], "focused without a visible outline: " + ", ".join(keys.unringed)


def test_the_audit_reports_a_control_without_a_name(
    page: Any,  # noqa: F811
    site: tuple[str, Storage],  # noqa: F811
) -> None:
    """The audit itself: a button with no text, and grey on white, are caught."""
    base, _ = site
    page.goto(f"{base}/?locale=en")
    page.wait_for_selector("#view[data-kind=self_service]")
    assert audit(page) == []
    page.evaluate(
        """() => {
        document.getElementById("view").append(document.createElement("button"));
        const faint = document.createElement("p");
        faint.textContent = "faint";
        faint.style.color = "#bbbbbb";
        document.getElementById("view").append(faint);
      }"""
    )
    found = audit(page)
    assert [v.partition(" ")[0] for v in found] == ["button-name", "color-contrast"], found
