"""Channels: support hours, next-step instructions and their renderers.

Everything here is pure: an instant is always an argument.
"""

from kl_contact.channels.hours import Availability, ChannelStatus, Schedule, channel_status
from kl_contact.channels.instructions import (
    Instructions,
    InstructionStep,
    NextStepAction,
    build_instructions,
    render_text,
    safe_url,
)
from kl_contact.channels.render import render_html, render_json, render_markdown

__all__ = [
    "Availability",
    "ChannelStatus",
    "InstructionStep",
    "Instructions",
    "NextStepAction",
    "Schedule",
    "build_instructions",
    "channel_status",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "safe_url",
]
