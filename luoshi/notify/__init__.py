"""Notifications: tell people what the ledger did, where they work, and lose nothing on the way.

Layer: beside ``luoshi.ledger`` (imports it, never the web app or the commands). The pieces:

The tables (``luoshi.ledger.notify_models``: ``outbox``, ``notify_deliveries``, ``inbox_messages``,
``notify_channels``, ``notify_subscriptions``) and ``luoshi.ledger.outbox.emit`` — the one call a
ledger service makes, in its own transaction — belong to the ledger: the event is part of the change.
This package reads the outbox and delivers it:
- ``scan``: events no single change causes (notice overdue, report due in N working days, the
  leaders' daily digest), found by the worker and emitted with keys that make them once-only.
- ``route``: who hears of an event (inbox readers; channel subscriptions, quiet hours).
- ``channels``: the wire formats (SMTP, 企业微信/政务微信, 钉钉 with its signature, 飞书/Lark, JSON).
- ``worker``: ``luoshi notify run`` — fan-out, delivery with retries and backoff, crash recovery.
"""

import luoshi.ledger.models  # noqa: F401  (the notification tables load with the ledger's)
