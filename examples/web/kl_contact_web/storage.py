"""Sessions, submitted requests and the outbox in SQL: SQLite (one file) or PostgreSQL (a URL).

A session row holds the session's JSON document, a version, the digest of the capability
that owns it, and when it was created and last used. Every change to a session goes through
a :class:`Step`: one transaction that first locks the row and checks its version (the
compare-and-set), then lets the caller register the request and queue its letters, and
finally writes the new document. Either all of it is committed or none of it: of two writers
that read the same version one wins and the other gets :class:`StaleSession` before it has
written anything, so no request row is ever left without the session that confirms it.

Satisfaction ratings (``kl_contact_feedback``) are written in the step that records them,
one row per session and rated step: a repeated write of the same rating changes nothing.
A rating outlives its session (it is what the analytics read); its comment is personal
data like the session's, and is never logged.

The outbox (``kl_contact_outbox``) holds the letters still to send, each under its
Message-ID. A sender *leases* a due row for a while, sends it, then marks it sent; a sender
that dies leaves the lease to run out, and the row is sent again (same Message-ID, so the
receiving side can recognise the repeat). Marking is a compare-and-set too: a row is marked
sent once. Sent rows keep no letter text.

A worker holds no state between requests but its connections: PostgreSQL's come from a
pool (psycopg_pool) of ``pool_size`` connections per worker process, opened on first use, so
that a call does not pay for a new server connection (a new one costs the server
milliseconds of CPU, a reused one a tenth of one) and psycopg's prepared statements are
reused. SQLite's are kept one per thread, in WAL mode (readers never wait for the writer)
with a busy timeout for writers. Times are seconds since the epoch, given by the caller.
Nothing here logs or prints a document: sessions, tickets and letters hold personal data.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "Addition",
    "Claim",
    "FeedbackRecord",
    "Letter",
    "RequestRecord",
    "SessionRecord",
    "StaleSession",
    "Step",
    "Storage",
    "StoredFile",
    "UnknownSession",
]

JSON = dict[str, Any]

_SCHEMA_LOCK = 7_231_001
"""PostgreSQL advisory lock taken while creating tables, so workers starting together agree."""

_CREATION_LOCK = 7_231_002
"""PostgreSQL advisory lock (with the client's digest) held while counting its new sessions."""

_IDENTITY = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}
_BYTES = {"sqlite": "BLOB", "postgresql": "BYTEA"}

_DDL = (
    """CREATE TABLE IF NOT EXISTS kl_contact_sessions (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        owner_digest TEXT NOT NULL,
        client_digest TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        seen_at DOUBLE PRECISION NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS kl_contact_sessions_client"
    " ON kl_contact_sessions (client_digest, created_at)",
    "CREATE INDEX IF NOT EXISTS kl_contact_sessions_seen ON kl_contact_sessions (seen_at)",
    "CREATE INDEX IF NOT EXISTS kl_contact_sessions_created ON kl_contact_sessions (created_at)",
    """CREATE TABLE IF NOT EXISTS kl_contact_requests (
        id {identity},
        submission_id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        ticket TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS kl_contact_outbox (
        id {identity},
        kind TEXT NOT NULL,
        message_id TEXT NOT NULL UNIQUE,
        request_number TEXT NOT NULL,
        payload TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        due_at DOUBLE PRECISION NOT NULL,
        leased_until DOUBLE PRECISION NOT NULL,
        sent_at DOUBLE PRECISION,
        last_error TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS kl_contact_outbox_due ON kl_contact_outbox (status, due_at)",
    "CREATE INDEX IF NOT EXISTS kl_contact_outbox_request ON kl_contact_outbox (request_number)",
    # The bytes of uploaded files, by session and SHA-256 (the ticket names them by digest).
    """CREATE TABLE IF NOT EXISTS kl_contact_files (
        session_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        name TEXT NOT NULL,
        media_type TEXT NOT NULL,
        content {bytes} NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (session_id, digest)
    )""",
    # What users added to a request they already had (or that they reopened it), once each.
    """CREATE TABLE IF NOT EXISTS kl_contact_additions (
        id {identity},
        addition_id TEXT NOT NULL UNIQUE,
        request_number TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        attachments TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS kl_contact_additions_request"
    " ON kl_contact_additions (request_number)",
    # Satisfaction ratings (the library's RecordFeedback effect), one per session and step.
    """CREATE TABLE IF NOT EXISTS kl_contact_feedback (
        id {identity},
        session_id TEXT NOT NULL,
        step TEXT NOT NULL,
        workflow TEXT NOT NULL,
        locale TEXT NOT NULL,
        channel TEXT,
        article_id TEXT,
        request_number TEXT,
        score INTEGER NOT NULL,
        comment TEXT,
        rated_at TEXT NOT NULL,
        UNIQUE (session_id, step)
    )""",
    "CREATE INDEX IF NOT EXISTS kl_contact_feedback_rated ON kl_contact_feedback (rated_at)",
    # Submissions to a helpdesk by idempotency key: who is creating the ticket, and its id.
    """CREATE TABLE IF NOT EXISTS kl_contact_helpdesk_submissions (
        key TEXT PRIMARY KEY,
        ticket_id TEXT,
        claimed_until DOUBLE PRECISION NOT NULL
    )""",
)

EmailStatus = Literal["pending", "retrying", "sent", "failed", "none"]
"""Where a request's registration letter is: queued, failed at least once and queued again,
delivered, given up on after every attempt, or never queued."""


class UnknownSession(LookupError):
    """No session is stored under this id."""


class StaleSession(Exception):
    """The session changed since the caller read it: the write was refused.

    ``expected`` is the version the caller read, ``current`` the one stored now.
    """

    def __init__(self, session_id: str, expected: int, current: int) -> None:
        self.session_id = session_id
        self.expected = expected
        self.current = current
        super().__init__(f"session is at version {current}, not {expected}")


@dataclass(frozen=True)
class SessionRecord:
    """A stored session: id, version, JSON document and capability digest (never in repr)."""

    id: str
    version: int
    document: JSON = field(repr=False)
    owner_digest: str = field(default="", repr=False)
    created_at: float = 0.0
    seen_at: float = 0.0


@dataclass(frozen=True)
class RequestRecord:
    """A submitted request: its number, where it came from, and the ticket (never in repr)."""

    number: str
    submission_id: str
    session_id: str
    channel: str
    email_status: EmailStatus
    ticket: JSON = field(repr=False)


@dataclass(frozen=True)
class Addition:
    """What a user added to a request (``added``), or that they reopened it (``reopened``)."""

    addition_id: str
    request_number: str
    kind: Literal["added", "reopened"]
    created_at: str
    text: str = field(repr=False)
    attachments: list[JSON] = field(repr=False)


@dataclass(frozen=True)
class Letter:
    """A leased outbox row: what to send, under which Message-ID, at which attempt."""

    message_id: str
    kind: str
    request_number: str
    attempts: int
    payload: str = field(repr=False)


@dataclass(frozen=True)
class FeedbackRecord:
    """A stored satisfaction rating (its comment is never shown in repr)."""

    session_id: str
    step: str
    workflow: str
    locale: str
    channel: str | None
    article_id: str | None
    request_number: str | None
    score: int
    rated_at: str
    comment: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file: its metadata and bytes (never shown in repr)."""

    name: str
    media_type: str
    digest: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Claim:
    """Who creates the helpdesk ticket of one idempotency key.

    ``done``: it exists, ``ticket_id`` says which; ``mine``: the caller holds the claim until
    it records the id or the lease runs out; ``busy``: another worker holds it.
    """

    state: Literal["done", "mine", "busy"]
    ticket_id: str | None = None


class _Sql:
    """A connection that takes ``?`` placeholders whatever the driver's own style."""

    def __init__(self, connection: Any, mark: str) -> None:
        self.connection = connection
        self.mark = mark

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql.replace("?", self.mark), tuple(params))


def _iso_now() -> str:
    return datetime.now(UTC).isoformat()


class Step:
    """One locked session inside one transaction; see :meth:`Storage.step`.

    ``record`` is the session as stored when the lock was taken. Nothing is written until
    :meth:`save`; leaving the ``with`` block without it, or with an exception, rolls back
    everything done through the step.
    """

    def __init__(self, storage: Storage, sql: _Sql, record: SessionRecord, now: float) -> None:
        self._storage = storage
        self._sql = sql
        self.record = record
        self.now = now
        self.saved: SessionRecord | None = None

    def register_request(
        self, submission_id: str, session_id: str, channel: str, ticket: JSON
    ) -> str:
        """Store a submitted ticket (in this transaction) and return its request number.

        The same ``submission_id`` always gets the same number: a retried submission never
        registers the request twice.
        """
        return self._storage._register(self._sql, submission_id, session_id, channel, ticket)

    def enqueue(
        self,
        kind: str,
        message_id: str,
        request_number: str,
        payload: str,
        *,
        lease_seconds: float | None = None,
    ) -> Letter | None:
        """Queue a letter for the outbox; it is sendable once the step commits.

        With ``lease_seconds`` the caller will send it itself right after the commit: the
        letter is queued already leased to it, its first attempt counted, and returned (so
        no other sender takes it meanwhile, and one that finds the lease run out tries it
        again). None when a letter with this Message-ID was queued before.
        """
        leased = lease_seconds is not None
        inserted = self._sql.execute(
            "INSERT INTO kl_contact_outbox (kind, message_id, request_number, payload, status,"
            " attempts, due_at, leased_until) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)"
            " ON CONFLICT (message_id) DO NOTHING",
            (
                kind,
                message_id,
                request_number,
                payload,
                1 if leased else 0,
                self.now,
                self.now + lease_seconds if lease_seconds is not None else 0,
            ),
        ).rowcount
        if not leased or int(inserted) != 1:
            return None
        return Letter(message_id, kind, request_number, 1, payload)

    def record_feedback(self, feedback: JSON) -> bool:
        """Store a rating (the ``feedback`` of a ``record_feedback`` effect, as JSON) in this
        transaction; False when this session's step was rated before (nothing changes)."""
        inserted = self._sql.execute(
            "INSERT INTO kl_contact_feedback (session_id, step, workflow, locale, channel,"
            " article_id, request_number, score, comment, rated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, step) DO NOTHING",
            (
                feedback["session_id"],
                feedback["step"],
                feedback["workflow"],
                feedback["locale"],
                feedback.get("channel"),
                feedback.get("article_id"),
                feedback.get("request_number"),
                int(feedback["score"]),
                feedback.get("comment"),
                feedback["at"],
            ),
        ).rowcount
        return int(inserted) == 1

    def erase(self) -> None:
        """Delete the locked session, its document and its files (committed on leaving)."""
        self._storage._erase(self._sql, self.record.id)

    def save(self, document: JSON) -> SessionRecord:
        """Write the session's new document at the next version; committed on leaving."""
        record = self.record
        self._sql.execute(
            "UPDATE kl_contact_sessions SET document = ?, version = ?, seen_at = ?"
            " WHERE id = ? AND version = ?",
            (json.dumps(document), record.version + 1, self.now, record.id, record.version),
        )
        self.saved = SessionRecord(
            record.id,
            record.version + 1,
            document,
            record.owner_digest,
            record.created_at,
            self.now,
        )
        return self.saved


class Storage:
    """Sessions, requests and the outbox in the database named by ``url``.

    ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` is an embedded file;
    ``postgresql://user@host:port/db`` is a PostgreSQL server (psycopg 3). Request numbers
    are ``request_prefix`` followed by the row id.
    """

    def __init__(
        self,
        url: str,
        *,
        request_prefix: str = "WEB-",
        pool_size: int = 4,
        busy_timeout: float = 10.0,
        sqlite_synchronous: str = "normal",
    ) -> None:
        if pool_size < 1:
            raise ValueError("the pool size must be at least 1")
        if sqlite_synchronous.lower() not in {"normal", "full"}:
            raise ValueError("SQLite's synchronous setting must be normal or full")
        self.sqlite_synchronous = sqlite_synchronous.upper()
        self.request_prefix = request_prefix
        self.pool_size = pool_size
        self.busy_timeout = busy_timeout
        self._url = url
        self._pool: Any = None
        self._pool_lock = threading.Lock()
        self._threads = threading.local()
        self._local = threading.local()
        if url.startswith("sqlite:///"):
            self.dialect: Literal["sqlite", "postgresql"] = "sqlite"
            self._path = Path(url.removeprefix("sqlite:///"))
        elif url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
        else:
            raise ValueError("the database URL must start with sqlite:/// or postgresql://")

    def __repr__(self) -> str:
        return f"Storage(dialect={self.dialect!r})"

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[_Sql]:
        """One transaction: committed when the block ends, rolled back on an exception.

        ``write`` takes SQLite's write lock at once (``BEGIN IMMEDIATE``), so that a read
        followed by a write in the block cannot be overtaken by another writer. Inside a
        :meth:`step` of this thread, every call joins the step's transaction instead: what a
        submission records on the way (a helpdesk's claim, its ticket id) commits or rolls
        back with the session, and SQLite's one writer never waits for itself.
        """
        joined: _Sql | None = getattr(self._local, "sql", None)
        if joined is not None:
            yield joined
            return
        connection = self._connect()
        sql = _Sql(connection, "?" if self.dialect == "sqlite" else "%s")
        try:
            if write and self.dialect == "sqlite":
                connection.execute("BEGIN IMMEDIATE")
            yield sql
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            self._release(connection)

    def _connect(self) -> Any:
        """A connection for one transaction: this thread's SQLite connection (opened on first
        use), or one of the pool's PostgreSQL connections."""
        if self.dialect == "postgresql":
            return self._postgres().getconn()
        connection: sqlite3.Connection | None = getattr(self._threads, "sqlite", None)
        if connection is None:
            connection = sqlite3.connect(self._path, timeout=self.busy_timeout)
            connection.execute(f"PRAGMA synchronous={self.sqlite_synchronous}")
            self._threads.sqlite = connection
        return connection

    def _release(self, connection: Any) -> None:
        """Hand a connection back after its transaction (SQLite's stays with its thread)."""
        if self.dialect == "postgresql":
            self._postgres().putconn(connection)

    def _postgres(self) -> Any:
        """This process's pool of PostgreSQL connections (opened on first use, so a worker
        process forked after the storage was made opens its own)."""
        with self._pool_lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self._url,
                    min_size=1,
                    max_size=self.pool_size,
                    kwargs={"connect_timeout": 10},
                    timeout=30,
                    open=True,
                )
            return self._pool

    def close(self) -> None:
        """Close the pool and this thread's SQLite connection; the next call reopens them.

        A process that forks workers calls it first, so that no child inherits a connection.
        """
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        connection = getattr(self._threads, "sqlite", None)
        if connection is not None:
            connection.close()
        self._threads = threading.local()

    def create_schema(self) -> None:
        """Create the tables when they are missing (safe to call from every worker)."""
        if self.dialect == "sqlite":
            self._path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self._path, timeout=30)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
        with self._transaction(write=True) as sql:
            if self.dialect == "postgresql":
                sql.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            for statement in _DDL:
                sql.execute(
                    statement.format(identity=_IDENTITY[self.dialect], bytes=_BYTES[self.dialect])
                )

    # ------------------------------------------------------------------ sessions

    def insert_session(
        self,
        session_id: str,
        document: JSON,
        *,
        owner_digest: str = "",
        client_digest: str = "",
        now: float = 0.0,
        client_quota: tuple[int, float] | None = None,
    ) -> SessionRecord | None:
        """Store a new session at version 1, owned by the capability with ``owner_digest``.

        With ``client_quota = (count, seconds)``, the session is stored only while the
        client (``client_digest``) created fewer than ``count`` sessions in the last
        ``seconds``; otherwise nothing is written and None is returned.
        """
        with self._transaction(write=True) as sql:
            if client_quota is not None:
                count, window = client_quota
                if self.dialect == "postgresql":
                    sql.execute(
                        "SELECT pg_advisory_xact_lock(?, hashtext(?))",
                        (_CREATION_LOCK, client_digest),
                    )
                (recent,) = sql.execute(
                    "SELECT COUNT(*) FROM kl_contact_sessions"
                    " WHERE client_digest = ? AND created_at > ?",
                    (client_digest, now - window),
                ).fetchone()
                if int(recent) >= count:
                    return None
            sql.execute(
                "INSERT INTO kl_contact_sessions (id, version, document, owner_digest,"
                " client_digest, created_at, seen_at) VALUES (?, 1, ?, ?, ?, ?, ?)",
                (session_id, json.dumps(document), owner_digest, client_digest, now, now),
            )
        return SessionRecord(session_id, 1, document, owner_digest, now, now)

    def session(self, session_id: str) -> SessionRecord:
        """The stored session; raises :class:`UnknownSession` when there is none."""
        with self._transaction() as sql:
            return self._read(sql, session_id)

    def _read(self, sql: _Sql, session_id: str, *, lock: bool = False) -> SessionRecord:
        row = sql.execute(
            "SELECT version, document, owner_digest, created_at, seen_at"
            " FROM kl_contact_sessions WHERE id = ?"
            + (" FOR UPDATE" if lock and self.dialect == "postgresql" else ""),
            (session_id,),
        ).fetchone()
        if row is None:
            raise UnknownSession(session_id)
        return SessionRecord(
            session_id, int(row[0]), json.loads(row[1]), row[2], float(row[3]), float(row[4])
        )

    def touch(self, session_id: str, now: float) -> None:
        """Note that the session was used at ``now`` (its idle time starts again)."""
        with self._transaction() as sql:
            sql.execute(
                "UPDATE kl_contact_sessions SET seen_at = ? WHERE id = ?", (now, session_id)
            )

    @contextmanager
    def step(self, session_id: str, expected_version: int | None, now: float) -> Iterator[Step]:
        """Lock the session for one change, in one transaction; see :class:`Step`.

        Raises :class:`UnknownSession` or, when ``expected_version`` is given and the
        session is no longer at it, :class:`StaleSession`, both before anything is written.
        With ``None`` the caller checks ``step.record`` itself, under the lock.
        """
        with self._transaction(write=True) as sql:
            record = self._read(sql, session_id, lock=True)
            if expected_version is not None and record.version != expected_version:
                raise StaleSession(session_id, expected_version, record.version)
            self._local.sql = sql
            try:
                yield Step(self, sql, record, now)
            finally:
                self._local.sql = None

    def save_session(
        self, session_id: str, document: JSON, expected_version: int, now: float = 0.0
    ) -> SessionRecord:
        """Replace the session if it is still at ``expected_version``; else raise StaleSession."""
        with self.step(session_id, expected_version, now) as step:
            return step.save(document)

    def erase_expired(self, idle_before: float, created_before: float) -> int:
        """Delete sessions last used before ``idle_before`` or created before
        ``created_before``, with everything they hold and the files uploaded to them; return
        how many went."""
        with self._transaction() as sql:
            erased = sql.execute(
                "DELETE FROM kl_contact_sessions WHERE seen_at < ? OR created_at < ?",
                (idle_before, created_before),
            ).rowcount
            sql.execute(
                "DELETE FROM kl_contact_files WHERE session_id NOT IN"
                " (SELECT id FROM kl_contact_sessions)"
            )
        return int(erased)

    def erase_session(self, session_id: str) -> None:
        """Delete one session, its document and the files uploaded to it."""
        with self._transaction() as sql:
            self._erase(sql, session_id)

    def _erase(self, sql: _Sql, session_id: str) -> None:
        sql.execute("DELETE FROM kl_contact_sessions WHERE id = ?", (session_id,))
        sql.execute("DELETE FROM kl_contact_files WHERE session_id = ?", (session_id,))

    # ------------------------------------------------------------------ requests

    def _register(
        self, sql: _Sql, submission_id: str, session_id: str, channel: str, ticket: JSON
    ) -> str:
        sql.execute(
            "INSERT INTO kl_contact_requests (submission_id, session_id, channel, ticket,"
            " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (submission_id) DO NOTHING",
            (submission_id, session_id, channel, json.dumps(ticket), _iso_now()),
        )
        row = sql.execute(
            "SELECT id FROM kl_contact_requests WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        return f"{self.request_prefix}{int(row[0]):06d}"

    def register_request(
        self, submission_id: str, session_id: str, channel: str, ticket: JSON
    ) -> str:
        """Store a submitted ticket on its own and return its request number (idempotent)."""
        with self._transaction(write=True) as sql:
            return self._register(sql, submission_id, session_id, channel, ticket)

    def _row_id(self, number: str) -> int | None:
        digits = number.removeprefix(self.request_prefix)
        if digits == number or not digits.isdigit():
            return None
        return int(digits)

    def request(self, number: str) -> RequestRecord | None:
        """The request with this number, or None."""
        row_id = self._row_id(number)
        if row_id is None:
            return None
        with self._transaction() as sql:
            row = sql.execute(
                "SELECT submission_id, session_id, channel, ticket"
                " FROM kl_contact_requests WHERE id = ?",
                (row_id,),
            ).fetchone()
            if row is None:
                return None
            letter = sql.execute(
                "SELECT status, last_error FROM kl_contact_outbox WHERE request_number = ?"
                " AND kind = 'email'",
                (number,),
            ).fetchone()
        return RequestRecord(
            number, row[0], row[1], row[2], _email_status(letter), json.loads(row[3])
        )

    def requests(self) -> list[RequestRecord]:
        """Every stored request, oldest first (for operators and tests)."""
        with self._transaction() as sql:
            ids = [int(r[0]) for r in sql.execute("SELECT id FROM kl_contact_requests ORDER BY id")]
        found = (self.request(f"{self.request_prefix}{i:06d}") for i in ids)
        return [record for record in found if record is not None]

    # ------------------------------------------------------------------ additions

    def add_to_request(
        self,
        addition_id: str,
        request_number: str,
        kind: Literal["added", "reopened"],
        text: str = "",
        attachments: Sequence[JSON] = (),
    ) -> bool:
        """Keep what a user added to a request, once per ``addition_id``: True when it is
        new, False for a retried effect (inside a step, in its transaction)."""
        files = json.dumps(list(attachments))
        with self._transaction(write=True) as sql:
            inserted = sql.execute(
                "INSERT INTO kl_contact_additions (addition_id, request_number, kind, text,"
                " attachments, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (addition_id) DO NOTHING",
                (
                    addition_id,
                    request_number,
                    kind,
                    text,
                    files,
                    _iso_now(),
                ),
            ).rowcount
        return int(inserted) == 1

    def additions(self, request_number: str) -> list[Addition]:
        """What was added to a request, oldest first."""
        with self._transaction() as sql:
            rows = sql.execute(
                "SELECT addition_id, kind, created_at, text, attachments"
                " FROM kl_contact_additions WHERE request_number = ? ORDER BY id",
                (request_number,),
            ).fetchall()
        return [
            Addition(str(r[0]), request_number, r[1], str(r[2]), str(r[3]), json.loads(r[4]))
            for r in rows
        ]

    # ------------------------------------------------------------------ outbox

    def lease(
        self, now: float, seconds: float, *, message_ids: Sequence[str] | None = None
    ) -> Letter | None:
        """Lease one due, unleased pending letter (of ``message_ids`` when given) for
        ``seconds``, counting the attempt; None when there is none."""
        where = "status = 'pending' AND due_at <= ? AND leased_until <= ?"
        params: list[Any] = [now, now]
        if message_ids is not None:
            if not message_ids:
                return None
            where += " AND message_id IN (" + ", ".join("?" for _ in message_ids) + ")"
            params += list(message_ids)
        skip = " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""
        with self._transaction(write=True) as sql:
            row = sql.execute(
                "UPDATE kl_contact_outbox SET leased_until = ?, attempts = attempts + 1"
                " WHERE id = (SELECT id FROM kl_contact_outbox WHERE "
                + where
                + " ORDER BY due_at LIMIT 1"
                + skip
                + ")"
                " RETURNING message_id, kind, request_number, attempts, payload",
                (now + seconds, *params),
            ).fetchone()
        if row is None:
            return None
        return Letter(row[0], row[1], row[2], int(row[3]), row[4])

    def mark_sent(self, message_id: str, now: float) -> bool:
        """Mark a letter sent and drop its text; False when it was already marked."""
        with self._transaction() as sql:
            changed = sql.execute(
                "UPDATE kl_contact_outbox SET status = 'sent', payload = NULL, sent_at = ?,"
                " leased_until = 0 WHERE message_id = ? AND status = 'pending'",
                (now, message_id),
            ).rowcount
        return int(changed) == 1

    def mark_failed(self, message_id: str, error: str, retry_at: float | None) -> None:
        """Note a failed attempt: due again at ``retry_at``, or given up when it is None."""
        with self._transaction() as sql:
            sql.execute(
                "UPDATE kl_contact_outbox SET status = ?, due_at = ?, leased_until = 0,"
                " last_error = ? WHERE message_id = ? AND status = 'pending'",
                (
                    "pending" if retry_at is not None else "failed",
                    retry_at if retry_at is not None else 0,
                    error,
                    message_id,
                ),
            )

    def feedback(self) -> list[FeedbackRecord]:
        """Every stored rating, oldest first."""
        with self._transaction() as sql:
            rows = sql.execute(
                "SELECT session_id, step, workflow, locale, channel, article_id,"
                " request_number, score, rated_at, comment FROM kl_contact_feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRecord(
                session_id=row[0],
                step=row[1],
                workflow=row[2],
                locale=row[3],
                channel=row[4],
                article_id=row[5],
                request_number=row[6],
                score=int(row[7]),
                rated_at=row[8],
                comment=row[9],
            )
            for row in rows
        ]

    def outbox_counts(self) -> dict[str, int]:
        """How many letters are in each state (``pending``, ``sent``, ``failed``)."""
        with self._transaction() as sql:
            rows = sql.execute(
                "SELECT status, COUNT(*) FROM kl_contact_outbox GROUP BY status"
            ).fetchall()
        return {str(status): int(count) for status, count in rows}

    def message_ids(self) -> dict[str, str]:
        """Request number -> Message-ID of its registration letter."""
        with self._transaction() as sql:
            rows = sql.execute(
                "SELECT request_number, message_id FROM kl_contact_outbox WHERE kind = 'email'"
            ).fetchall()
        return {str(number): str(message_id) for number, message_id in rows}

    # ------------------------------------------------------------------ uploaded files

    def store_file(self, session_id: str, name: str, media_type: str, content: bytes) -> str:
        """Keep an uploaded file for ``session_id``; returns its ``sha256:...`` digest."""
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        with self._transaction() as sql:
            sql.execute(
                "INSERT INTO kl_contact_files (session_id, digest, name, media_type, content,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, digest)"
                " DO NOTHING",
                (session_id, digest, name, media_type, content, _iso_now()),
            )
        return digest

    def files_kept(self, session_id: str) -> tuple[int, int]:
        """How many files ``session_id`` uploaded, and their bytes in all."""
        with self._transaction() as sql:
            row = sql.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(content)), 0) FROM kl_contact_files"
                " WHERE session_id = ?",
                (session_id,),
            ).fetchone()
        return int(row[0]), int(row[1])

    def file(self, session_id: str, digest: str) -> StoredFile | None:
        """The file ``session_id`` uploaded with this digest, or None."""
        with self._transaction() as sql:
            row = sql.execute(
                "SELECT name, media_type, content FROM kl_contact_files"
                " WHERE session_id = ? AND digest = ?",
                (session_id, digest),
            ).fetchone()
        return None if row is None else StoredFile(row[0], row[1], digest, bytes(row[2]))

    # ------------------------------------------------------------------ helpdesk submissions

    def claim_submission(self, key: str, lease_seconds: float) -> Claim:
        """Claim the creation of the helpdesk ticket for ``key`` (see :class:`Claim`).

        A claim whose lease ran out without a ticket id is taken over: its holder died or
        gave up. Every worker of a deployment must share this database.
        """
        now = time.time()
        until = now + lease_seconds
        with self._transaction() as sql:
            inserted = sql.execute(
                "INSERT INTO kl_contact_helpdesk_submissions (key, ticket_id, claimed_until)"
                " VALUES (?, NULL, ?) ON CONFLICT (key) DO NOTHING",
                (key, until),
            ).rowcount
            if inserted == 1:
                return Claim("mine")
            taken = sql.execute(
                "UPDATE kl_contact_helpdesk_submissions SET claimed_until = ?"
                " WHERE key = ? AND ticket_id IS NULL AND claimed_until < ?",
                (until, key, now),
            ).rowcount
            if taken == 1:
                return Claim("mine")
            row = sql.execute(
                "SELECT ticket_id FROM kl_contact_helpdesk_submissions WHERE key = ?", (key,)
            ).fetchone()
        return Claim("busy") if row is None or row[0] is None else Claim("done", str(row[0]))

    def finish_submission(self, key: str, ticket_id: str) -> None:
        """Record the helpdesk ticket created for ``key``; later claims get ``done``."""
        with self._transaction() as sql:
            sql.execute(
                "UPDATE kl_contact_helpdesk_submissions SET ticket_id = ? WHERE key = ?",
                (ticket_id, key),
            )

    def release_submission(self, key: str) -> None:
        """Give up a claim without a ticket (nothing was created): the next try may claim it."""
        with self._transaction() as sql:
            sql.execute(
                "UPDATE kl_contact_helpdesk_submissions SET claimed_until = 0"
                " WHERE key = ? AND ticket_id IS NULL",
                (key,),
            )


def _email_status(row: Sequence[Any] | None) -> EmailStatus:
    if row is None:
        return "none"
    status, failed_before = str(row[0]), row[1] is not None
    if status == "sent":
        return "sent"
    if status == "failed":
        return "failed"
    return "retrying" if failed_before else "pending"
