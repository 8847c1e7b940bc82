"""Channels: support hours, next-step instructions, their renderers and the registration e-mail.

Everything here is pure: an instant is always an argument, and an e-mail is built, never sent.
"""

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

__all__ = [
    "Availability",
    "ChannelStatus",
    "DatedHours",
    "InstructionStep",
    "Instructions",
    "NextStepAction",
    "Period",
    "Schedule",
    "WeeklyPeriod",
    "build_instructions",
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
