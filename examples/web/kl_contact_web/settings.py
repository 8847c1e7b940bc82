"""The host's configuration: where the database and the SMTP server are, and support contacts.

Everything comes from environment variables named ``KL_CONTACT_WEB_*`` (or from keyword
arguments in tests), so that every worker started with the same environment behaves the same.
It holds no secret of its own and never reads anything but the environment it is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DEFAULT_DATABASE", "ENV_PREFIX", "Settings"]

ENV_PREFIX = "KL_CONTACT_WEB_"
"""The prefix of every environment variable the host reads."""

DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "var" / "contact.sqlite3"
"""The SQLite file used when no database URL is given (``examples/web/var/``, not committed)."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """How one worker reaches the world. Every worker of a deployment gets the same settings.

    ``database_url`` is ``sqlite:///PATH`` or ``postgresql://...``. ``chat_url`` may contain
    ``{request_number}``. ``workflow`` and ``catalogs`` name files; when empty, the library's
    default workflow and sample catalog are used.
    """

    database_url: str = f"sqlite:///{DEFAULT_DATABASE}"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_timeout: float = 10.0
    mail_from: str = "Support <support@example.com>"
    support_email: str = "support@example.com"
    chat_url: str = "https://chat.example.com/support/{request_number}"
    phone: str = "+74950000000"
    phone_display: str = "+7 495 000-00-00"
    reply_within_hours: int = 24
    request_prefix: str = "WEB-"
    workflow: str | None = None
    catalogs: tuple[str, ...] = ()
    fixed_time: str | None = None
    """An ISO 8601 instant at which every event happens, for demos and tests that must not
    depend on the hour (support hours open and close channels). Unset: the real clock."""
    rt_url: str | None = None
    """Request Tracker's base address (its ``$WebBaseURL``); set, tickets go to RT."""
    rt_token: str | None = dataclasses.field(default=None, repr=False)
    """An RT auth token (``Authorization: token ...``) of a user who may create tickets."""
    rt_queue: str = "General"
    rt_timeout: float = 10.0
    """Seconds one call to RT may take (connecting, sending, answering) before giving up."""
    rt_autoreply: str = "host"
    """Who sends the registration e-mail: ``host`` (this host, tagged with RT's subject tag;
    RT's own autoreply must be off) or ``rt`` (RT's autoreply; this host sends none)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from ``KL_CONTACT_WEB_*`` variables; a malformed number raises ValueError."""
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            name = ENV_PREFIX + field.name.upper()
            raw = environ.get(name)
            if raw is None or raw == "":
                continue
            if field.name == "catalogs":
                values[field.name] = tuple(part for part in raw.split(":") if part)
                continue
            kind = {
                "smtp_port": int,
                "reply_within_hours": int,
                "smtp_timeout": float,
                "rt_timeout": float,
            }.get(field.name, str)
            try:
                values[field.name] = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number") from None
        if values.get("rt_autoreply", "host") not in {"host", "rt"}:
            raise ValueError(f"{ENV_PREFIX}RT_AUTOREPLY must be host or rt")
        return cls(**values)  # type: ignore[arg-type]
