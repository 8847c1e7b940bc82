"""The demo on a terminal: the whole journey with arrow-key choices and checks as you type.

:class:`TerminalUser` plays the person at the screen for :func:`~kl_contact.cli.demo.run_script`:
for each view it asks what that person would decide (a self-service link, the channel, the
questions as they appear, an article that helped or not, the files to attach) and returns
the events. Every check is the engine's own: an answer is tried on a copy of the session
(the engine is pure, so nothing is recorded) and the issues it would raise are shown while
the person types. The previous answer is the default of every question.

It needs the optional extra ``cli`` (questionary, over prompt_toolkit). Ctrl-C raises
``KeyboardInterrupt`` and Ctrl-D ``EOFError`` out of every prompt; the command turns them
into one line each.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import questionary
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from questionary import Choice

from kl_contact.engine.engine import Transition
from kl_contact.engine.events import (
    AddInformation,
    Answer,
    ArticleHelped,
    ArticleNotHelpful,
    Back,
    ChooseChannel,
    Continue,
    Escalate,
    Event,
    FindRequest,
    FollowUp,
    Next,
    OpenArticle,
    Reopen,
    Send,
)
from kl_contact.engine.session import Session
from kl_contact.engine.views import QuestionView, View
from kl_contact.ticket.model import AnswerValue, Attachment

__all__ = ["LANGUAGE_NAMES", "Preview", "TerminalUser", "choose_locale", "language_line"]

Preview = Callable[[Session, Event], Transition]
"""Applies an event to a session without recording it: what would happen if."""

LANGUAGE_NAMES: Mapping[str, str] = {"ru": "Русский", "en": "English"}
"""How each language names itself on the first screen (other codes are shown as they are)."""

# The demo's own words around the workflow's texts.
_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "skip": "(skip)",
        "helped": "Did this article answer your question?",
        "why": "What was wrong with it?",
        "not_relevant": "It is about another problem",
        "did_not_work": "I followed it and it did not help",
        "unclear": "It is hard to follow",
        "no_reason": "I'd rather not say",
        "not_helpful": "did not help",
        "attach": "Attach a file: its path (Enter on an empty line when done)",
        "accepted": "Accepted: {types}; up to {size} MB a file, {count} files",
        "attached": "attached",
        "no_file": "There is no file at this path.",
        "channel_given": "Channel: {title} (from --channel)",
        "no_articles": "No article matches these answers.",
        "closed": "closed now",
    },
    "ru": {
        "skip": "(пропустить)",
        "helped": "Эта статья ответила на ваш вопрос?",
        "why": "Что с ней не так?",
        "not_relevant": "Она о другой проблеме",
        "did_not_work": "Я сделал всё по ней, но не помогло",
        "unclear": "В ней трудно разобраться",
        "no_reason": "Не хочу говорить",
        "not_helpful": "не помогла",
        "attach": "Приложите файл: путь к нему (пустая строка, чтобы закончить)",
        "accepted": "Подходят: {types}; до {size} МБ файл, не больше {count} файлов",
        "attached": "приложен",
        "no_file": "По этому пути нет файла.",
        "channel_given": "Способ связи: {title} (из --channel)",
        "no_articles": "Подходящих статей не нашлось.",
        "closed": "сейчас закрыт",
    },
}

_REASONS = ("not_relevant", "did_not_work", "unclear")


def _end_of_input(question: questionary.Question) -> questionary.Question:
    """Let Ctrl-D end the demo from a list or a yes/no question too (text prompts do)."""
    extra = KeyBindings()

    @extra.add("c-d", eager=True)
    def _(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), extra])
    return question


def _select(message: str, choices: list[Choice], default: Any, io: Mapping[str, Any]) -> Any:
    """A list to choose from with the arrow keys, or by typing part of a label."""
    chosen = next((c for c in choices if c.value == default and not c.disabled), None)
    question = questionary.select(
        message, choices=choices, default=chosen, use_search_filter=True, use_jk_keys=False, **io
    )
    return _end_of_input(question).unsafe_ask()


def language_line(locale: str, locales: Sequence[str]) -> str:
    """The first screen's note of the language and how to pick another."""
    name = LANGUAGE_NAMES.get(locale, locale)
    others = [
        f"{LANGUAGE_NAMES.get(code, code)}: --locale {code}" for code in locales if code != locale
    ]
    return f"Language: {name} ({locale})" + (f"; {', '.join(others)}" if others else "")


def choose_locale(locales: Sequence[str], default: str, **io: Any) -> str:
    """Ask for the language on the first screen (arrow keys; ``--locale`` skips this)."""
    choices = [Choice(f"{LANGUAGE_NAMES.get(code, code)} ({code})", value=code) for code in locales]
    chosen: str = _select(
        "Language / Язык (--locale CODE skips this question)", choices, default, io
    )
    return chosen


class TerminalUser:
    """The person at the terminal: turns each view into the events they choose.

    ``channel`` (from ``--channel``) is chosen without asking, once; ``io`` is passed to
    every prompt (prompt_toolkit's ``input`` and ``output``, for tests).
    """

    def __init__(self, *, channel: str | None, out: TextIO, **io: Any) -> None:
        self.channel = channel
        self.out = out
        self.io = io

    def __call__(self, transition: Transition, preview: Preview) -> list[Event]:
        """The events for the current view, asked for on the terminal."""
        view = transition.view
        words = _WORDS.get(view.locale, _WORDS["en"])
        if view.kind == "self_service":
            return self.self_service(view)
        if view.kind == "channel_choice":
            return [self.choose_channel(view, words)]
        if view.kind == "articles":
            return self.articles(view, words)
        if view.kind == "follow_up" and "reopen" in view.action_types:
            return [self.reopen(view)]
        return [self.answer_step(transition, preview, words)]

    # ------------------------------------------------------------ prompts

    def _ask(self, question: questionary.Question) -> Any:
        return _end_of_input(question).unsafe_ask()

    def _select(self, message: str, choices: list[Choice], default: Any = None) -> Any:
        return _select(message, choices, default, self.io)

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # ------------------------------------------------------------ the steps

    def self_service(self, view: View) -> list[Event]:
        """Open self-service links until the person still needs an engineer."""
        button = next((a.label for a in view.actions if a.type == "continue"), None) or "→"
        choices = [Choice(f"{r.title}: {r.url}", value=r.id) for r in view.resources]
        choices.append(Choice(button, value=""))
        last: str = ""
        while True:
            picked: str = self._select(view.title, choices, default=last)
            if not picked:
                return [Continue()]
            resource = next(r for r in view.resources if r.id == picked)
            self._say(f"  {resource.title}: {resource.url}\n  {resource.description}")
            last = picked

    def choose_channel(self, view: View, words: Mapping[str, str]) -> Event:
        """The channel given with ``--channel`` the first time, else the person's choice."""
        given, self.channel = self.channel, None
        ids = [c.id for c in view.channels if c.choosable]
        if given in ids:
            title = next(c.title for c in view.channels if c.id == given)
            self._say(words["channel_given"].format(title=title))
            return ChooseChannel(given)
        choices = [
            Choice(
                f"{c.title}: {c.description}",
                value=c.id,
                disabled=None if c.choosable else words["closed"],
            )
            for c in view.channels
        ]
        follow_up = next((a for a in view.actions if a.type == "follow_up"), None)
        if follow_up is not None:  # "I already have a request"; no channel id is empty
            choices.append(Choice(follow_up.label or "follow_up", value=""))
        for issue in view.issues:
            self._say(f"  ! {issue.message}")
        picked: str = self._select(view.title, choices, default=view.channel)
        return ChooseChannel(picked) if picked else FollowUp()

    def reopen(self, view: View) -> Event:
        """A solved or closed request: what it says, then reopen it or go back."""
        if view.follow_up is not None:
            for step in view.follow_up.next_steps:
                self._say(f"  {step}")
        labels = {a.type: a.label or a.type for a in view.actions}
        choices = [Choice(labels["reopen"], value="reopen")]
        if "back" in labels:
            choices.append(Choice(labels["back"], value="back"))
        picked: str = self._select(view.title, choices)
        return Reopen() if picked == "reopen" else Back()

    def articles(self, view: View, words: Mapping[str, str]) -> list[Event]:
        """Open an article and say whether it helped, or contact support."""
        state = view.articles
        matches = state.matches if state is not None else ()
        button = next((a.label for a in view.actions if a.type == "escalate"), None) or "→"
        if not matches:
            self._say(words["no_articles"])
            return [Escalate()]
        tried = set(state.not_helpful if state is not None else ())
        choices = [
            Choice(
                f"{m.title}" + (f" ({words['not_helpful']})" if m.id in tried else ""), value=m.id
            )
            for m in matches
        ]
        choices.append(Choice(button, value=""))
        fresh = next((m.id for m in matches if m.id not in tried), "")
        picked: str = self._select(view.title, choices, default=fresh)
        if not picked:
            return [Escalate()]
        match = next(m for m in matches if m.id == picked)
        self._say(
            f"  {match.title}\n  {match.url}" + (f"\n  {match.summary}" if match.summary else "")
        )
        if self._ask(questionary.confirm(words["helped"], default=False, **self.io)):
            return [OpenArticle(picked), ArticleHelped(picked)]
        reasons = [Choice(words[r], value=r) for r in _REASONS]
        reasons.append(Choice(words["no_reason"], value=""))
        reason: str = self._select(words["why"], reasons)
        return [OpenArticle(picked), ArticleNotHelpful(picked, reason or None)]

    def answer_step(
        self, transition: Transition, preview: Preview, words: Mapping[str, str]
    ) -> Event:
        """Ask the visible questions one by one, showing those that appear as they apply.

        After a refused attempt only the questions with issues are asked again.
        """
        view = transition.view
        session = transition.session
        final: type[Next] | type[Send] | type[FindRequest] | type[AddInformation] = Next
        if view.kind == "request":
            final = Send
        elif view.kind == "follow_up":
            final = AddInformation if "add_information" in view.action_types else FindRequest
            if view.follow_up is not None:
                for step in view.follow_up.next_steps:
                    self._say(f"  {step}")
            for issue in view.issues:
                self._say(f"  ! {issue.message}")
        given: dict[str, AnswerValue] = {}
        again = {q.id for q in view.questions if q.issues}
        asked: set[str] = set()
        current = view
        while True:
            pending = [
                q for q in current.questions if q.id not in asked and (not again or q.id in again)
            ]
            if not pending:
                return final(given)
            question = pending[0]
            asked.add(question.id)
            for issue in question.issues:
                self._say(f"  ! {issue.message}")

            def problem(value: AnswerValue, q: QuestionView = question) -> str | None:
                tried = preview(session, final({**given, q.id: value})).view
                for shown in tried.questions if tried.step == view.step else ():
                    if shown.id == q.id:
                        errors = [i for i in shown.issues if i.severity == "error"]
                        return errors[0].message if errors else None
                return None

            value = self.ask_question(question, problem, words)
            if value is not None:
                given[question.id] = value
            current = preview(session, Answer(given)).view

    def ask_question(
        self,
        question: QuestionView,
        problem: Callable[[AnswerValue], str | None],
        words: Mapping[str, str],
    ) -> AnswerValue | None:
        """One question with the prompt that fits its type; ``None`` leaves it unanswered."""
        label = question.label + ("" if question.required else " " + words["skip"])
        if question.help:
            self._say(f"  ({question.help})")
        previous = question.value
        if question.type == "info":
            return None
        if question.type == "single_choice":
            choices = [Choice(o.label, value=o.id) for o in question.options]
            if not question.required:
                choices.append(Choice(words["skip"], value=""))
            picked: str = self._select(label, choices, default=previous or "")
            return picked if picked or previous else None
        if question.type == "multiple_choice":
            chosen = set(previous) if isinstance(previous, tuple) else set()
            boxes = [Choice(o.label, value=o.id, checked=o.id in chosen) for o in question.options]
            checked = self._ask(
                questionary.checkbox(
                    label,
                    choices=boxes,
                    validate=lambda ids: problem(tuple(ids)) or True,
                    **self.io,
                )
            )
            return tuple(checked)
        if question.type == "consent":
            agreed: bool = self._ask(
                questionary.confirm(label, default=previous is True, **self.io)
            )
            return agreed
        if question.type == "attachments":
            return self.attachments(question, problem, words)
        text: str = self._ask(
            questionary.text(
                label,
                default=previous if isinstance(previous, str) else "",
                validate=lambda typed: problem(typed) or True,
                **self.io,
            )
        )
        return text if text or previous else None

    def attachments(
        self,
        question: QuestionView,
        problem: Callable[[AnswerValue], str | None],
        words: Mapping[str, str],
    ) -> tuple[Attachment, ...]:
        """Paths of real files, one at a time, each checked against the question's rules."""
        given = question.value if isinstance(question.value, tuple) else ()
        files = [f for f in given if isinstance(f, Attachment)]
        rules = question.attachments
        self._say(question.label)
        if rules is not None:
            types = ", ".join(rules.extensions or rules.media_types)
            self._say(
                "  "
                + words["accepted"].format(
                    types=types, size=rules.max_size // (1024 * 1024), count=rules.max_count
                )
            )
        for attached in files:
            self._say(f"  + {attached.name} ({words['attached']})")

        def check(typed: str) -> bool | str:
            if not typed.strip():
                return True
            found = _attachment(typed.strip())
            if found is None:
                return words["no_file"]
            return problem((*files, found)) or True

        while True:
            typed: str = self._ask(questionary.path(words["attach"], validate=check, **self.io))
            found = _attachment(typed.strip()) if typed.strip() else None
            if found is None:
                return tuple(files)
            files.append(found)
            self._say(f"  + {found.name} ({words['attached']})")


def _attachment(path_text: str) -> Attachment | None:
    """The metadata of the file at ``path_text``, or ``None`` when no file is there."""
    path = Path(path_text).expanduser()
    try:
        if not path.is_file():
            return None
        size = path.stat().st_size
    except OSError:
        return None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Attachment(name=path.name, media_type=media_type, size=size)
