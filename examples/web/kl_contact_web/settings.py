"""The host's configuration: where the database and the SMTP server are, and support contacts.

Everything comes from environment variables named ``KL_CONTACT_WEB_*`` (or from keyword
arguments in tests), so that every worker started with the same environment behaves the same.
It holds no secret of its own and never reads anything but the environment it is given.

The defaults are meant to be safe to deploy: sessions expire, session creation is rate
limited per client address, request bodies are bounded, and letters are retried with a
growing delay. Tighten or loosen them per deployment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
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
    wait_minutes: int | None = None
    """The expected wait this host reports for a channel that asks for one (its definition
    says ``estimate_wait``), in minutes; unset: no estimate, and no wait is shown."""
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
    sqlite_synchronous: str = "normal"
    """SQLite's ``synchronous`` setting: ``normal`` (the default; in WAL mode a commit
    survives a crash of the host, and the last commits may be lost, never corrupted, if the
    machine loses power) or ``full`` (every commit waits for the disk, costing a flush per
    transaction). PostgreSQL ignores it."""
    session_idle_seconds: float = 3600.0
    """A session unused this long is erased with everything the user typed into it."""
    session_lifetime_seconds: float = 86400.0
    """A session older than this is erased, however busy it is."""
    sessions_per_client: int = 30
    """How many sessions one client address may start per ``sessions_window_seconds``."""
    sessions_window_seconds: float = 600.0
    """The window of the creation rate limit."""
    cookie_secure: bool = False
    """Mark the capability cookie ``Secure`` even on plain HTTP (it always is over HTTPS).
    Set it when a TLS proxy in front of the workers speaks plain HTTP to them."""
    max_body_bytes: int = 512 * 1024
    """The largest request body accepted (413 ``request.too_large`` above it)."""
    max_json_depth: int = 32
    """How deeply a request body's arrays and objects may nest (400 ``request.too_deep``)."""
    outbox_lease_seconds: float = 60.0
    """How long a sender holds a letter before another may try it (a sender that died)."""
    outbox_retry_seconds: float = 5.0
    """The delay after a letter's first failed attempt; it doubles with every attempt."""
    outbox_max_delay_seconds: float = 3600.0
    """The longest delay between two attempts."""
    outbox_max_attempts: int = 40
    """After this many failed attempts a letter is marked ``failed`` for an operator."""
    outbox_poll_seconds: float = 1.0
    """How often the outbox worker looks for due letters (and erases expired sessions)."""

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
            kind = _KINDS.get(str(field.type), str)
            try:
                values[field.name] = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be {_NAMES.get(kind, 'text')}") from None
        for count in ("threads", "processes"):
            if int(values.get(count, 1)) < 1:  # type: ignore[call-overload]
                raise ValueError(f"{ENV_PREFIX}{count.upper()} must be at least 1")
        if int(values.get("pool_size", 0)) < 0:  # type: ignore[call-overload]
            raise ValueError(f"{ENV_PREFIX}POOL_SIZE must be 0 or more")
        if not 0 <= int(values.get("wait_minutes", 0)) <= 7 * 24 * 60:  # type: ignore[call-overload]
            raise ValueError(f"{ENV_PREFIX}WAIT_MINUTES must be from 0 to 10080 (a week)")
        if str(values.get("sqlite_synchronous", "normal")).lower() not in {"normal", "full"}:
            raise ValueError(f"{ENV_PREFIX}SQLITE_SYNCHRONOUS must be normal or full")
        if values.get("rt_autoreply", "host") not in {"host", "rt"}:
            raise ValueError(f"{ENV_PREFIX}RT_AUTOREPLY must be host or rt")
        return cls(**values)  # type: ignore[arg-type]


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(raw)


_KINDS: dict[str, Callable[[str], object]] = {
    "int": int,
    "int | None": int,
    "float": float,
    "bool": _flag,
}
_NAMES: dict[object, str] = {int: "a number", float: "a number", _flag: "true or false"}
