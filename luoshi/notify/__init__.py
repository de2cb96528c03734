"""Notifications: tell people what the ledger did, where they work, and lose nothing on the way.

Layer: beside ``luoshi.ledger`` (imports it, never the web app or the commands). The pieces:

- ``models``: the tables — ``outbox`` (one row per event, written by the ledger service that caused
  it, in the same transaction), ``notify_deliveries`` (one row per message to one channel address),
  ``inbox_messages`` (the in-app inbox), ``notify_channels`` and ``notify_subscriptions``.
- ``events``: ``emit(session, kind, *rows)``, the one call the ledger services make.
- ``scan``: events no single change causes (notice overdue, report due in N working days, the
  leaders' daily digest), found by the worker and emitted with keys that make them once-only.
- ``route``: who hears of an event (inbox readers; channel subscriptions, quiet hours).
- ``channels``: the wire formats (SMTP, 企业微信/政务微信, 钉钉 with its signature, 飞书/Lark, JSON).
- ``worker``: ``luoshi notify run`` — fan-out, delivery with retries and backoff, crash recovery.
"""

# The ledger's models load ours at their end; importing them first here keeps that order whichever
# module is imported first, so ``luoshi.ledger.models.TABLE_ORDER`` always lists our tables.
import luoshi.ledger.models  # noqa: F401
