"""Channels: support hours, next-step instructions and their rendering.

Everything here is pure: an instant is always an argument.
"""

from kl_contact.channels.hours import Availability, ChannelStatus, Schedule, channel_status
from kl_contact.channels.instructions import (
    Instructions,
    InstructionStep,
    NextStepAction,
    build_instructions,
    render_text,
)

__all__ = [
    "Availability",
    "ChannelStatus",
    "InstructionStep",
    "Instructions",
    "NextStepAction",
    "Schedule",
    "build_instructions",
    "channel_status",
    "render_text",
]
