"""The page in a real browser: Debian's Chromium, driven by Playwright, against a worker.

Each path of the demo scripts is walked by filling the rendered form, as a person would;
the confirmation screen is checked against the stored request and the registration letter,
and a screenshot of each final screen is left in test-artifacts/web/ (not committed). No
browser is downloaded: the test uses /usr/bin/chromium, and any request that would leave
the machine is aborted.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from web.conftest import ARTIFACTS, MailSink, need, need_module, worker
from web.walks import HttpApi, script

need_module("flask")
sync_api = need_module("playwright.sync_api")

from kl_contact_web.storage import Storage  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


GARDEN_SHOP = Path(__file__).with_name("data") / "garden-shop.yaml"


@contextmanager
def site_for(folder: Path, port: int, **more: str) -> Iterator[tuple[str, Storage]]:
    database = f"sqlite:///{folder / 'contact.sqlite3'}"
    env = {
        "KL_CONTACT_WEB_DATABASE_URL": database,
        "KL_CONTACT_WEB_SMTP_PORT": str(port),
        "KL_CONTACT_WEB_CHAT_URL": "https://chat.example.com/r/{request_number}",
        **more,
    }
    with worker(env, folder / "worker.log") as base:
        yield base, Storage(database)


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, _mail_server: MailSink
) -> Iterator[tuple[str, Storage]]:
    with site_for(tmp_path_factory.mktemp("site"), _mail_server.port) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 900, "height": 1100},
            timeout=60_000,
        )
        context.set_default_timeout(TIMEOUT_MS)

        def only_loopback(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_loopback)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield page
    page.close()
    assert problems == [], problems


def wait_for_render(page: Any, before: str | None) -> None:
    page.wait_for_function(
        "before => document.getElementById('view').dataset.renders !== before", arg=before
    )


def click(page: Any, selector: str) -> None:
    before = page.get_attribute("#view", "data-renders")
    page.click(selector)
    wait_for_render(page, before)


def fill_in(page: Any, answers: dict[str, Any], done: set[str]) -> None:
    """Answer every shown question the plan answers, as a person would, field by field."""
    for qid, value in answers.items():
        if qid in done:
            continue
        field = page.locator(f'[name="q-{qid}"]')
        if field.count() == 0:
            continue
        done.add(qid)
        tag = field.first.evaluate("node => node.tagName.toLowerCase() + ':' + node.type")
        if tag.startswith("select"):
            before = page.get_attribute("#view", "data-renders")
            field.select_option(value)
            wait_for_render(page, before)  # a choice is recorded at once: options may change
        elif tag == "input:checkbox" and isinstance(value, bool):
            before = page.get_attribute("#view", "data-renders")
            field.set_checked(value)
            wait_for_render(page, before)
        elif tag == "input:checkbox":
            for option in value:
                before = page.get_attribute("#view", "data-renders")
                page.locator(f'[name="q-{qid}"][value="{option}"]').check()
                wait_for_render(page, before)
        elif tag == "input:file":
            field.set_input_files(
                [
                    {"name": f["name"], "mimeType": f["media_type"], "buffer": b"\x89PNG" * 8}
                    for f in value
                ]
            )
        else:
            field.fill(str(value))


def answer_step(page: Any, answers: dict[str, Any]) -> None:
    done: set[str] = set()
    for _ in range(5):  # answering may reveal more questions
        shown = len(done)
        fill_in(page, answers, done)
        if len(done) == shown:
            return


def walk_page(
    page: Any, base: str, plan: dict[str, Any], on_screen: Callable[[Any], None] | None = None
) -> str:
    """Walk the page from the start to its last screen; return that screen's kind.

    ``on_screen`` is called with the page on each screen it reaches (once its articles, if
    any, are shown)."""
    page.goto(f"{base}/?locale={plan['locale']}")
    page.wait_for_selector("#view[data-kind]")
    for _ in range(12):
        kind = page.get_attribute("#view", "data-kind")
        if kind == "articles":
            page.wait_for_selector("article[data-article]")
        if on_screen is not None:
            on_screen(page)
        if kind in {"confirmation", "resolved"}:
            return kind
        if kind == "self_service":
            click(page, "button[data-event=continue]")
        elif kind == "channel_choice":
            click(page, f"button[data-channel={plan['channel']}]")
        elif kind in {"questions", "request"}:
            answer_step(page, plan["answers"])
            click(page, "button.primary[data-event]")
        elif kind == "articles":
            page.wait_for_selector("article[data-article]")
            if plan.get("articles") == "helped":
                click(page, "article[data-article] button[data-event=article_helped]")
            else:
                click(page, "button[data-event=escalate]")
        issues = page.locator(".issue, .issues li")
        assert issues.count() == 0, issues.all_inner_texts()
    raise AssertionError("the page did not reach an end")


@pytest.mark.parametrize("path", ["email", "chat", "phone"])
def test_each_channel_reaches_its_confirmation_screen(
    page: Any, site: tuple[str, Storage], mail_sink: MailSink, path: str
) -> None:
    base, storage = site
    plan = script(path)
    assert walk_page(page, base, plan) == "confirmation"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"confirmation-{path}.png"), full_page=True)

    number = page.inner_text(".request-number").strip()
    assert re.fullmatch(r"WEB-\d{6}", number)
    stored = storage.request(number)
    assert stored is not None
    assert stored.channel == plan["channel"]
    assert stored.ticket["contact"]["email"] == plan["answers"]["email"]
    screen = page.inner_text("#view")
    assert number in screen
    assert plan["answers"]["email"] in page.inner_text(".registration-note")
    if path == "chat":
        chat = page.locator("a.button[href^='https://chat.example.com/r/']")
        assert chat.get_attribute("href") == f"https://chat.example.com/r/{number}"
    elif path == "phone":
        call = page.locator("a.button[href^='tel:']")
        assert call.get_attribute("href") == "tel:+74950000000"
        assert "+7 495 000-00-00" in call.inner_text()
    else:
        assert stored.ticket["attachments"][0]["name"] == "activation-error.png"
    letters = mail_sink.wait(1)
    assert [number in letter["Subject"] for _, letter in letters] == [True]
    assert page.title() == page.inner_text("h1")


def test_an_article_that_helps_ends_on_the_resolved_screen(
    page: Any, site: tuple[str, Storage], mail_sink: MailSink
) -> None:
    base, _ = site
    assert walk_page(page, base, script("helped")) == "resolved"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "resolved-helped.png"), full_page=True)
    assert page.locator(".request-number").count() == 0
    events = page.locator("button[data-event]")
    assert [events.nth(i).get_attribute("data-event") for i in range(events.count())] == [
        "rate", "skip_rating"
    ]  # fmt: skip
    renders = page.get_attribute("#view", "data-renders")
    page.check("input[name='rating-score'][value='5']")
    page.fill("#rating-comment", "Всё понятно")
    page.click("button[data-event=rate]")
    wait_for_render(page, renders)
    assert page.locator(".rating .rated").count() == 1
    assert page.locator("button[data-event]").count() == 0
    [stored] = [f for f in site[1].feedback() if f.step == "resolved"]
    assert (stored.step, stored.score, stored.comment) == ("resolved", 5, "Всё понятно")
    assert mail_sink.letters == []


def test_a_second_tab_is_told_and_shown_the_latest_state(
    browser: Any, page: Any, site: tuple[str, Storage]
) -> None:
    base, _ = site
    page.goto(f"{base}/?locale=en")
    page.wait_for_selector("#view[data-kind=self_service]")
    other = browser.new_page()
    try:
        other.goto(page.url)  # the session id is in the address: same session, second tab
        other.wait_for_selector("#view[data-kind=self_service]")
        click(page, "button[data-event=continue]")
        assert page.get_attribute("#view", "data-kind") == "channel_choice"
        click(other, "button[data-event=continue]")  # from the version it showed
        assert other.get_attribute("#view", "data-kind") == "channel_choice"
        assert "another tab" in other.inner_text("#notice")
    finally:
        other.close()


def test_a_workflow_the_page_has_never_seen_renders_and_completes(
    page: Any, tmp_path: Path, mail_sink: MailSink
) -> None:
    """Other ids, other channels, a multiple choice and an info note: the page needs no change."""
    plan = {
        "locale": "en",
        "channel": "greenhouse_call",
        "answers": {
            "plant_kinds": ["roses", "ferns"],
            "soil": "clay",
            "headline": "Roses wilt",
            "story": "The leaves turned brown within a week.",
            "reach_me": "pat@example.org",
            "ok_to_store": True,
        },
    }
    with site_for(tmp_path, mail_sink.port, KL_CONTACT_WEB_WORKFLOW=str(GARDEN_SHOP)) as (
        base,
        storage,
    ):
        page.goto(f"{base}/?locale=en")
        page.wait_for_selector("#view[data-kind=self_service]")
        assert page.inner_text("h1") == "Before you ask"
        assert page.locator("a[href='https://shop.example.com/guide']").count() == 1
        click(page, "button[data-event=continue]")
        assert page.locator("button[data-channel]").all_inner_texts() == [
            "Write to a gardener",
            "Call the greenhouse",
        ]
        click(page, "button[data-channel=greenhouse_call]")
        assert "Clay keeps water" not in page.inner_text("#view")
        answer_step(page, plan["answers"])
        assert "Clay keeps water" in page.inner_text("#view")  # shown once clay is chosen
        click(page, "button.primary[data-event]")
        assert page.get_attribute("#view", "data-kind") == "request"
        answer_step(page, plan["answers"])
        click(page, "button.primary[data-event]")
        assert page.get_attribute("#view", "data-kind") == "confirmation"
        page.screenshot(path=str(ARTIFACTS / "confirmation-unseen-workflow.png"), full_page=True)
        number = page.inner_text(".request-number").strip()
        call = page.locator("a.button[href^='tel:']")
        assert call.inner_text() == "Ring now: +7 495 000-00-00"
        stored = storage.request(number)
        assert stored is not None
        assert stored.channel == "greenhouse_call"
        kinds = next(a for a in stored.ticket["answers"] if a["question"] == "plant_kinds")
        assert kinds["value"] == ["roses", "ferns"]
        assert "pat@example.org" in page.inner_text(".registration-note")
        [(recipients, _)] = mail_sink.wait(1)
        assert recipients == ["pat@example.org"]


def test_mistakes_are_shown_beside_their_questions_and_nothing_typed_is_lost(
    page: Any, site: tuple[str, Storage]
) -> None:
    base, _ = site
    page.goto(f"{base}/?locale=en")
    page.wait_for_selector("#view[data-kind=self_service]")
    click(page, "button[data-event=continue]")
    click(page, "button[data-channel=email]")
    page.fill("[name=q-subject]", "no")  # too short, and nothing chosen in the lists
    click(page, "button.primary[data-event=next]")
    assert page.get_attribute("#view", "data-kind") == "questions"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "questions-with-issues.png"), full_page=True)
    subject = page.locator(".field", has=page.locator("[name=q-subject]"))
    assert subject.locator(".issue").count() == 1
    assert page.locator("[name=q-subject]").input_value() == "no"
    assert page.locator("[name=q-subject]").get_attribute("aria-invalid") == "true"
    product = page.locator(".field", has=page.locator("[name=q-product]"))
    assert product.locator(".issue").count() == 1
    assert page.locator(".issue").count() >= 4  # product, platform, category, subject


@contextmanager
def bare_page(browser: Any, allowed: str) -> Iterator[tuple[Any, list[str]]]:
    """A page whose console errors are collected, except those containing ``allowed``."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and allowed not in m.text else None,
    )
    try:
        yield page, problems
    finally:
        page.close()


def test_a_session_id_planted_in_the_address_is_not_adopted(
    browser: Any, site: tuple[str, Storage]
) -> None:
    """Fixation: a victim opening the attacker's link works in a session of its own."""
    base, storage = site
    attacker = HttpApi(base)
    _, planted = attacker.post("/api/sessions", {"locale": "en"})
    with bare_page(browser, "status of 403") as (victim, problems):
        victim.goto(f"{base}/?locale=en#session={planted['session_id']}")
        victim.wait_for_selector("#view[data-kind=self_service]")
        assert planted["session_id"] not in victim.url
        own = victim.url.rpartition("#session=")[2]
        assert own
        click(victim, "button[data-event=continue]")
        click(victim, "button[data-channel=email]")
        victim.fill("[name=q-subject]", "Victim's own words")
        click(victim, "button.primary[data-event=next]")
    assert problems == []
    assert attacker.get(f"/api/sessions/{planted['session_id']}") == (200, planted)
    assert attacker.get(f"/api/sessions/{own}")[0] == 403
    assert "Victim's own words" in str(storage.session(own).document["answers"])


def test_another_site_cannot_frame_the_page(browser: Any, site: tuple[str, Storage]) -> None:
    base, _ = site
    with bare_page(browser, "frame-ancestors") as (framer, problems):
        framer.set_content(f'<iframe src="{base}/" width="400" height="300"></iframe>')
        framer.wait_for_timeout(1500)
        [child] = [frame for frame in framer.frames if frame is not framer.main_frame]
        assert child.query_selector("#view") is None  # the browser refused to show it
    assert [p for p in problems if "Refused" not in p] == []
