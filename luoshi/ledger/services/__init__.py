"""Ledger services: plain functions taking a Session, shared by the CLI, the web app and exports.

Services validate input, change rows and ``flush``; they never commit — the caller owns the
transaction (``luoshi.ledger.db.transaction`` in the CLI, the request scope in the web app), so a
failure anywhere leaves the ledger unchanged. Audit events are written by the session hook.
"""
