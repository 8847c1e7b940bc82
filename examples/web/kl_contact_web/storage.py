"""Sessions and submitted requests in SQL: SQLite (one file) or PostgreSQL (a URL).

A session row holds the session's JSON document and a version. Saving is a compare-and-set:
the row changes only while its version is still the one the caller read, so of two writers
that read the same version (two browser tabs, two workers) one wins and the other gets
:class:`StaleSession`. Nothing is ever silently overwritten.

Each call runs in a transaction of its own, so a worker holds no state between requests but
its connections: PostgreSQL's come from a pool (psycopg_pool) of ``pool_size`` connections
per worker process, opened on first use, so that a call does not pay for a new server
connection (a new one costs the server milliseconds of CPU, a reused one a tenth of one) and
psycopg's prepared statements are reused. SQLite's are kept one per thread, in WAL mode
(readers never wait for the writer) with a busy timeout for writers. Nothing here logs or
prints a document: sessions and tickets hold personal data.
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
    "Claim",
    "RequestRecord",
    "SessionRecord",
    "StaleSession",
    "Storage",
    "StoredFile",
    "UnknownSession",
]

JSON = dict[str, Any]

_SCHEMA_LOCK = 7_231_001
"""PostgreSQL advisory lock taken while creating tables, so workers starting together agree."""

_TABLES = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}
_BYTES = {"sqlite": "BLOB", "postgresql": "BYTEA"}

_DDL = (
    """CREATE TABLE IF NOT EXISTS kl_contact_sessions (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        document TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS kl_contact_requests (
        id {identity},
        submission_id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        ticket TEXT NOT NULL,
        email_status TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
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
    # Submissions to a helpdesk by idempotency key: who is creating the ticket, and its id.
    """CREATE TABLE IF NOT EXISTS kl_contact_helpdesk_submissions (
        key TEXT PRIMARY KEY,
        ticket_id TEXT,
        claimed_until DOUBLE PRECISION NOT NULL
    )""",
)


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
    """A stored session: its id, version and JSON document (never shown in repr)."""

    id: str
    version: int
    document: JSON = field(repr=False)


@dataclass(frozen=True)
class RequestRecord:
    """A submitted request: its number, where it came from, and the ticket (never in repr)."""

    number: str
    submission_id: str
    session_id: str
    channel: str
    email_status: Literal["pending", "sent", "failed"]
    ticket: JSON = field(repr=False)


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


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Storage:
    """Sessions and requests in the database named by ``url``.

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
    ) -> None:
        if pool_size < 1:
            raise ValueError("the pool size must be at least 1")
        self.request_prefix = request_prefix
        self.pool_size = pool_size
        self.busy_timeout = busy_timeout
        self._url = url
        self._pool: Any = None
        self._pool_lock = threading.Lock()
        self._threads = threading.local()
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
    def _transaction(self) -> Iterator[_Sql]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        connection = self._connect()
        sql = _Sql(connection, "?" if self.dialect == "sqlite" else "%s")
        try:
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
            with self._transaction() as sql:
                sql.execute("PRAGMA journal_mode=WAL")
        with self._transaction() as sql:
            if self.dialect == "postgresql":
                sql.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            for statement in _DDL:
                sql.execute(
                    statement.format(identity=_TABLES[self.dialect], bytes=_BYTES[self.dialect])
                )

    # ------------------------------------------------------------------ sessions

    def insert_session(self, session_id: str, document: JSON) -> SessionRecord:
        """Store a new session at version 1."""
        now = _now()
        with self._transaction() as sql:
            sql.execute(
                "INSERT INTO kl_contact_sessions (id, version, document, created_at, updated_at)"
                " VALUES (?, 1, ?, ?, ?)",
                (session_id, json.dumps(document), now, now),
            )
        return SessionRecord(session_id, 1, document)

    def session(self, session_id: str) -> SessionRecord:
        """The stored session; raises :class:`UnknownSession` when there is none."""
        with self._transaction() as sql:
            row = sql.execute(
                "SELECT version, document FROM kl_contact_sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None:
            raise UnknownSession(session_id)
        return SessionRecord(session_id, int(row[0]), json.loads(row[1]))

    def save_session(self, session_id: str, document: JSON, expected_version: int) -> SessionRecord:
        """Replace the session if it is still at ``expected_version``; else raise StaleSession."""
        with self._transaction() as sql:
            updated = sql.execute(
                "UPDATE kl_contact_sessions SET document = ?, version = version + 1,"
                " updated_at = ? WHERE id = ? AND version = ?",
                (json.dumps(document), _now(), session_id, expected_version),
            ).rowcount
            if updated != 1:
                row = sql.execute(
                    "SELECT version FROM kl_contact_sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if row is None:
                    raise UnknownSession(session_id)
                raise StaleSession(session_id, expected_version, int(row[0]))
        return SessionRecord(session_id, expected_version + 1, document)

    # ------------------------------------------------------------------ requests

    def register_request(
        self, submission_id: str, session_id: str, channel: str, ticket: JSON
    ) -> str:
        """Store a submitted ticket and return its request number.

        The same ``submission_id`` always gets the same number: a retried submission never
        registers the request twice.
        """
        with self._transaction() as sql:
            sql.execute(
                "INSERT INTO kl_contact_requests (submission_id, session_id, channel, ticket,"
                " email_status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)"
                " ON CONFLICT (submission_id) DO NOTHING",
                (submission_id, session_id, channel, json.dumps(ticket), _now()),
            )
            row = sql.execute(
                "SELECT id FROM kl_contact_requests WHERE submission_id = ?", (submission_id,)
            ).fetchone()
        return f"{self.request_prefix}{int(row[0]):06d}"

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
                "SELECT submission_id, session_id, channel, email_status, ticket"
                " FROM kl_contact_requests WHERE id = ?",
                (row_id,),
            ).fetchone()
        if row is None:
            return None
        return RequestRecord(number, row[0], row[1], row[2], row[3], json.loads(row[4]))

    def record_email(self, number: str, status: Literal["sent", "failed"]) -> None:
        """Note whether the registration e-mail of a request went out."""
        row_id = self._row_id(number)
        with self._transaction() as sql:
            sql.execute(
                "UPDATE kl_contact_requests SET email_status = ? WHERE id = ?", (status, row_id)
            )

    # ------------------------------------------------------------------ uploaded files

    def store_file(self, session_id: str, name: str, media_type: str, content: bytes) -> str:
        """Keep an uploaded file for ``session_id``; returns its ``sha256:...`` digest."""
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        with self._transaction() as sql:
            sql.execute(
                "INSERT INTO kl_contact_files (session_id, digest, name, media_type, content,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, digest)"
                " DO NOTHING",
                (session_id, digest, name, media_type, content, _now()),
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
