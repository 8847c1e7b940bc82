"""Plain-text rendering of views for the terminal."""

from __future__ import annotations

from kl_contact.channels.instructions import render_text
from kl_contact.channels.status import format_opening
from kl_contact.engine.views import View
from kl_contact.messages import message

__all__ = ["render_header", "render_view"]


def _title(view: View) -> list[str]:
    lines = [f"== [{view.progress.index}/{view.progress.total}] {view.title} =="]
    return [*lines, view.text] if view.text else lines


def render_header(view: View) -> str:
    """The title and text of a view, for a terminal that asks the rest with prompts."""
    lines = _title(view)
    if view.contacts_page is not None:
        lines.append(f"  {view.contacts_page.title}: {view.contacts_page.url}")
    return "\n".join(lines)


def render_view(view: View) -> str:
    """A view as plain text: title, text, and the parts its kind has."""
    lines = _title(view)
    for resource in view.resources:
        lines.append(f"  - {resource.title}: {resource.url}")
    if view.contacts_page is not None:
        lines.append(f"  {view.contacts_page.title}: {view.contacts_page.url}")
    for channel in view.channels:
        closed = "" if channel.open else " [x]"
        if not channel.open and channel.opens_at is not None:
            closed = f" [x -> {format_opening(channel.opens_at, view.locale)}]"
        lines.append(f"  * {channel.title} ({channel.id}){closed}: {channel.description}")
    for action in view.actions:
        if action.type == "follow_up" and action.label:
            lines.append(f"  > {action.label} (follow_up)")
    for question in view.questions:
        mark = " *" if question.required else ""
        if question.prefilled:
            chosen = {o.id: o.label for o in question.options}
            value = question.value
            shown = chosen.get(value, value) if isinstance(value, str) else value
            note = message(
                "question.read_only" if question.read_only else "question.prefilled",
                view.locale,
                view.locale,
            )
            mark += f" = {shown} [{note}]"
        lines.append(f"  ? {question.label}{mark}")
        for option in () if question.read_only else question.options:
            lines.append(f"      [{option.id}] {option.label}")
        for issue in question.issues:
            lines.append(f"      ! {issue.message}")
    if view.articles is not None:
        if view.articles.status == "loading":
            lines.append("  ...")
        for number, match in enumerate(view.articles.matches, start=1):
            lines.append(f"  {number}. {match.title}")
            lines.append(f"     {match.url}")
    for issue in view.issues:
        lines.append(f"  ! {issue.message}")
    if view.follow_up is not None:
        request = view.follow_up.request
        if request is not None:
            lines.append(f"  No. {request.request_number} [{request.state.value}]")
        for step in view.follow_up.next_steps:
            lines.append(f"  - {step}")
    if view.confirmation is not None:
        lines.append(f"  No. {view.confirmation.request_number}")
        lines.append(render_text(view.confirmation.instructions))
    rating = view.rating
    if rating is not None:
        scores = " ".join(f"[{score}]" for score in rating.scores)
        given = f" -> {rating.score}" if rating.score is not None else ""
        marks = {"open": "", "rated": given, "skipped": " -> -"}
        lines.append(f"  ? {rating.title} {scores}{marks[rating.status]}")
    return "\n".join(lines)
