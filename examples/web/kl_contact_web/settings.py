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

    threads: int = 4
    """Request threads per worker process. A request spends part of its time waiting (for the
    database, SMTP, RT), so a few threads keep one core busy; more than about 8 only add
    contention for Python's interpreter lock."""
    processes: int = 1
    """Worker processes sharing one listening socket. Python runs one thread at a time per
    process, so this is what uses more than one core: about one per core available to the
    host (leave room for the database when it runs on the same machine)."""
    pool_size: int = 0
    """PostgreSQL connections kept per worker process; 0: as many as ``threads`` (each
    thread then has one when it needs it, and the server sees ``processes x pool_size``)."""

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
                "threads": int,
                "processes": int,
                "pool_size": int,
                "reply_within_hours": int,
                "smtp_timeout": float,
                "rt_timeout": float,
            }.get(field.name, str)
            try:
                values[field.name] = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number") from None
        for count in ("threads", "processes"):
            if int(values.get(count, 1)) < 1:  # type: ignore[call-overload]
                raise ValueError(f"{ENV_PREFIX}{count.upper()} must be at least 1")
        if int(values.get("pool_size", 0)) < 0:  # type: ignore[call-overload]
            raise ValueError(f"{ENV_PREFIX}POOL_SIZE must be 0 or more")
        if values.get("rt_autoreply", "host") not in {"host", "rt"}:
            raise ValueError(f"{ENV_PREFIX}RT_AUTOREPLY must be host or rt")
        return cls(**values)  # type: ignore[arg-type]
