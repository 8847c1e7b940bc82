"""The outbox worker: delivers the letters a committed step queued, until each is sent once.

A step writes the ticket, the confirmed session and the registration letter in one
transaction (see :mod:`kl_contact_web.storage`), so a letter exists exactly when its
request does. This module sends them: it leases a due letter, hands it to the sender for its
kind, and marks it sent; a failure makes it due again after a delay that doubles with each
attempt (with some jitter, so that letters failing together do not retry together). A
process killed at any point loses nothing: a leased letter that was never marked becomes due
again when its lease runs out, and is sent again under the same Message-ID, which is how the
receiving side recognises a repeat.

Senders are plain callables by kind (``"email"`` here), so another delivery, such as filing
the request with a helpdesk, is one more kind queued by the same step. Nothing here logs an
address or a letter's text: only request numbers and exception class names.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping

from kl_contact_web.settings import Settings
from kl_contact_web.storage import Letter, Storage

__all__ = ["Outbox", "Sender"]

log = logging.getLogger(__name__)

Sender = Callable[[Letter], None]
"""Delivers one leased letter; raises when it could not (the letter is tried again)."""


class Outbox:
    """Sends the queued letters of ``storage`` with ``senders`` (kind -> sender)."""

    def __init__(
        self,
        storage: Storage,
        settings: Settings,
        senders: Mapping[str, Sender],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.senders = dict(senders)
        self.clock = clock

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (doubling, capped)."""
        base = self.settings.outbox_retry_seconds * 2.0 ** min(attempts - 1, 32)
        return min(base, self.settings.outbox_max_delay_seconds) * random.uniform(0.75, 1.0)

    def deliver(self, letter: Letter) -> bool:
        """Send one leased letter and mark it; True when it went out now."""
        sender = self.senders.get(letter.kind)
        try:
            if sender is None:
                raise LookupError(f"no sender for {letter.kind!r} letters")
            sender(letter)
        except Exception as exc:
            give_up = letter.attempts >= self.settings.outbox_max_attempts
            retry_at = None if give_up else self.clock() + self.delay(letter.attempts)
            self.storage.mark_failed(letter.message_id, type(exc).__name__, retry_at)
            log.warning(
                "%s letter for %s not sent, attempt %d (%s)%s",
                letter.kind,
                letter.request_number,
                letter.attempts,
                type(exc).__name__,
                "; given up" if give_up else "",
            )
            return False
        if self.storage.mark_sent(letter.message_id, self.clock()):
            log.info("%s letter for %s sent", letter.kind, letter.request_number)
        return True

    def run_once(self) -> int:
        """Send every letter due now; return how many were tried."""
        tried = 0
        while True:
            letter = self.storage.lease(self.clock(), self.settings.outbox_lease_seconds)
            if letter is None:
                return tried
            self.deliver(letter)
            tried += 1

    def erase_expired_sessions(self) -> int:
        """Erase the sessions past their idle or absolute lifetime; return how many."""
        now = self.clock()
        return self.storage.erase_expired(
            now - self.settings.session_idle_seconds,
            now - self.settings.session_lifetime_seconds,
        )

    def run(self, stop: threading.Event) -> None:
        """Send due letters and erase expired sessions every poll interval until ``stop``."""
        while not stop.is_set():
            try:
                self.run_once()
                self.erase_expired_sessions()
            except Exception as exc:  # the database is away: try again at the next poll
                log.warning("outbox round failed (%s)", type(exc).__name__)
            stop.wait(self.settings.outbox_poll_seconds)

    def start(self) -> tuple[threading.Thread, threading.Event]:
        """Run :meth:`run` in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name="outbox", daemon=True)
        thread.start()
        return thread, stop
