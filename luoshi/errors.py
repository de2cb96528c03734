"""Errors a user can act on.

Every failure that reaches a person (CLI or web) is one of these, carrying a message written for
that person. The CLI prints it on one line and exits with ``exit_code``; the web app maps
``http_status``. Anything else escaping is a bug.

The rules live in the ledger and are shared by the command line and the web pages, but what a
person does about a refusal differs: on the command line they add ``--lead``, on the page they
choose a unit in the form. So ``message`` says what is wrong in neutral words, and ``hints`` carries
what to do per surface (:data:`CLI`, :data:`WEB`); each surface shows :meth:`LuoshiError.said_for`
its own name. A page never quotes a flag, a terminal never a form field.
"""

from __future__ import annotations

CLI = "cli"
WEB = "web"  # the pages and the JSON API alike


class LuoshiError(Exception):
    """Base class: a clear, user-facing failure."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, hints: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hints = dict(hints or {})

    def said_for(self, surface: str) -> str:
        """The message with the hint for ``surface`` (:data:`CLI` or :data:`WEB`) appended, if any."""
        hint = self.hints.get(surface)
        return f"{self.message}{hint}" if hint else self.message


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
