"""A reference web host for kl_contact: an HTTP backend and one static page.

The backend exposes :class:`kl_contact.JsonEngine` over HTTP and performs the engine's effects
with real parts: the built-in article matcher, a SQL database for sessions and requests
(SQLite by default, PostgreSQL when a URL is given) and an SMTP server for the registration
e-mail. Workers keep no state between requests: every session lives in the database, so any
worker can continue any session. It is an example, not a dependency of the library.
"""

from kl_contact_web.settings import Settings

__all__ = ["Settings"]
