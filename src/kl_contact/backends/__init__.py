"""Support backends: a ticket in a helpdesk's own request, and its answers back, pure.

Each helpdesk has one module holding its mapping (:mod:`kl_contact.backends.rt` for Best
Practical's Request Tracker); the values they share live in :mod:`kl_contact.backends.model`.
A mapping describes the HTTP requests to make (:class:`~kl_contact.backends.model.HttpRequest`)
and reads the documents the helpdesk answers with; the host makes the calls with its own HTTP
client, so the library still performs no I/O.
"""
