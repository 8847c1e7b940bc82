"""How big a definition may be, and how much a user may send: the limits, in one place.

A definition is written by people and may be wrong or hostile; a user is anyone on the
internet. Every limit here keeps one of them from making the library slow or hungry, and
each breach becomes a :class:`~kl_contact.errors.DefinitionError` (``limit.*`` or
``yaml.*``) or a :class:`~kl_contact.errors.ValidationIssue`, never a crash. This module
only describes limits and checks a parsed document against them; it never reads a file.

>>> from kl_contact import Limits, parse_workflow
>>> strict = Limits(steps=3)
>>> strict.steps, Limits().steps
(3, 100)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["DEFAULT_LIMITS", "Limits", "event_problem", "structure_problems"]


@attrs.frozen
class Limits:
    """Upper bounds for a definition (and the longest answer text a user may send).

    Pass an instance to :func:`kl_contact.parse_workflow` or
    :func:`kl_contact.load_workflow` to tighten or loosen them.
    """

    document_bytes: int = 2 * 1024 * 1024
    """The largest definition accepted, in bytes of UTF-8."""
    depth: int = 32
    """How deeply mappings and sequences may nest (the default workflow uses 8)."""
    aliases: int = 100
    """How many ``*alias`` references a document may use ("billion laughs" grow by them)."""
    nodes: int = 200_000
    """How many nodes a document may have once every alias is expanded (the default has 3000)."""
    text_length: int = 20_000
    """The longest single string in a definition, in characters."""
    steps: int = 100
    """How many steps a workflow may have."""
    questions: int = 500
    """How many questions a workflow may have, over all steps."""
    options: int = 500
    """How many options one question may have."""
    answer_length: int = 100_000
    """The longest answer text a user may send, whatever the question says."""
    answers: int = 1000
    """How many answers one event may carry (the wire schema's ceiling too)."""
    answer_items: int = 1000
    """How many items (chosen options, attachments) one answer may hold."""
    event_values: int = 2000
    """How many values one event may carry in all: its answers and their items together."""
    event_text: int = 1_000_000
    """How many characters one event's answers may hold in all, keys and texts together."""
    comment_length: int = 2000
    """The longest comment a user may give with a satisfaction rating, in characters."""


DEFAULT_LIMITS = Limits()
"""The limits used when none are given."""


def structure_problems(
    data: Any, limits: Limits
) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """(code, message, path) for each way a parsed definition exceeds ``limits``.

    Only counts and lengths are checked here; the shape is the schema's business, so any
    node of an unexpected type is skipped.
    """
    if not isinstance(data, dict):
        return
    steps = data.get("steps")
    if not isinstance(steps, list):
        steps = []
    if len(steps) > limits.steps:
        yield "limit.steps", f"{len(steps)} steps, more than {limits.steps}", ("steps",)
    count = 0
    for s_index, step in enumerate(steps):
        questions = step.get("questions") if isinstance(step, dict) else None
        if not isinstance(questions, list):
            continue
        for q_index, question in enumerate(questions):
            count += 1
            if count == limits.questions + 1:
                path: tuple[str | int, ...] = ("steps", s_index, "questions", q_index)
                yield "limit.questions", f"more than {limits.questions} questions", path
            options = question.get("options") if isinstance(question, dict) else None
            if isinstance(options, list) and len(options) > limits.options:
                yield (
                    "limit.options",
                    f"{len(options)} options, more than {limits.options}",
                    ("steps", s_index, "questions", q_index, "options"),
                )
    yield from _long_texts(data, (), limits.text_length)


def _long_texts(
    node: Any, path: tuple[str | int, ...], limit: int
) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    if isinstance(node, str):
        if len(node) > limit:
            yield "limit.text_length", f"text of {len(node)} characters, more than {limit}", path
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _long_texts(value, (*path, key), limit)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _long_texts(value, (*path, index), limit)


def _text_size(item: Any) -> int:
    if isinstance(item, str):
        return len(item)
    if isinstance(item, Mapping):  # an attachment's document
        return sum(len(v) for v in item.values() if isinstance(v, str))
    return sum(len(v) for v in (getattr(item, "name", None), getattr(item, "media_type", None))
               if isinstance(v, str))  # fmt: skip


def event_problem(answers: Any, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str] | None:
    """The first way an event's ``answers`` exceed ``limits``, as (code, message); else None.

    It reads the answers as a browser sent them (a JSON mapping) or as the Python API holds
    them, in time proportional to what it has read so far: it stops at the first breach, so
    a huge event costs no more than a small one. The message never names an answer or
    repeats what was sent.

    >>> event_problem({"q": ["a"] * 5000})
    ('limit.answer_items', 'an answer holds more than 1000 items')
    >>> event_problem({"q": "fine"}) is None
    True
    """
    if not isinstance(answers, Mapping):
        return None
    if len(answers) > limits.answers:
        return "limit.answers", f"more than {limits.answers} answers"
    values, text = len(answers), 0
    for key, value in answers.items():
        text += _text_size(key)
        if isinstance(value, list | tuple):
            if len(value) > limits.answer_items:
                return (
                    "limit.answer_items",
                    f"an answer holds more than {limits.answer_items} items",
                )
            values += len(value)
            if values > limits.event_values:
                return "limit.event_values", f"more than {limits.event_values} values"
            text += sum(_text_size(item) for item in value)
        else:
            text += _text_size(value)
        if text > limits.event_text:
            return "limit.event_text", f"more than {limits.event_text} characters"
    return None
