"""Prefilled answers: what the host already knows, checked like what the user types.

The user's own program knows the product, its version, the operating system and the
licence; a host passes them to :meth:`~kl_contact.engine.engine.Engine.start` as
``prefill={question_id: value}``. The definition's ``prefill:`` names the questions a host
may answer this way and whether the user may change them (``editable``) or not
(``read_only``).

Each value is checked exactly like a typed answer, in asking order (so that a version sees
the product it depends on). A value that passes becomes the answer and is marked prefilled;
one that fails is kept as the answer, unmarked, so that the user sees it with its issue and
corrects it (a read-only question whose value failed is therefore editable); a value of the
wrong shape, or one for a question the definition does not let the host prefill, is left
out. Every problem is an issue kept on the session, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kl_contact.definition.answers import AnswerValue
from kl_contact.definition.flow import Flow
from kl_contact.definition.model import PrefillMode
from kl_contact.errors import ValidationIssue
from kl_contact.messages import Localizer
from kl_contact.questionnaire.fields import phone_region
from kl_contact.questionnaire.validation import validate_answer

__all__ = ["Prefilled", "locked_questions", "prefill_answers"]


@attrs.frozen(repr=False)
class Prefilled:
    """The outcome of checking a host's prefill: the answers to start with, the questions
    whose answers passed (marked prefilled), and the issues found."""

    answers: Mapping[str, AnswerValue]
    marked: tuple[str, ...]
    issues: tuple[ValidationIssue, ...]

    def __repr__(self) -> str:
        return (
            f"Prefilled(answers={len(self.answers)}, marked={self.marked!r}, "
            f"issues={len(self.issues)})"
        )


def _shaped(value: object) -> AnswerValue | None:
    """``value`` as an answer a prefillable question can take, or None when it has none of
    their shapes (a string, a boolean, or a list of option ids)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def prefill_answers(flow: Flow, given: Mapping[str, object], locale: str) -> Prefilled:
    """Check the host's ``given`` answers against ``flow``'s definition, in ``locale``."""
    workflow = flow.workflow
    loc = Localizer(locale, workflow.default_locale, workflow.messages)
    region = phone_region(workflow.phone_region, locale)
    issues: list[ValidationIssue] = []
    declared: list[str] = []
    for qid in given:
        if isinstance(qid, str) and qid in flow.questions and qid in workflow.prefill:
            declared.append(qid)
        else:
            key = qid if isinstance(qid, str) else str(qid)  # a host's key, never a user's
            issues.append(loc.issue("prefill.not_allowed", ("prefill", key), severity="warning"))
    declared.sort(key=flow.order.__getitem__)
    reads = flow.reads_of(flow.questions)
    answers: dict[str, AnswerValue] = {}
    marked: list[str] = []
    for qid in declared:
        value = _shaped(given[qid])
        if value is None:
            issues.append(loc.issue("answer.wrong_type", ("answers", qid)))
            continue
        answers[qid] = value
        ctx = flow.context(reads, answers, None, locale)
        found = validate_answer(flow.questions[qid], value, ctx, loc, region)
        if not any(issue.severity == "error" for issue in found):
            marked.append(qid)
        issues.extend(found)
    return Prefilled(answers=answers, marked=tuple(marked), issues=tuple(issues))


def locked_questions(
    flow: Flow, prefilled: tuple[str, ...], answers: Mapping[str, AnswerValue]
) -> frozenset[str]:
    """The questions among ``prefilled`` the user cannot change (``read_only``): those whose
    prefilled answer is still there (an answer policy may have dropped one)."""
    modes = flow.workflow.prefill
    return frozenset(
        qid for qid in prefilled if qid in answers and modes.get(qid) is PrefillMode.READ_ONLY
    )
