"""Semantic checks of the questionnaire parts of a definition, for the definition linter.

Runs on the schema-valid document (plain data) and yields problems: a declared locale the
built-in validation messages do not cover and the definition does not either, a phone
region the phone number library does not know, and a request without the contact e-mail
the registration letter goes to. It never raises for a problem in the document and never
builds a model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kl_contact.messages import missing_messages

__all__ = ["Problem", "questionnaire_problems"]

Path = tuple[str | int, ...]


Problem = tuple[str, str, Path, str | None]
"""One problem: its stable code, what is wrong, where, and how to fix it (or ``None``)."""


def questionnaire_problems(data: dict[str, Any]) -> Iterator[Problem]:
    """Every questionnaire problem of a schema-valid definition document."""
    overrides = data.get("messages", {})
    for index, locale in enumerate(data["locales"]):
        codes = [code for code, _ in missing_messages([locale], overrides)]
        if codes:
            shown = ", ".join(codes[:3]) + (", ..." if len(codes) > 3 else "")
            yield (
                "messages.missing_locale",
                f"{len(codes)} validation messages have no {locale!r} text ({shown})",
                ("locales", index),
                f"add a {locale!r} entry under messages: for each of them",
            )
    import phonenumbers  # imported on first use: it costs more than the rest of the package

    region = data.get("phone_region")
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        yield (
            "phone_region.unknown",
            f"phone region {region!r} is not a region with a numbering plan",
            ("phone_region",),
            None,
        )
    for index, step in enumerate(data["steps"]):
        roles = {q.get("role") for q in step.get("questions", [])}
        if step["kind"] == "request" and "contact_email" not in roles:
            yield (
                "request.no_contact_email",
                "the request step asks for no contact e-mail (role: contact_email)",
                ("steps", index, "questions"),
                None,
            )
