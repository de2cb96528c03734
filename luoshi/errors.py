"""Errors a user can act on.

Every failure that reaches a person (CLI or web) is one of these, carrying a message written for
that person. The CLI prints ``message`` on one line and exits with ``exit_code``; the web app maps
``http_status``. Anything else escaping is a bug.
"""

from __future__ import annotations


class LuoshiError(Exception):
    """Base class: a clear, user-facing failure."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(LuoshiError):
    """The input file cannot be read as a report (empty, binary, corrupt, too large, scanned...)."""


class NotFoundError(LuoshiError):
    http_status = 404


class ConflictError(LuoshiError):
    """Someone else changed the record first, or the operation would duplicate existing data."""

    http_status = 409


class PermissionDenied(LuoshiError):
    http_status = 403


class ValidationError(LuoshiError):
    http_status = 422
