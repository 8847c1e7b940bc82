"""Channels: support hours, next-step instructions, their renderers and the registration e-mail.

Everything here is pure: an instant is always an argument, and an e-mail is built, never
sent. Each name is imported on first use: the registration e-mail needs the standard
library's e-mail package, which a host that sends no mail should not load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kl_contact._lazy import lazy_exports

if TYPE_CHECKING:
    from kl_contact.channels.callback import CallbackSlot, callback_slots
    from kl_contact.channels.hours import (
        Availability,
        ChannelStatus,
        DatedHours,
        Period,
        Schedule,
        WeeklyPeriod,
        channel_status,
    )
    from kl_contact.channels.instructions import (
        Instructions,
        InstructionStep,
        NextStepAction,
        build_instructions,
        render_text,
        safe_url,
    )
    from kl_contact.channels.registration import registration_email, subject_token
    from kl_contact.channels.render import render_html, render_json, render_markdown
    from kl_contact.channels.replies import find_request_number, request_number_in_subject

_EXPORTS: dict[str, str] = {
    "CallbackSlot": "kl_contact.channels.callback",
    "callback_slots": "kl_contact.channels.callback",
    "Availability": "kl_contact.channels.hours",
    "ChannelStatus": "kl_contact.channels.hours",
    "DatedHours": "kl_contact.channels.hours",
    "Period": "kl_contact.channels.hours",
    "Schedule": "kl_contact.channels.hours",
    "WeeklyPeriod": "kl_contact.channels.hours",
    "channel_status": "kl_contact.channels.hours",
    "Instructions": "kl_contact.channels.instructions",
    "InstructionStep": "kl_contact.channels.instructions",
    "NextStepAction": "kl_contact.channels.instructions",
    "build_instructions": "kl_contact.channels.instructions",
    "render_text": "kl_contact.channels.instructions",
    "safe_url": "kl_contact.channels.instructions",
    "registration_email": "kl_contact.channels.registration",
    "subject_token": "kl_contact.channels.registration",
    "render_html": "kl_contact.channels.render",
    "render_json": "kl_contact.channels.render",
    "render_markdown": "kl_contact.channels.render",
    "find_request_number": "kl_contact.channels.replies",
    "request_number_in_subject": "kl_contact.channels.replies",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "Availability",
    "CallbackSlot",
    "ChannelStatus",
    "DatedHours",
    "InstructionStep",
    "Instructions",
    "NextStepAction",
    "Period",
    "Schedule",
    "WeeklyPeriod",
    "build_instructions",
    "callback_slots",
    "channel_status",
    "find_request_number",
    "registration_email",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "request_number_in_subject",
    "safe_url",
    "subject_token",
]
