"""``python -m kl_contact.cli``: the same as the ``kl-contact`` command."""

from kl_contact.cli import main

raise SystemExit(main())
